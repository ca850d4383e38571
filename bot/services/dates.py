"""Due dates typed by people: a date (2026-12-20, 2026/12/20, 12-20) or a number of days from today."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.services.errors import DomainError

FULL = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
SHORT = re.compile(r"^(\d{1,2})[-/.月](\d{1,2})日?$")
DAYS = re.compile(r"^(\d{1,3})\s*(天|d|days?)?$", re.IGNORECASE)
MAX_DAYS = 366


def end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=tz)


def parse_due(text: str | None, *, now: datetime, tz: ZoneInfo) -> datetime:
    """The end of the named day in the county's time zone; refused when unparseable, past or absurdly far."""
    value = (text or "").strip()
    today = now.astimezone(tz).date()
    try:
        if match := FULL.match(value):
            day = date(int(match[1]), int(match[2]), int(match[3]))
        elif match := SHORT.match(value):
            day = date(today.year, int(match[1]), int(match[2]))
            if day < today:
                day = date(today.year + 1, day.month, day.day)
        elif match := DAYS.match(value):
            day = today + timedelta(days=int(match[1]))
        else:
            raise DomainError("due-unparseable", text=value[:30])
    except ValueError:
        raise DomainError("due-unparseable", text=value[:30]) from None
    if day <= today:
        raise DomainError("due-in-past")
    if day > today + timedelta(days=MAX_DAYS):
        raise DomainError("due-too-far", days=MAX_DAYS)
    return end_of_day(day, tz)
