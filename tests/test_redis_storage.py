"""Conversation state in Redis: a member's report moves between replicas (dispatchers sharing one Redis and one
database) mid-way, and two replicas handling one member's updates at once lose nothing."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis
from sqlalchemy import event, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.fsm_redis import KEY_BUILDER
from bot.i18n import Translator
from bot.models import FsmRecord, Issue, IssuePhoto, RoleName
from tests.conftest import make_harness
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, texts

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
BOT_ID = 42  # the harness's bot ("42:TEST"): every key these tests write starts with fsm:42:
CHAT = -100_301
VILLAGE = "GC01-02"
LOCK_WAIT_SECONDS = 0.5  # far longer than handling a photo takes
t = Translator("zh").localizer("zh")


async def _forget(redis: Redis) -> None:
    """Delete this bot's keys only: the Redis may serve other things."""
    keys = [key async for key in redis.scan_iter(match=f"{KEY_BUILDER.prefix}:{BOT_ID}:*")]
    if keys:
        await redis.delete(*keys)


@pytest.fixture
async def redis() -> AsyncIterator[Redis]:
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set: Redis conversation storage tests skipped")
    client = Redis.from_url(TEST_REDIS_URL)
    await _forget(client)
    yield client
    await _forget(client)
    await client.aclose()


@pytest.fixture
def redis_settings(settings: Settings, redis: Redis) -> Settings:
    return settings.model_copy(update={"redis_url": TEST_REDIS_URL})


@pytest.fixture
async def replicas(redis_settings: Settings, sessionmaker: async_sessionmaker[AsyncSession],
                   clock: ManualClock) -> AsyncIterator[tuple[ChatHarness, ChatHarness]]:
    """Two dispatchers as two replicas would build them, seeing the same Telegram chat."""
    first, second = make_harness(redis_settings, sessionmaker, clock), make_harness(redis_settings, sessionmaker,
                                                                                    clock)
    for harness in (first, second):
        harness.group(CHAT, "果洛村")
    second.session.sent = first.session.sent  # one chat: what either replica sent, both can see
    second.session._ids = first.session._ids  # and one message numbering, as in Telegram
    yield first, second
    for harness in (first, second):
        await harness.dispatcher.fsm.close()


async def _reporter(session: AsyncSession, harness: ChatHarness) -> Reporter:
    await bind(session, CHAT, VILLAGE)
    member: Person = await person(session, RoleName.member, village=VILLAGE, kind="ecology")
    return Reporter(harness, member, CHAT)


async def _state(redis: Redis, user_id: int) -> bytes | None:
    key = StorageKey(bot_id=BOT_ID, chat_id=CHAT, user_id=user_id)
    return await redis.get(KEY_BUILDER.build(key, "state"))


async def test_with_redis_the_dispatcher_keeps_state_and_lock_in_redis(
        replicas: tuple[ChatHarness, ChatHarness]) -> None:
    dispatcher = replicas[0].dispatcher
    assert isinstance(dispatcher.storage, RedisStorage)
    assert isinstance(dispatcher.fsm.events_isolation, RedisEventIsolation)


async def test_a_report_started_on_one_replica_is_finished_on_another(
        replicas: tuple[ChatHarness, ChatHarness], redis: Redis, session: AsyncSession) -> None:
    first, second = replicas
    reporter = await _reporter(session, first)
    await reporter.say("/report")
    await reporter.press("生态")
    await reporter.say("在一个副本上写的描述")
    assert await _state(redis, reporter.who.telegram_id) == b"ReportForm:photos"
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0, "nothing in the database"

    reporter.h = second
    await reporter.press("没有照片")
    await reporter.press("跳过")
    await reporter.press("一般")
    done = await reporter.press("确认上报")

    await session.rollback()
    [issue] = (await session.scalars(select(Issue))).all()
    assert issue.description == "在一个副本上写的描述"
    assert any(issue.number in text for text in texts(done))
    assert await _state(redis, reporter.who.telegram_id) is None, "a confirmed report leaves no state behind"


async def test_a_members_update_waits_while_another_replica_handles_one_of_theirs(
        replicas: tuple[ChatHarness, ChatHarness], session: AsyncSession) -> None:
    first, second = replicas
    reporter = await _reporter(session, first)
    await reporter.say("/report")
    await reporter.press("生态")
    await reporter.say("照片分别到达两个副本")
    key = StorageKey(bot_id=BOT_ID, chat_id=CHAT, user_id=reporter.who.telegram_id)
    async with second.dispatcher.fsm.events_isolation.lock(key):  # the second replica is mid-update for them
        photo = asyncio.create_task(first.send_photo(reporter.who, CHAT, "photo-a"))
        await asyncio.sleep(LOCK_WAIT_SECONDS)
        assert not photo.done(), "the first replica waits for the member's lock in Redis"
    await photo
    await asyncio.gather(first.send_photo(reporter.who, CHAT, "photo-b"),
                         second.send_photo(reporter.who, CHAT, "photo-c"))
    reporter.mine += [message_id for (chat, message_id) in first.session.sent if chat == CHAT]
    await reporter.press("完成")
    await reporter.press("跳过")
    await reporter.press("一般")
    await reporter.press("确认上报")

    await session.rollback()
    photos = (await session.scalars(select(IssuePhoto.file_id))).all()
    assert sorted(photos) == ["photo-a", "photo-b", "photo-c"]


async def test_an_idle_step_expires_with_redis_too(replicas: tuple[ChatHarness, ChatHarness], session: AsyncSession,
                                                   clock: ManualClock, redis_settings: Settings) -> None:
    first, second = replicas
    reporter = await _reporter(session, first)
    await reporter.say("/report")
    await reporter.press("生态")
    clock.advance(timedelta(minutes=redis_settings.conversation.idle_minutes + 1))
    reporter.h = second
    assert "已自动取消" in texts(await reporter.say("迟到的描述"))[0]


async def test_a_step_a_database_fault_rolled_back_is_taken_again_from_where_it_was(
        replicas: tuple[ChatHarness, ChatHarness], redis: Redis, session: AsyncSession, engine: AsyncEngine) -> None:
    """Redis does not roll back with the update's transaction: the step the retry takes must be the same one."""
    reporter = await _reporter(session, replicas[0])
    await reporter.start()
    faults = 0

    def lost_once(connection: object) -> None:
        nonlocal faults
        faults += 1
        if faults == 1:   # the update's commit: the step's work is rolled back, its state in Redis already moved
            raise OperationalError("COMMIT", {}, sqlite3.OperationalError("database is locked"))

    event.listen(engine.sync_engine, "commit", lost_once)
    try:
        seen = texts(await reporter.say("提交时数据库被锁住的描述"))
    finally:
        event.remove(engine.sync_engine, "commit", lost_once)

    assert faults >= 2, "the fault was not met"
    assert await _state(redis, reporter.who.telegram_id) == b"ReportForm:photos"
    assert t("report-photos-need-photo") not in seen, "the description was taken again as the photos step's answer"
    await reporter.press("没有照片")
    await reporter.press("跳过")
    await reporter.press("一般")
    await reporter.press("确认上报")
    await session.rollback()
    assert (await session.scalars(select(Issue.description))).all() == ["提交时数据库被锁住的描述"]
