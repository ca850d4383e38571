"""Each update of a conversation costs one database transaction and at most one write of the member's state."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.models import RoleName
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter

CHAT = -100_777


class Tally:
    def __init__(self) -> None:
        self.transactions = 0
        self.state_writes = 0


@contextmanager
def tally(engine: AsyncEngine) -> Iterator[Tally]:
    counts = Tally()

    def on_begin(connection: object) -> None:
        counts.transactions += 1

    def on_statement(connection: object, cursor: object, statement: str, *args: object) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO FSM_RECORD"):
            counts.state_writes += 1

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
