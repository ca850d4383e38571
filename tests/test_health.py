"""Lasting trouble reaches the county admins once when it has lasted `alerts.after_minutes`, and once when it is
over; however many failures it held, and however often the watchdog looks, there is no flood."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.models import OutboxMessage
from bot.services.delivery import admin_chats
from bot.services.health import Health, Trouble
from bot.watchdog import Watchdog

AFTER = timedelta(minutes=10)
UNREACHABLE = "postgresql+asyncpg://five_teams@127.0.0.1:1/five_teams"   # nothing listens on port 1


def watchdog(health: Health, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
             clock: ManualClock) -> Watchdog:
    return Watchdog(health, sessionmaker, settings, clock, worker="test", wake=lambda: None)


async def notices(session: AsyncSession) -> Counter[str]:
    """Notices queued, by locale key, over all admins."""
    await session.rollback()
    rows = (await session.scalars(select(OutboxMessage))).all()
    return Counter(row.payload["key"] for row in rows)


async def test_a_thousand_failures_make_one_alert_and_one_recovery_per_admin(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession) -> None:
    health = Health(clock, AFTER)
    dog = watchdog(health, sessionmaker, settings, clock)
    admins = await admin_chats(session)
    assert admins
    for _ in range(1000):   # 1,000 failures over 33 minutes, the watchdog looking after each one
        health.failed(Trouble.telegram, "TelegramServerError: Bad Gateway")
        clock.advance(timedelta(seconds=2))
        await dog.check()
    assert await notices(session) == Counter({"notice-trouble-started": len(admins)})
    health.ok(Trouble.telegram)
    for _ in range(10):
        health.ok(Trouble.telegram)
        await dog.check()
    assert await notices(session) == Counter({"notice-trouble-started": len(admins),
                                              "notice-trouble-recovered": len(admins)})
    rows = (await session.scalars(select(OutboxMessage))).all()
    assert sorted(row.chat_id for row in rows) == sorted(admins * 2)
    started = next(row for row in rows if row.payload["key"] == "notice-trouble-started")
    recovered = next(row for row in rows if row.payload["key"] == "notice-trouble-recovered")
    for language in ("zh", "en"):
        t = Translator(language).localizer(language)
        text = t(started.payload["key"], **started.payload["args"])
        # told when the threshold passed: ten minutes in, after 300 failures
        assert started.payload["args"]["since"] in text and "300" in text and "Bad Gateway" in text
        assert "33" in t(recovered.payload["key"], **recovered.payload["args"])


async def test_trouble_shorter_than_the_threshold_is_only_logged(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession) -> None:
    health = Health(clock, AFTER)
    dog = watchdog(health, sessionmaker, settings, clock)
    for _ in range(3):   # three short episodes, each a little under the threshold
        for _ in range(100):
            health.failed(Trouble.delivery, "TelegramNetworkError: Request timeout error")
            clock.advance(timedelta(seconds=5))
            await dog.check()
        health.ok(Trouble.delivery)
        await dog.check()
    assert await notices(session) == Counter()


@pytest.mark.parametrize("backend", ["sqlite"])   # the database itself is not what this test is about
async def test_database_trouble_is_logged_once_and_told_once_when_it_is_back(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession, caplog: pytest.LogCaptureFixture) -> None:
    health = Health(clock, AFTER)
    unreachable = create_engine(UNREACHABLE)
    blind = watchdog(health, create_sessionmaker(unreachable), settings, clock)
    with caplog.at_level(logging.ERROR, logger="bot.services.health"):
        for _ in range(300):   # 25 minutes of failures; the watchdog cannot queue anything meanwhile
            health.failed(Trouble.database, "ConnectionRefusedError: Connect call failed")
            clock.advance(timedelta(seconds=5))
            assert await blind.check() == 0
    await unreachable.dispose()
    lasting = [r for r in caplog.records if "trouble lasting" in r.getMessage()]
    assert len(lasting) == 1 and "admins will be told when it is back" in lasting[0].getMessage()
    health.ok(Trouble.database)
    dog = watchdog(health, sessionmaker, settings, clock)
    await dog.check()
    await dog.check()
    admins = await admin_chats(session)
    assert await notices(session) == Counter({"notice-trouble-passed": len(admins)})
    [row, *_] = (await session.scalars(select(OutboxMessage))).all()
    assert row.payload["args"]["minutes"] == 25 and row.payload["args"]["kind"] == "database"
