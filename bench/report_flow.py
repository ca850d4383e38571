"""Updates per second through the real dispatcher: the guided report conversation beside a bare echo handler.

Both benchmarks feed updates in-process through the test harness's mocked Telegram session (no network, no
polling), so the figures compare the bot's own work per update (middlewares, filters, FSM storage in the
database, handlers, SQL on SQLite) with aiogram's floor on the same machine.

    python -m bench.report_flow                      # both benchmarks; the defaults take under a minute on 2 cores
    python -m bench.report_flow --only echo          # one of them
    python -m bench.report_flow --reports 200 --concurrency 4 --api-latency 20 --repeat 3

Run it from the project root (it imports `tests.harness`). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from aiogram import Dispatcher, Router
from aiogram.types import Message

from bench.report_flow_figures import Result, best, machine, table
from bench.report_flow_harness import (
    BenchmarkFailed,
    Seat,
    TimedHarness,
    count_issues,
    drive,
    lanes,
    load_county,
    migrate,
    open_groups,
    round_robin,
)
from bot.app import build_dispatcher
from bot.clock import ManualClock
from bot.config import Settings, load_settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from tests.harness.error_log import ErrorLog
from tests.harness.reporter import Reporter

TARGET_RATIO = 0.25  # the report flow should reach at least this share of bare echo's updates per second
OWN_TEAM = "✅"  # the team picker pre-marks the member's own team with this
START = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)


# --- the two benchmarks -----------------------------------------------------------------------------------------


async def report_conversation(harness: TimedHarness, index: int, seat: Seat) -> None:
    """One whole report; the shape varies with `index` (0-2 photos, a place or skipped, normal or urgent)."""
    photos = tuple(f"photo-{index}-{n}" for n in range(index % 3))
    await Reporter(harness, seat.person, seat.chat_id).full(
        f"第{index}号：草场围栏被风吹倒，牛羊进入禁牧区", kind=OWN_TEAM, photos=photos,
        place=None if index % 4 == 0 else "才让家夏季草场", urgent=index % 5 == 0)
    harness.forget(seat.chat_id)


async def bench_report_flow(url: str, settings: Settings, villages: Sequence[Sequence[Seat]], *, reports: int,
                            warmup: int, concurrency: int, repeat: int, api_latency: float) -> list[Result]:
    engine = create_engine(url)
    try:
        dispatcher = build_dispatcher(settings, create_sessionmaker(engine), Translator(settings.default_language),
                                      ManualClock(START))
        harness = TimedHarness(dispatcher, api_latency)
        seats = round_robin(villages, warmup + reports * repeat)
        open_groups(harness, seats)

        def conversations(first: int, count: int) -> list[list[tuple[int, Seat]]]:
            work = lanes(seats[first:first + count], concurrency)
            return [[(first + index, seat) for index, seat in lane] for lane in work]

        async def converse(index: int, seat: Seat) -> None:
            await report_conversation(harness, index, seat)

        await drive(conversations(0, warmup), converse)
        results = []
        for run in range(repeat):
            harness.latencies.clear()
            seconds, cpu = await drive(conversations(warmup + run * reports, reports), converse)
            results.append(Result("report flow", len(harness.latencies), seconds, cpu, list(harness.latencies)))
        return results
    finally:
        await engine.dispose()


def echo_dispatcher() -> Dispatcher:
    """aiogram's floor: default Dispatcher (its own middlewares and in-memory FSM), one handler, no database."""
    router = Router(name="echo")

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(message.text or "")

    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    return dispatcher


async def bench_echo(villages: Sequence[Sequence[Seat]], *, updates: int, warmup: int, concurrency: int,
                     repeat: int, api_latency: float) -> list[Result]:
    harness = TimedHarness(echo_dispatcher(), api_latency)
    seats = round_robin(villages, warmup + updates * repeat)
    open_groups(harness, seats)

    async def say(index: int, seat: Seat) -> None:
        await harness.send(seat.person, seat.chat_id, f"第{index}号：草场围栏被风吹倒，牛羊进入禁牧区")
        harness.forget(seat.chat_id)

    await drive(lanes(seats[:warmup], concurrency), say)
    results = []
    for run in range(repeat):
        harness.latencies.clear()
        first = warmup + run * updates
        seconds, cpu = await drive(lanes(seats[first:first + updates], concurrency), say)
        results.append(Result("bare echo", len(harness.latencies), seconds, cpu, list(harness.latencies)))
    return results


