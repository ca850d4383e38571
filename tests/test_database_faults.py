"""The database away for a while (SQLite locked past its busy timeout, PostgreSQL out of reach): an update is
handled once it is back, or the member is told to try again; the sender and the scheduler carry on and lose
nothing; each tells the health tracker, which tells the admins once.

SQLite's busy timeout is cut to 0.2 s here, so that "locked past the busy timeout" takes a fraction of a second;
PostgreSQL is reached through a proxy the test can cut.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import Update
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.models import FsmRecord, JobRun, OutboxMessage, OutboxStatus, RoleName
from bot.scheduler.jobs import job_registry
from bot.scheduler.service import JobScheduler
from bot.services.health import Health, Phase, Trouble
from bot.services.outbox import enqueue_notice
from tests.conftest import make_harness
from tests.harness.chat import ChatHarness
from tests.harness.outage import Outage, TcpProxy
from tests.harness.people import bind, person
from tests.harness.waiting import eventually

VILLAGE_CHAT = -100_777
VILLAGE = "GC01-02"
OUTAGE_SECONDS = 1.5
t = Translator("zh").localizer("zh")


@dataclass
class Faulty:
    """The bot's database, reached in a way the test can take away."""

    sessionmaker: async_sessionmaker[AsyncSession]
    outage: Outage


@pytest.fixture
async def faulty(backend: str, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Faulty]:
    if backend == "sqlite":
        monkeypatch.setattr("bot.db.SQLITE_BUSY_TIMEOUT_MS", 200)
        assert engine.url.database
        yield Faulty(create_sessionmaker(engine), Outage(sqlite_file=Path(engine.url.database)))
        return
    proxy = TcpProxy(engine.url.host or "127.0.0.1", engine.url.port or 5432)
    await proxy.start()
    proxied = create_engine(engine.url.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False))
    yield Faulty(create_sessionmaker(proxied), Outage(proxy=proxy))
    await proxied.dispose()
    await proxy.close()


@pytest.fixture
def health(clock: ManualClock) -> Health:
    return Health(clock, after=timedelta(0))   # the clock stands still: every episode counts as lasting


@pytest.fixture
def harness(settings: Settings, faulty: Faulty, clock: ManualClock, health: Health) -> ChatHarness:
    harness = make_harness(settings, faulty.sessionmaker, clock)
    harness.dispatcher["health"] = health
    return harness


def replies(requests: list[Any]) -> list[str]:
    return [r.text for r in requests if isinstance(r, SendMessage)]


async def conversations(session: AsyncSession) -> int:
    await session.rollback()
    return await session.scalar(select(func.count()).select_from(FsmRecord).where(FsmRecord.state.is_not(None))) or 0


async def test_an_update_met_by_an_outage_is_handled_once_the_database_is_back(
        harness: ChatHarness, faulty: Faulty, session: AsyncSession, health: Health) -> None:
    await bind(session, VILLAGE_CHAT, VILLAGE)
    member = await person(session, RoleName.member, village=VILLAGE, kind="ecology")
    harness.group(VILLAGE_CHAT, VILLAGE)
    await faulty.outage.begin()
    back = faulty.outage.end_after(OUTAGE_SECONDS)
    requests = await harness.send(member, VILLAGE_CHAT, "/report")
    await back
    assert [text for text in replies(requests) if t("error-database-busy") in text] == []
    assert len([r for r in requests if isinstance(r, SendMessage)]) == 1, replies(requests)   # answered once
    assert await conversations(session) == 1                                                # and it was kept
    [notice] = health.due()
    assert (notice.episode.kind, notice.phase) == (Trouble.database, Phase.passed)


