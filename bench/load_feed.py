"""What the load benchmark reads off the emulator running in its own process: when each update was queued,
first handed to the bot and confirmed (a stamping update queue), and what the bot said, keyed so that each of
thousands of waiting people finds the answer meant for them without scanning everything.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from emulator.models import JSON
from emulator.state import State
from emulator.updates import UpdateQueue

READ_BATCH = 1000
READ_WAIT = 1.0

# ("reply", chat, replied message id) | ("plain", chat) | ("answer", callback query id) | ("edit", chat, message id)
Key = tuple[object, ...]
Predicate = Callable[[JSON], bool]


class StampedQueue(UpdateQueue):
    """The emulator's getUpdates queue, noting the wall-clock time each update was queued, first returned to
    the bot, and confirmed by the bot's next offset (Telegram forgets it then: it counts as consumed)."""

    def __init__(self) -> None:
        super().__init__()
        self.queued: dict[int, float] = {}
        self.fetched: dict[int, float] = {}
        self.confirmed: dict[int, float] = {}

    def push(self, kind: str, payload: JSON) -> int | None:
        update_id = super().push(kind, payload)
        if update_id is not None:
            self.queued[update_id] = time.time()
        return update_id

    def confirm(self, offset: int) -> None:
        now = time.time()
        if offset > 0:
            for update in self.pending:
                if update["update_id"] < offset:
                    self.confirmed.setdefault(update["update_id"], now)
        super().confirm(offset)

    async def poll(self, offset: int, limit: int, seconds: float) -> list[JSON]:
        batch = await super().poll(offset, limit, seconds)
        now = time.time()
        for update in batch:
            self.fetched.setdefault(update["update_id"], now)
        return batch


class Lost(Exception):
    """An expected answer that will not come: the bot stopped, or nothing happened for too long."""


@dataclass
class _Waiter:
    after: int
    predicate: Predicate | None
    future: asyncio.Future[JSON]


@dataclass
class Feed:
    """The bot's messages, edits and button answers from the emulator's change feed, by key."""

    state: State
    cursor: int = 0
    last_change: float = field(default_factory=time.monotonic)
    failure: str | None = None
    _seen: defaultdict[Key, list[JSON]] = field(default_factory=lambda: defaultdict(list))
    _waiters: defaultdict[Key, list[_Waiter]] = field(default_factory=lambda: defaultdict(list))

    def __post_init__(self) -> None:
        self.cursor = self.state.events.last_id

    def mark(self) -> int:
        """The newest event so far: an answer to what is done next comes after it."""
        return self.state.events.last_id

    async def run(self) -> None:
        while self.failure is None:
            for event in await self.state.events.wait(self.cursor, READ_WAIT, READ_BATCH):
                self.cursor = event["id"]
                self.last_change = time.monotonic()
                key = _key(event)
                if key is not None:
                    self._route(key, event)

    def seen(self, key: Key) -> list[JSON]:
        return self._seen.get(key, [])

    async def first(self, key: Key, *, after: int, predicate: Predicate | None = None) -> JSON:
        """The first event under `key` newer than `after` (and matching `predicate`), waiting for it."""
        for event in self._seen.get(key, []):
            if event["id"] > after and (predicate is None or predicate(event)):
                return event
        if self.failure is not None:
            raise Lost(self.failure)
        waiter = _Waiter(after, predicate, asyncio.get_running_loop().create_future())
        self._waiters[key].append(waiter)
        return await waiter.future

    def fail(self, reason: str) -> None:
        """Wake everyone still waiting with `reason`."""
        self.failure = reason
        for waiters in self._waiters.values():
            for waiter in waiters:
                if not waiter.future.done():
                    waiter.future.set_exception(Lost(reason))
        self._waiters.clear()

    def _route(self, key: Key, event: JSON) -> None:
        self._seen[key].append(event)
        waiters = self._waiters.get(key)
        if not waiters:
            return
        still = []
        for waiter in waiters:
            if waiter.future.done():  # given up (cancelled) by the one waiting
                continue
            if event["id"] > waiter.after and (waiter.predicate is None or waiter.predicate(event)):
                waiter.future.set_result(event)
            else:
                still.append(waiter)
        self._waiters[key] = still


def _key(event: JSON) -> Key | None:
    kind = event["kind"]
    if kind == "message" and event["message"]["from_bot"]:
        replied = (event["message"].get("reply_to_message") or {}).get("message_id")
        return ("reply", event["chat_id"], replied) if replied else ("plain", event["chat_id"])
    if kind == "callback_answer":
        return ("answer", event["callback_query_id"])
    if kind == "edit":
        return ("edit", event["chat_id"], event["message_id"])
    return None
