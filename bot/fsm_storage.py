"""aiogram FSM storage in our own database, so a conversation survives a restart.

aiogram-sqlalchemy-storage was weighed first: it reads-then-inserts (two writers can collide), keeps no
timestamp (so idle conversations cannot expire), opens a session of its own for every call (so a state change
cannot share the update's transaction) and creates its table outside Alembic. This one upserts in one
statement and, while an update is being handled, works inside that update's session: a confirmed report and
the cleared conversation commit together or not at all.

A conversation step reads its state and draft several times and changes them several times (the step, the
prompt it sent, the time it was touched). While attached, the record is read once, kept in memory and written
once, by `flush`, just before the update's transaction commits.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StateType, StorageKey
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.models import FsmRecord, utcnow


@dataclass
class _Attached:
    """One key's record for the length of an update: read on first use, written back by `flush` if changed."""

    session: AsyncSession
    loaded: bool = False
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    changed: set[str] = field(default_factory=set)


class SQLAlchemyStorage(BaseStorage):
    def __init__(
        self, sessionmaker: async_sessionmaker[AsyncSession], key_builder: KeyBuilder | None = None
    ) -> None:
        self._sessionmaker = sessionmaker
        self._key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self._attached: dict[str, _Attached] = {}

    def attach(self, key: StorageKey, session: AsyncSession) -> None:
        """Route this key's reads and writes through the update's session until `detach`."""
        self._attached[self._key_builder.build(key)] = _Attached(session)

    async def flush(self, key: StorageKey) -> None:
        """Write what the update changed, in its session, before it commits."""
        attached = self._attached.get(self._key_builder.build(key))
        if attached is not None and attached.changed:
            values = {name: getattr(attached, name) for name in attached.changed}
            await self._upsert(attached.session, key, values)
            attached.changed.clear()

    def detach(self, key: StorageKey) -> None:
        self._attached.pop(self._key_builder.build(key), None)

    @asynccontextmanager
    async def _own_session(self) -> AsyncIterator[AsyncSession]:
        async with self._sessionmaker.begin() as session:
            yield session

    async def _loaded(self, key: StorageKey) -> _Attached | None:
        attached = self._attached.get(self._key_builder.build(key))
        if attached is not None and not attached.loaded:
            record = (await attached.session.execute(
                select(FsmRecord.state, FsmRecord.data).where(FsmRecord.key == self._key_builder.build(key))
            )).one_or_none()
            if record is not None:
                attached.state, attached.data = record.state, dict(record.data or {})
            attached.loaded = True
        return attached

    async def _upsert(self, session: AsyncSession, key: StorageKey, values: dict[str, Any]) -> None:
        row = {"key": self._key_builder.build(key), "chat_id": key.chat_id, "user_id": key.user_id,
               "updated_at": utcnow(), **values}
        insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
        statement = insert(FsmRecord).values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[FsmRecord.key],
            set_={name: statement.excluded[name] for name in ("updated_at", *values)},
        )
        await session.execute(statement)

    async def _write(self, key: StorageKey, name: str, value: Any) -> None:
        attached = await self._loaded(key)
        if attached is None:
            async with self._own_session() as session:
                await self._upsert(session, key, {name: value})
            return
        setattr(attached, name, value)
        attached.changed.add(name)

    async def _read(self, key: StorageKey, name: str) -> Any:
        attached = await self._loaded(key)
        if attached is not None:
            return getattr(attached, name)
        async with self._own_session() as session:
            return await session.scalar(
                select(getattr(FsmRecord, name)).where(FsmRecord.key == self._key_builder.build(key))
            )

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._write(key, "state", state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        state: str | None = await self._read(key, "state")
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        # a copy, so a caller changing its dict afterwards changes nothing that is written; a JSON round trip, so
        # the step reads back exactly what the next update would read from the database (lists, string keys)
        await self._write(key, "data", _copy(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return _copy(await self._read(key, "data") or {})

    async def close(self) -> None:
        return None


def _copy(data: Mapping[str, Any]) -> dict[str, Any]:
    copied: dict[str, Any] = json.loads(json.dumps(dict(data)))
    return copied
