"""Running one job for one period exactly once: the JobRun claim, the job's work and the outbox rows it queues
commit together, so a second replica skips the period and a crash leaves nothing half-posted."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.models import JobRun
from bot.scheduler.periods import latest_fire_time, parse_period, period_key, trigger_for

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobContext:
    name: str
    period: str
    fire_time: datetime
    now: datetime
    settings: Settings


JobFunction = Callable[[AsyncSession, JobContext], Awaitable[dict[str, int]]]


@dataclass
class Outcome:
    job: str
    period: str | None
    ran: bool
    detail: dict[str, int] = field(default_factory=dict)


async def _claim(session: AsyncSession, job: str, period: str, now: datetime, worker: str, status: str) -> bool:
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(JobRun).values(job=job, period=period, status=status, started_at=now, worker=worker, detail={})
        .on_conflict_do_nothing(index_elements=[JobRun.job, JobRun.period]))
    return bool(result.rowcount)


def resolve_period(settings: Settings, job: str, now: datetime, period: str | None) -> tuple[str, datetime] | None:
    tz = settings.tz
    if period is not None:
        fire_time = parse_period(period, tz)
        return period_key(fire_time, tz), fire_time
    fire_time = latest_fire_time(trigger_for(settings.jobs[job].cron, tz), now)
    return None if fire_time is None else (period_key(fire_time, tz), fire_time)


async def run_job(sessionmaker: async_sessionmaker[AsyncSession], registry: dict[str, JobFunction],
                  settings: Settings, job: str, *, now: datetime, worker: str,
                  period: str | None = None) -> Outcome:
    resolved = resolve_period(settings, job, now, period)
    if resolved is None:
        return Outcome(job, None, False)
    key, fire_time = resolved
    async with sessionmaker.begin() as session:
        if not await _claim(session, job, key, now, worker, "done"):
            return Outcome(job, key, False)
        detail = await registry[job](session, JobContext(job, key, fire_time, now, settings))
        run = await session.scalar(select(JobRun).where(JobRun.job == job, JobRun.period == key))
        assert run is not None
        run.finished_at, run.detail = now, detail
    log.info("job %s ran for period %s: %s", job, key, detail)
    return Outcome(job, key, True, detail)


async def set_baseline(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, job: str, *,
                       now: datetime, worker: str) -> bool:
    """On a database that never ran this job, mark the latest period as seen instead of posting it: a fresh
    install does not post last month's ranking; a restart after downtime still catches up."""
    async with sessionmaker.begin() as session:
        if await session.scalar(select(JobRun.id).where(JobRun.job == job).limit(1)) is not None:
            return False
        resolved = resolve_period(settings, job, now, None)
        if resolved is None:
            return False
        return await _claim(session, job, resolved[0], now, worker, "baseline")


async def recent_runs(session: AsyncSession, job: str, limit: int = 3) -> list[JobRun]:
    return list((await session.scalars(select(JobRun).where(JobRun.job == job)
                                       .order_by(JobRun.period.desc()).limit(limit))).all())