# --- the command ----------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.report_flow", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--reports", type=int, default=100, help="measured report conversations per run (default 100)")
    parser.add_argument("--groups", type=int, default=12,
                        help="village groups the members report in (default 12: 105 members, so nobody reports twice)")
    parser.add_argument("--warmup", type=int, default=5,
                        help="report conversations run first and not measured (default 5); the echo warms up on "
                             "20 updates for each")
    parser.add_argument("--concurrency", type=int, default=1,
                        help="conversations run side by side, each in a group of its own (default 1: one at a time)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="measured runs of each benchmark; the fastest is reported (default 1)")
    parser.add_argument("--api-latency", type=float, default=0.0, metavar="MS",
                        help="make every mocked Bot API call take this long, as a real round trip to Telegram "
                             "would (default 0); try it with --concurrency")
    parser.add_argument("--echo-updates", type=int, default=0,
                        help="updates per echo run (default: as many as the report flow's run took)")
    parser.add_argument("--only", choices=("flow", "echo"),
                        help="run one benchmark: the report flow, or bare echo (then fed --echo-updates updates, "
                             "by default 8 per report)")
    parser.add_argument("--check", action="store_true",
                        help=f"exit with status 1 when the report flow is below {TARGET_RATIO * 100:g}%% of bare echo")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON instead of a table")
    args = parser.parse_args(argv)
    for name in ("reports", "groups", "concurrency", "repeat"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    if args.warmup < 0 or args.echo_updates < 0 or args.api_latency < 0:
        parser.error("--warmup, --echo-updates and --api-latency cannot be negative")
    if args.concurrency > args.groups:
        parser.error("--concurrency cannot exceed --groups (each running conversation needs a group of its own)")
    return args


async def run(args: argparse.Namespace, url: str, settings: Settings) -> tuple[list[Result], int]:
    """The results, and how many different members reported in one measured run."""
    villages = await load_county(url, settings, args.groups)
    measured = round_robin(villages, args.warmup + args.reports)[args.warmup:]
    reporters = len({seat.person for seat in measured})
    results = []
    if args.only != "echo":
        results.append(best(await bench_report_flow(
            url, settings, villages, reports=args.reports, warmup=args.warmup, concurrency=args.concurrency,
            repeat=args.repeat, api_latency=args.api_latency / 1000)))
        expected = args.warmup + args.reports * args.repeat
        created = await count_issues(url)
        if created != expected:
            raise BenchmarkFailed(f"expected {expected} issues, found {created}: conversations did not finish")
    if args.only != "flow":
        updates = args.echo_updates or (results[0].updates if results else 8 * args.reports)
        results.append(best(await bench_echo(
            villages, updates=updates, warmup=20 * args.warmup, concurrency=args.concurrency, repeat=args.repeat,
            api_latency=args.api_latency / 1000)))
    return results, reporters


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    settings = load_settings()
    errors = ErrorLog()
    logging.getLogger().addHandler(errors)
    started = time.perf_counter()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-report-flow-") as folder:
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            migrate(url)
            results, reporters = asyncio.run(run(args, url, settings))
    except BenchmarkFailed as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return 2
    if errors.records:
        first = errors.records[0]
        print(f"benchmark failed: {len(errors.records)} errors were logged; the first: {first.name}: "
              f"{first.getMessage()}", file=sys.stderr)
        return 2
    ratio = results[0].rate / results[1].rate if len(results) > 1 else None
    if args.json:
        print(json.dumps({"results": [r.as_dict() for r in results], "ratio": ratio, "target_ratio": TARGET_RATIO,
                          "reports": args.reports, "reporters": reporters, "groups": args.groups,
                          "warmup": args.warmup, "concurrency": args.concurrency, "api_latency_ms": args.api_latency,
                          "repeat": args.repeat, "machine": machine(),
                          "date": datetime.now(UTC).isoformat(timespec="seconds")}, indent=2))
    else:
        print(f"{args.reports} reports by {reporters} members in {args.groups} village groups, {args.concurrency} at "
              f"a time, after {args.warmup} warm-up reports" + (f"; {args.only} only" if args.only else "")
              + (f"; every Bot API call takes {args.api_latency:g} ms" if args.api_latency else "")
              + (f"; fastest of {args.repeat} runs" if args.repeat > 1 else ""))
        print(machine())
        print("p50/p99: one update, from feed_update's call to its return (mocked Bot API calls included)\n")
        print(table(results))
        if ratio is not None:
            verdict = "ok" if ratio >= TARGET_RATIO else "BELOW TARGET"
            print(f"\nreport flow / bare echo = {ratio:.1%} (target >= {TARGET_RATIO:.0%}): {verdict}; "
                  f"by CPU time per update {results[1].cpu_per_update / results[0].cpu_per_update:.1%}")
        print(f"total time {time.perf_counter() - started:.0f} s")
    if args.check and ratio is not None and ratio < TARGET_RATIO:
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
