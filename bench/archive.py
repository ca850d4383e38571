"""Exporting a big township library: time and peak memory for two sizes, to show that memory does not grow with
the number of rows (the rows stream from a server-side cursor into openpyxl's write-only sheets).

    python -m bench.archive                              # 20,000 and 200,000 issues in 200 villages
    python -m bench.archive --sizes 5000,50000 --villages 50
    python -m bench.archive --json

Each size gets a synthetic township in a temporary SQLite file, inserted with executemany: `--villages` villages
of five teams (a lead and three members each, and a secretary), issues spread over the past twelve months with
three timeline events each. The export is the real command (`main.py export --township`) run in a child
process twice: once for time and peak resident memory (the child's own `ru_maxrss`), once under tracemalloc
for the peak of Python allocations (slower; its time is not reported). See bench/README-archive.md.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import platform
import re
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import sqlalchemy
from sqlalchemy import insert
from sqlalchemy.engine import Connection

from bot.cli import db_upgrade
from bot.config import PROJECT_ROOT, load_settings
from bot.export_cli import export_archives
from bot.models import Issue, IssueEvent, Member, Role, RoleName, Team, Unit, UnitLevel

TOWNSHIP = "B01"
BATCH = 20_000
WORDS = ("草场", "围栏", "饮水", "道路", "医保", "养老", "纠纷", "垃圾", "合作社", "培训", "危房", "路灯")


def _members(villages: int, kinds: list[str]) -> Iterator[tuple[int, str, RoleName, int | None, int | None]]:
    """(member id, code, role, village number, team number) for every person of the township."""
    ids = itertools.count(1)
    for village in range(villages):
        member_id = next(ids)
        yield member_id, f"S{member_id:05d}", RoleName.village_secretary, village, None
        for kind in range(len(kinds)):
            team = village * len(kinds) + kind
            for seat in range(4):
                member_id = next(ids)
                role = RoleName.team_lead if seat == 0 else RoleName.member
                yield member_id, f"P{member_id:05d}", role, village, team


def build(path: Path, issues: int, villages: int, kinds: list[str], now: datetime) -> None:
    """A migrated SQLite file holding one township of `villages` villages and `issues` issues."""
    db_upgrade(f"sqlite+aiosqlite:///{path}")
    engine = sqlalchemy.create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(insert(Unit.__table__), [
            {"id": 1, "code": "B", "name": "基准县", "level": UnitLevel.county, "parent_id": None},
            {"id": 2, "code": TOWNSHIP, "name": "基准乡", "level": UnitLevel.township, "parent_id": 1},
            *({"id": 3 + v, "code": f"{TOWNSHIP}-{v + 1:03d}", "name": f"基准{v + 1}村",
               "level": UnitLevel.village, "parent_id": 2} for v in range(villages))])
        connection.execute(insert(Team.__table__), [
            {"id": 1 + v * len(kinds) + k, "village_id": 3 + v, "kind": kind}
            for v in range(villages) for k, kind in enumerate(kinds)])
        people = list(_members(villages, kinds))
        connection.execute(insert(Member.__table__), [
            {"id": member_id, "code": code, "display_name": f"队员{member_id}", "telegram_id": 5_000_000 + member_id,
             "phone": f"139{member_id:08d}", "created_at": now - timedelta(days=400)}
            for member_id, code, *_ in people])
        connection.execute(insert(Role.__table__), [
            {"member_id": member_id, "role": role, "unit_id": 3 + village if team is None else None,
             "team_id": None if team is None else 1 + team}
            for member_id, _, role, village, team in people])
        _issues(connection, people, issues, villages, kinds, now)
    engine.dispose()


def _issues(connection: Connection, people: list[tuple[int, str, RoleName, int | None, int | None]], count: int,
            villages: int, kinds: list[str], now: datetime) -> None:
    crew: dict[int, list[int]] = {}
    for member_id, _, _, _, team in people:
        if team is not None:
            crew.setdefault(team, []).append(member_id)
    teams = villages * len(kinds)
    span = timedelta(days=365).total_seconds()
    issue_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    for n in range(count):
        team = n % teams
        lead, reporter, mate = crew[team][0], crew[team][1 + n % 3], crew[team][1 + (n + 1) % 3]
        created = now - timedelta(seconds=span * (count - n) / count)
        done = n % 5 < 3  # three in five signed off, the rest being worked
        issue_rows.append({
            "id": n + 1, "number": f"B-{n + 1:07d}", "village_id": 3 + team // len(kinds), "team_id": 1 + team,
            "kind": kinds[team % len(kinds)], "reporter_id": reporter,
            "description": f"{WORDS[n % len(WORDS)]}问题第{n + 1}号：{WORDS[(n * 7) % len(WORDS)]}需要处理",
            "urgency": "urgent" if n % 17 == 0 else "normal", "level": "village",
            "status": "closed" if done else "in_progress", "holder_id": mate, "due_at": created + timedelta(days=7),
            "resolver_id": mate if done else None, "resolved_at": created + timedelta(days=2) if done else None,
            "resolution_note": "已处理" if done else None, "verifier_id": lead if done else None,
            "closed_at": created + timedelta(days=3) if done else None, "created_at": created, "updated_at": created})
        event_rows += [
            {"issue_id": n + 1, "at": created, "actor_id": reporter, "kind": "reported",
             "data": {"urgency": "normal", "photos": 0}},
            {"issue_id": n + 1, "at": created + timedelta(hours=1), "actor_id": mate, "kind": "claim",
             "data": {"text": None, "from": "open", "to": "in_progress"}},
            {"issue_id": n + 1, "at": created + timedelta(days=2), "actor_id": mate,
             "kind": "resolve" if done else "note", "data": {"text": "已处理" if done else "正在联系"}},
        ]
        if len(event_rows) >= BATCH:
            connection.execute(insert(Issue.__table__), issue_rows)
            connection.execute(insert(IssueEvent.__table__), event_rows)
            issue_rows, event_rows = [], []
    if issue_rows:
        connection.execute(insert(Issue.__table__), issue_rows)
        connection.execute(insert(IssueEvent.__table__), event_rows)


def child(database: Path, out: Path, trace: bool) -> None:
    """Run the export command in this process; with `trace`, print the peak of Python allocations as JSON."""
    settings = load_settings(database_url=f"sqlite+aiosqlite:///{database}")
    args = argparse.Namespace(township=TOWNSHIP, village=None, member=None, all=False, lang=None, out=out)
    if trace:
        tracemalloc.start()
    status = asyncio.run(export_archives(settings, args))
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    print(json.dumps({"status": status, "tracemalloc_peak": peak}))


def measure(database: Path, out: Path, trace: bool) -> dict[str, Any]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.archive", "--child", str(database), str(out), *(["--trace"] if trace else [])],
        cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        env={**os.environ, "LOG_LEVEL": "WARNING"})
    output = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"export failed ({code}):\n{output}")
    wrote = re.search(r"wrote (.+): (\d+) sheets, ([\d,]+) rows", output)
    result = json.loads(output.strip().splitlines()[-1])
    assert wrote is not None, output
    return {"seconds": elapsed, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "max_rss_mib": usage.ru_maxrss / 1024, "tracemalloc_peak_mib": (result["tracemalloc_peak"] or 0) / 2**20,
            "rows": int(wrote[3].replace(",", "")), "file_mib": Path(wrote[1]).stat().st_size / 2**20}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.archive", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="20000,200000", help="issues per run, comma-separated")
    parser.add_argument("--villages", type=int, default=200)
    parser.add_argument("--json", action="store_true", help="machine-readable figures")
    parser.add_argument("--child", nargs=2, metavar=("DATABASE", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]), args.trace)
        return 0

    kinds = load_settings().kind_keys
    now = datetime.now(UTC) - timedelta(hours=1)
    figures = []
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
        for size in (int(part) for part in args.sizes.split(",")):
            database = Path(folder) / f"township-{size}.sqlite3"
            started = time.perf_counter()
            build(database, size, args.villages, kinds, now)
            built = time.perf_counter() - started
            timed = measure(database, Path(folder) / f"out-{size}", trace=False)
            traced = measure(database, Path(folder) / f"traced-{size}", trace=True)
            figures.append({"issues": size, "events": 3 * size, "villages": args.villages, "build_seconds": built,
                            **timed, "tracemalloc_peak_mib": traced["tracemalloc_peak_mib"]})
            database.unlink()
    if args.json:
        print(json.dumps({"python": platform.python_version(), "openpyxl": openpyxl.__version__,
                          "cpus": os.cpu_count(), "runs": figures}, indent=2))
        return 0
    print(f"Python {platform.python_version()}, openpyxl {openpyxl.__version__}, {os.cpu_count()} CPUs, "
          f"baseline RSS of this process {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    print(f"{'issues':>8} {'rows':>9} {'xlsx MiB':>9} {'seconds':>8} {'rows/s':>8} {'peak RSS MiB':>13} "
          f"{'peak Python MiB':>16}")
    for f in figures:
        print(f"{f['issues']:>8,} {f['rows']:>9,} {f['file_mib']:>9.1f} {f['seconds']:>8.1f} "
              f"{f['rows'] / f['seconds']:>8,.0f} {f['max_rss_mib']:>13.0f} {f['tracemalloc_peak_mib']:>16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
