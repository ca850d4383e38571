"""The outbox sender's rounds: when to run the next one (woken by a commit, or the poll interval passed), how to
stop, and what a round the database failed means for the next (a pause doubling up to a minute). What a round
delivers is the subclass's `deliver_due`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable

from bot.config import Settings
from bot.messaging.send_outcomes import Stopping
from bot.retry import describe, is_transient
from bot.services.health import Health, Trouble
from bot.stopping import until_stopped

log = logging.getLogger(__name__)

LONGEST_ROUND_PAUSE = 60.0   # between rounds that failed (the database unavailable)


async def finish_all(*work: Awaitable[None]) -> None:
    """Run `work` together and let every part finish before raising the first failure. asyncio.gather raises at
    once and leaves the rest running: a round would then give back the claims of rows still being sent."""
    failures = [outcome for outcome in await asyncio.gather(*work, return_exceptions=True)
                if isinstance(outcome, BaseException)]
    if failures:
        raise failures[0]


class DeliveryLoop(ABC):
    def __init__(self, settings: Settings, health: Health | None) -> None:
        self.settings = settings
        self._health = health
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()

    @abstractmethod
    async def deliver_due(self) -> int:
        """One round: deliver what is due now; returns how many rows were handled."""

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    async def run(self) -> None:
        """Deliver until stopped; sleeps until woken by a commit or the poll interval passes (after failed rounds,
        the database unavailable, a pause doubling up to a minute)."""
        failed_rounds = 0
        while not self._stop.is_set():
            pause = self.settings.delivery.poll_seconds
            try:
                delivered = await self.deliver_due()
                failed_rounds = 0
                if self._health is not None:
                    self._health.ok(Trouble.database)
            except Exception as error:
                failed_rounds += 1
                pause = max(pause, min(2.0 ** failed_rounds, LONGEST_ROUND_PAUSE))
                if not is_transient(error):
                    log.exception("outbox sender round failed; next round in %.0fs", pause)
                else:
                    log.warning("outbox sender: database unavailable (%s); next round in %.0fs", describe(error), pause)
                    if self._health is not None:
                        self._health.failed(Trouble.database, describe(error))
                delivered = 0
            if delivered == 0 and not self._stop.is_set():
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), pause)

    async def drain(self, max_rounds: int = 100) -> int:
        """Deliver everything due now (tests, jobs and shutdown); returns how many rows were handled."""
        total = 0
        for _ in range(max_rounds):
            handled = await self.deliver_due()
            total += handled
            if handled == 0:
                break
        return total

    async def _unless_stopped(self, waiting: Awaitable[None]) -> None:
        """Wait for `waiting` (the rate limiters); a stop meanwhile raises `Stopping`, so the row is given back
        unsent rather than sent late."""
        if not await until_stopped(self._stop, waiting) or self._stop.is_set():
            raise Stopping()
