"""Members' updates waiting for the database are handled first come, first served: on SQLite, where one update
writes at a time, a member who asked first is not left waiting while later ones go ahead."""

from __future__ import annotations

import asyncio

import pytest
from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import Response, SendMessage, TelegramMethod
from aiogram.methods.base import TelegramType
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import RoleName
from tests.harness.chat import ChatHarness
from tests.harness.people import as_person, bind, members_with

CHAT = -100_777
SLOW_REPLY_SECONDS = 0.6   # the first member's reply takes this long to reach Telegram, holding the database
ARRIVALS_APART_SECONDS = 0.05


class SlowFirstReply(BaseRequestMiddleware):
    def __init__(self) -> None:
        self.slowed = False

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if isinstance(method, SendMessage) and not self.slowed:
            self.slowed = True
            await asyncio.sleep(SLOW_REPLY_SECONDS)
        return await make_request(bot, method)


async def test_updates_waiting_for_the_database_are_handled_in_the_order_they_came(
        backend: str, harness: ChatHarness, session: AsyncSession) -> None:
    if backend != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database: these updates do not wait for each other there")
    await bind(session, CHAT, "GC01-02")
    people = [as_person(m) for m in (await members_with(session, RoleName.member, village="GC01-02"))[:4]]
    await session.commit()
    harness.group(CHAT, "角什科村")
    harness.bot.session.middleware(SlowFirstReply())

    async def ask(index: int) -> None:
        await asyncio.sleep(index * ARRIVALS_APART_SECONDS)
        await harness.send(people[index], CHAT, "/whoami")

    await asyncio.gather(*(ask(index) for index in range(len(people))))

    replies = [r.text for r in harness.session.requests if isinstance(r, SendMessage) and r.chat_id == CHAT]
    answered = [next(i for i, who in enumerate(people) if who.first_name in text) for text in replies]
    assert answered == [0, 1, 2, 3]
