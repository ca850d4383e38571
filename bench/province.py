"""Province-sized organisation: times the weekly digests for every group and the monthly ranking on SQLite.

    .venv/bin/python -m bench.province generate            # once: builds data/bench/province.sqlite3
    .venv/bin/python -m bench.province digest              # the weekly_digest job for every group
    .venv/bin/python -m bench.province ranking             # the monthly ranking (all teams, villages, townships)

Each measurement runs in its own process, so its peak memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import resource
import sqlite3
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.cli import db_upgrade
from bot.config import PROJECT_ROOT, load_settings
from bot.db import create_engine, create_sessionmaker

DEFAULT_DB = PROJECT_ROOT / "data" / "bench" / "province.sqlite3"
KINDS = ["ecology", "industry", "welfare", "governance", "culture"]
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # Friday 18:00 in the county
BATCH = 50_000


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def generate(path: Path, villages: int, members: int, issues: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    db_upgrade(f"sqlite+aiosqlite:///{path}")
    started = time.perf_counter()
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    townships = max(villages // 20, 1)
    db.execute("INSERT INTO unit (id, code, name, level, parent_id) VALUES (1, 'P', 'Province', 'county', NULL)")
    db.executemany("INSERT INTO unit (id, code, name, level, parent_id) VALUES (?, ?, ?, 'township', 1)",
                   [(2 + t, f"T{t:04d}", f"乡镇{t}") for t in range(townships)])
    first_village = 2 + townships
    db.executemany("INSERT INTO unit (id, code, name, level, parent_id) VALUES (?, ?, ?, 'village', ?)",
                   [(first_village + v, f"V{v:05d}", f"村{v}", 2 + v % townships) for v in range(villages)])
    db.executemany("INSERT INTO team (id, village_id, kind) VALUES (?, ?, ?)",
                   [(1 + v * 5 + k, first_village + v, kind) for v in range(villages) for k, kind in enumerate(KINDS)])
    teams = villages * 5
    now = _iso(NOW)
    db.executemany("INSERT INTO member (id, code, display_name, created_at) VALUES (?, ?, ?, ?)",
                   [(m + 1, f"M{m:06d}", f"成员{m}", now) for m in range(members)])
    db.executemany("INSERT INTO role (member_id, role, team_id) VALUES (?, ?, ?)",
                   [(m + 1, "team_lead" if m < teams else "member", 1 + m % teams) for m in range(members)])
    db.executemany("INSERT INTO chat_binding (chat_id, purpose, unit_id, bound_at) VALUES (?, ?, ?, ?)",
                   [(-(10**12) - unit, "township" if unit < first_village else "village", unit, now)
                    for unit in range(2, first_village + villages)])
    statuses = ["open", "in_progress", "resolved", "closed", "closed", "closed", "withdrawn"]
    issue_rows, event_rows = [], []
    event_id = 0
    for i in range(issues):
        team = rng.randrange(teams)
        village = first_village + team // 5
        created = NOW - timedelta(minutes=rng.randrange(365 * 24 * 60))
        status = rng.choice(statuses)
        reporter = 1 + rng.randrange(members)
        worker = 1 + team  # the team's lead
        due = created + timedelta(days=7)
        resolved = created + timedelta(days=rng.randrange(1, 10)) if status in ("resolved", "closed") else None
        issue_rows.append((i + 1, f"{created.year}-{i + 1:07d}", village, team + 1, KINDS[team % 5], reporter,
                           f"问题描述 {i}", "normal", "village", status, worker if status != "open" else None,
                           _iso(due), worker if resolved else None, _iso(resolved) if resolved else None,
                           reporter if status == "closed" else None, _iso(created), _iso(created), 0))
        for kind, at, actor in (("reported", created, reporter), ("claim", created + timedelta(hours=2), worker),
                                ("resolve", resolved, worker), ("verify", resolved, reporter)):
            if at is None or (kind == "verify" and status != "closed") or (kind == "claim" and status == "open"):
                continue
            event_id += 1
            event_rows.append((event_id, i + 1, _iso(at), actor, kind, "{}"))
        if len(issue_rows) >= BATCH:
            _flush(db, issue_rows, event_rows)
            print(f"\rissues {i + 1:,}/{issues:,}", end="", file=sys.stderr)
    _flush(db, issue_rows, event_rows)
    db.commit()
    db.execute("ANALYZE")
    db.close()
    print(f"\ngenerated {villages:,} villages, {teams:,} teams, {members:,} members, {issues:,} issues, "
          f"{event_id:,} events in {time.perf_counter() - started:.0f} s -> {path}")


def _flush(db: sqlite3.Connection, issue_rows: list[tuple], event_rows: list[tuple]) -> None:
    db.executemany(
        "INSERT INTO issue (id, number, village_id, team_id, kind, reporter_id, description, urgency, level, status,"
        " holder_id, due_at, resolver_id, resolved_at, verifier_id, created_at, updated_at, renotify_count)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", issue_rows)
    db.executemany("INSERT INTO issue_event (id, issue_id, at, actor_id, kind, data) VALUES (?, ?, ?, ?, ?, ?)",
                   event_rows)
    issue_rows.clear()
    event_rows.clear()


async def _measure(path: Path, what: str) -> None:
    from bot.scheduler.jobs import job_registry
    from bot.scheduler.runner import run_job

    settings = load_settings()
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessionmaker = create_sessionmaker(engine)
    async with engine.begin() as connection:  # a measurement may be repeated: forget earlier runs
        await connection.exec_driver_sql("DELETE FROM job_run")
        await connection.exec_driver_sql("DELETE FROM outbox_message")
    job = {"digest": "weekly_digest", "ranking": "monthly_ranking"}[what]
    registry = job_registry()
    if job not in registry:
        print(f"{job} is not available in this build", file=sys.stderr)
        sys.exit(2)
    started, cpu_started = time.perf_counter(), time.process_time()
    outcome = await run_job(sessionmaker, registry, settings, job, now=NOW + timedelta(days=5), worker="bench")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    await engine.dispose()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    # CPU time (every thread, SQLite's included) moves least when others load the machine: compare runs by it
    print(f"{job}: {elapsed:.1f} s, CPU {cpu:.1f} s, peak memory {peak:.0f} MiB, "
          f"load average {os.getloadavg()[0]:.1f}, {outcome.detail}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["generate", "digest", "ranking"])
    parser.add_argument("--db", type=Path, default=DEFAULT_DB)
    parser.add_argument("--villages", type=int, default=5_000)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--issues", type=int, default=1_000_000)
    args = parser.parse_args()
    if args.what == "generate":
        generate(args.db, args.villages, args.members, args.issues)
    else:
        asyncio.run(_measure(args.db, args.what))


if __name__ == "__main__":
    main()
