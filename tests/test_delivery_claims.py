"""Restarts, crashes and two senders at once: a row claimed by one sender is sent by it alone, and a claim given
back or run out is taken up by the next sender, so nothing queued is lost or sent twice."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramForbiddenError, TelegramUnauthorizedError
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Delivery
from bot.messaging import outbox_ledger
from bot.messaging.send_outcomes import Claimed
from bot.models import OutboxStatus
from tests.harness.delivery import Rig, after_sends, assert_all_sent
from tests.harness.waiting import eventually

CLAIM_FOR = timedelta(seconds=Delivery().claim_seconds)   # the rig's senders keep the default

# --- restarts and two senders -----------------------------------------------------------------------------------


async def test_a_stopped_sender_leaves_the_rest_to_the_next_one(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(3)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 6)]
    first_bot = rig.bot()
    first = rig.sender("first", bot=first_bot)
    first_bot.session.middleware(after_sends(4, first.stop))

    await asyncio.wait_for(first.run(), timeout=10)

    rows = await rig.rows()
    sent_first = sum(row.status == OutboxStatus.sent for row in rows)
    assert 4 <= sent_first < len(markers)
    left = [row for row in rows if row.status == OutboxStatus.pending]
    assert all(row.claimed_by is None and row.claimed_until is None for row in left)   # claims given back
    assert all(row.attempts == 0 for row in left)

    second = rig.sender("second")                               # a new process: new worker id, new session
    assert await second.drain() == len(left)                    # at once: no waiting for claims to expire

    assert await rig.delivered(*chats) == Counter(markers)
    assert_all_sent(await rig.rows())


async def test_rows_claimed_by_a_crashed_sender_are_delivered_after_the_claim_expires(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(2)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 10)]

    crashed = rig.sender("crashed", batch=5)
    assert await crashed.deliver_due() == 5                      # some delivered before the crash ...
    abandoned = await crashed._claim()                            # ... and the next batch claimed, never sent
    assert len(abandoned) == 5

    survivor = rig.sender("survivor")
    assert await survivor.drain() == len(markers) - 10           # leaves the crashed sender's claims alone
    stuck = [row for row in await rig.rows() if row.status == OutboxStatus.pending]
    assert sorted(row.id for row in stuck) == sorted(row.id for row in abandoned)
    assert all(row.claimed_by == "crashed" for row in stuck)

    rig.clock.advance(CLAIM_FOR - timedelta(seconds=1))
    assert await survivor.drain() == 0                           # the claim still holds
    rig.clock.advance(timedelta(seconds=2))
    assert await survivor.drain() == 5

    assert await rig.delivered(*chats) == Counter(markers)
    rows = await rig.rows()
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}


async def test_two_senders_at_once_deliver_each_row_once(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(4)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 8)]
    senders = [rig.sender(name, batch=3) for name in ("left", "right")]

    handled = await asyncio.gather(*(sender.drain() for sender in senders))

    assert sum(handled) == len(markers)                          # no row handled by both
    assert await rig.delivered(*chats) == Counter(markers)
    assert len(await rig.client.calls("sendMessage")) == len(markers)
    rows = await rig.rows()
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}


# --- claims under stress ----------------------------------------------------------------------------------------


async def test_an_unexpected_api_error_in_one_chat_does_not_free_the_others(rig: Rig) -> None:
    refused, busy = await rig.group("被拒的村"), await rig.group("忙碌的村")
    [lost] = await rig.queue(refused)
    [slow] = await rig.queue(busy)
    gate, idle, raised = asyncio.Event(), asyncio.Event(), asyncio.Event()
    in_flight = 0
    bot = rig.bot()

    async def middleware(make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        nonlocal in_flight
        if not isinstance(method, SendMessage):
            return await make_request(bot, method)
        if method.chat_id == refused:              # an answer the sender has no rule for
            raised.set()
            raise TelegramUnauthorizedError(method=method, message="Unauthorized")
        in_flight += 1
        idle.clear()
        try:
            await gate.wait()                      # a send still under way in another chat
            return await make_request(bot, method)
        finally:
            in_flight -= 1
            if in_flight == 0:
                idle.set()

    bot.session.middleware(middleware)
    first = rig.sender("first", bot=bot)
    round_ = asyncio.create_task(first.deliver_due())

    async def refused_row_handled() -> bool:
        row = await rig.row(lost)
        return row.status != OutboxStatus.pending or row.claimed_by is None

    await asyncio.wait_for(raised.wait(), timeout=5)
    await eventually(refused_row_handled, what="the refused row handled")
    await rig.sender("second").drain()                          # must leave the row being sent alone
    gate.set()
    outcome = (await asyncio.gather(round_, return_exceptions=True))[0]
    await asyncio.wait_for(idle.wait(), timeout=5)

    assert not isinstance(outcome, BaseException), repr(outcome)
    assert await rig.delivered(busy) == Counter([slow])
    assert (await rig.row(lost)).status == OutboxStatus.failed


async def test_a_database_fault_in_one_chat_gives_back_no_claim_while_another_chat_is_sending(
        rig: Rig, monkeypatch: pytest.MonkeyPatch) -> None:
    """The fault ends the round only once every chat's sends are done: a row still on its way keeps its claim, so
    no other sender (nor this one's next round) sends it too."""
    refused, busy = await rig.group("被拒的村"), await rig.group("忙碌的村")
    [lost] = await rig.queue(refused)
    [slow] = await rig.queue(busy)
    faulted, sending, gate, idle = asyncio.Event(), asyncio.Event(), asyncio.Event(), asyncio.Event()
    record_failure = outbox_ledger.record_failure

    async def locked_once(session: AsyncSession, row: Claimed, reason: str) -> None:
        if not faulted.is_set():       # recording the refused row meets a locked database, once
            faulted.set()
            raise OperationalError("UPDATE outbox_message", {}, sqlite3.OperationalError("database is locked"))
        await record_failure(session, row, reason)

    async def middleware(make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        if not isinstance(method, SendMessage):
            return await make_request(bot, method)
        if method.chat_id == refused:
            raise TelegramForbiddenError(method=method, message="Forbidden: bot was kicked from the group chat")
        sending.set()
        try:
            await gate.wait()                      # a send still under way in the other chat
            return await make_request(bot, method)
        finally:
            idle.set()

    monkeypatch.setattr(outbox_ledger, "record_failure", locked_once)
    bot = rig.bot()
    bot.session.middleware(middleware)
    round_ = asyncio.create_task(rig.sender("first", bot=bot).deliver_due())
    await asyncio.wait_for(asyncio.gather(faulted.wait(), sending.wait()), timeout=5)
    await asyncio.wait({round_}, timeout=1.0)      # a round that gave its claims back early has ended by now
    await rig.sender("second").drain()             # must leave both rows alone: they are still claimed
    gate.set()
    outcome = (await asyncio.gather(round_, return_exceptions=True))[0]
    await asyncio.wait_for(idle.wait(), timeout=5)

    assert isinstance(outcome, OperationalError), repr(outcome)   # still the round's: the sender pauses for it
    assert await rig.delivered(busy) == Counter([slow])
    assert (await rig.row(slow)).status == OutboxStatus.sent
    given_back = await rig.row(lost)
    assert (given_back.status, given_back.claimed_by) == (OutboxStatus.pending, None)


class GatedLimits:
    """Stands in for the rate limiters: the first acquire waits until the gate opens, as a row does behind a busy
    group's 20-a-minute limit."""

    def __init__(self) -> None:
        self.gate, self.waiting = asyncio.Event(), asyncio.Event()

    async def acquire(self, chat_id: int) -> None:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()


async def test_a_sender_whose_claim_ran_out_does_not_send_again(rig: Rig) -> None:
    chat = await rig.group("村")
    markers = await rig.queue(chat, 2)
    slow = rig.sender("slow")
    slow.limits = GatedLimits()
    round_ = asyncio.create_task(slow.deliver_due())
    await slow.limits.waiting.wait()

    rig.clock.advance(CLAIM_FOR + timedelta(seconds=1))         # the claim is over: the slow one looks dead
    await rig.sender("other").drain()
    slow.limits.gate.set()
    await round_

    assert await rig.delivered(chat) == Counter(markers)
    assert_all_sent(await rig.rows())
