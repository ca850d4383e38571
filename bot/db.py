"""Engine and session factory for SQLite (embedded default) and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from bot.config import PROJECT_ROOT

SQLITE_BUSY_TIMEOUT_MS = 15_000


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (relative paths are taken from the project root); None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    path = Path(parsed.database)
    return path if path.is_absolute() else PROJECT_ROOT / path


def resolve_url(url: str) -> str:
    """Relative SQLite paths are taken from the project root, so the bot runs from any directory."""
    path = sqlite_path(url)
    if path is None:
        return url
    path.parent.mkdir(parents=True, exist_ok=True)
    return make_url(url).set(database=str(path)).render_as_string(hide_password=False)


def is_sqlite(engine: AsyncEngine) -> bool:
    return engine.dialect.name == "sqlite"


def _configure_sqlite(engine: AsyncEngine, *, write_lock_upfront: bool) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event own transactions instead of pysqlite's implicit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front: a read-then-write (issue numbers, claims) can then
        # never fail half-way with SQLITE_BUSY when a second writer got there first; it waits instead.
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_lock_upfront else "BEGIN")


def create_engine(url: str, *, echo: bool = False, write_lock_upfront: bool = True) -> AsyncEngine:
    """`write_lock_upfront=False` is for read-only inspection (tests, reports) beside a running bot."""
    url = resolve_url(url)
    if make_url(url).get_backend_name() == "sqlite":
        engine = create_async_engine(url, echo=echo, poolclass=NullPool if ":memory:" in url else None)
        _configure_sqlite(engine, write_lock_upfront=write_lock_upfront)
        return engine
    return create_async_engine(url, echo=echo, pool_size=10, max_overflow=10, pool_pre_ping=True)


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
