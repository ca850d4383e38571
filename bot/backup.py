"""`db backup`: an online copy of the SQLite database, safe while the bot runs, dated, the newest few kept."""

from __future__ import annotations

import os
import re
import sqlite3
import sys
from contextlib import closing
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import URL, make_url

from bot.config import Settings
from bot.db import SQLITE_BUSY_TIMEOUT_MS, sqlite_path

DATED_NAME = re.compile(r"^five_teams-\d{8}-\d{4}\.sqlite3$")


def dated_name(now: datetime) -> str:
    return f"five_teams-{now:%Y%m%d-%H%M}.sqlite3"


def backup_sqlite(source: Path, target: Path) -> None:
    """Copy with SQLite's online backup API in a single step, i.e. one read transaction: the copy is the
    database as of one commit, and in WAL mode the bot's writers carry on meanwhile. The copy is written
    beside the target and renamed, so a file with the final name is always a whole backup."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f"{target.name}.partial")
    partial.unlink(missing_ok=True)
    # mode=rw: a missing source is an error instead of a new empty database
    with (closing(sqlite3.connect(f"{source.as_uri()}?mode=rw", uri=True)) as origin,
          closing(sqlite3.connect(partial)) as copy):
        origin.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        origin.backup(copy)
        # the copied header says WAL; a backup should be one self-contained file with no -wal beside it
        copy.execute("PRAGMA journal_mode=DELETE")
    partial.replace(target)


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` dated backups in the folder (their names sort by date); other files stay."""
    dated = sorted(path for path in folder.iterdir() if DATED_NAME.match(path.name))
    doomed = dated[:-keep]
    for path in doomed:
        path.unlink()
    return doomed


def pg_dump_hint(database_url: str) -> str:
    # the password stays out of the printed command: pg_dump reads PGPASSWORD or ~/.pgpass
    given = make_url(database_url)
    url = URL.create("postgresql", username=given.username, host=given.host, port=given.port,
                     database=given.database, query=given.query)
    return (f'pg_dump --format=custom --file=five_teams-YYYYMMDD-HHMM.dump '
            f'"{url.render_as_string(hide_password=False)}"')


def run_backup(settings: Settings, to: str | None, now: datetime | None = None) -> int:
    """The `db backup` command. `to`: a file, or a folder (one that exists, or written with a trailing slash)
    for a dated name, by default `backup.dir` (data/backups/); the newest `backup.keep` dated backups of a folder
    are kept."""
    source = sqlite_path(settings.database_url)
    if source is None:
        print("db backup: the database is PostgreSQL, nothing written; back it up with pg_dump (docs/deploy.md):")
        print(f"  {pg_dump_hint(settings.database_url)}")
        return 2
    if not source.is_file():
        print(f"db backup: no database file at {source}", file=sys.stderr)
        return 1
    stamp = now or datetime.now(settings.tz)
    folder: Path | None = None
    if to is None or to.endswith(("/", os.sep)) or Path(to).is_dir():
        folder = settings.backup.folder if to is None else Path(to)
        target = folder / dated_name(stamp)
    else:
        target = Path(to)
    try:
        backup_sqlite(source, target)
    except sqlite3.Error as exc:
        print(f"db backup: {source}: {exc}", file=sys.stderr)
        return 1
    removed = prune(folder, settings.backup.keep) if folder is not None else []
    kept = f"; {len(removed)} older removed, {settings.backup.keep} kept" if removed else ""
    print(f"db backup: {target} ({target.stat().st_size} bytes){kept}")
    return 0
