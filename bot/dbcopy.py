"""`db copy`: every row of one database into another, empty one (SQLite to PostgreSQL and back), verified by counts."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass

from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Column, Table, bindparam, func, insert, inspect, or_, select, text, update
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.cli import db_upgrade
from bot.config import PROJECT_ROOT
from bot.db import create_engine, sqlite_path
from bot.models import Base

BATCH_ROWS = 1000
DRIVERS = ("sqlite+aiosqlite", "postgresql+asyncpg")
TABLES: list[Table] = list(Base.metadata.sorted_tables)   # parents before children


class CopyRefused(Exception):
    """The copy cannot start, or failed and was rolled back; the message is one line."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int


def _one_line(exc: BaseException) -> str:
    # a DBAPIError's text carries the SQL and a link; the driver's own message is what an operator needs
    cause = exc.orig if isinstance(exc, DBAPIError) and exc.orig is not None else exc
    lines = str(cause).strip().splitlines()
    return lines[0] if lines else type(cause).__name__


def _check_url(url: str, role: str) -> None:
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise CopyRefused(f"{role}: not a database URL (expected sqlite+aiosqlite:///FILE "
                          "or postgresql+asyncpg://USER@HOST/DATABASE)") from None
    if parsed.drivername not in DRIVERS:
        raise CopyRefused(f"{role}: {parsed.drivername}:// is not supported (use {' or '.join(DRIVERS)})")


def _identity(url: str) -> str:
    """What names the database itself, so a copy onto its own source is caught however the URL is written."""
    path = sqlite_path(url)
    if path is not None:
        return str(path.resolve())
    parsed = make_url(url)
    return f"{parsed.host}:{parsed.port or 5432}/{parsed.database}"


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(Config(str(PROJECT_ROOT / "alembic.ini"))).get_current_head()


def _table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def _count(connection: AsyncConnection, table: Table) -> int:
    return int(await connection.scalar(select(func.count()).select_from(table)) or 0)


@asynccontextmanager
async def _open(engine: AsyncEngine, role: str) -> AsyncIterator[AsyncConnection]:
    try:
        connection = await engine.connect()
    except (SQLAlchemyError, OSError) as exc:
        raise CopyRefused(f"{role}: cannot connect: {_one_line(exc)}") from None
    try:
        yield connection
    finally:
        await connection.close()


async def _preflight(source_url: str, target_url: str) -> None:
    """Refuse before anything is written: a source this bot's schema does not match, a target holding rows."""
    source = create_engine(source_url, write_lock_upfront=False)
    target = create_engine(target_url, write_lock_upfront=False)
    try:
        async with _open(source, "source") as connection:
            revision = None
            if "alembic_version" in await connection.run_sync(_table_names):
                revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
            head = _head_revision()
            if revision is None:
                raise CopyRefused("source: not a Five Teams Bot database (no migrations applied)")
            if revision != head:
                raise CopyRefused(f"source: at migration {revision}, this bot's schema is {head}: "
                                  "run `db upgrade` against the source first")
        async with _open(target, "target") as connection:
            existing = await connection.run_sync(_table_names)
            for table in TABLES:
                rows = await _count(connection, table) if table.name in existing else 0
                if rows:
                    raise CopyRefused(f"target: not empty ({table.name} has {rows} row{'s' * (rows != 1)}); "
                                      "db copy writes only into an empty database")
    finally:
        await source.dispose()
        await target.dispose()


def _self_references(table: Table) -> list[Column[object]]:
    return [key.parent for key in table.foreign_keys if key.column.table is table]


async def _copy_table(reader: AsyncConnection, writer: AsyncConnection, table: Table, batch: int) -> int:
    # A row may point at a row of its own table that comes later (a duplicate of a newer issue, a village
    # moved under a newer township), and the constraints are not deferrable: such columns are written
    # empty first and filled in once every row of the table is there.
    loops = _self_references(table)
    blanks = dict.fromkeys(column.key for column in loops)
    copied = 0
    result = await reader.stream(select(table).order_by(*table.primary_key.columns))
    async for rows in result.mappings().partitions(batch):
        await writer.execute(insert(table), [{**row, **blanks} for row in rows])
        copied += len(rows)
    if loops:
        await _relink(reader, writer, table, loops, batch)
    return copied


