"""No secret reaches a log: the real bot process, polling and as a webhook, at DEBUG, meeting dropped connections,
5xx, a request failing inside a handler and a database it cannot reach, with a token, a webhook secret and a
database password of its own. Everything it wrote (stderr and stdout) is searched for each of them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.models import RoleName
from emulator import Emulator, EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT, BotProcess
from tests.e2e.bot_process import bot_process as start_bot
from tests.e2e.fleet import fleet
from tests.e2e.support import ChatDriver, inspect_database
from tests.harness.people import members_with
from tests.harness.waiting import eventually

TOKEN = "7364519283:AAH9x-LeakCanary_TokenSecret0042"
TOKEN_SECRET = TOKEN.partition(":")[2]
WEBHOOK_SECRET = "whsec-LeakCanary_WebhookSecret0042"
DB_PASSWORD = "pw-LeakCanary-DbPassword0042"
NOTHING_LISTENS = 9   # the discard port: refused on this machine
VILLAGE, GROUP = "GC01-02", -1001000000902
ENV = {"BOT_TOKEN": TOKEN, "WEBHOOK__SECRET": WEBHOOK_SECRET, "LOG_LEVEL": "DEBUG",
       "DELIVERY__GROUP_PER_MINUTE": "600", "DELIVERY__CHAT_PER_SECOND": "20"}


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    emulator = Emulator(TOKEN, privacy_mode=True)
    await emulator.start()
    yield emulator
    await emulator.stop()


async def everything_written(bot: BotProcess) -> str:
    assert bot.process.stdout is not None
    printed = (await bot.process.stdout.read()).decode(errors="replace") if bot.process.returncode is not None else ""
    return bot.log.read_text(encoding="utf-8", errors="replace") + printed


def assert_no_secret(written: str, *secrets: str) -> None:
    leaked = [secret for secret in secrets if secret in written]
    assert leaked == [], f"{leaked} found in the logs"


async def village(driver: ChatDriver, client: EmulatorClient, database_url: str) -> tuple[int, int]:
    """The village group, bound; returns (admin, member)."""
    async with inspect_database(database_url) as session:
        admin = (await members_with(session, RoleName.admin))[0]
        member = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[0]
    assert admin.telegram_id and member.telegram_id
    await driver.add_people([admin, member])
    await client.create_chat("角什科村工作群", chat_id=GROUP, chat_type="supergroup", members=[member.telegram_id],
                             admins=[admin.telegram_id], owner=admin.telegram_id)
    mark = await driver.say(GROUP, admin.telegram_id, f"/bind {VILLAGE}")
    await driver.bot_message(GROUP, after=mark, text=VILLAGE)
    return admin.telegram_id, member.telegram_id


async def meet_faults(driver: ChatDriver, client: EmulatorClient, member: int) -> None:
    """Dropped and failing requests, the last of them inside a handler, so that it fails and is logged whole."""
    for kind in ("drop", "server_error"):
        await client.add_fault(kind, method="getUpdates", status=502)
    for kind in ("drop", "server_error", "drop", "server_error", "drop", "server_error"):
        await client.add_fault(kind, method="sendMessage", status=500)
    mark = await driver.say(GROUP, member, "/whoami")
    await driver.bot_message(GROUP, after=mark, within=60)   # answered once the faults are used up
    await client.clear_faults()


async def test_polling_through_faults_logs_no_secret(emulator: Emulator, database: str, tmp_path: Path) -> None:
    async with (
        EmulatorClient(emulator.base_url) as client,
        start_bot(tmp_path / "bot.log", TELEGRAM_API_URL=emulator.base_url, DATABASE_URL=database, **ENV) as bot,
    ):
        driver = ChatDriver(client, bot)
        await driver.wait_for(lambda event: event["kind"] == "bot", after=0, what="bot start-up", within=START_TIMEOUT)
        _, member = await village(driver, client, database)
        await meet_faults(driver, client, member)
    written = await everything_written(bot)
    assert "getUpdates failed" in written and "update " in written and "Traceback" in written
    assert_no_secret(written, TOKEN, TOKEN_SECRET, WEBHOOK_SECRET)


async def test_webhook_through_faults_logs_no_secret(emulator: Emulator, database: str, tmp_path: Path) -> None:
    async with (
        EmulatorClient(emulator.base_url) as client,
        fleet(emulator, replicas=1, database_url=database, redis_url="", logs=tmp_path,
              env={"LOG_LEVEL": "DEBUG"}) as replicas,
    ):
        [replica] = replicas.replicas
        secret = emulator.state.webhook.secret_token
        assert secret
        driver = ChatDriver(client, replica.process)
        _, member = await village(driver, client, database)
        await meet_faults(driver, client, member)
    written = await everything_written(replica.process)
    assert "update " in written and "Traceback" in written
    assert_no_secret(written, TOKEN, TOKEN_SECRET, secret)


async def test_a_database_out_of_reach_logs_no_password(emulator: Emulator, tmp_path: Path) -> None:
    unreachable = f"postgresql+asyncpg://five_teams:{DB_PASSWORD}@127.0.0.1:{NOTHING_LISTENS}/five_teams"
    async with (
        EmulatorClient(emulator.base_url) as client,
        start_bot(tmp_path / "bot.log", TELEGRAM_API_URL=emulator.base_url, DATABASE_URL=unreachable, **ENV) as bot,
    ):
        driver = ChatDriver(client, bot)
        await driver.wait_for(lambda event: event["kind"] == "bot", after=0, what="bot start-up", within=START_TIMEOUT)
        await client.upsert_user(1_000_070, "someone")
        await client.create_chat("群", chat_id=GROUP, chat_type="supergroup", members=[1_000_070])
        await driver.say(GROUP, 1_000_070, "/whoami")

        async def retried() -> bool:
            return "retrying in" in bot.log.read_text(encoding="utf-8", errors="replace")

        await eventually(retried, what="the update retried against the missing database", within=30)
    written = await everything_written(bot)
    assert "database unavailable" in written
    assert_no_secret(written, DB_PASSWORD, TOKEN, TOKEN_SECRET, WEBHOOK_SECRET)
