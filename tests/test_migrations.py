"""Migrations: upgrade, downgrade to nothing and upgrade again on an empty database, and no model change
without its migration. On SQLite always, on PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from bot.cli import db_downgrade, db_upgrade
from bot.config import PROJECT_ROOT
from bot.db import create_engine
from bot.models import Base
from tests.conftest import TEST_DATABASE_URL, _admin, _database_url, _in_thread


def _tables_and_diff(url: str) -> tuple[set[str], list[object]]:
    async def inspect_database() -> tuple[set[str], list[object]]:
        engine = create_engine(url)
        async with engine.connect() as connection:
            def look(sync_connection: object) -> tuple[set[str], list[object]]:
                context = MigrationContext.configure(sync_connection, opts={"compare_type": True})
                tables = set(inspect(sync_connection).get_table_names()) - {"alembic_version"}
                return tables, compare_metadata(context, Base.metadata)

            result = await connection.run_sync(look)
        await engine.dispose()
        return result

    return _in_thread(lambda: asyncio.run(inspect_database()))


def _round_trip(url: str) -> None:
    _in_thread(lambda: db_upgrade(url))
    tables, diff = _tables_and_diff(url)
    assert tables == set(Base.metadata.tables)
    assert diff == [], "models changed without a migration"
    _in_thread(lambda: db_downgrade(url, "base"))
    assert _tables_and_diff(url)[0] == set()
    _in_thread(lambda: db_upgrade(url))
    assert _tables_and_diff(url)[0] == set(Base.metadata.tables)


def test_sqlite_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'm.sqlite3'}")


def test_postgresql_upgrade_downgrade_upgrade() -> None:
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL migration test skipped")
    name = f"five_teams_migrations_{os.getpid()}"
    _in_thread(lambda: asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}")))
    try:
        _round_trip(_database_url(name))
    finally:
        _in_thread(lambda: asyncio.run(_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")))


def test_alembic_sees_one_head() -> None:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    assert len(ScriptDirectory.from_config(config).get_heads()) == 1
