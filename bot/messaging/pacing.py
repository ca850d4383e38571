"""How fast the sender may talk to Telegram: one overall pace, and a spacing per chat."""

from __future__ import annotations

import asyncio

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


class ChatGate:
    """One chat's spacing, counted from the moment its last message went out: after the overall pace, whose queue
    delays each message by a different amount, so spacing counted from entering that queue could bunch a chat's
    messages together. The lock keeps the chat's messages in line while one waits for the overall pace."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next = 0.0
        self.lock = asyncio.Lock()


class Limits:
    """The overall pace, and each chat's spacing: one message every 3 s in a group (20 a minute), one a second in
    a private chat. The overall pace keeps a little headroom, and its tolerance is small enough that no one-second
    window ever holds more than `overall_per_second` requests.
    """

    HEADROOM = 0.97
    TOLERANCE = 0.005

    def __init__(self, settings: Settings) -> None:
        delivery = settings.delivery
        self.overall = Pacer(delivery.overall_per_second * self.HEADROOM, self.TOLERANCE)
        self._private_interval = 1 / delivery.chat_per_second
        self._group_interval = max(60 / delivery.group_per_minute, self._private_interval)
        self._gates: dict[int, ChatGate] = {}

    async def acquire(self, chat_id: int) -> None:
        gate = self._gates.get(chat_id)
        if gate is None:
            gate = self._gates[chat_id] = ChatGate(self._group_interval if chat_id < 0 else self._private_interval)
        async with gate.lock:
            loop = asyncio.get_running_loop()
            wait = gate.next - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            await self.overall.acquire()
            gate.next = loop.time() + gate.interval

    def sent(self, chat_id: int) -> None:
        """The chat's message goes out only now, later than its turn: its spacing counts from now."""
        gate = self._gates.get(chat_id)
        if gate is not None:
            gate.next = max(gate.next, asyncio.get_running_loop().time() + gate.interval)
