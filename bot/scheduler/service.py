"""The in-memory APScheduler 3 scheduler, rebuilt from config at every start; JobRun keeps it exactly-once."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
from datetime import timedelta
from itertools import takewhile

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import ConfigError, Settings
from bot.retry import backoff, describe, retry_transient
from bot.scheduler.periods import trigger_for
from bot.scheduler.runner import JobFunction, Outcome, resolve_period, run_job, set_baseline
from bot.services.health import Health

log = logging.getLogger(__name__)

# Jobs whose latest period runs at the first start too: they look at the present, not at a past period.
ALWAYS_CATCH_UP = frozenset({"sla_sweep", "purge_conversations"})
LONGEST_RETRY_SECONDS = 300.0


def check_jobs(settings: Settings, registry: dict[str, JobFunction]) -> None:
    unknown = sorted(set(settings.jobs) - set(registry))
    if unknown:
        raise ConfigError(f"config error: jobs.{unknown[0]}: no such job (known: {', '.join(sorted(registry))})")


class JobScheduler:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                 registry: dict[str, JobFunction], clock: Clock, *, worker: str,
                 after_run: Callable[[], None] | None = None,
                 on_outcome: Callable[[str, str], None] | None = None, health: Health | None = None,
                 first_retry_seconds: float = 5.0) -> None:
        check_jobs(settings, registry)
        self._sessionmaker, self.settings, self._registry = sessionmaker, settings, registry
        self._clock, self._worker, self._after_run = clock, worker, after_run
        self._health, self._first_retry = health, first_retry_seconds
        self._on_outcome = on_outcome  # (job, "ran" | "skipped" | "failed"): metrics
        self.scheduler = AsyncIOScheduler(
            timezone=settings.tz,
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
        )
        for name, job in settings.jobs.items():
            if job.enabled:
                self.scheduler.add_job(self._fire, trigger_for(job.cron, settings.tz), args=[name], id=name,
                                       name=name)

    async def _fire(self, name: str) -> None:
        """APScheduler's entry: `run` logs a failure, and APScheduler would log it again with its traceback."""
        with contextlib.suppress(Exception):
            await self.run(name)

    async def run(self, name: str, period: str | None = None) -> Outcome:
        """Run one period; a passing database fault is retried for that same period, with backoff, until the
        job's next period is due (which runs on its own). A failure is logged here, whatever raised it."""
        try:
            if period is None:
                resolved = resolve_period(self.settings, name, self._clock.now(), None)
                period = resolved[0] if resolved else None
            outcome = await retry_transient(
                lambda: run_job(self._sessionmaker, self._registry, self.settings, name, now=self._clock.now(),
                                worker=self._worker, period=period),
                what=f"job {name}", delays=self._retry_delays(name), health=self._health)
            self._observe(name, "ran" if outcome.ran else "skipped")
            if outcome.ran and self._after_run is not None:
                self._after_run()
        except Exception:
            log.exception("job %s failed; the period stays unclaimed and runs again", name)
            self._observe(name, "failed")
            raise
        return outcome

    def _retry_delays(self, name: str) -> Iterator[float]:
        trigger = trigger_for(self.settings.jobs[name].cron, self.settings.tz)
        due = trigger.get_next_fire_time(None, self._clock.now())
        return takewhile(lambda delay: due is None or self._clock.now() + timedelta(seconds=delay) < due,
                         backoff(self._first_retry, LONGEST_RETRY_SECONDS))

    def _observe(self, name: str, outcome: str) -> None:
        if self._on_outcome is not None:
            self._on_outcome(name, outcome)

    async def catch_up(self) -> list[Outcome]:
        """Run each job's latest period if it was missed while the bot was down (once: JobRun dedupes)."""
        outcomes = []
        for name, job in self.settings.jobs.items():
            if not job.enabled:
                continue
            # one failing job, or the database down at start, must not stop the bot
            try:
                if name not in ALWAYS_CATCH_UP and await set_baseline(
                        self._sessionmaker, self.settings, name, now=self._clock.now(), worker=self._worker):
                    continue
            except Exception as error:
                log.warning("job %s not caught up at start: %s", name, describe(error))
                outcomes.append(Outcome(name, None, False))
                continue
            try:
                outcomes.append(await self.run(name))
            except Exception:  # run has logged it
                outcomes.append(Outcome(name, None, False))
        return outcomes

    def start(self) -> None:
        self.scheduler.start()

    def shutdown(self) -> None:
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
