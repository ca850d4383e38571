"""The control API's change feed: message sent / edited / deleted and friends, with long polling."""

from __future__ import annotations

import time
from collections import deque
from typing import Any

from emulator.models import JSON
from emulator.waiting import Deadline, Signal

# Enough for a long sandbox session; older events fall off and live pages reload the chat instead.
_CAPACITY = 50_000


class EventLog:
    def __init__(self) -> None:
        self._events: deque[JSON] = deque(maxlen=_CAPACITY)
        self._last_id = 0
        self._signal = Signal()
        self._closed = False

    @property
    def last_id(self) -> int:
        return self._last_id

    def emit(self, kind: str, **data: Any) -> int:
        self._last_id += 1
        self._events.append({"id": self._last_id, "kind": kind, "time": time.time(), **data})
        self._signal.notify()
        return self._last_id

    def since(self, after: int, limit: int) -> list[JSON]:
        found: list[JSON] = []
        for event in reversed(self._events):
            if event["id"] <= after:
                break
            found.append(event)
        found.reverse()
        return found[:limit]

    async def wait(self, after: int, seconds: float, limit: int) -> list[JSON]:
        deadline = Deadline(seconds)
        while True:
            found = self.since(after, limit)
            if found or self._closed or deadline.remaining <= 0:
                return found
            await self._signal.wait(deadline.remaining)

    def clear(self) -> None:
        # Ids keep growing across a reset so that a client's cursor never skips new events.
        self._events.clear()

    def close(self) -> None:
        self._closed = True
        self._signal.notify()
