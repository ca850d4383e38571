"""The health loop: every few seconds, queue what the county admins should hear of lasting trouble (bot/services/
health.py) and wake the sender; while the database is the trouble, keep it for later and say so in the log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.retry import describe, is_transient
from bot.services.health import Health, Trouble, queue_notices

log = logging.getLogger(__name__)
LONGEST_CHECK_SECONDS = 30.0


class Watchdog:
    def __init__(self, health: Health, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                 clock: Clock, *, worker: str, wake: Callable[[], None]) -> None:
        self._health, self._sessionmaker, self._settings, self._clock = health, sessionmaker, settings, clock
        self._worker, self._wake = worker, wake
        self._stopped = asyncio.Event()
        # often enough that a notice is at most half a threshold late
        self.every = min(LONGEST_CHECK_SECONDS, health.after.total_seconds() / 2)

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        while not self._stopped.is_set():
            await self.check()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), self.every)

    async def check(self) -> int:
        """Queue the notices due now; returns how many outbox rows that made."""
        self._health.log_lasting()
        notices = self._health.due()
        if not notices:
            return 0
        try:
            async with self._sessionmaker.begin() as session:
                queued = await queue_notices(session, notices, worker=self._worker, tz=self._settings.tz,
                                             now=self._clock.now())
        except Exception as error:
            if not is_transient(error):
                log.exception("could not queue the trouble notices; trying again in %.0fs", self.every)
                return 0
            self._health.failed(Trouble.database, describe(error))
            return 0
        self._health.told(notices)
        self._wake()
        return queued
