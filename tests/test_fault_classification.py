"""Which errors are the database's passing faults (the update is run again, the member told the database is
busy) and which are not: a Bot API call timing out inside a handler is not the database's. The errors are the real
ones, raised by asyncpg and wrapped by SQLAlchemy: PostgreSQL starting up or full is played by a server that answers
every connection with that error; a deadlock, a concurrent update and a terminated session happen on the test's
PostgreSQL."""

from __future__ import annotations

import asyncio
import struct
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager

import asyncpg
import pytest
from aiogram.methods import GetChatMember, SendMessage
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession

from bot.db import create_engine
from bot.i18n import Translator
from bot.models import RoleName
from bot.retry import is_transient
from tests.harness.chat import ChatHarness
from tests.harness.people import person
from tests.harness.waiting import eventually

GROUP = -100_901
SSL_REQUEST = 80877103
POSTGRESQL_ONLY = pytest.mark.parametrize("backend", [pytest.param("postgresql", marks=pytest.mark.postgresql)])
t = Translator("zh").localizer("zh")


async def test_a_bot_api_timeout_in_a_handler_is_not_a_database_fault(
        harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    harness.group(GROUP, "果洛村工作群", admins={admin.telegram_id})
    harness.session.fail[GetChatMember] = TimeoutError()

    requests = await harness.send(admin, GROUP, "/bind GC01-01")

    assert len([r for r in requests if isinstance(r, GetChatMember)]) == 1  # the update was not run again
    assert [r.text for r in requests if isinstance(r, SendMessage)] == [t("error-internal")]


async def first_query_error(url: str, expected: type[Exception]) -> Exception:
    """What running a first query on `url` raises, as the bot's engine raises it."""
    engine = create_engine(url)
    try:
        with pytest.raises(expected) as refused:
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
    return refused.value


async def test_a_database_that_refuses_connections_is_a_passing_fault() -> None:
    # nothing listens on port 1
    assert is_transient(await first_query_error("postgresql+asyncpg://postgres@127.0.0.1:1/none", OSError))


@asynccontextmanager
async def postgres_refusing(sqlstate: str, message: str) -> AsyncIterator[str]:
    """The URL of a server that answers every connection's start-up as PostgreSQL does when it cannot take one."""

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        length, code = struct.unpack("!ii", await reader.readexactly(8))
        if code == SSL_REQUEST:         # asyncpg asks for TLS first: refused, the start-up message follows
            writer.write(b"N")
            length = struct.unpack("!i", await reader.readexactly(4))[0]
            await reader.readexactly(length - 4)
        else:
            await reader.readexactly(length - 8)
        fields = b"".join(key + value.encode() + b"\0" for key, value in
                          ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", sqlstate), (b"M", message))) + b"\0"
        writer.write(b"E" + struct.pack("!i", len(fields) + 4) + fields)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(refuse, "127.0.0.1", 0)
    try:
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{server.sockets[0].getsockname()[1]}/county"
    finally:
        server.close()


@pytest.mark.parametrize(("sqlstate", "message", "raised"), [
    ("57P03", "the database system is starting up", asyncpg.CannotConnectNowError),
    ("53300", "sorry, too many clients already", asyncpg.TooManyConnectionsError),
])
async def test_a_database_starting_up_or_full_is_a_passing_fault(sqlstate: str, message: str,
                                                                 raised: type[Exception]) -> None:
    async with postgres_refusing(sqlstate, message) as url:
        refused = await first_query_error(url, DBAPIError)
    assert isinstance(refused, DBAPIError)
    assert isinstance(refused.orig.__cause__, raised)     # asyncpg's error, wrapped as SQLAlchemy does
    assert is_transient(refused)


async def _fails(statement: Awaitable[object]) -> DBAPIError:
    with pytest.raises(DBAPIError) as failed:
        await statement
    return failed.value


async def _two_connections(engine: AsyncEngine) -> tuple[AsyncConnection, AsyncConnection]:
    first, second = await engine.connect(), await engine.connect()
    await first.execute(text("CREATE TABLE probe (id integer PRIMARY KEY, n integer)"))
    await first.execute(text("INSERT INTO probe VALUES (1, 0), (2, 0)"))
    await first.commit()
    return first, second


@POSTGRESQL_ONLY
async def test_a_transaction_lost_to_a_concurrent_update_is_a_passing_fault(empty_engine: AsyncEngine) -> None:
    first, second = await _two_connections(empty_engine)
    try:
        await first.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        await first.execute(text("SELECT n FROM probe"))
        await second.execute(text("UPDATE probe SET n = n + 1 WHERE id = 1"))
        await second.commit()
        error = await _fails(first.execute(text("UPDATE probe SET n = n + 1 WHERE id = 1")))
    finally:
        await first.close()
        await second.close()
    assert isinstance(error.orig.__cause__, asyncpg.SerializationError)
    assert is_transient(error)


@POSTGRESQL_ONLY
async def test_a_transaction_lost_to_a_deadlock_is_a_passing_fault(empty_engine: AsyncEngine) -> None:
    first, second = await _two_connections(empty_engine)
    try:
        for connection, row in ((first, 1), (second, 2)):
            await connection.execute(text("SET LOCAL deadlock_timeout = '50ms'"))
            await connection.execute(text(f"UPDATE probe SET n = n + 1 WHERE id = {row}"))
        crossed = await asyncio.gather(first.execute(text("UPDATE probe SET n = n + 1 WHERE id = 2")),
                                       second.execute(text("UPDATE probe SET n = n + 1 WHERE id = 1")),
                                       return_exceptions=True)
    finally:
        await first.close()
        await second.close()
    [error] = [outcome for outcome in crossed if isinstance(outcome, BaseException)]   # one of the two loses
    assert isinstance(error, DBAPIError) and isinstance(error.orig.__cause__, asyncpg.DeadlockDetectedError)
    assert is_transient(error)


@POSTGRESQL_ONLY
async def test_a_session_terminated_in_the_middle_of_a_query_is_a_passing_fault(empty_engine: AsyncEngine) -> None:
    first, second = await _two_connections(empty_engine)
    try:
        pid = await first.scalar(text("SELECT pg_backend_pid()"))
        sleeping = asyncio.ensure_future(first.execute(text("SELECT pg_sleep(30)")))

        async def asleep() -> bool:
            return bool(await second.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND "
                                                 "query LIKE '%pg_sleep%' AND state = 'active'"), {"pid": pid}))

        await eventually(asleep, what="the query under way")
        await second.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        error = await _fails(sleeping)
    finally:
        await first.close()
        await second.close()
    assert isinstance(error.orig.__cause__, asyncpg.ConnectionDoesNotExistError | asyncpg.AdminShutdownError)
    assert is_transient(error)
