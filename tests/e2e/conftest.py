"""Fixtures: the emulator in-process and a client of its control API, a copy of the sample county database, the
bot process polling them."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator import Emulator, EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT, bot_process
from tests.e2e.support import ChatDriver, build_county_database, sqlite_url


@dataclass(frozen=True)
class Live:
    """A running bot: drive people through `driver`, read its database at `database_url`."""

    driver: ChatDriver
    client: EmulatorClient
    database_url: str


@pytest.fixture(scope="session")
def county_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_county_database(tmp_path_factory.mktemp("e2e") / "county.sqlite3")


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator(privacy_mode=True)
    await emulator.start()
    yield emulator
    await emulator.stop()


@pytest.fixture
async def client(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url) as client:
        yield client


@pytest.fixture
def database(county_database: Path, tmp_path: Path) -> str:
    """The URL of this test's own copy of the sample county database."""
    path = tmp_path / "bot.sqlite3"
    shutil.copy(county_database, path)
    return sqlite_url(path)


@pytest.fixture
async def live(emulator: Emulator, client: EmulatorClient, database: str, tmp_path: Path) -> AsyncIterator[Live]:
    # Telegram's per-group pacing (one message every 3 s) would make a scenario of many cards take
    # minutes; the emulator here enforces no limits, and the sender's pacing is benchmarked on its own.
    async with bot_process(tmp_path / "bot.log", BOT_TOKEN=emulator.token, TELEGRAM_API_URL=emulator.base_url,
                           DATABASE_URL=database, DELIVERY__GROUP_PER_MINUTE="600",
                           DELIVERY__CHAT_PER_SECOND="20") as bot:
        driver = ChatDriver(client, bot)
        # The bot sets its commands right before it starts polling.
        await driver.wait_for(lambda event: event["kind"] == "bot", after=0, what="bot start-up",
                              within=START_TIMEOUT)
        yield Live(driver, client, database)
