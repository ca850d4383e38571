from __future__ import annotations

import subprocess
import sys

import pytest

from bot.config import PROJECT_ROOT, ConfigError, load_settings


def test_defaults_come_from_config_toml() -> None:
    settings = load_settings()
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "zh"
    assert settings.kind_keys == ["ecology", "industry", "welfare", "governance", "culture"]
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_environment_overrides_toml(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TIMEZONE", "UTC")
    monkeypatch.setenv("DEADLINES__VILLAGE_DAYS", "10")
    monkeypatch.setenv("BOT_TOKEN", "123:tok3n-value")
    settings = load_settings()
    assert settings.timezone == "UTC"
    assert settings.deadlines.village_days == 10
    assert "tok3n-value" not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value", "key"),
    [
        ("TIMEZONE", "Mars/Olympus", "timezone"),
        ("DEADLINES__VILLAGE_DAYS", "soon", "deadlines.village_days"),
        ("DEADLINES__VILLAGE_DAYS", "0", "deadlines.village_days"),
        ("DATABASE_URL", "mysql://x", "database_url"),
        ("TELEGRAM_API_URL", "api.telegram.org", "telegram_api_url"),
        ("DEFAULT_LANGUAGE", "fr", "default_language"),
    ],
)
def test_wrong_value_names_the_key(monkeypatch: pytest.MonkeyPatch, name: str, value: str, key: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(f"config error: {key}:")


def test_cli_refuses_to_start_with_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"PATH": "/usr/bin:/bin", "TIMEZONE": "Nowhere/Land", "BOT_TOKEN": "1:abc"}
    result = subprocess.run([sys.executable, "main.py", "run"], cwd=PROJECT_ROOT, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == ["config error: timezone: Value error, unknown time zone "
                                                  "'Nowhere/Land'"]
