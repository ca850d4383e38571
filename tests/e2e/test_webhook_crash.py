"""A webhook process keeping conversations in our database, killed while it handles an update, loses nothing:
Telegram has not been answered yet, so it posts the update again to the next process."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Awaitable, Callable
from pathlib import Path

from emulator import Emulator, EmulatorClient
from tests.e2e.crowd import OWN_TEAM, open_groups, team_seats
from tests.e2e.fleet import fleet
from tests.e2e.support import ChatDriver, buttons, inspect_database, sqlite_url
from tests.harness.waiting import eventually

# The bot's reply to the update in hand hangs this long at "Telegram": longer than the test, so the only reply
# that can arrive is the one the next process sends.
HANG_SECONDS = 600.0
SLOW_SECONDS = 3.0  # a reply still on its way when the process is told to stop; it has 8 s to finish


def no_fault_left(client: EmulatorClient) -> Callable[[], Awaitable[bool]]:
    """Once the injected fault is taken, the bot is inside the update, sending its reply."""

    async def taken() -> bool:
        return not await client.faults()

    return taken


async def test_an_update_in_hand_when_the_process_is_killed_is_handled_by_the_next(
        emulator: Emulator, county_database: Path, tmp_path: Path) -> None:
    shutil.copy(county_database, tmp_path / "bot.sqlite3")
    database_url = sqlite_url(tmp_path / "bot.sqlite3")
    async with EmulatorClient(emulator.base_url) as client:
        async with inspect_database(database_url) as session:
            [seat] = await team_seats(session, 1, 1)
            await open_groups(client, session, [seat])
            await session.commit()
        reporter = seat.member_ids()[0]
        driver = ChatDriver(client)
        for run in ("first", "second"):
            (tmp_path / run).mkdir()
        async with fleet(emulator, replicas=1, database_url=database_url, redis_url="",
                         logs=tmp_path / "first") as first:
            await client.add_fault("delay", method="sendMessage", chat_id=seat.chat_id, seconds=HANG_SECONDS)
            mark = await driver.mark()
            await driver.say(seat.chat_id, reporter, "/report")
            await eventually(no_fault_left(client), what="the bot sending its reply to /report")
            killed = first.replicas[0].process
            killed.process.kill()
            await killed.exited
        async with fleet(emulator, replicas=1, database_url=database_url, redis_url="", logs=tmp_path / "second"):
            # the team picker, the member's own team marked: the /report the killed process had in hand
            await driver.bot_message(seat.chat_id, after=mark, button=OWN_TEAM)


async def test_sigterm_finishes_the_update_in_hand_and_answers_telegram_before_exiting(
        emulator: Emulator, county_database: Path, tmp_path: Path) -> None:
    shutil.copy(county_database, tmp_path / "bot.sqlite3")
    database_url = sqlite_url(tmp_path / "bot.sqlite3")
    async with EmulatorClient(emulator.base_url) as client:
        async with inspect_database(database_url) as session:
            [seat] = await team_seats(session, 1, 1)
            await open_groups(client, session, [seat])
            await session.commit()
        driver = ChatDriver(client)
        async with fleet(emulator, replicas=1, database_url=database_url, redis_url="", logs=tmp_path) as running:
            await client.add_fault("delay", method="sendMessage", chat_id=seat.chat_id, seconds=SLOW_SECONDS)
            mark = await driver.mark()
            await driver.say(seat.chat_id, seat.member_ids()[0], "/report")
            await eventually(no_fault_left(client), what="the bot sending its reply to /report")
            stopping = running.replicas[0].process
            stopping.process.terminate()
            assert await stopping.exited == 0, stopping.failure("the bot did not exit cleanly")
        await driver.bot_message(seat.chat_id, after=mark, button=OWN_TEAM, within=1.0)
        # a reply cut off by the closing session and sent again would show as a second picker once the first
        # attempt, still hanging at "Telegram", lands
        await asyncio.sleep(SLOW_SECONDS)
        pickers = [m for m in await client.messages(seat.chat_id) if m["from_bot"] and OWN_TEAM in str(buttons(m))]
        assert len(pickers) == 1, "the reply in flight was sent again"
        assert await client.pending_updates() == [], "Telegram was not told the update was handled"
