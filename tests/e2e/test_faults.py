"""The real bot process while the emulator misbehaves: 429s, 5xx, slow answers and dropped connections on
getUpdates, sendMessage, editMessageText and button answers; a Bot API out of reach for a while; SQLite locked by
another writer past the busy timeout. The conversation completes, each card and notice arrives once, nothing a
member said is lost, lasting trouble reaches the admins once, and the process stays up."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import load_settings
from bot.i18n import Translator
from bot.models import Issue, IssueStatus, OutboxMessage, OutboxStatus, RoleName
from emulator import Emulator, EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT
from tests.e2e.bot_process import bot_process as start_bot
from tests.e2e.support import ChatDriver, card_recorded, inspect_database, message_text, sqlite_url
from tests.harness.people import members_with
from tests.harness.waiting import eventually

VILLAGE, GROUP = "GC01-02", -1001000000902
t = Translator("zh").localizer("zh")
ECOLOGY = next(kind.zh for kind in load_settings().team_kinds if kind.key == "ecology")
OUTAGE_ALERT_MINUTES = "0.1"   # six seconds: an outage of a dozen seconds is "lasting"
SQLITE_BUSY_SECONDS = 15       # bot/db.py's busy timeout: the lock below is held longer
WATCHDOG_LOOKS = 4.0           # the watchdog looks every 3 s at this threshold: long enough for it to look again


@dataclass
class Village:
    driver: ChatDriver
    client: EmulatorClient
    database_url: str
    database: Path
    admins: list[int]
    reporter: int
    mate: int


async def start(emulator: Emulator, county_database: Path, tmp_path: Path,
                **env: str) -> AsyncIterator[Village]:
    database = tmp_path / "bot.sqlite3"
    shutil.copy(county_database, database)
    url = sqlite_url(database)
    async with (
        EmulatorClient(emulator.base_url) as client,
        start_bot(tmp_path / "bot.log", BOT_TOKEN=emulator.token, TELEGRAM_API_URL=emulator.base_url,
                  DATABASE_URL=url, DELIVERY__GROUP_PER_MINUTE="600", DELIVERY__CHAT_PER_SECOND="20", **env) as bot,
    ):
        driver = ChatDriver(client, bot)
        async with inspect_database(url) as session:
            admins = await members_with(session, RoleName.admin)
            reporter, mate = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[:2]
        await driver.add_people([*admins, reporter, mate])   # every admin, so that their notices can arrive
        admin_ids = sorted(admin.telegram_id for admin in admins if admin.telegram_id)
        assert reporter.telegram_id and mate.telegram_id and admin_ids
        await client.create_chat("角什科村工作群", chat_id=GROUP, chat_type="supergroup",
                                 members=[reporter.telegram_id, mate.telegram_id], admins=admin_ids[:1],
                                 owner=admin_ids[0])
        await driver.wait_for(lambda event: event["kind"] == "bot", after=0, what="bot start-up", within=START_TIMEOUT)
        mark = await driver.say(GROUP, admin_ids[0], f"/bind {VILLAGE}")
        await driver.bot_message(GROUP, after=mark, text=VILLAGE)
        yield Village(driver, client, url, database, admin_ids, reporter.telegram_id, mate.telegram_id)
        assert bot.process.returncode is None, bot.failure("the bot process stopped")


@pytest.fixture
async def village(emulator: Emulator, county_database: Path, tmp_path: Path) -> AsyncIterator[Village]:
    async for running in start(emulator, county_database, tmp_path):
        yield running


@pytest.fixture
async def alerting_village(emulator: Emulator, county_database: Path, tmp_path: Path) -> AsyncIterator[Village]:
    async for running in start(emulator, county_database, tmp_path, ALERTS__AFTER_MINUTES=OUTAGE_ALERT_MINUTES):
        yield running


async def faults(client: EmulatorClient, method: str, *kinds: str) -> None:
    """One of each, in this order, on the next calls of `method`."""
    for kind in kinds:
        await client.add_fault(kind, method=method, status=502, retry_after=1, seconds=1.5)


async def bot_texts(client: EmulatorClient, chat_id: int) -> list[str]:
    return [message_text(m) for m in await client.messages(chat_id) if m["from_bot"]]


async def test_a_report_completes_through_api_faults_and_each_card_and_notice_arrives_once(village: Village) -> None:
    driver, client, reporter, mate = village.driver, village.client, village.reporter, village.mate
    everything = ("drop", "server_error", "too_many_requests", "delay")
    await faults(client, "getUpdates", *everything)
    await faults(client, "sendMessage", *everything)
    await faults(client, "answerCallbackQuery", "server_error", "drop")

    mark = await driver.say(GROUP, reporter, "/report")
    teams = await driver.bot_message(GROUP, after=mark, button=ECOLOGY)
    mark = await driver.press(GROUP, teams, reporter, ECOLOGY)
    prompt = await driver.bot_message(GROUP, after=mark, prompting=reporter)
    mark = await driver.say(GROUP, reporter, "河道淤堵，汛期前村里清不动", reply_to=prompt)
    no_photos = await driver.bot_message(GROUP, after=mark, button=t("report-photos-none"))
    mark = await driver.press(GROUP, no_photos, reporter, t("report-photos-none"))
    prompt = await driver.bot_message(GROUP, after=mark, prompting=reporter)
    mark = await driver.say(GROUP, reporter, "沙柳河角什科段", reply_to=prompt)
    urgency = await driver.bot_message(GROUP, after=mark, button=t("urgency-normal"))
    mark = await driver.press(GROUP, urgency, reporter, t("urgency-normal"))
    summary = await driver.bot_message(GROUP, after=mark, button=t("report-confirm"))

    # the card goes out through the outbox sender: the same faults again, now on its requests
    await faults(client, "sendMessage", *everything)
    mark = await driver.press(GROUP, summary, reporter, t("report-confirm"))
    card = await driver.bot_message(GROUP, after=mark, button=t("action-claim"), within=60)
    await card_recorded(village.database_url, GROUP, card)

    await faults(client, "editMessageText", *everything)
    mark = await driver.press(GROUP, card, mate, t("action-claim"))
    card = await driver.edited(GROUP, card, after=mark, text=t("status-in_progress"), within=60)
    mark = await driver.press(GROUP, card, mate, t("action-resolve"))
    prompt = await driver.bot_message(GROUP, after=mark, prompting=mate)
    mark = await driver.say(GROUP, mate, "已联系乡里派挖掘机清淤", reply_to=prompt)
    card = await driver.edited(GROUP, card, after=mark, text=t("status-resolved"), within=60)
    await faults(client, "editMessageText", "server_error", "drop")
    mark = await driver.press(GROUP, card, reporter, t("action-verify"))
    await driver.edited(GROUP, card, after=mark, text=t("status-closed"), within=60)

    async def all_out() -> bool:
        async with inspect_database(village.database_url) as session:
            statuses = (await session.scalars(select(OutboxMessage.status))).all()
            issues = (await session.scalars(select(Issue.status))).all()
        return set(statuses) == {OutboxStatus.sent} and issues == [IssueStatus.closed]

    await eventually(all_out, what="every outbox row sent and the one issue closed", within=60)
    failed = {call["method"] for call in await client.calls() if call["status"] != 200}
    assert failed >= {"getUpdates", "sendMessage", "editMessageText", "answerCallbackQuery"}, "faults not met"
    async with inspect_database(village.database_url) as session:
        [number] = (await session.scalars(select(Issue.number))).all()
        chats = set((await session.scalars(select(OutboxMessage.chat_id))).all()) | {GROUP}
    for chat_id in chats:   # nothing the bot said, directly or through the outbox, arrived twice
        said = Counter(await bot_texts(client, chat_id))
        assert [text for text, times in said.items() if times > 1] == [], chat_id
    cards = [text for text in await bot_texts(client, GROUP) if number in text and t("status-closed") in text]
    assert len(cards) == 1
    for admin in village.admins:
        assert await bot_texts(client, admin) == []   # short faults are no trouble worth an alert


async def test_a_lasting_outage_loses_no_update_and_reaches_each_admin_once(alerting_village: Village) -> None:
    village = alerting_village
    driver, client = village.driver, village.client
    await client.add_fault("server_error", method="getUpdates", count=None, status=502)
    mark = await driver.say(GROUP, village.reporter, "/report")   # said while the bot cannot hear
    await driver.bot_message(village.admins[0], after=mark, text="收不到 Telegram", within=40)
    assert await client.pending_updates(), "the update waits at Telegram while getUpdates fails"
    await client.clear_faults()
    await driver.bot_message(GROUP, after=mark, button=ECOLOGY, within=30)      # ... and is answered afterwards
    await driver.bot_message(village.admins[0], after=mark, text="已于", within=40)

    async def told_once() -> bool:
        for admin in village.admins:
            said = await bot_texts(client, admin)
            if sorted(text.split()[0] for text in said) != ["⚠️", "✅"]:
                return False
        return True

    await eventually(told_once, what="each admin told once of the outage and once of its end", within=30)
    await asyncio.sleep(WATCHDOG_LOOKS)
    assert await told_once(), "told again"


async def test_an_update_during_a_sqlite_lock_longer_than_the_busy_timeout_is_answered_once(
        village: Village) -> None:
    driver = village.driver
    holder = sqlite3.connect(village.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")     # another writer holds the write lock past the bot's busy timeout
    try:
        mark = await driver.say(GROUP, village.reporter, "/report")
        await asyncio.sleep(SQLITE_BUSY_SECONDS + 2)
        assert [text for text in await bot_texts(village.client, GROUP) if ECOLOGY in text] == []
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    teams = await driver.bot_message(GROUP, after=mark, button=ECOLOGY, within=30)
    said = Counter(await bot_texts(village.client, GROUP))
    assert said[message_text(teams)] == 1 and t("error-database-busy") not in said
    assert driver.bot is not None and "database unavailable" in driver.bot.log.read_text()
