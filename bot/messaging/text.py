"""Small text helpers shared by every renderer: county-time dates and Telegram's length limits."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
ELLIPSIS = "…"


def local_date(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d") if moment else "-"


def local_time(moment: datetime, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def shorten(text: str, limit: int) -> str:
    text = " ".join(text.split()) if limit < 120 else text
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + ELLIPSIS


def telegram_length(text: str) -> int:
    """Telegram counts UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def _cut(line: str, limit: int) -> tuple[str, str]:
    """The longest head of `line` within `limit` UTF-16 units, and the rest."""
    size = 0
    for index, char in enumerate(line):
        size += 2 if ord(char) > 0xFFFF else 1
        if size > limit:
            return line[:index], line[index:]
    return line, ""


def split_message(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Split at line breaks where possible so no part exceeds Telegram's limit."""
    parts: list[str] = []
    current = ""
    for line in text.split("\n"):
        while telegram_length(line) > limit:
            if current:
                parts.append(current)
                current = ""
            head, line = _cut(line, limit)
            parts.append(head)
        candidate = f"{current}\n{line}" if current else line
        if telegram_length(candidate) > limit:
            parts.append(current)
            current = line
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts
