"""aiogram FSM storage in our own database, so a conversation survives a restart.

aiogram-sqlalchemy-storage was weighed first: it reads-then-inserts (two writers can collide), keeps no
timestamp (so idle conversations cannot expire), opens a session of its own for every call (so a state change
cannot share the update's transaction) and creates its table outside Alembic. This one upserts in one
statement and, while an update is being handled, works inside that update's session: a confirmed report and
the cleared conversation commit together or not at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import FsmRecord, utcnow


class SQLAlchemyStorage(BaseStorage):
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._attached: dict[str, AsyncSession] = {}

    def attach(self, key: StorageKey, session: AsyncSession) -> None:
        """Route this key's reads and writes through the update's session until `detach`."""
        self._attached[self._key_builder.build(key)] = session

    def detach(self, key: StorageKey) -> None:
        self._attached.pop(self._key_builder.build(key), None)

    @asynccontextmanager
    async def _session(self, key: StorageKey) -> AsyncIterator[AsyncSession]:
        attached = self._attached.get(self._key_builder.build(key))
        if attached is not None:
            yield attached
            return
        async with self._sessionmaker.begin() as session:
            yield session

    async def _upsert(self, key: StorageKey, values: dict[str, Any]) -> None:
        row = {"key": self._key_builder.build(key), "chat_id": key.chat_id, "user_id": key.user_id,
               "updated_at": utcnow(), **values}
        async with self._session(key) as session:
            insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
            statement = insert(FsmRecord).values(**row)
            statement = statement.on_conflict_do_update(
                index_elements=[FsmRecord.key],
                set_={name: statement.excluded[name] for name in ("updated_at", *values)},
            )
            await session.execute(statement)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._upsert(key, {"state": state.state if isinstance(state, State) else state})

    async def get_state(self, key: StorageKey) -> str | None:
        async with self._session(key) as session:
            return await session.scalar(
                select(FsmRecord.state).where(FsmRecord.key == self._key_builder.build(key))
            )

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._upsert(key, {"data": dict(data)})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        async with self._session(key) as session:
            data = await session.scalar(
                select(FsmRecord.data).where(FsmRecord.key == self._key_builder.build(key))
            )
        return dict(data or {})

    async def close(self) -> None:
        return None
