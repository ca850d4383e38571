"""The daily db_backup job through the scheduler's runner: one file per period, named after it, the newest
`backup.keep` kept, each a whole SQLite database; on PostgreSQL it writes nothing."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.config import Settings
from bot.scheduler.jobs import job_registry
from bot.scheduler.runner import run_job

FIRST_RUN = datetime(2026, 11, 2, 18, 31, tzinfo=UTC)   # 02:31 county time, just after the 02:30 run


def backup_settings(settings: Settings, folder: Path, keep: int) -> Settings:
    return settings.model_copy(update={"backup": settings.backup.model_copy(update={"dir": str(folder),
                                                                                   "keep": keep})})


async def table_counts(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
        return {name: (await connection.exec_driver_sql(f'SELECT count(*) FROM "{name}"')).scalar_one()
                for name in names}


def backup_counts(path: Path) -> dict[str, int]:
    with closing(sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        names = [row[0] for row in backup.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return {name: backup.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in names}


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_daily_runs_keep_the_newest_backups_each_whole_and_a_period_backs_up_once(
        engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
        tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    settings = backup_settings(settings, folder, keep=2)
    registry = job_registry()
    periods = []
    for day in range(3):
        outcome = await run_job(sessionmaker, registry, settings, "db_backup", now=FIRST_RUN + timedelta(days=day),
                                worker="test")
        assert outcome.ran and outcome.detail["written"] == 1
        periods.append(outcome.period)
    assert periods == ["2026-11-03T02:30", "2026-11-04T02:30", "2026-11-05T02:30"]
    assert sorted(path.name for path in folder.iterdir()) == ["five_teams-20261104-0230.sqlite3",
                                                              "five_teams-20261105-0230.sqlite3"]
    newest = folder / "five_teams-20261105-0230.sqlite3"
    live = await table_counts(engine)
    assert live["member"] == 473
    # the run's own job_run row commits with the run, after its copy was taken
    assert backup_counts(newest) == {**live, "job_run": live["job_run"] - 1}

    again = await run_job(sessionmaker, registry, settings, "db_backup", now=FIRST_RUN + timedelta(days=2, hours=5),
                          worker="other")
    assert (again.period, again.ran) == ("2026-11-05T02:30", False)
    assert len(list(folder.iterdir())) == 2


@pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
async def test_on_postgresql_the_job_writes_nothing_and_says_pg_dump(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, tmp_path: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    folder = tmp_path / "backups"
    outcome = await run_job(sessionmaker, job_registry(), backup_settings(settings, folder, keep=2), "db_backup",
                            now=FIRST_RUN, worker="test")
    assert outcome.ran and outcome.detail == {"written": 0}
    assert not folder.exists()
    assert any("pg_dump" in record.getMessage() for record in caplog.records)
