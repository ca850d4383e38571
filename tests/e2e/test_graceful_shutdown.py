"""SIGTERM to `main.py run`: it stops taking updates, finishes the one in hand, lets the outbox sender finish the
request in flight, gives back the rows it had claimed and exits 0, so the next process sends them at once rather
than after the claim runs out (two minutes)."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.models import FsmRecord, OutboxMessage, OutboxStatus
from bot.services.outbox import enqueue_notice
from emulator import Emulator, EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT, STOP_TIMEOUT, BotProcess, bot_process
from tests.e2e.crowd import OWN_TEAM, open_groups, team_seats
from tests.e2e.support import (
    STEP_TIMEOUT,
    ChatDriver,
    buttons,
    inspect_database,
    message_text,
    request_held,
)
from tests.harness.waiting import eventually

IN_FLIGHT_SECONDS = 2.0   # how long the emulator holds the request the signal arrives in the middle of
NOTICES = 5
t = Translator("zh").localizer("zh")


def running_bot(emulator: Emulator, database: str, log: Path) -> AbstractAsyncContextManager[BotProcess]:
    return bot_process(log, BOT_TOKEN=emulator.token, TELEGRAM_API_URL=emulator.base_url, DATABASE_URL=database)


async def queue_notices(database: str, chat: int, count: int) -> list[str]:
    """`count` notices for `chat` in the outbox, as a change in the domain would leave them; their texts."""
    engine = create_engine(database)
    try:
        async with create_sessionmaker(engine).begin() as session:
            for n in range(count):
                await enqueue_notice(session, chat_id=chat, key="report-created", args={"number": f"T-{n}"},
                                     dedupe_key=f"graceful:{n}", now=datetime.now(UTC))
    finally:
        await engine.dispose()
    return [t("report-created", number=f"T-{n}") for n in range(count)]


async def terminated(bot: BotProcess) -> int:
    """SIGTERM, and the exit status, which must come within a bound."""
    bot.process.terminate()
    try:
        async with asyncio.timeout(STOP_TIMEOUT + IN_FLIGHT_SECONDS):
            return await bot.exited
    except TimeoutError:
        raise AssertionError(bot.failure("still running after SIGTERM")) from None


async def test_sigterm_finishes_the_update_in_hand_and_exits_0(
        emulator: Emulator, client: EmulatorClient, database: str, tmp_path: Path) -> None:
    engine = create_engine(database)
    try:
        async with create_sessionmaker(engine)() as session:
            [seat] = await team_seats(session, 1, 1)
            await open_groups(client, session, [seat])
    finally:
        await engine.dispose()
    member = seat.member_ids()[0]
    async with running_bot(emulator, database, tmp_path / "bot.log") as bot:
        driver = ChatDriver(client, bot)
        await driver.wait_for(lambda event: event["kind"] == "bot", after=0, what="start-up", within=START_TIMEOUT)
        await client.add_fault("delay", method="sendMessage", seconds=IN_FLIGHT_SECONDS)
        await driver.say(seat.chat_id, member, "/report")
        # the answer to /report is on its way: the update is in hand
        await request_held(client, what="the answer to /report reaching the emulator", within=START_TIMEOUT)
        assert await terminated(bot) == 0

    pickers = [m for m in await client.messages(seat.chat_id) if any(OWN_TEAM in b for b in buttons(m))]
    assert len(pickers) == 1, "the update in hand was not finished, or was handled twice"
    async with inspect_database(database) as session:
        state = await session.scalar(select(FsmRecord.state).where(FsmRecord.user_id == member))
    assert state == "ReportForm:kind", "the update's transaction did not commit"
    assert emulator.state.updates.pending == [], "the update was handled but not confirmed to Telegram"


async def test_sigterm_lets_the_send_in_flight_finish_and_gives_the_claimed_rows_back(
        emulator: Emulator, client: EmulatorClient, database: str, tmp_path: Path) -> None:
    chat = (await client.create_chat("通知群", members=[], bot_status="member"))["id"]
    texts = await queue_notices(database, chat, NOTICES)
    await client.add_fault("delay", method="sendMessage", seconds=IN_FLIGHT_SECONDS)

    async with running_bot(emulator, database, tmp_path / "first.log") as bot:
        await request_held(client, what="the first notice reaching the emulator", within=START_TIMEOUT)
        async with inspect_database(database) as session:
            claimed = (await session.scalars(select(OutboxMessage.claimed_by))).all()
        assert len(claimed) == NOTICES and None not in claimed, "the sender had not claimed the rows"
        assert await terminated(bot) == 0

    assert [message_text(m) for m in await client.messages(chat)] == texts[:1]
    async with inspect_database(database) as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    assert rows[0].status == OutboxStatus.sent
    assert [(r.status, r.claimed_by, r.claimed_until, r.attempts) for r in rows[1:]] == \
        [(OutboxStatus.pending, None, None, 0)] * (NOTICES - 1), "claims not given back"

    # the next process sends them as soon as it is up: not after the two minutes a claim would hold them
    mark = emulator.state.events.last_id
    async with running_bot(emulator, database, tmp_path / "second.log") as bot:
        driver = ChatDriver(client, bot)
        await driver.wait_for(lambda event: event["kind"] == "bot", after=mark, what="start-up", within=START_TIMEOUT)

        async def delivered() -> bool:
            return len(await client.messages(chat)) >= NOTICES

        await eventually(delivered, what="the rows given back, sent by the next process", within=STEP_TIMEOUT)
    assert sorted(message_text(m) for m in await client.messages(chat)) == sorted(texts)


async def test_sigterm_gives_back_a_row_waiting_for_its_turn_instead_of_sending_it_late(
        emulator: Emulator, client: EmulatorClient, database: str, tmp_path: Path) -> None:
    chat = (await client.create_chat("通知群", members=[], bot_status="member"))["id"]
    await queue_notices(database, chat, 2)
    log = tmp_path / "bot.log"
    # one message every 10 s in a group: the second waits in the sender's pacing when the signal comes
    async with bot_process(log, BOT_TOKEN=emulator.token, TELEGRAM_API_URL=emulator.base_url, DATABASE_URL=database,
                           DELIVERY__GROUP_PER_MINUTE="6") as bot:
        async def first_sent() -> bool:
            return len(await client.messages(chat)) == 1

        await eventually(first_sent, what="the first notice sent", within=START_TIMEOUT)
        assert await terminated(bot) == 0

    assert len(await client.messages(chat)) == 1, "a row waiting for its turn was sent after the stop"
    async with inspect_database(database) as session:
        second = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()[1]
    assert (second.status, second.claimed_by, second.claimed_until) == (OutboxStatus.pending, None, None)
