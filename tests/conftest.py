"""Fixtures: a migrated database per test (SQLite always, PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from bot.app import build_dispatcher
from bot.cli import db_upgrade
from bot.clock import ManualClock
from bot.config import PROJECT_ROOT, Settings, load_settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.messaging.sender import Sender
from bot.services.org_import import apply_org
from bot.services.org_parse import parse_org
from tests.harness.chat import ChatHarness
from tests.harness.delivery import Rig, delivery_rig

SAMPLE_COUNTY = PROJECT_ROOT / "org" / "sample_county.toml"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
T = TypeVar("T")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def _in_thread(function: Callable[[], T]) -> T:
    """Alembic and the set-up run their own event loop; keep them off the test's running loop."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(function).result()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "postgresql: runs against TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def sqlite_templates(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Migrated SQLite files built once (empty, and with the sample county), copied for each test."""
    folder = tmp_path_factory.mktemp("templates")
    empty, county = folder / "empty.sqlite3", folder / "county.sqlite3"
    _in_thread(lambda: db_upgrade(f"sqlite+aiosqlite:///{empty}"))
    shutil.copy(empty, county)

    async def load() -> None:
        engine = create_engine(f"sqlite+aiosqlite:///{county}")
        async with create_sessionmaker(engine).begin() as session:
            await apply_org(session, parse_org(SAMPLE_COUNTY.read_bytes(), load_settings().kind_keys))
        await engine.dispose()

    _in_thread(lambda: asyncio.run(load()))
    return {"empty": empty, "county": county}


def _database_url(name: str) -> str:
    return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)


async def _admin(*statements: str) -> None:
    """CREATE/DROP DATABASE cannot run in a transaction: use the configured database in autocommit."""
    engine = create_async_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")
    async with engine.connect() as connection:
        for statement in statements:
            await connection.execute(text(statement))
    await engine.dispose()


@pytest.fixture(scope="session")
def postgres_templates() -> Iterator[dict[str, str]]:
    """Template databases (migrated; migrated with the sample county), cloned per test in a fraction of a second."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: PostgreSQL tests skipped")
    empty, county = f"five_teams_tpl_empty_{os.getpid()}", f"five_teams_tpl_county_{os.getpid()}"
    _in_thread(lambda: asyncio.run(_admin(f"DROP DATABASE IF EXISTS {county} WITH (FORCE)",
                                          f"DROP DATABASE IF EXISTS {empty} WITH (FORCE)",
                                          f"CREATE DATABASE {empty}")))
    _in_thread(lambda: db_upgrade(_database_url(empty)))
    _in_thread(lambda: asyncio.run(_admin(f"CREATE DATABASE {county} TEMPLATE {empty}")))

    async def load() -> None:
        engine = create_engine(_database_url(county))
        async with create_sessionmaker(engine).begin() as session:
            await apply_org(session, parse_org(SAMPLE_COUNTY.read_bytes(), load_settings().kind_keys))
        await engine.dispose()

    _in_thread(lambda: asyncio.run(load()))
    yield {"empty": empty, "county": county}
    _in_thread(lambda: asyncio.run(_admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                                             for name in (f"five_teams_run_{os.getpid()}", county, empty)))))


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


async def _engine_for(backend: str, request: pytest.FixtureRequest, tmp_path: Path, template: str) -> AsyncEngine:
    if backend == "sqlite":
        templates = request.getfixturevalue("sqlite_templates")
        target = tmp_path / "test.sqlite3"
        shutil.copy(templates[template], target)
        return create_engine(f"sqlite+aiosqlite:///{target}")
    templates = request.getfixturevalue("postgres_templates")
    name = f"five_teams_run_{os.getpid()}"  # test runs side by side on one server must not drop each other's
    await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)",
                 f"CREATE DATABASE {name} TEMPLATE {templates[template]}")
    engine = create_engine(_database_url(name))
    return engine


@pytest.fixture
async def empty_engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = await _engine_for(backend, request, tmp_path, "empty")
    yield engine
    await engine.dispose()


@pytest.fixture
async def engine(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    """A database holding the sample county."""
    engine = await _engine_for(backend, request, tmp_path, "county")
    yield engine
    await engine.dispose()


@pytest.fixture
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture
async def session(engine: AsyncEngine) -> AsyncIterator[AsyncSession]:
    """The test's own session for arranging and inspecting; it must not hold the write lock the bot needs,
    and `await session.rollback()` after feeding updates shows what the bot wrote."""
    inspector = create_engine(engine.url.render_as_string(hide_password=False), write_lock_upfront=False)
    async with create_sessionmaker(inspector)() as session:
        yield session
    await inspector.dispose()


@pytest.fixture
def settings() -> Settings:
    return load_settings()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))


def make_harness(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: ManualClock) -> ChatHarness:
    """The real dispatcher and sender against the mocked session; Telegram's rate limits are lifted here
    (they are real-time waits) and tested with the sender on their own."""
    unlimited = settings.delivery.model_copy(update={"overall_per_second": 1e6, "group_per_minute": 1e6,
                                                     "chat_per_second": 1e6})
    settings = settings.model_copy(update={"delivery": unlimited})
    translator = Translator(settings.default_language)
    return ChatHarness(build_dispatcher(settings, sessionmaker, translator, clock),
                       lambda bot: Sender(bot, sessionmaker, translator, settings, clock, worker="test"))


@pytest.fixture
def harness(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], clock: ManualClock) -> ChatHarness:
    return make_harness(settings, sessionmaker, clock)


@pytest.fixture
async def rig(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
              clock: ManualClock) -> AsyncIterator[Rig]:
    """The outbox sender against the Bot API emulator (tests/test_delivery*.py)."""
    async with delivery_rig(sessionmaker, settings, clock) as rig:
        yield rig
