"""Update throughput of one and of two bot replicas in webhook mode on PostgreSQL and Redis.

Members of many village groups run the guided report at once (and a teammate claims each card) through the
emulator, whose webhook posts to a round-robin proxy in front of the replicas (tests/e2e/fleet.py). Figures:
updates per second over the whole burst, and p50/p99 latency of a step, from just before the member's action
reaches the emulator to the bot's answer arriving there.

    python -m bench.replicas                                   # 1 and 2 replicas, 14 groups x 3 members, 3 rounds
    python -m bench.replicas --replicas 2 --rounds 5 --json

Run it from the project root. See bench/README-replicas.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.sender import percentile
from bot.i18n import Translator
from emulator import Emulator, EmulatorClient
from tests.e2e.crowd import UPDATES_PER_REPORT, Crowd, Seat, open_groups, team_seats
from tests.e2e.fleet import county_database, drop_database, fleet, forget_bot_keys, random_token
from tests.e2e.support import inspect_database

DATABASE = f"five_teams_bench_replicas_{os.getpid()}"
DEFAULT_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/15"
# Telegram's outgoing limits would make the burst wait on the outbox (cards, edits) rather than on handling.
UNLIMITED = {"DELIVERY__OVERALL_PER_SECOND": "1000000", "DELIVERY__GROUP_PER_MINUTE": "1000000",
             "DELIVERY__CHAT_PER_SECOND": "1000000", "LOG_LEVEL": "WARNING"}
STEP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Result:
    replicas: int
    updates: int
    seconds: float
    latencies: list[float]
    bot_cpu: float  # CPU seconds the replicas used during the burst, together
    driver_cpu: float  # CPU seconds of this process (emulator, proxy, simulated members) during the burst
    load: float  # the machine's 1-minute load average at the end: other programs slow the wall-clock figures

    def figures(self) -> dict[str, float | int]:
        ordered = sorted(self.latencies)
        return {"replicas": self.replicas, "updates": self.updates, "seconds": round(self.seconds, 2),
                "updates_per_second": round(self.updates / self.seconds, 1),
                "p50_ms": round(percentile(ordered, 0.5) * 1e3, 1),
                "p99_ms": round(percentile(ordered, 0.99) * 1e3, 1),
                "bot_cpu_ms_per_update": round(self.bot_cpu / self.updates * 1e3, 1),
                "driver_cpu_ms_per_update": round(self.driver_cpu / self.updates * 1e3, 1),
                "load_average": round(self.load, 1)}


async def measure(replicas: int, args: argparse.Namespace) -> Result:
    database_url = await county_database(args.database_url, DATABASE)
    emulator = Emulator(random_token(), privacy_mode=True)
    await emulator.start()
    try:
        async with EmulatorClient(emulator.base_url) as client:
            async with inspect_database(database_url) as session:
                seats = await team_seats(session, args.groups, args.per_group)
                await open_groups(client, session, seats)
            with tempfile.TemporaryDirectory() as logs:
                async with fleet(emulator, replicas=replicas, database_url=database_url, redis_url=args.redis_url,
                                 logs=Path(logs), env=UNLIMITED) as running:
                    crowd = Crowd(client, Translator("zh").localizer("zh"), within=STEP_TIMEOUT)
                    # each new process compiles its SQL, builds validators and fills caches on first use
                    for round_ in range(args.warmup):
                        await asyncio.gather(*(_reports(crowd, seat, f"warm-up {round_}") for seat in seats))
                    crowd.latencies.clear()
                    bot_cpu = -sum(replica.cpu_seconds() for replica in running.replicas)
                    driver_cpu, started = -time.process_time(), time.perf_counter()
                    for round_ in range(args.rounds):
                        await asyncio.gather(*(_reports(crowd, seat, f"round {round_}") for seat in seats))
                    seconds = time.perf_counter() - started
                    driver_cpu += time.process_time()
                    bot_cpu += sum(replica.cpu_seconds() for replica in running.replicas)
        reports = args.rounds * len(seats) * args.per_group
        return Result(replicas, reports * UPDATES_PER_REPORT, seconds, crowd.latencies, bot_cpu, driver_cpu,
                      os.getloadavg()[0])
    finally:
        await emulator.stop()
        await forget_bot_keys(args.redis_url, int(emulator.token.split(":")[0]))
        await drop_database(args.database_url, DATABASE)


async def _reports(crowd: Crowd, seat: Seat, round_: str) -> None:
    members = seat.member_ids()
    claimers = members[1:] + members[:1]
    await asyncio.gather(*(crowd.report(seat.chat_id, reporter, claimer, f"{seat.village} {round_} #{i}")
                           for i, (reporter, claimer) in enumerate(zip(members, claimers, strict=True))))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.replicas", description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", default="1,2", help="replica counts to measure, comma-separated (1,2)")
    parser.add_argument("--groups", type=int, default=14, help="village groups reporting at once (at most 14)")
    parser.add_argument("--per-group", type=int, default=3, help="members reporting at once in each group")
    parser.add_argument("--rounds", type=int, default=3, help="reports each member makes, one after another")
    parser.add_argument("--warmup", type=int, default=1, help="unmeasured rounds first")
    parser.add_argument("--database-url", default=os.environ.get("TEST_DATABASE_URL") or DEFAULT_DATABASE,
                        help=f"PostgreSQL server (a database {DATABASE} is made and dropped on it)")
    parser.add_argument("--redis-url", default=os.environ.get("TEST_REDIS_URL") or DEFAULT_REDIS)
    parser.add_argument("--json", action="store_true", help="machine-readable figures")
    return parser


def main() -> int:
    args = _parser().parse_args()
    results = [asyncio.run(measure(int(count), args)) for count in args.replicas.split(",")]
    figures = [result.figures() for result in results]
    if args.json:
        print(json.dumps({"machine": _machine(), "results": figures}, indent=2))
        return 0
    print(f"{_machine()}\n{args.groups} groups x {args.per_group} members, {args.rounds} rounds "
          f"after {args.warmup} unmeasured, "
          f"{UPDATES_PER_REPORT} updates per report\n")
    print(f"{'replicas':>8} {'updates':>8} {'seconds':>8} {'updates/s':>10} {'p50 ms':>8} {'p99 ms':>8} "
          f"{'bot CPU ms/update':>18} {'driver CPU ms/update':>21} {'load':>5}")
    for row in figures:
        print(f"{row['replicas']:>8} {row['updates']:>8} {row['seconds']:>8} {row['updates_per_second']:>10} "
              f"{row['p50_ms']:>8} {row['p99_ms']:>8} {row['bot_cpu_ms_per_update']:>18} "
              f"{row['driver_cpu_ms_per_update']:>21} {row['load_average']:>5}")
    return 0


def _machine() -> str:
    return f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, {sys.platform}"


if __name__ == "__main__":
    sys.exit(main())
