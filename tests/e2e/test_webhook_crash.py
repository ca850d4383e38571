"""A webhook process keeping conversations in our database (no Redis) answers Telegram only once an update is
handled: killed in the middle, it leaves the update for the next process; stopped, it finishes it first."""

from __future__ import annotations

import asyncio
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from pathlib import Path

import pytest

from emulator import Emulator, EmulatorClient
from tests.e2e.crowd import OWN_TEAM, open_groups, team_seats
from tests.e2e.fleet import Fleet, fleet
from tests.e2e.support import ChatDriver, buttons, inspect_database, request_held

# The bot's reply to the update in hand hangs this long at "Telegram": longer than the test, so the only reply
# that can arrive is the one the next process sends.
HANG_SECONDS = 600.0
SLOW_SECONDS = 3.0  # a reply still on its way when the process is told to stop; it has 8 s to finish


@dataclass
class Village:
    """One village group with one reporter, and the database the webhook processes share."""

    emulator: Emulator
    client: EmulatorClient
    driver: ChatDriver
    database_url: str
    chat_id: int
    reporter: int
    logs: Path

    def webhook_process(self, name: str) -> AbstractAsyncContextManager[Fleet]:
        (self.logs / name).mkdir()
        return fleet(self.emulator, replicas=1, database_url=self.database_url, redis_url="",
                     logs=self.logs / name)

    async def report_while_the_reply_is_held(self, seconds: float) -> int:
        """Send /report and return once the bot is inside the update, its reply held at "Telegram" for
        `seconds`; returns the mark before it."""
        await self.client.add_fault("delay", method="sendMessage", chat_id=self.chat_id, seconds=seconds)
        mark = await self.driver.mark()
        await self.driver.say(self.chat_id, self.reporter, "/report")
        await request_held(self.client, what="the bot sending its reply to /report")
        return mark


@pytest.fixture
async def village(emulator: Emulator, client: EmulatorClient, database: str, tmp_path: Path) -> Village:
    async with inspect_database(database) as session:
        [seat] = await team_seats(session, 1, 1)
        await open_groups(client, session, [seat])
    return Village(emulator, client, ChatDriver(client), database, seat.chat_id, seat.member_ids()[0], tmp_path)


async def test_an_update_in_hand_when_the_process_is_killed_is_handled_by_the_next(village: Village) -> None:
    async with village.webhook_process("first") as first:
        mark = await village.report_while_the_reply_is_held(HANG_SECONDS)
        killed = first.replicas[0].process
        killed.process.kill()
        await killed.exited
    async with village.webhook_process("second"):
        # the team picker, the member's own team marked: the /report the killed process had in hand
        await village.driver.bot_message(village.chat_id, after=mark, button=OWN_TEAM)


async def test_sigterm_finishes_the_update_in_hand_and_answers_telegram_before_exiting(village: Village) -> None:
    async with village.webhook_process("only") as running:
        mark = await village.report_while_the_reply_is_held(SLOW_SECONDS)
        stopping = running.replicas[0].process
        stopping.process.terminate()
        assert await stopping.exited == 0, stopping.failure("the bot did not exit cleanly")
    await village.driver.bot_message(village.chat_id, after=mark, button=OWN_TEAM, within=1.0)
    # a reply cut off by the closing session and sent again would show as a second picker once the first
    # attempt, still held at "Telegram", lands
    await asyncio.sleep(SLOW_SECONDS)
    pickers = [message for message in await village.client.messages(village.chat_id)
               if message["from_bot"] and any(OWN_TEAM in label for label in buttons(message))]
    assert len(pickers) == 1, "the reply in flight was sent again"
    assert await village.client.pending_updates() == [], "Telegram was not told the update was handled"