async def test_an_outage_longer_than_the_retries_tells_the_member_to_try_again(
        harness: ChatHarness, faulty: Faulty, session: AsyncSession, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.resilience.UPDATE_RETRY_SECONDS", 1.0)
    await bind(session, VILLAGE_CHAT, VILLAGE)
    member = await person(session, RoleName.member, village=VILLAGE, kind="ecology")
    harness.group(VILLAGE_CHAT, VILLAGE)
    await faulty.outage.begin()
    try:
        # fed without draining the outbox afterwards, as the harness's `send` would: the database is still away
        before = len(harness.session.requests)
        await harness.dispatcher.feed_update(harness.bot, Update(update_id=1, message=harness.message(
            member, VILLAGE_CHAT, "/report")))
        told = harness.session.requests[before:]
    finally:
        await faulty.outage.end()
    assert replies(told) == [t("error-database-busy")]
    assert await conversations(session) == 0
    again = await harness.send(member, VILLAGE_CHAT, "/report")   # trying again works
    assert replies(again) and replies(again) != [t("error-database-busy")]
    assert await conversations(session) == 1


async def queue(sessionmaker: async_sessionmaker[AsyncSession], clock: ManualClock, count: int) -> list[str]:
    markers = [f"X{n:03d}" for n in range(count)]
    async with sessionmaker.begin() as session:
        for marker in markers:
            await enqueue_notice(session, chat_id=VILLAGE_CHAT, key="notice-overdue", args={"number": marker,
                                 "days": 1}, dedupe_key=f"test:{marker}", now=clock.now())
    return markers


def arrived(harness: ChatHarness, markers: list[str]) -> Counter[str]:
    return Counter(marker for text in replies(harness.session.requests) for marker in markers if marker in text)


async def all_sent(sessionmaker: async_sessionmaker[AsyncSession]) -> bool:
    async with sessionmaker() as session:
        statuses = (await session.scalars(select(OutboxMessage.status))).all()
    return all(status == OutboxStatus.sent for status in statuses)


async def test_the_sender_carries_on_after_an_outage_and_delivers_each_row_once(
        harness: ChatHarness, faulty: Faulty, clock: ManualClock, health: Health) -> None:
    assert harness.sender is not None
    harness.sender._health = health
    markers = await queue(faulty.sessionmaker, clock, 3)
    await faulty.outage.begin()
    running = asyncio.create_task(harness.sender.run())
    await asyncio.sleep(OUTAGE_SECONDS)
    assert not running.done()                       # failed rounds did not end the loop
    assert arrived(harness, markers) == Counter()
    await faulty.outage.end()
    await eventually(lambda: all_sent(faulty.sessionmaker), what="every row sent after the outage")
    harness.sender.stop()
    await running
    assert arrived(harness, markers) == Counter(markers)
    assert [(n.episode.kind, n.phase) for n in health.due()] == [(Trouble.database, Phase.passed)]


class OutageOnFirstSend(BaseRequestMiddleware):
    """Takes the database away the moment the first message has gone out, before the sender can record it."""

    def __init__(self, outage: Outage) -> None:
        self.outage = outage
        self.back: asyncio.Task[None] | None = None

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        response = await make_request(bot, method)
        if self.back is None:
            await self.outage.begin()
            self.back = self.outage.end_after(OUTAGE_SECONDS)
        return response


async def test_a_message_out_while_the_database_failed_is_recorded_not_sent_again(
        harness: ChatHarness, faulty: Faulty, clock: ManualClock) -> None:
    assert harness.sender is not None
    [marker] = await queue(faulty.sessionmaker, clock, 1)
    cutter = OutageOnFirstSend(faulty.outage)
    harness.session.middleware(cutter)
    await harness.sender.drain()
    assert cutter.back is not None and cutter.back.done()    # the record waited for the database to come back
    clock.advance(timedelta(minutes=5))   # a row left claimed would be due again by now
    await harness.sender.drain()
    assert arrived(harness, [marker]) == Counter([marker])
    assert await all_sent(faulty.sessionmaker)


async def test_a_job_met_by_an_outage_runs_its_period_once_the_database_is_back(
        settings: Settings, faulty: Faulty, clock: ManualClock, health: Health, session: AsyncSession) -> None:
    jobs = JobScheduler(faulty.sessionmaker, settings, job_registry(), clock, worker="test", health=health,
                        first_retry_seconds=0.2)
    await faulty.outage.begin()
    back = faulty.outage.end_after(OUTAGE_SECONDS)
    outcome = await jobs.run("purge_conversations")
    await back
    assert outcome.ran
    await session.rollback()
    periods = (await session.scalars(select(JobRun.period).where(JobRun.job == "purge_conversations"))).all()
    assert periods == [outcome.period]
    assert not (await jobs.run("purge_conversations", outcome.period)).ran   # the period is done
    assert [(n.episode.kind, n.phase) for n in health.due()] == [(Trouble.database, Phase.passed)]
