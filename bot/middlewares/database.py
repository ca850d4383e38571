"""One session and one transaction per update; an exception rolls everything back.

The member's conversation state is read here, inside the transaction (ConversationLock has taken the member's
lock already). With our database storage it is read and written through the same session, so a step and its
state change commit together; with Redis (several replicas, bot/fsm_redis.py) there is no storage to attach.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.fsm_storage import SQLAlchemyStorage


class DatabaseMiddleware(BaseMiddleware):
    """`in_turn`: updates take their transactions one at a time, first come first served. SQLite lets one writer
    in at a time anyway (every update's transaction takes its write lock at BEGIN IMMEDIATE), but the others wait
    in its busy handler, which sleeps and retries on a timer: with a few updates waiting, one could wait seconds
    while later ones went first."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], storage: SQLAlchemyStorage | None, *,
                 in_turn: bool) -> None:
        self._sessionmaker = sessionmaker
        self._storage = storage
        self._turns = asyncio.Lock() if in_turn else None

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        async with self._turns or contextlib.nullcontext(), self._sessionmaker.begin() as session:
            data["session"] = session
            if state is None:
                result = await handler(event, data)
            elif self._storage is None:
                data["raw_state"] = await state.get_state()
                result = await handler(event, data)
            else:
                self._storage.attach(state.key, session)
                try:
                    data["raw_state"] = await state.get_state()
                    result = await handler(event, data)
                    await self._storage.flush(state.key)
                finally:
                    self._storage.detach(state.key)
        sender = data.get("sender")
        if sender is not None:
            sender.wake()  # whatever the update queued is committed now
        return result
