"""Which scheduled period a moment belongs to: the latest fire time of the job's cron at or before it."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from apscheduler.triggers.cron import CronTrigger

PERIOD_FORMAT = "%Y-%m-%dT%H:%M"


def trigger_for(cron: str, tz: ZoneInfo) -> CronTrigger:
    return CronTrigger.from_crontab(cron, timezone=tz)


def latest_fire_time(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The most recent scheduled time <= now, found by widening the look-back window until one appears."""
    window = timedelta(hours=1)
    while window <= timedelta(days=800):
        start = now - window
        fire = trigger.get_next_fire_time(None, start)
        if fire is not None and fire <= now:
            latest = fire
            while True:
                following = trigger.get_next_fire_time(latest, latest + timedelta(seconds=1))
                if following is None or following > now:
                    return latest
                latest = following
        window *= 4
    return None


def period_key(fire_time: datetime, tz: ZoneInfo) -> str:
    return fire_time.astimezone(tz).strftime(PERIOD_FORMAT)


def parse_period(period: str, tz: ZoneInfo) -> datetime:
    return datetime.strptime(period, PERIOD_FORMAT).replace(tzinfo=tz)
