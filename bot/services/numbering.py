"""Human-friendly issue numbers per county and year: 2026-0137."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import NumberCounter


async def next_number(session: AsyncSession, scope: str, year: int) -> str:
    """One atomic UPDATE ... RETURNING: the row lock (PostgreSQL) or the write lock (SQLite) makes two
    concurrent writers take consecutive numbers, never the same one."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(NumberCounter).values(scope=scope, year=year, value=0).on_conflict_do_nothing()
    )
    value = await session.scalar(
        update(NumberCounter)
        .where(NumberCounter.scope == scope, NumberCounter.year == year)
        .values(value=NumberCounter.value + 1)
        .returning(NumberCounter.value)
    )
    assert value is not None
    return f"{year}-{value:04d}"
