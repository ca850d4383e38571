"""What the sender benchmark prints: the run's outcome as figures (JSON with --json) and as a report, and
which of Telegram's limits each 429 broke."""

from __future__ import annotations

import bisect
import itertools
import os
import platform
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiogram
import sqlalchemy

from bench.sender_profile import Profile, percentile
from bot.config import Settings

TARGET_SHARE = 0.95  # of the configured overall limit


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


def environment() -> str:
    return (f"{datetime.now(UTC):%Y-%m-%d}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"aiogram {aiogram.__version__}, SQLAlchemy {sqlalchemy.__version__}, SQLite")


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
