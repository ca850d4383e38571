"""How fast the sender may talk to Telegram: one overall pace and aiolimiter buckets per group and per chat."""

from __future__ import annotations

import asyncio

from aiolimiter import AsyncLimiter

from bot.config import Settings


class Pacer:
    """Spaces requests evenly on a fixed timeline (the generic cell rate algorithm).

    A leaky bucket measures each wait from the moment the last waiter woke up, so every late wake-up of the event
    loop (a millisecond or so) is lost for good and a 30/s bucket delivers about 28/s. Here each request is due one
    interval after the previous one was due, and may go up to `tolerance` early, which absorbs that lateness
    without letting more than the rate through in any window: requests in a window of W seconds number at most
    (W + tolerance) / interval + 1.
    """

    def __init__(self, rate: float, tolerance: float) -> None:
        self._interval = 1 / rate
        self._tolerance = tolerance
        self._due = 0.0
        # the lock queues waiters first come, first served
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            loop = asyncio.get_running_loop()
            wait = self._due - self._tolerance - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            self._due = max(self._due, loop.time()) + self._interval


class Limits:
    """The overall pace and the per-group-per-minute and per-chat buckets.

    Each aiolimiter bucket holds a single token refilled at the limit's rate: a full bucket of 20 would let 20
    messages out at once. The overall pace keeps a little headroom, and its tolerance is small enough that no
    one-second window ever holds more than `overall_per_second` requests.
    """

    HEADROOM = 0.97
    TOLERANCE = 0.005

    def __init__(self, settings: Settings) -> None:
        self._delivery = settings.delivery
        self.overall = Pacer(settings.delivery.overall_per_second * self.HEADROOM, self.TOLERANCE)
        self._groups: dict[int, AsyncLimiter] = {}
        self._chats: dict[int, AsyncLimiter] = {}

    async def acquire(self, chat_id: int) -> None:
        if chat_id < 0:
            group = self._groups.setdefault(chat_id, AsyncLimiter(1, 60 / self._delivery.group_per_minute))
            await group.acquire()
        chat = self._chats.setdefault(chat_id, AsyncLimiter(1, 1 / self._delivery.chat_per_second))
        await chat.acquire()
        await self.overall.acquire()
