"""Structured (JSON lines) logging with the secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from types import TracebackType
from urllib.parse import quote

from sqlalchemy.engine import make_url

from bot.config import Settings

log = logging.getLogger(__name__)


def secrets_of(settings: Settings) -> tuple[str, ...]:
    """What must never reach a log: the token and its secret half, the webhook secret, the database's and Redis's
    passwords."""
    token = settings.bot_token.get_secret_value()
    found = [token, token.partition(":")[2], settings.webhook.secret.get_secret_value()]
    for url in (settings.database_url, settings.redis_url):
        if url:
            found.append(make_url(url).password or "")
    return tuple(found)


class JsonFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        super().__init__()
        # as written and as they appear inside a URL; the longest first, so none is left half-replaced
        forms = {form for secret in secrets if secret for form in (secret, quote(secret, safe=""))}
        self._secrets = sorted(forms, key=len, reverse=True)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "at": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": self.scrub(record.getMessage()),
        }
        if record.exc_info:
            entry["exc"] = self.scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def _log_uncaught(kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
    # through the scrubbing formatter instead of Python's bare traceback on stderr
    log.critical("uncaught %s", kind.__name__, exc_info=(kind, error, trace))


def setup_logging(level: str, secrets: tuple[str, ...] = ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiogram.event").setLevel(max(logging.getLevelName(level), logging.INFO))
    logging.captureWarnings(True)   # warnings too go through the formatter
    sys.excepthook = _log_uncaught
