"""Typed settings: `config.toml` defaults, overridden by environment variables."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_FILE = PROJECT_ROOT / "config.toml"
LANGUAGES = ("zh", "en")


class ConfigError(Exception):
    """A configuration value is wrong; the message is one line naming the key."""


class TeamKind(BaseModel):
    key: str = Field(pattern=r"^[a-z][a-z0-9_]{1,30}$")
    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def label(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class Deadlines(BaseModel):
    village_days: int = Field(7, ge=1)
    township_ack_hours: int = Field(24, ge=1)
    renotify_every_hours: int = Field(8, ge=1)
    renotify_max: int = Field(3, ge=0)
    township_days: int = Field(15, ge=1)
    department_days: int = Field(15, ge=1)


class Delivery(BaseModel):
    overall_per_second: float = Field(30, gt=0)
    group_per_minute: float = Field(20, gt=0)
    chat_per_second: float = Field(1, gt=0)
    max_attempts: int = Field(10, ge=1)
    poll_seconds: float = Field(1.0, gt=0)
    batch: int = Field(100, ge=1)


class Conversation(BaseModel):
    idle_minutes: int = Field(30, ge=1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_nested_delimiter="__",
        case_sensitive=False,
        extra="forbid",
    )

    bot_token: SecretStr = SecretStr("")
    telegram_api_url: str = "https://api.telegram.org"
    database_url: str = "sqlite+aiosqlite:///data/five_teams.sqlite3"
    redis_url: str = ""
    timezone: str = "Asia/Shanghai"
    default_language: str = "zh"
    log_level: str = "INFO"
    county_code: str = Field("GC", min_length=1, max_length=16)
    team_kinds: list[TeamKind] = Field(min_length=1)
    deadlines: Deadlines = Deadlines()
    conversation: Conversation = Conversation()
    delivery: Delivery = Delivery()

    @field_validator("telegram_api_url")
    @classmethod
    def _url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database(cls, value: str) -> str:
        if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("default_language")
    @classmethod
    def _language(cls, value: str) -> str:
        if value not in LANGUAGES:
            raise ValueError(f"must be one of {', '.join(LANGUAGES)}")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        if value.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value.upper()

    @model_validator(mode="after")
    def _unique_kinds(self) -> Settings:
        keys = [kind.key for kind in self.team_kinds]
        if len(set(keys)) != len(keys):
            raise ValueError("team_kinds: duplicate key")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kind_keys(self) -> list[str]:
        return [kind.key for kind in self.team_kinds]

    def kind(self, key: str) -> TeamKind | None:
        return next((kind for kind in self.team_kinds if kind.key == key), None)

    @property
    def has_token(self) -> bool:
        return bool(self.bot_token.get_secret_value())

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = os.environ.get("FIVE_TEAMS_CONFIG", str(DEFAULT_CONFIG_FILE))
        return (
            init_settings,
            env_settings,
            TomlConfigSettingsSource(settings_cls, toml_file=toml_file),
        )


def load_settings(**overrides: object) -> Settings:
    """Load settings or raise ConfigError with one line naming the first bad key."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(part) for part in error["loc"]) or "config"
        raise ConfigError(f"config error: {key}: {error['msg']}") from None
