"""Fault injection (429, 5xx, delays, dropped connections, a group upgraded to a supergroup) and Telegram's sending
rate limits."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import Literal, get_args

from emulator.models import JSON

FaultKind = Literal["too_many_requests", "server_error", "delay", "drop", "migrated"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)


@dataclass
class Fault:
    id: int
    kind: FaultKind
    method: str | None = None
    # None: applies until the faults are cleared.
    remaining: int | None = 1
    retry_after: int = 5
    status: int = 500
    seconds: float = 1.0
    # None: requests for any chat (or none).
    chat_id: int | None = None
    # "migrated": the supergroup the group became, as Telegram names it in every answer to the old group.
    migrate_to_chat_id: int = 0

    def matches(self, method: str, chat_id: object = None) -> bool:
        # a form post carries the chat id as text, a JSON body as a number
        return (self.method is None or self.method.lower() == method.lower()) and (
            self.chat_id is None or str(chat_id).strip() == str(self.chat_id))

    def view(self) -> JSON:
        return asdict(self)


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._next_id = 1

    def add(
        self,
        kind: FaultKind,
        *,
        method: str | None = None,
        count: int | None = 1,
        retry_after: int = 5,
        status: int = 500,
        seconds: float = 1.0,
        chat_id: int | None = None,
        migrate_to_chat_id: int = 0,
    ) -> Fault:
        fault = Fault(self._next_id, kind, method, count, retry_after, status, seconds, chat_id, migrate_to_chat_id)
        self._next_id += 1
        self._faults.append(fault)
        return fault

    def take(self, method: str, chat_id: object = None) -> Fault | None:
        for fault in self._faults:
            if fault.matches(method, chat_id):
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
                return fault
        return None

    def list(self) -> list[Fault]:
        return list(self._faults)

    def clear(self) -> None:
        self._faults.clear()


@dataclass
class RateLimits:
    enabled: bool = False
    overall_per_second: int = 30
    group_per_minute: int = 20
    chat_per_second: int = 1

    def view(self) -> JSON:
        return asdict(self)


@dataclass
class Stats:
    too_many_requests: int = 0
    rate_limited: int = 0
    injected: int = 0
    by_method: dict[str, int] = field(default_factory=dict)

    def count_429(self, method: str, *, injected: bool) -> None:
        self.too_many_requests += 1
        if injected:
            self.injected += 1
        else:
            self.rate_limited += 1
        self.by_method[method] = self.by_method.get(method, 0) + 1

    def view(self) -> JSON:
        return asdict(self)


class _Window:
    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.times: deque[float] = deque()

    def retry_after(self, now: float, limit: int) -> int | None:
        while self.times and now - self.times[0] >= self.seconds:
            self.times.popleft()
        if len(self.times) < limit:
            return None
        return max(1, math.ceil(self.seconds - (now - self.times[0])))


class RateLimiter:
    """Sliding windows like Telegram's: overall per second, per group per minute, per chat per second."""

    def __init__(self, limits: RateLimits) -> None:
        self.limits = limits
        self._overall = _Window(1.0)
        self._per_chat: dict[int, _Window] = {}
        self._per_group: dict[int, _Window] = {}

    def check(self, chat_id: int, is_group: bool, now: float) -> int | None:
        """The retry_after to answer, or None after counting the message as sent."""
        if not self.limits.enabled:
            return None
        checks = [
            (self._overall, self.limits.overall_per_second),
            (self._per_chat.setdefault(chat_id, _Window(1.0)), self.limits.chat_per_second),
        ]
        if is_group:
            checks.append((self._per_group.setdefault(chat_id, _Window(60.0)), self.limits.group_per_minute))
        waits = [wait for window, limit in checks if (wait := window.retry_after(now, limit)) is not None]
        if waits:
            return max(waits)
        for window, _ in checks:
            window.times.append(now)
        return None

    def reset(self) -> None:
        self._overall = _Window(1.0)
        self._per_chat.clear()
        self._per_group.clear()
