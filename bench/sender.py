"""The outbox sender's throughput against the Bot API emulator with Telegram's rate limits switched on.

Queues `--messages` notices (default 2,000) to `--groups` group chats (default 500) in one transaction, then lets
the real `Sender.run()` loop deliver them through aiogram to the local emulator, which answers 429 whenever
Telegram's limits (30 messages a second overall, 20 a minute per group, 1 a second per chat) are broken. Real
clock, a temporary migrated SQLite database, nothing leaves 127.0.0.1. At 30 messages a second the default run
takes about 70 s.

    python -m bench.sender                              # 2,000 messages to 500 groups
    python -m bench.sender --messages 600 --groups 150  # a shorter run
    python -m bench.sender --order grouped              # each group's messages queued one after another
    python -m bench.sender --profile                    # where the time goes: limiters, transactions, HTTP
    python -m bench.sender --json                       # the figures as one JSON object as well

Targets: at least 95 % of the configured overall limit (28.5 messages a second at 30) and no 429 at all.
The exit status is 0 when both are met, 1 when either is missed, 2 when messages were not delivered.
See bench/README-sender.md.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import itertools
import json
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiogram
import aiolimiter
import sqlalchemy
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import TelegramMethod
from aiolimiter import AsyncLimiter
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import db_upgrade
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.messaging.pacing import Pacer
from bot.messaging.sender import Sender
from bot.models import OutboxMessage, OutboxStatus
from bot.services.outbox import enqueue_notice
from emulator import Emulator, EmulatorClient, RateLimits

TARGET_SHARE = 0.95  # of the configured overall limit
# Telegram's limits, which the emulator enforces whatever the bot's config.toml says
TELEGRAM = {"overall_per_second": 30, "group_per_minute": 20, "chat_per_second": 1}
NOTICE_KEY = "notice-overdue"
POLL_SECONDS = 0.2  # how often the benchmark looks whether everything has been delivered


# --- optional instrumentation (--profile) ---------------------------------------------------------------------

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
    """A limiter (the overall Pacer or an AsyncLimiter bucket) that records how long each acquire waited."""

    def __init__(self, limiter: Pacer | AsyncLimiter, name: str, profile: Profile, *,
                 grants: list[float] | None = None):
        self._limiter, self._name, self._profile, self._grants = limiter, name, profile, grants

    async def acquire(self) -> None:
        start = time.perf_counter()
        await self._limiter.acquire()
        self._profile.add(self._name, time.perf_counter() - start)
        if self._grants is not None:
            self._grants.append(time.time())


class TimedBuckets(dict):
    """The per-group and per-chat limiter dicts of `Limits`: each limiter is wrapped when first made."""

    def __init__(self, name: str, profile: Profile) -> None:
        super().__init__()
        self._name, self._profile = name, profile

    def setdefault(self, key: Any, default: Any = None) -> Any:
        if key not in self:
            self[key] = TimedLimiter(default, self._name, self._profile)
        return self[key]


def instrument(sender: Sender, bot: Bot, profile: Profile) -> None:
    limits = sender.limits
    limits.overall = TimedLimiter(limits.overall, "wait: overall limiter", profile,  # type: ignore[assignment]
                                  grants=profile.overall_grants)
    limits._groups = TimedBuckets("wait: group limiter (20/min)", profile)
    limits._chats = TimedBuckets("wait: chat limiter (1/s)", profile)
    for method, name in (("_claim", "db: claim batch"), ("_release", "db: release batch"),
                         ("_renew_claim", "db: renew claim (per row)"), ("_mark_sent", "db: mark sent (per row)"),
                         ("_reschedule", "db: reschedule (per row)"), ("_fail", "db: fail (per row)")):
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


# --- figures --------------------------------------------------------------------------------------------------

def percentile(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))] if ordered else float("nan")


def busiest_window(stamps: Sequence[float], seconds: float) -> int:
    """The most stamps inside any half-open window of `seconds` (the emulator's sliding window)."""
    ordered, best, first = sorted(stamps), 0, 0
    for last, stamp in enumerate(ordered):
        while stamp - ordered[first] >= seconds:
            first += 1
        best = max(best, last - first + 1)
    return best


def blame_429s(calls: list[dict[str, Any]], limits: dict[str, int]) -> Counter[str]:
    """Which of the emulator's windows was full when it answered each 429, recomputed from its call log."""
    sent = sorted(c["time"] for c in calls if c["status"] == 200)
    by_chat: dict[int, list[float]] = defaultdict(list)
    for call in calls:
        if call["status"] == 200:
            by_chat[call["chat_id"]].append(call["time"])
    blame: Counter[str] = Counter()
    for call in calls:
        if call["status"] != 429:
            continue
        t, own = call["time"], by_chat[call["chat_id"]]
        full = []
        if bisect.bisect_left(sent, t) - bisect.bisect_left(sent, t - 1) >= limits["overall_per_second"]:
            full.append("overall 30/s")
        if bisect.bisect_left(own, t) - bisect.bisect_left(own, t - 1) >= limits["chat_per_second"]:
            full.append("chat 1/s")
        if bisect.bisect_left(own, t) - bisect.bisect_left(own, t - 60) >= limits["group_per_minute"]:
            full.append("group 20/min")
        blame[" + ".join(full) or "unclear"] += 1
    return blame


@dataclass
class Outcome:
    messages: int
    groups: int
    order: str
    delivered: int
    failed: int
    seconds: float  # sender start to the last successful delivery
    rate: float
    configured_rate: float
    too_many_requests: int
    attempts: int  # sendMessage calls the emulator saw, 429s included
    busiest_second: int  # most successful sends in any 1 s window, as the emulator counts them
    latencies: list[float]  # created_at to sent_at, per delivered row
    retried_rows: int  # rows delivered on a second or later claim
    cpu: float  # process CPU seconds (all threads) over the run
    blame: Counter[str]
    profile: Profile | None
    start: float = 0.0  # time.time() when the sender started
    load: tuple[float, float] = (0.0, 0.0)  # 1-minute load average when the sender started and when it finished
    calls: list[dict[str, Any]] = field(default_factory=list)  # the emulator's sendMessage log: time, status, chat

    def stream(self) -> dict[str, float]:
        """The successful sends as the emulator saw them: how long before the first, and the time lost in gaps
        longer than twice the configured spacing (1/30 s), where the sender had nothing ready to send."""
        ok = sorted(c["time"] for c in self.calls if c["status"] == 200)
        if not ok:
            return {}
        spacing = 1 / self.configured_rate
        gaps = [b - a for a, b in itertools.pairwise(ok)]
        stalls = [gap for gap in gaps if gap > 2 * spacing]
        return {"first_send_s": round(ok[0] - self.start, 3), "stalls": len(stalls),
                "stalled_s": round(sum(gap - spacing for gap in stalls), 2),
                "longest_gap_s": round(max(gaps, default=0.0), 3)}

    @property
    def target_rate(self) -> float:
        return TARGET_SHARE * self.configured_rate

    @property
    def met(self) -> bool:
        return self.delivered == self.messages and self.rate >= self.target_rate and self.too_many_requests == 0

    def as_dict(self) -> dict[str, Any]:
        ordered = sorted(self.latencies)
        figures: dict[str, Any] = {
            "messages": self.messages, "groups": self.groups, "order": self.order, "delivered": self.delivered,
            "failed": self.failed, "seconds": round(self.seconds, 2), "messages_per_second": round(self.rate, 2),
            "target_per_second": round(self.target_rate, 2), "too_many_requests": self.too_many_requests,
            "send_attempts": self.attempts, "busiest_second": self.busiest_second,
            "latency_p50_s": round(percentile(ordered, 0.5), 2), "latency_p99_s": round(percentile(ordered, 0.99), 2),
            "latency_max_s": round(ordered[-1], 2) if ordered else None, "retried_rows": self.retried_rows,
            "cpu_share": round(self.cpu / self.seconds, 3) if self.seconds else None,
            "load_average": [round(x, 2) for x in self.load],
            "429_blame": dict(self.blame), "send_stream": self.stream(), "target_met": self.met,
        }
        if self.profile is not None:
            profile = self.profile
            figures["profile"] = profile.summary()
            figures["overall_limiter_busiest_second"] = busiest_window(profile.overall_grants, 1.0)
            figures["overall_limiter_grants_first_second"] = (
                sum(1 for g in profile.overall_grants if g - profile.overall_grants[0] < 1.0)
                if profile.overall_grants else 0)
            rounds = profile.rounds
            gaps = [b[0] - a[1] for a, b in itertools.pairwise(rounds)]
            busy = [r for r in rounds if r[2]]
            figures["rounds"] = {"with_rows": len(busy), "empty": len(rounds) - len(busy),
                                 "mean_rows": round(statistics.fmean(r[2] for r in busy), 1) if busy else 0,
                                 "mean_busy_round_s": round(statistics.fmean(r[1] - r[0] for r in busy), 3)
                                 if busy else 0,
                                 "idle_between_rounds_s": round(sum(gaps), 3)}
            lag = sorted(late for _, late in profile.lag)
            figures["loop_lag_ms"] = {"p50": round(percentile(lag, 0.5) * 1e3, 2),
                                      "p99": round(percentile(lag, 0.99) * 1e3, 2),
                                      "max": round(lag[-1] * 1e3, 2) if lag else None}
        return figures


# --- the run --------------------------------------------------------------------------------------------------

def chat_order(messages: int, groups: list[int], order: str) -> list[int]:
    """interleaved: message i goes to group i mod n (one message per group per pass, like a sweep touching
    every village); grouped: each group's messages follow one another (a chat with a backlog)."""
    if order == "interleaved":
        return [groups[i % len(groups)] for i in range(messages)]
    per_group, extra = divmod(messages, len(groups))
    targets: list[int] = []
    for index, chat_id in enumerate(groups):
        targets += [chat_id] * (per_group + (1 if index < extra else 0))
    return targets


async def queue(sessionmaker: async_sessionmaker[AsyncSession], targets: list[int], clock: Clock) -> None:
    async with sessionmaker.begin() as session:
        for number, chat_id in enumerate(targets, start=1):
            await enqueue_notice(session, chat_id=chat_id, key=NOTICE_KEY,
                                 args={"number": f"2026-{number:04d}", "days": 1}, dedupe_key=f"bench:{number}",
                                 now=clock.now())


async def settled(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status != OutboxStatus.pending)) or 0


