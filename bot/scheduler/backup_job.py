"""The daily online backup of the SQLite database (bot/backup.py) into `backup.dir`, keeping `backup.keep`.

The file is named after the run's period, not the moment it ran, so a period run again (a crash before its
commit) rewrites its own file instead of adding one. The copy is taken while the run's JobRun claim holds the
write lock, so writers wait for it (well under a second for a county's database; they wait up to the busy
timeout). On PostgreSQL it does nothing but say that pg_dump is the way (docs/deploy.md)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from bot.backup import backup_sqlite, dated_name, prune
from bot.db import sqlite_path
from bot.scheduler.runner import JobContext

log = logging.getLogger(__name__)


async def db_backup(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    assert session.bind is not None
    source = sqlite_path(session.bind.url.render_as_string(hide_password=False))
    if source is None:
        log.warning("db_backup: the database is PostgreSQL, nothing done; back it up with pg_dump (docs/deploy.md) "
                    "and set jobs.db_backup.enabled = false")
        return {"written": 0}
    folder = ctx.settings.backup.folder
    target = folder / dated_name(ctx.fire_time.astimezone(ctx.settings.tz))
    await asyncio.to_thread(backup_sqlite, source, target)   # sqlite3's own backup call blocks
    removed = prune(folder, ctx.settings.backup.keep)
    log.info("db_backup: %s (%d bytes); %d older removed", target, target.stat().st_size, len(removed))
    return {"written": 1, "bytes": target.stat().st_size, "removed": len(removed)}
