"""Each update of a conversation costs one database transaction and at most one write of the member's state;
what an update writes, its audit events included, is committed together or not at all."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import AnswerCallbackQuery
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.models import Issue, IssueEvent, IssueStatus, RoleName
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter

CHAT = -100_777


class Tally:
    def __init__(self) -> None:
        self.transactions = 0
        self.state_writes = 0
        self.event_writes = 0


@contextmanager
def tally(engine: AsyncEngine) -> Iterator[Tally]:
    counts = Tally()

    def on_begin(connection: object) -> None:
        counts.transactions += 1

    def on_statement(connection: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FSM_RECORD"):
            counts.state_writes += 1
        if statement.lstrip().upper().startswith("INSERT INTO ISSUE_EVENT"):
            counts.event_writes += 1

    sync = engine.sync_engine
    event.listen(sync, "begin", on_begin)
    event.listen(sync, "before_cursor_execute", on_statement)
    try:
        yield counts
    finally:
        event.remove(sync, "begin", on_begin)
        event.remove(sync, "before_cursor_execute", on_statement)


async def test_every_step_of_a_report_is_one_transaction_with_one_state_write(
        engine: AsyncEngine, sessionmaker: async_sessionmaker[AsyncSession], session: AsyncSession,
        settings: Settings, clock: ManualClock) -> None:
    await bind(session, CHAT, "GC01-02")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    await session.commit()
    # no sender: its own transactions would be counted with the update's
    harness = ChatHarness(build_dispatcher(settings, sessionmaker, Translator(settings.default_language), clock))
    harness.group(CHAT, "果洛村")
    reporter = Reporter(harness, member, CHAT)

    steps = [lambda: reporter.say("/report"), lambda: reporter.press("生态"),
             lambda: reporter.say("草场围栏被风吹倒"), lambda: reporter.press("没有照片"),
             lambda: reporter.press("跳过"), lambda: reporter.press("一般"), lambda: reporter.press("确认上报")]
    for step in steps:
        with tally(engine) as counts:
            await step()
        assert counts.transactions == 1
        assert counts.state_writes == 1


async def test_a_change_whose_update_fails_after_its_event_was_written_leaves_neither(
        engine: AsyncEngine, harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, CHAT, "GC01-02")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    harness.group(CHAT, "果洛村")
    await Reporter(harness, member, CHAT).full("草场围栏被风吹倒", photos=())
    card = next(m for (c, m), sent in harness.session.sent.items()
                if c == CHAT and (sent.text or "").startswith("📋"))
    await session.rollback()
    events_before = await session.scalar(select(func.count()).select_from(IssueEvent))
    # the claim is written, then answering the button fails with a refusal the bot does not forgive (an answer
    # refused as too old counts as given: bot/redelivery.py)
    harness.session.fail[AnswerCallbackQuery] = TelegramBadRequest(
        AnswerCallbackQuery(callback_query_id="0"), "Bad Request: QUERY_ID_INVALID")

    with tally(engine) as counts:
        await harness.press(lead, CHAT, card, harness.buttons(CHAT, card)["🙋 认领"])

    assert counts.event_writes == 1
    await session.rollback()
    issue = await session.scalar(select(Issue))
    assert issue is not None and issue.status == IssueStatus.open and issue.holder_id is None
    assert await session.scalar(select(func.count()).select_from(IssueEvent)) == events_before
