"""Which errors are the database's passing faults (the update is run again, the member told the database is
busy) and which are not: a Bot API call timing out inside a handler is not the database's."""

from __future__ import annotations

import pytest
from aiogram.methods import GetChatMember, SendMessage
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db import create_engine
from bot.i18n import Translator
from bot.models import RoleName
from bot.retry import is_transient
from tests.harness.chat import ChatHarness
from tests.harness.people import person

GROUP = -100_901
t = Translator("zh").localizer("zh")


async def test_a_bot_api_timeout_in_a_handler_is_not_a_database_fault(
        harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    harness.group(GROUP, "果洛村工作群", admins={admin.telegram_id})
    harness.session.fail[GetChatMember] = TimeoutError()

    requests = await harness.send(admin, GROUP, "/bind GC01-01")

    assert len([r for r in requests if isinstance(r, GetChatMember)]) == 1  # the update was not run again
    assert [r.text for r in requests if isinstance(r, SendMessage)] == [t("error-internal")]


async def test_a_database_that_refuses_connections_is_a_passing_fault() -> None:
    engine = create_engine("postgresql+asyncpg://postgres@127.0.0.1:1/none")  # nothing listens on port 1
    try:
        with pytest.raises(OSError) as refused:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    assert is_transient(refused.value)
