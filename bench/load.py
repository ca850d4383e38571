"""Load: a county-sized crowd bursting updates at the real bot process, with nothing lost.

A fresh database holds a generated county (bench/load_county.py); the emulator runs in this process with the
same people and bound groups; the bot (`main.py run`, long polling) runs against it. Every member then acts
at once, each as fast as the bot answers (bench/load_people.py), until the planned number of updates has gone
in; the run waits for every answer and for the outbox to drain, then checks that nothing was lost
(bench/load_checks.py) and reports latency, throughput, the bot's CPU and memory and the outbox delay.

    python -m bench.load                                   # 500 groups, 2,000 members, 10,000 updates, SQLite
    python -m bench.load --groups 20 --members 80 --updates 400
    python -m bench.load --database-url postgresql+asyncpg://postgres@127.0.0.1:5432/test

Run it from the project root. See bench/README-load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from bench.load_checks import latency, losses, outbox_delay, outbox_pending
from bench.load_county import Size, build_county
from bench.load_feed import Feed, StampedQueue
from bench.load_people import Burst, plan
from bot.config import PROJECT_ROOT, load_settings
from bot.i18n import Translator
from emulator import Emulator, EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT, BotProcess, bot_process
from tests.e2e.fleet import drop_database, empty_database
from tests.e2e.support import sqlite_url

RESULTS = PROJECT_ROOT / "bench" / "results"
DATABASE = f"five_teams_bench_load_{os.getpid()}"
STALL_SECONDS = 120.0  # nothing at all happening this long: what is still awaited is lost
DRAIN_TIMEOUT = 600.0
QUIET_SECONDS = 2.0  # the last claims commit their card edits right after answering: let them land first
POLL_SECONDS = 0.5
# Telegram's own limits (the bot's defaults) pace the outbox; the emulator enforces none.
UNLIMITED = {"DELIVERY__OVERALL_PER_SECOND": "1000000", "DELIVERY__GROUP_PER_MINUTE": "1000000",
             "DELIVERY__CHAT_PER_SECOND": "1000000"}


@dataclass
class Outcome:
    problems: list[str]
    figures: dict[str, Any] = field(default_factory=dict)


async def run_load(size: Size, updates: int, workdir: Path, *, seed: int = 1, server_url: str | None = None,
                   unlimited: bool = False, stall: float = STALL_SECONDS) -> Outcome:
    settings = load_settings()
    t = Translator(settings.default_language).localizer(settings.default_language)
    emulator = Emulator(privacy_mode=True)
    queue = emulator.state.updates = StampedQueue()
    await emulator.start()
    async with AsyncExitStack() as stack:
        stack.push_async_callback(emulator.stop)
        if server_url:
            database_url = await empty_database(server_url, DATABASE)
            stack.push_async_callback(drop_database, server_url, DATABASE)
        else:
            database_url = sqlite_url(workdir / "load.sqlite3")
        async with EmulatorClient(emulator.base_url) as client:
            county = await build_county(size, database_url, client, settings, t)
        env = {"BOT_TOKEN": emulator.token, "TELEGRAM_API_URL": emulator.base_url, "DATABASE_URL": database_url,
               "LOG_LEVEL": "WARNING", **(UNLIMITED if unlimited else {})}
        bot = await stack.enter_async_context(bot_process(workdir / "bot.log", **env))
        await _polling(emulator, bot)

        feed = Feed(emulator.state)
        reader = asyncio.create_task(feed.run())
        burst = Burst(emulator.state, feed, t)
        steps = plan(county, updates, seed)
        bot_cpu, driver_cpu, load_before = bot.cpu_seconds(), time.process_time(), os.getloadavg()
        watchdog = asyncio.create_task(_watch(feed, bot, stall))
        await asyncio.gather(*(burst.act(person, steps[person.telegram_id]) for person in county.people))
        drained, drained_at = await _drain(database_url, feed), time.time()
        bot_cpu, driver_cpu = bot.cpu_seconds() - bot_cpu, time.process_time() - driver_cpu
        peak = bot.peak_memory()
        watchdog.cancel()
        feed.fail("the run is over")
        await asyncio.wait({reader, watchdog})
        problems = await losses(burst, feed, emulator.state, database_url, bot.log, t)
        if not drained:
            problems.append(f"the outbox was not drained within {DRAIN_TIMEOUT:.0f} s")
        first = min(queue.queued[sent.update_id] for sent in burst.sent)
        last = max(sent.answered or first for sent in burst.sent)
        figures = {
            "date": date.today().isoformat(), "machine": _machine(), "tree": _tree(),
            "load_average": {"before": [round(v, 2) for v in load_before],
                             "after": [round(v, 2) for v in os.getloadavg()]},
            "scale": {"groups": county.groups, "members": len(county.people), "updates": len(burst.sent),
                      "seed": seed, "database": "postgresql" if server_url else "sqlite",
                      "delivery": "unlimited" if unlimited else "telegram (30/s, 20/min per group, 1/s per chat)"},
            "mix": _mix(burst),
            "seconds": round(last - first, 2),
            "updates_per_second": round(len(burst.sent) / (last - first), 1),
            "drained_after_seconds": round(drained_at - QUIET_SECONDS - first, 2),
            "latency": latency(burst, queue),
            "outbox_delay": await outbox_delay(database_url),
            "bot": {"cpu_seconds": round(bot_cpu, 1), "cpu_ms_per_update": round(bot_cpu / len(burst.sent) * 1e3, 1),
                    "peak_rss_mib": round(peak / 2**20, 1)},
            "driver_cpu_seconds": round(driver_cpu, 1),
            "problems": problems,
        }
    return Outcome(problems, figures)


async def _polling(emulator: Emulator, bot: BotProcess) -> None:
    """Until the bot asks for updates: the burst measures handling, not the bot's start-up."""
    async with asyncio.timeout(START_TIMEOUT):
        while not any(call.method == "getUpdates" for call in emulator.state.calls):
            if bot.process.returncode is not None:
                raise AssertionError(bot.failure("the bot stopped before polling"))
            await asyncio.sleep(POLL_SECONDS)


