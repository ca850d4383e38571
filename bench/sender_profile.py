"""The sender benchmark's --profile: timers wrapped around the real sender, its limiters, its transactions, its
rounds and its HTTP calls from outside (the sender's code is not changed), and a ticker measuring the event loop's
lag. See bench/README-sender.md."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.methods import TelegramMethod

from bot.messaging.pacing import Pacer
from bot.messaging.sender import Sender


def percentile(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


@dataclass
class Profile:
    """Durations by name, stamps of the overall limiter's grants, the sender's rounds and the event loop's lag.
    Everything is wrapped around the real objects from outside: the sender's code is not changed."""

    durations: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    overall_grants: list[float] = field(default_factory=list)  # time.time() when a row got the overall limiter
    rounds: list[tuple[float, float, int]] = field(default_factory=list)  # deliver_due: start, end, rows
    lag: list[tuple[float, float]] = field(default_factory=list)  # time.time() of the wake-up, seconds late

    def add(self, name: str, seconds: float) -> None:
        self.durations[name].append(seconds)

    def timed(self, name: str, function: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def wrapper(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return await function(*args, **kwargs)
            finally:
                self.add(name, time.perf_counter() - start)

        return wrapper

    def summary(self) -> dict[str, dict[str, float]]:
        table = {}
        for name, values in sorted(self.durations.items()):
            ordered = sorted(values)
            table[name] = {"count": len(values), "total_s": round(sum(values), 3),
                           "mean_ms": round(statistics.fmean(values) * 1e3, 2),
                           "p50_ms": round(percentile(ordered, 0.5) * 1e3, 2),
                           "p99_ms": round(percentile(ordered, 0.99) * 1e3, 2),
                           "max_ms": round(ordered[-1] * 1e3, 2)}
        return table


class TimedLimiter:
    """The overall Pacer, recording how long each acquire waited and when it was granted."""

    def __init__(self, limiter: Pacer, name: str, profile: Profile):
        self._limiter, self._name, self._profile = limiter, name, profile

    async def acquire(self) -> None:
        start = time.perf_counter()
        await self._limiter.acquire()
        self._profile.add(self._name, time.perf_counter() - start)
        self._profile.overall_grants.append(time.time())


def instrument(sender: Sender, bot: Bot, profile: Profile) -> None:
    limits = sender.limits
    limits.overall = TimedLimiter(limits.overall, "wait: overall limiter", profile)  # type: ignore[assignment]
    # a chat's spacing (3 s in a group, 1 s in a private chat) and then the overall pace, inside this wait
    limits.acquire = profile.timed("wait: chat spacing, then overall", limits.acquire)  # type: ignore[method-assign]
    for method, name in (("_claim", "db: claim batch"), ("_release", "db: release batch"),
                         ("_renew_claim_if_old", "db: renew claim if old (per row)"),
                         ("_mark_sent", "db: mark sent (per row)"), ("_reschedule", "db: reschedule (per row)"),
                         ("_fail", "db: fail (per row)")):
        setattr(sender, method, profile.timed(name, getattr(sender, method)))
    deliver_due = sender.deliver_due

    async def timed_round() -> int:
        start = time.time()
        rows = await deliver_due()
        profile.rounds.append((start, time.time(), rows))
        return rows

    sender.deliver_due = timed_round  # type: ignore[method-assign]

    @bot.session.middleware
    async def timed_request(make_request: Any, bot_: Bot, method: TelegramMethod[Any]) -> Any:
        start = time.perf_counter()
        try:
            return await make_request(bot_, method)
        finally:
            profile.add(f"http: {type(method).__name__} round trip", time.perf_counter() - start)


async def watch_loop(profile: Profile, stop: asyncio.Event, tick: float = 0.02) -> None:
    """How late the event loop wakes a 20 ms sleep: a busy loop delays every send it schedules."""
    while not stop.is_set():
        start = time.perf_counter()
        await asyncio.sleep(tick)
        profile.lag.append((time.time(), time.perf_counter() - start - tick))
