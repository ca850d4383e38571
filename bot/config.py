"""Typed settings: `config.toml` defaults, overridden by environment variables."""

from __future__ import annotations

import os
import re
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
    max_attempts: int = Field(20, ge=1)
    poll_seconds: float = Field(1.0, gt=0)
    batch: int = Field(100, ge=1)
    claim_seconds: float = Field(120, gt=0)


class Job(BaseModel):
    cron: str
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        from apscheduler.triggers.cron import CronTrigger

        try:
            CronTrigger.from_crontab(value)
        except ValueError as exc:
            raise ValueError(f"not a cron expression: {exc}") from None
        if any(ch.isdigit() for ch in value.split()[4]):
            # APScheduler counts weekday 0 as Monday, classic cron as Sunday: names cannot be misread
            raise ValueError("write the weekday as a name (mon..sun), not a number")
        return value


def _default_jobs() -> dict[str, Job]:
    return {
        "sla_sweep": Job(cron="*/5 * * * *"),
        "weekly_digest": Job(cron="0 18 * * fri"),
        "joint_meeting_reminder": Job(cron="0 9 13 3,6,9,12 *"),
        "department_meeting_reminder": Job(cron="0 9 25 * *"),
        "monthly_ranking": Job(cron="0 9 1 * *"),
        "year_end_assessment": Job(cron="0 9 5 1 *"),
        "monthly_disclosure": Job(cron="0 10 2 * *"),
        "purge_conversations": Job(cron="30 3 * * *"),
        "db_backup": Job(cron="30 2 * * *"),
    }


class Meetings(BaseModel):
    joint_meeting_day: int = Field(20, ge=1, le=28)        # day of the quarter's last month
    department_meeting_day: int = Field(28, ge=1, le=28)   # day of every month


class ScoreWeights(BaseModel):
    """Points of each part of the 100-point score (docs/scoring.md)."""

    resolution: int = Field(40, ge=0, le=100)
    on_time: int = Field(25, ge=0, le=100)
    activity: int = Field(20, ge=0, le=100)
    acknowledgement: int = Field(15, ge=0, le=100)

    @model_validator(mode="after")
    def _sum_to_100(self) -> ScoreWeights:
        total = self.resolution + self.on_time + self.activity + self.acknowledgement
        if total != 100:
            raise ValueError(f"the weights must sum to 100, not {total}")
        return self


class Scoring(BaseModel):
    weights: ScoreWeights = ScoreWeights()
    activity_cap: int = Field(8, ge=1)      # services a member logs in a month that count; more earn nothing
    top_n: int = Field(10, ge=1, le=50)     # rows of the county-wide tables in the monthly ranking


class Conversation(BaseModel):
    idle_minutes: int = Field(30, ge=1)


class ServiceKind(TeamKind):
    """A kind of service a member logs with /service (入户走访, 化解纠纷, ...)."""


class Disclosure(BaseModel):
    """What the monthly public digest (公示) may show; names and phone numbers are always removed."""

    show_places: bool = False       # households and places named in items are personal data unless made public
    show_descriptions: bool = True  # scrubbed of phone numbers and members' names, cut to description_chars
    description_chars: int = Field(60, ge=10, le=500)
    max_items: int = Field(10, ge=0, le=50)   # solved and pending items listed each; the counts are always given


class Backup(BaseModel):
    keep: int = Field(14, ge=1)     # dated SQLite backups `db backup` keeps in its folder; older ones are deleted
    dir: str = Field("data/backups", min_length=1)   # the folder of dated backups (relative: to the project)

    @property
    def folder(self) -> Path:
        path = Path(self.dir)
        return path if path.is_absolute() else PROJECT_ROOT / path


class Alerts(BaseModel):
    """Lasting trouble (Telegram unreachable, deliveries failing, the database unavailable) told to the admins."""

    after_minutes: float = Field(10, gt=0)


class Webhook(BaseModel):
    """`run --webhook`: where the Bot API posts updates and where this process listens for them."""

    base_url: str = ""                  # public URL the Bot API posts to (https://bot.example.org); path is added
    path: str = Field("/telegram/webhook", pattern=r"^/")
    listen_host: str = "127.0.0.1"
    listen_port: int = Field(8080, ge=1, le=65535)
    secret: SecretStr = SecretStr("")   # empty: one is generated per start (so set it when running replicas)

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("secret")
    @classmethod
    def _secret(cls, value: SecretStr) -> SecretStr:
        # the characters and length the Bot API accepts for secret_token
        if not re.fullmatch(r"[A-Za-z0-9_-]{0,256}", value.get_secret_value()):
            raise ValueError("1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def url(self) -> str:
        return self.base_url + self.path


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
    jobs: dict[str, Job] = Field(default_factory=_default_jobs)
    meetings: Meetings = Meetings()
    scoring: Scoring = Scoring()
    service_kinds: list[ServiceKind] = Field(min_length=1)   # like team_kinds, listed in config.toml
    disclosure: Disclosure = Disclosure()
    backup: Backup = Backup()
    alerts: Alerts = Alerts()
    webhook: Webhook = Webhook()

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
        services = [kind.key for kind in self.service_kinds]
        if len(set(services)) != len(services):
            raise ValueError("service_kinds: duplicate key")
        return self

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def kind_keys(self) -> list[str]:
        return [kind.key for kind in self.team_kinds]

    def kind(self, key: str) -> TeamKind | None:
        return next((kind for kind in self.team_kinds if kind.key == key), None)

    def service_kind(self, key: str) -> ServiceKind | None:
        return next((kind for kind in self.service_kinds if kind.key == key), None)

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
