"""Long polling that tells Telegram an update is done only once it is: handled, its transaction committed.

aiogram's own polling asks for the next updates while the handlers of the last ones still run, and that request
confirms them: a crash then loses every update in hand, and Telegram never sends them again. Here the offset of
each getUpdates stops at the oldest update still in hand, so whatever a crash interrupts is sent again to the
next process. An update finished just before a crash may so be handled twice; the handlers allow for it (Confirm
finds its draft's issue, a second claim finds the item moved on, a step's answer in the wrong state is refused).

Updates are fetched a batch (up to 100) at a time, as aiogram does, and started as places free up: at most
`max_in_hand` are handled at once, the rest wait their turn. Since Telegram forgets only what comes before the
offset, an update that takes long holds back the confirmation of the ones after it, and at most a batch of them
is fetched past it.

A stop fetches nothing more, lets the updates in hand finish (cancelled after `drain_seconds`: rolled back and
left to the next process), and confirms those that finished.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import GetUpdates, TelegramMethod
from aiogram.types import Update
from aiogram.utils.backoff import Backoff, BackoffConfig

from bot.stopping import until_stopped

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 10
# While an update is in hand a long poll would return at once (Telegram still holds that update), and each
# getUpdates returns the updates in hand again: new ones are looked for at most this long after the last look.
IN_HAND_POLL_SECONDS = 0.5
DRAIN_SECONDS = 8.0
BATCH = 100  # the most getUpdates returns
BACKOFF = BackoffConfig(min_delay=1.0, max_delay=5.0, factor=1.3, jitter=0.1)


def stop_on_signals() -> asyncio.Event:
    """An event set by SIGTERM or SIGINT: the polling loop's signal to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop


class Poller:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, max_in_hand: int,
                 drain_seconds: float = DRAIN_SECONDS) -> None:
        self._dispatcher, self._bot = dispatcher, bot
        self._max_in_hand, self._drain_seconds = max_in_hand, drain_seconds
        self._waiting: dict[int, Update] = {}     # fetched, waiting for a place, oldest first
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._finished: set[int] = set()  # done, but behind one still in hand: skipped when Telegram repeats them
        self._next: int | None = None     # one past the newest update fetched
        self._confirmed: int | None = None

    @property
    def _offset(self) -> int | None:
        """The oldest update not yet done: Telegram forgets everything before it."""
        return min(itertools.chain(self._in_hand, self._waiting), default=self._next)

    async def run(self, stop: asyncio.Event) -> None:
        data: dict[str, Any] = {"bots": [self._bot]}
        await self._dispatcher.emit_startup(bot=self._bot, **data)
        allowed = self._dispatcher.resolve_used_update_types()
        backoff = Backoff(BACKOFF)
        coming = False
        try:
            while not stop.is_set():
                while self._waiting and len(self._in_hand) < self._max_in_hand:
                    self._start(self._waiting.pop(next(iter(self._waiting))), data)
                if self._waiting:  # every place taken: wait for one
                    await until_stopped(stop, self._until_in_hand(self._max_in_hand - 1))
                    continue
                try:
                    updates = await self._fetch(stop, allowed, coming=coming)
                except Exception as error:  # the Bot API out of reach, or a 409 from another poller: keep trying
                    log.warning("getUpdates failed (%s: %s); retrying in %.1fs", type(error).__name__, error,
                                backoff.next_delay)
                    await until_stopped(stop, asyncio.sleep(next(backoff)))
                    continue
                backoff.reset()
                coming = sum(self._queue(update) for update in updates) > 0
        finally:
            await self._drain()
            await self._confirm()
            await self._dispatcher.emit_shutdown(bot=self._bot, **data)

    async def _fetch(self, stop: asyncio.Event, allowed: list[str], *, coming: bool) -> list[Update]:
        if self._in_hand:
            # while updates come in, fetch more once half the places are free; when the last fetch brought none,
            # look again once all in hand are done (or after a pause), not at every one that finishes
            await until_stopped(stop, self._until_in_hand(self._max_in_hand // 2 if coming else 0),
                         timeout=IN_HAND_POLL_SECONDS)
        if stop.is_set():
            return []
        wait = 0 if self._in_hand else LONG_POLL_SECONDS
        offset = self._offset
        request = asyncio.ensure_future(self._bot(
            GetUpdates(offset=offset, limit=BATCH, timeout=wait, allowed_updates=allowed),
            request_timeout=int(self._bot.session.timeout + wait)))
        if not await until_stopped(stop, request):
            return []
        updates = request.result()
        self._confirmed = offset
        return updates

    async def _until_in_hand(self, most: int) -> None:
        while len(self._in_hand) > most:
            await asyncio.wait(list(self._in_hand.values()), return_when=asyncio.FIRST_COMPLETED)

    def _queue(self, update: Update) -> bool:
        """Line a fetched update up unless it is one in hand or done (Telegram repeats those); True if new."""
        number = update.update_id
        if number in self._in_hand or number in self._finished or number in self._waiting:
            return False
        self._next = max(self._next or 0, number + 1)
        self._waiting[number] = update
        return True

    def _start(self, update: Update, data: dict[str, Any]) -> None:
        number = update.update_id
        task = asyncio.create_task(self._handle(update, data), name=f"update-{number}")
        self._in_hand[number] = task
        task.add_done_callback(lambda done: self._done(number, done))

    def _done(self, number: int, task: asyncio.Task[None]) -> None:
        if task.cancelled():  # rolled back at a stop: stays unconfirmed, for the next process
            return
        del self._in_hand[number]
        self._finished.add(number)
        offset = self._offset
        self._finished = {n for n in self._finished if offset is None or n >= offset}

    async def _handle(self, update: Update, data: dict[str, Any]) -> None:
        try:
            response = await self._dispatcher.feed_update(self._bot, update, **data)
            if isinstance(response, TelegramMethod):
                await self._dispatcher.silent_call_request(self._bot, response)
        except Exception:  # logged like aiogram's polling does; the update counts as handled
            log.exception("update %s failed", update.update_id)

    async def _drain(self) -> None:
        in_hand = list(self._in_hand.values())
        if not in_hand:
            return
        log.info("letting %d updates in hand finish", len(in_hand))
        _, late = await asyncio.wait(in_hand, timeout=self._drain_seconds)
        for task in late:  # rolled back; Telegram sends them again to the next process
            task.cancel()
        if late:
            log.warning("%d updates did not finish in %.0fs: left for the next start", len(late), self._drain_seconds)
            await asyncio.wait(late)

    async def _confirm(self) -> None:
        offset = self._offset
        if offset is None or offset == self._confirmed:
            return
        try:
            await self._bot(GetUpdates(offset=offset, timeout=0, limit=1))
        except Exception as error:  # they will be handled again by the next process
            log.warning("could not confirm the last updates (%s: %s)", type(error).__name__, error)

