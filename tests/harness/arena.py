"""One seeded database and dispatcher for a whole property test, put back to the seeded state before each example
so a failing example replays and shrinks (a file copy on SQLite, a template clone on PostgreSQL)."""

from __future__ import annotations

import copy
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.clock import ManualClock
from bot.db import create_engine, create_sessionmaker, is_sqlite
from tests.conftest import _admin
from tests.harness.chat import ChatHarness
from tests.harness.hostile_world import World
from tests.harness.telegram import SentMessage


class Arena:
    def __init__(self, engine: AsyncEngine, harness: ChatHarness, clock: ManualClock) -> None:
        self.engine, self.harness, self.clock = engine, harness, clock
        self._start = clock.now()
        url = engine.url.render_as_string(hide_password=False)
        # reads that take no write lock, so looking never holds up the bot
        self._inspector = create_engine(url, write_lock_upfront=False)
        self._sent: dict[tuple[int, int], SentMessage] = {}
        self.world: World

    @asynccontextmanager
    async def inspect(self) -> AsyncIterator[AsyncSession]:
        async with create_sessionmaker(self._inspector)() as session:
            yield session

    @property
    def _database(self) -> str:
        assert self.engine.url.database is not None
        return self.engine.url.database

    @property
    def _template(self) -> str:
        return f"{self._database}_seeded"

    async def _quiesce(self) -> None:
        await self._inspector.dispose()
        await self.engine.dispose()

    async def snapshot(self, world: World) -> None:
        self.world = world
        self._sent = copy.deepcopy(self.harness.session.sent)
        await self._quiesce()
        if is_sqlite(self.engine):
            _copy(self._database, self._template)
        else:
            await _admin(f"DROP DATABASE IF EXISTS {self._template} WITH (FORCE)",
                         f"CREATE DATABASE {self._template} TEMPLATE {self._database}")

    async def reset(self) -> None:
        await self._quiesce()
        if is_sqlite(self.engine):
            _copy(self._template, self._database)
        else:
            await _admin(f"DROP DATABASE IF EXISTS {self._database} WITH (FORCE)",
                         f"CREATE DATABASE {self._database} TEMPLATE {self._template}")
        self.harness.session.sent = copy.deepcopy(self._sent)
        self.harness.session.requests.clear()
        self.clock.set(self._start)

    async def close(self) -> None:
        await self._inspector.dispose()
        if not is_sqlite(self.engine):
            await self.engine.dispose()
            await _admin(f"DROP DATABASE IF EXISTS {self._template} WITH (FORCE)")


def _copy(source: str, target: str) -> None:
    """SQLite's online backup: the write-ahead log comes along, whatever is still in it."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
