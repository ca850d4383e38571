"""Passing database faults (SQLite locked past its busy timeout, PostgreSQL restarting, out of reach, full or
cutting connections, a transaction lost to a deadlock or a concurrent update) and retrying an operation through them
with backoff. Anything else is a bug and is raised at once."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Iterator
from types import TracebackType
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.services.health import Health, Trouble

log = logging.getLogger(__name__)
T = TypeVar("T")
SQLITE_PASSING = ("locked", "busy")
DRIVER_MODULES = ("sqlalchemy.", "asyncpg.")
# PostgreSQL's codes for work that succeeds when run again. SQLAlchemy's asyncpg dialect wraps them in a bare
# DBAPIError (not OperationalError), with the code on `.orig.sqlstate`.
PASSING_SQLSTATES = frozenset({
    "40001",    # serialization_failure: a concurrent update won; the whole transaction must run again
    "40P01",    # deadlock_detected: this transaction was the one rolled back
    "53300",    # too_many_connections
    "57P01",    # admin_shutdown: the server is stopping or this session was terminated
    "57P02",    # crash_shutdown
    "57P03",    # cannot_connect_now: the server is starting up or shutting down
})


def is_transient(error: BaseException) -> bool:
    """A fault of the database's availability, not of the statement: the same work can succeed later."""
    if isinstance(error, DBAPIError) and (error.connection_invalidated or _passing_sqlstate(error)):
        return True
    if isinstance(error, OperationalError):
        if isinstance(error.orig, sqlite3.Error):  # SQLite says "operational" of syntax errors and missing tables too
            return any(word in str(error.orig).lower() for word in SQLITE_PASSING)
        return True
    if isinstance(error, InterfaceError | PoolTimeout):
        return True
    # asyncpg raises the socket's errors unwrapped when it cannot connect; the same built-in errors from anything
    # else (a Bot API call timing out) are not the database's
    return isinstance(error, OSError | TimeoutError) and _raised_in_driver(error.__traceback__)


def _passing_sqlstate(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in PASSING_SQLSTATES


def _raised_in_driver(traceback: TracebackType | None) -> bool:
    while traceback is not None:
        if traceback.tb_frame.f_globals.get("__name__", "").startswith(DRIVER_MODULES):
            return True
        traceback = traceback.tb_next
    return False


def describe(error: BaseException) -> str:
    """One short line for logs and the admins' notice: the driver's message without SQLAlchemy's SQL and links."""
    cause = error.orig if isinstance(error, DBAPIError) and error.orig is not None else error
    first_line = (str(cause).strip().splitlines() or [""])[0]
    return f"{type(cause).__name__}: {first_line}"[:200]


def backoff(first: float, cap: float, *, total: float | None = None) -> Iterator[float]:
    """Delays doubling from `first` up to `cap`, for as long as their sum stays within `total` (or for ever)."""
    delay, spent = first, 0.0
    while total is None or spent + delay <= total:
        yield delay
        spent += delay
        delay = min(delay * 2, cap)


async def retry_transient(operation: Callable[[], Awaitable[T]], *, what: str, delays: Iterable[float],
                          health: Health | None = None) -> T:
    """Run `operation`; on a passing database fault wait the next delay and run it again, until the delays run
    out (then the fault is raised). `health` hears of each fault and of the first success."""
    waits = iter(delays)
    while True:
        try:
            result = await operation()
        except Exception as error:
            if not is_transient(error):
                raise
            if health is not None:
                health.failed(Trouble.database, describe(error))
            delay = next(waits, None)
            if delay is None:
                raise
            log.warning("%s: database unavailable (%s); retrying in %.1fs", what, describe(error), delay)
            await asyncio.sleep(delay)
        else:
            if health is not None:
                health.ok(Trouble.database)
            return result
