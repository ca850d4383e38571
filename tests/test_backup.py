"""`db backup`: an online SQLite backup taken under a busy writer is whole and consistent; retention keeps N."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest

from bot.backup import backup_sqlite, dated_name, run_backup
from bot.config import Settings, load_settings

ROWS_PER_COMMIT = 5
PADDING_MB = 32     # makes the backup take long enough for the writer to commit while it runs


class Writer(threading.Thread):
    """Commits batches of job_run rows as fast as it can, as the bot's own connections would (WAL, busy timeout)."""

    def __init__(self, database: Path) -> None:
        super().__init__(daemon=True)
        self.database = database
        self.begun = 0       # batches whose transaction has started (some may not be committed yet)
        self.committed = 0   # batches whose COMMIT has returned
        self.error: Exception | None = None
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            with closing(sqlite3.connect(self.database, timeout=15, isolation_level=None)) as connection:
                while not self.stop.is_set():
                    batch = self.begun = self.committed + 1
                    connection.execute("BEGIN IMMEDIATE")
                    connection.executemany(
                        "INSERT INTO job_run (job, period, status, started_at, detail) "
                        "VALUES (?, ?, 'done', '2026-11-02 02:00:00.000000', '{}')",
                        [(f"batch-{batch}", str(row)) for row in range(ROWS_PER_COMMIT)])
                    connection.execute("COMMIT")
                    self.committed = batch
        except Exception as exc:  # reported by the test instead of lost with the thread
            self.error = exc

    def wait_for(self, batches: int) -> None:
        while self.committed < batches and self.is_alive():
            self.stop.wait(0.001)


@pytest.fixture
def county_file(sqlite_templates: dict[str, Path], tmp_path: Path) -> Path:
    path = tmp_path / "county.sqlite3"
    shutil.copy(sqlite_templates["county"], path)
    return path


def settings_for(database: Path, keep: int = 14, folder: Path | None = None) -> Settings:
    backup: dict[str, object] = {"keep": keep} if folder is None else {"keep": keep, "dir": str(folder)}
    return load_settings(database_url=f"sqlite+aiosqlite:///{database}", backup=backup)


def test_backup_under_a_writer_holds_exactly_the_committed_batches(county_file: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(county_file, isolation_level=None)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)   # as the bot leaves it
        connection.execute("CREATE TABLE padding (data BLOB)")
        connection.executemany("INSERT INTO padding VALUES (randomblob(1048576))", [()] * PADDING_MB)
    writer = Writer(county_file)
    writer.start()
    writer.wait_for(20)
    before = writer.committed
    target = tmp_path / "backups" / "copy.sqlite3"
    backup_sqlite(county_file, target)
    after, begun = writer.committed, writer.begun
    writer.wait_for(begun + 20)   # the backup did not leave the writer stuck behind a lock
    writer.stop.set()
    writer.join()
    assert writer.error is None
    assert after > before, "the writer committed nothing while the backup ran: the test proved nothing"

    with closing(sqlite3.connect(f"{target.as_uri()}?mode=ro", uri=True)) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert backup.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        sizes = backup.execute("SELECT job, count(*) FROM job_run GROUP BY job").fetchall()
        assert backup.execute("SELECT count(*) FROM member").fetchone() == (473,)
    # one commit's view: every batch whole, and every batch committed before the backup began is there
    assert {size for _, size in sizes} <= {ROWS_PER_COMMIT}
    assert before <= len(sizes) <= begun
    assert {job for job, _ in sizes} == {f"batch-{n}" for n in range(1, len(sizes) + 1)}
    assert sorted(path.name for path in target.parent.iterdir()) == ["copy.sqlite3"]


def test_retention_keeps_the_newest_dated_backups(county_file: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    older = [folder / dated_name(datetime(2026, 10, day, 3, 0)) for day in range(1, 6)]
    others = [folder / "notes.txt", folder / "five_teams-before-upgrade.sqlite3"]
    for path in older + others:
        path.write_bytes(b"")

    assert run_backup(settings_for(county_file, keep=3), str(folder), now=datetime(2026, 11, 2, 10, 30)) == 0
    newest = folder / "five_teams-20261102-1030.sqlite3"
    assert sorted(folder.iterdir()) == sorted([*older[-2:], newest, *others])
    assert capsys.readouterr().out.startswith(f"db backup: {newest} (")

    with closing(sqlite3.connect(newest)) as backup:
        assert backup.execute("SELECT count(*) FROM member").fetchone() == (473,)


def test_configured_folder_a_new_folder_and_a_named_file(county_file: Path, tmp_path: Path) -> None:
    assert run_backup(settings_for(county_file, folder=tmp_path / "default"), None,
                      now=datetime(2026, 11, 2, 10, 30)) == 0
    assert [path.name for path in (tmp_path / "default").iterdir()] == ["five_teams-20261102-1030.sqlite3"]

    new_folder = tmp_path / "usb" / "backups"
    assert run_backup(settings_for(county_file), f"{new_folder}/", now=datetime(2026, 11, 2, 10, 31)) == 0
    assert [path.name for path in new_folder.iterdir()] == ["five_teams-20261102-1031.sqlite3"]

    named = tmp_path / "before-upgrade.sqlite3"
    assert run_backup(settings_for(county_file, keep=1), str(named)) == 0
    assert named.is_file()
    assert len(list((tmp_path / "default").iterdir())) == 1


def test_postgresql_is_told_to_use_pg_dump(capsys: pytest.CaptureFixture[str]) -> None:
    settings = load_settings(database_url="postgresql+asyncpg://five_teams:s3cret@db.internal:5432/five_teams")
    assert run_backup(settings, None) == 2
    out = capsys.readouterr().out
    assert 'pg_dump --format=custom --file=five_teams-YYYYMMDD-HHMM.dump ' \
           '"postgresql://five_teams@db.internal:5432/five_teams"' in out
    assert "s3cret" not in out


def test_a_missing_database_file_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_backup(settings_for(tmp_path / "none.sqlite3"), str(tmp_path)) == 1
    assert capsys.readouterr().err == f"db backup: no database file at {tmp_path / 'none.sqlite3'}\n"
    assert list(tmp_path.iterdir()) == []