async def run(args: argparse.Namespace, url: str, settings: Settings) -> Outcome:
    clock = Clock()
    engine = create_engine(url)
    watcher = create_engine(url, write_lock_upfront=False)  # reads beside the sender without its write lock
    sessionmaker, watch = create_sessionmaker(engine), create_sessionmaker(watcher)
    emulator = Emulator(rate_limits=RateLimits(enabled=True, **TELEGRAM))
    base_url = await emulator.start()
    bot = Bot(emulator.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    try:
        async with EmulatorClient(base_url) as client:
            groups = [(await client.create_chat(f"村{n:03d}", bot_status="member"))["id"]
                      for n in range(1, args.groups + 1)]
            await queue(sessionmaker, chat_order(args.messages, groups, args.order), clock)

            sender = Sender(bot, sessionmaker, Translator(settings.default_language), settings, clock,
                            worker="bench")
            profile = Profile() if args.profile else None
            stop_watch = asyncio.Event()
            lag_task = None
            if profile is not None:
                instrument(sender, bot, profile)
                lag_task = asyncio.create_task(watch_loop(profile, stop_watch))

            cpu0, start, load0 = time.process_time(), time.time(), os.getloadavg()[0]
            runner = asyncio.create_task(sender.run())
            deadline = time.monotonic() + args.timeout
            while not runner.done() and time.monotonic() < deadline:
                if await settled(watch) >= args.messages:
                    break
                await asyncio.sleep(POLL_SECONDS)
            sender.stop()
            await runner
            cpu, load1 = time.process_time() - cpu0, os.getloadavg()[0]
            stop_watch.set()
            if lag_task is not None:
                await lag_task
            stats = await client.stats()

        calls = [{"time": c.time, "status": c.status, "chat_id": int(c.params.get("chat_id", 0))}
                 for c in emulator.state.calls if c.method == "sendMessage"]
        async with watch() as session:
            rows = (await session.scalars(select(OutboxMessage))).all()
        sent = [r for r in rows if r.status == OutboxStatus.sent]
        ok = [c["time"] for c in calls if c["status"] == 200]
        seconds = (max(ok) - start) if ok else float("nan")
        return Outcome(
            messages=args.messages, groups=args.groups, order=args.order, delivered=len(sent),
            failed=sum(1 for r in rows if r.status == OutboxStatus.failed), seconds=seconds,
            rate=len(sent) / seconds if ok else 0.0, configured_rate=settings.delivery.overall_per_second,
            too_many_requests=stats["too_many_requests"], attempts=len(calls), busiest_second=busiest_window(ok, 1.0),
            latencies=[(r.sent_at - r.created_at).total_seconds() for r in sent if r.sent_at is not None],
            retried_rows=sum(1 for r in sent if r.last_error), cpu=cpu,
            blame=blame_429s(calls, TELEGRAM), profile=profile, start=start, load=(load0, load1),
            calls=calls)
    finally:
        if bot.session._session is not None:  # AiohttpSession.close() sleeps 0.25 s for TLS; this is plain HTTP
            await bot.session._session.close()
        await emulator.stop()
        await engine.dispose()
        await watcher.dispose()


# --- the command ----------------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sender", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="notices to queue (default 2000)")
    parser.add_argument("--groups", type=int, default=500, help="group chats they go to (default 500)")
    parser.add_argument("--order", choices=("interleaved", "grouped"), default="interleaved",
                        help="queue order: round-robin over the groups (default) or each group's in a row")
    parser.add_argument("--profile", action="store_true",
                        help="time the limiters, the transactions, the HTTP calls, the rounds and the loop's lag")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.groups < 1:
        parser.error("--messages and --groups must be at least 1")
    return args


def environment() -> str:
    return (f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"aiogram {aiogram.__version__}, SQLAlchemy {sqlalchemy.__version__}, "
            f"aiolimiter {aiolimiter.__version__}, SQLite")


def report(outcome: Outcome, settings: Settings) -> None:
    figures = outcome.as_dict()
    d = settings.delivery
    print(environment())
    print(f"sender limits (config.toml): {d.overall_per_second:g}/s overall, {d.group_per_minute:g}/min per group, "
          f"{d.chat_per_second:g}/s per chat, batch {d.batch}; emulator: Telegram's 30/s, 20/min, 1/s")
    print(f"{outcome.messages} messages to {outcome.groups} groups ({outcome.order}): "
          f"{outcome.delivered} delivered, {outcome.failed} failed")
    print(f"  total            {figures['seconds']:.1f} s (sender start to last delivery)")
    print(f"  throughput       {figures['messages_per_second']:.2f} msg/s  "
          f"(target >= {figures['target_per_second']:.1f})")
    print(f"  429 answers      {outcome.too_many_requests}  (target 0; {outcome.attempts} sendMessage calls, "
          f"{outcome.retried_rows} rows retried)" + (f"  blame: {dict(outcome.blame)}" if outcome.blame else ""))
    print(f"  busiest second   {outcome.busiest_second} successful sends (emulator's sliding window)")
    stream = figures["send_stream"]
    if stream:
        print(f"  send stream      first send after {stream['first_send_s']} s; {stream['stalls']} gaps longer than "
              f"2/{d.overall_per_second:g} s lost {stream['stalled_s']} s (longest {stream['longest_gap_s']} s)")
    print(f"  queue->delivery  p50 {figures['latency_p50_s']:.2f} s, p99 {figures['latency_p99_s']:.2f} s, "
          f"max {figures['latency_max_s']} s  (all rows queued before the sender started)")
    print(f"  CPU              {figures['cpu_share']:.0%} of one core; machine load average "
          f"{outcome.load[0]:.1f} at start, {outcome.load[1]:.1f} at end ({os.cpu_count()} CPUs)")
    if outcome.profile is not None:
        print(f"  overall limiter  {figures['overall_limiter_grants_first_second']} grants in its first second, "
              f"busiest second {figures['overall_limiter_busiest_second']}")
        rounds = figures["rounds"]
        print(f"  rounds           {rounds['with_rows']} with rows (mean {rounds['mean_rows']} rows, "
              f"{rounds['mean_busy_round_s']} s), {rounds['empty']} empty; "
              f"{rounds['idle_between_rounds_s']} s between rounds")
        lag = figures["loop_lag_ms"]
        print(f"  loop lag         p50 {lag['p50']} ms, p99 {lag['p99']} ms, max {lag['max']} ms")
        print(f"  {'':34} {'count':>6} {'total s':>9} {'mean ms':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
        for name, row in figures["profile"].items():
            print(f"  {name:34} {row['count']:>6} {row['total_s']:>9.2f} {row['mean_ms']:>9.2f} "
                  f"{row['p50_ms']:>8.2f} {row['p99_ms']:>8.2f} {row['max_ms']:>8.2f}")
    print("target met" if outcome.met else "TARGET MISSED")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-sender-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        db_upgrade(url)
        outcome = asyncio.run(run(args, url, settings))
    report(outcome, settings)
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    if outcome.delivered < outcome.messages:
        return 2
    return 0 if outcome.met else 1


if __name__ == "__main__":
    sys.exit(main())