async def _relink(reader: AsyncConnection, writer: AsyncConnection, table: Table, loops: list[Column[object]],
                  batch: int) -> None:
    (key,) = table.primary_key.columns
    change = (update(table).where(key == bindparam("row_key"))
              .values({column.key: bindparam(f"new_{column.key}") for column in loops}))
    linked = select(key, *loops).where(or_(*(column.is_not(None) for column in loops))).order_by(key)
    result = await reader.stream(linked)
    async for rows in result.partitions(batch):
        await writer.execute(change, [{"row_key": row[0], **{f"new_{column.key}": value
                                                             for column, value in zip(loops, row[1:], strict=True)}}
                                      for row in rows])


async def _reset_sequences(writer: AsyncConnection) -> None:
    """Rows came with their ids, which PostgreSQL's sequences did not see: the next id must follow the largest."""
    quote = writer.dialect.identifier_preparer
    for table in TABLES:
        column = table.autoincrement_column
        if column is None:
            continue
        await writer.execute(
            text(f"SELECT setval(pg_get_serial_sequence(:table, :column), "
                 f"COALESCE(MAX({quote.quote(column.name)}), 0) + 1, false) FROM {quote.format_table(table)}"),
            {"table": quote.format_table(table), "column": column.name})


async def _copy_rows(source_url: str, target_url: str, batch: int, say: Callable[[str], None]) -> None:
    """One read snapshot of the source into one target transaction: a failure leaves the target empty."""
    source = create_engine(source_url, write_lock_upfront=False)
    target = create_engine(target_url)
    try:
        async with _open(source, "source") as reader, _open(target, "target") as writer:
            if reader.dialect.name == "postgresql":
                await reader.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            async with reader.begin(), writer.begin():
                for table in TABLES:
                    say(f"copied {table.name}: {await _copy_table(reader, writer, table, batch)} rows")
                if writer.dialect.name == "postgresql":
                    await _reset_sequences(writer)
    except SQLAlchemyError as exc:
        raise CopyRefused(f"copy failed, the target was rolled back: {_one_line(exc)}") from None
    finally:
        await source.dispose()
        await target.dispose()


async def _counts(source_url: str, target_url: str) -> list[TableCount]:
    """Counted afresh after the commit, so a row lost on the way, or one written meanwhile, shows."""
    source = create_engine(source_url, write_lock_upfront=False)
    target = create_engine(target_url, write_lock_upfront=False)
    try:
        async with source.connect() as left, target.connect() as right:
            return [TableCount(table.name, await _count(left, table), await _count(right, table)) for table in TABLES]
    finally:
        await source.dispose()
        await target.dispose()


def copy_database(source_url: str, target_url: str, *, batch: int = BATCH_ROWS,
                  say: Callable[[str], None] = print) -> list[TableCount]:
    """Migrate the target to head, copy every table into it, and count both sides. Runs its own event loops
    (Alembic runs one of its own), so call it from synchronous code or a worker thread."""
    _check_url(source_url, "source")
    _check_url(target_url, "target")
    source_file = sqlite_path(source_url)
    if source_file is not None and not source_file.is_file():
        raise CopyRefused(f"source: no such SQLite file: {source_file}")
    if _identity(source_url) == _identity(target_url):
        raise CopyRefused("source and target are the same database")
    asyncio.run(_preflight(source_url, target_url))
    try:
        db_upgrade(target_url)
    except CommandError as exc:
        raise CopyRefused(f"target: migration failed: {_one_line(exc)}") from None
    asyncio.run(_copy_rows(source_url, target_url, batch, say))
    return asyncio.run(_counts(source_url, target_url))


def count_table(counts: list[TableCount]) -> str:
    width = max(len("table"), *(len(count.table) for count in counts))
    lines = [f"{'table':<{width}}  {'source':>9}  {'target':>9}"]
    lines += [f"{c.table:<{width}}  {c.source:>9}  {c.target:>9}{'' if c.source == c.target else '  MISMATCH'}"
              for c in counts]
    return "\n".join(lines)


def run_copy(source_url: str, target_url: str) -> int:
    """The `db copy` command: progress and the count table on stdout, a refusal or mismatch as one line on stderr."""
    try:
        counts = copy_database(source_url, target_url)
    except CopyRefused as exc:
        print(f"db copy: {exc}", file=sys.stderr)
        return 1
    print(count_table(counts))
    wrong = [count for count in counts if count.source != count.target]
    if wrong:
        detail = ", ".join(f"{c.table} source {c.source} target {c.target}" for c in wrong)
        print(f"db copy: counts differ: {detail}", file=sys.stderr)
        return 1
    print(f"db copy: {len(counts)} tables, {sum(c.target for c in counts)} rows, every count equal")
    return 0

