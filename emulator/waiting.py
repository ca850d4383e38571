"""A wake-everyone signal for long-polling waiters."""

from __future__ import annotations

import asyncio


class Signal:
    def __init__(self) -> None:
        self._event = asyncio.Event()

    def notify(self) -> None:
        # Swapping in a fresh event wakes current waiters without leaving the flag set for later ones.
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seconds: float) -> bool:
        event = self._event
        try:
            async with asyncio.timeout(seconds):
                await event.wait()
        except TimeoutError:
            return False
        return True


class Deadline:
    def __init__(self, seconds: float) -> None:
        self._at = asyncio.get_running_loop().time() + max(0.0, seconds)

    @property
    def remaining(self) -> float:
        return max(0.0, self._at - asyncio.get_running_loop().time())