async def _watch(feed: Feed, bot: BotProcess, stall: float) -> None:
    while True:
        await asyncio.sleep(POLL_SECONDS)
        if bot.process.returncode is not None:
            feed.fail(bot.failure("the bot process stopped"))
            return
        if time.monotonic() - feed.last_change > stall:
            feed.fail(f"nothing happened for {stall:.0f} s")
            return


async def _drain(database_url: str, feed: Feed) -> bool:
    """Until the outbox has nothing pending and the emulator has been quiet for a moment."""
    try:
        async with asyncio.timeout(DRAIN_TIMEOUT):
            while True:
                quiet = time.monotonic() - feed.last_change > QUIET_SECONDS
                if feed.failure is not None or (quiet and await outbox_pending(database_url) == 0):
                    return True
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        return False


def _mix(burst: Burst) -> dict[str, int]:
    counts: dict[str, int] = {}
    for sent in burst.sent:
        counts[sent.what] = counts.get(sent.what, 0) + 1
    return {"confirmed_reports": len(burst.reports), **dict(sorted(counts.items()))}


def _machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {sys.platform}"


def _tree() -> str:
    """The commit measured, and whether the working tree differed from it."""
    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=PROJECT_ROOT, capture_output=True, text=True).stdout.strip()

    changed = git("status", "--porcelain", "--untracked-files=no")
    return git("rev-parse", "--short", "HEAD") + (" with uncommitted changes" if changed else "")


def print_table(figures: dict[str, Any], problems: list[str]) -> None:
    scale, bot, lat = figures["scale"], figures["bot"], figures["latency"]
    print(f"{figures['machine']}; tree {figures['tree']}; load average {figures['load_average']['before']} -> "
          f"{figures['load_average']['after']}")
    print(f"{scale['groups']} groups, {scale['members']} members, {scale['updates']} updates on {scale['database']}; "
          f"delivery limits: {scale['delivery']}")
    print(f"mix: {figures['mix']}\n")
    print(f"burst {figures['seconds']} s, {figures['updates_per_second']} updates/s; outbox drained "
          f"{figures['drained_after_seconds']} s after the first update")
    print(f"bot: {bot['cpu_seconds']} s CPU ({bot['cpu_ms_per_update']} ms/update), peak RSS {bot['peak_rss_mib']} MiB;"
          f" this process (emulator and members): {figures['driver_cpu_seconds']} s CPU\n")
    print(f"{'latency (ms)':<30} {'count':>6} {'p50':>9} {'p90':>9} {'p99':>9} {'max':>9}")
    rows = [(f"update -> first answer{'':<8}", lat["answer"]), ("  waiting in the queue", lat["queued_until_fetched"]),
            ("  fetched -> answer", lat["fetched_until_answer"]), ("report steps", lat["report step"]),
            ("claims", lat["claim"]), ("look-ups", lat["look-up"])]
    rows += [(f"outbox {kind}", spread) for kind, spread in figures["outbox_delay"].items()]
    for name, spread in rows:
        print(f"{name:<30} {spread['count']:>6} {spread['p50_ms']:>9} {spread['p90_ms']:>9} {spread['p99_ms']:>9} "
              f"{spread['max_ms']:>9}")
    print("\nnothing lost" if not problems else "\nLOST OR WRONG:\n" + "\n".join(f"  {p}" for p in problems))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", type=int, default=500, help="bound groups (villages mostly)")
    parser.add_argument("--members", type=int, default=2000, help="members on Telegram")
    parser.add_argument("--updates", type=int, default=10_000, help="updates in the burst")
    parser.add_argument("--seed", type=int, default=1, help="the plan's random seed")
    parser.add_argument("--database-url", help="a PostgreSQL server: a database is made there and dropped "
                                                "(default: SQLite in a temporary folder)")
    parser.add_argument("--unlimited-delivery", action="store_true", help="lift the outbox's Telegram limits")
    parser.add_argument("--out", type=Path, help="the figures as JSON (default bench/results/load-DATE.json)")
    parser.add_argument("--keep", type=Path, help="keep the database and the bot's log in this folder")
    return parser


def main() -> int:
    args = _parser().parse_args()
    size = Size(args.groups, args.members)
    with tempfile.TemporaryDirectory() as temporary:
        workdir = args.keep or Path(temporary)
        workdir.mkdir(parents=True, exist_ok=True)
        outcome = asyncio.run(run_load(size, args.updates, workdir, seed=args.seed, server_url=args.database_url,
                                       unlimited=args.unlimited_delivery))
    out = args.out or RESULTS / f"load-{outcome.figures['date']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(outcome.figures, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print_table(outcome.figures, outcome.problems)
    print(f"\nfigures: {out}")
    return 1 if outcome.problems else 0


if __name__ == "__main__":
    sys.exit(main())
