"""Queueing messages in the outbox, in the same transaction as the change that causes them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import IssueCard, OutboxKind, OutboxMessage, OutboxStatus


async def _insert(session: AsyncSession, **values: Any) -> bool:
    """Insert unless the dedupe key is already queued or sent: the same notice is never sent twice."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(OutboxMessage).values(status=OutboxStatus.pending, attempts=0, **values)
        .on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
    )
    return bool(result.rowcount)


async def enqueue_card(session: AsyncSession, *, issue_id: int, chat_id: int, now: datetime,
                       round_: int | str = 0) -> bool:
    """Post an issue's card in a chat (once per round: a re-notification, or a lost forum topic, posts it again)."""
    return await _insert(session, dedupe_key=f"card:{issue_id}:{chat_id}:{round_}", kind=OutboxKind.card,
                         chat_id=chat_id, issue_id=issue_id, payload={}, next_attempt_at=now, created_at=now)


async def enqueue_card_edits(session: AsyncSession, *, issue_id: int, now: datetime) -> int:
    """Edit the card in every chat that shows it. Rendering happens at delivery, so one pending edit per chat
    is enough however many changes pile up before it goes out."""
    chats = set((await session.scalars(select(IssueCard.chat_id).where(IssueCard.issue_id == issue_id))).all())
    # a row a sender has claimed may already hold a card rendered before this change: only unclaimed rows count
    pending = set((await session.scalars(
        select(OutboxMessage.chat_id).where(OutboxMessage.issue_id == issue_id,
                                            OutboxMessage.kind.in_([OutboxKind.card_edit, OutboxKind.card]),
                                            OutboxMessage.status == OutboxStatus.pending,
                                            or_(OutboxMessage.claimed_until.is_(None),
                                                OutboxMessage.claimed_until < now)))).all())
    queued = 0
    for chat_id in sorted(chats - pending):
        queued += await _insert(session, dedupe_key=f"edit:{issue_id}:{chat_id}:{uuid.uuid4().hex}",
                                kind=OutboxKind.card_edit, chat_id=chat_id, issue_id=issue_id, payload={},
                                next_attempt_at=now, created_at=now)
    return queued


async def enqueue_notice(session: AsyncSession, *, chat_id: int, key: str, args: dict[str, Any], dedupe_key: str,
                         now: datetime, issue_id: int | None = None) -> bool:
    """A text from a locale key, rendered in the county's language when it is sent."""
    return await _insert(session, dedupe_key=dedupe_key, kind=OutboxKind.notice, chat_id=chat_id,
                         issue_id=issue_id, payload={"key": key, "args": args}, next_attempt_at=now,
                         created_at=now)


async def enqueue_report(session: AsyncSession, *, chat_id: int, renderer: str, data: dict[str, Any],
                         dedupe_key: str, now: datetime) -> bool:
    """A digest, agenda or ranking, rendered (text and an optional chart) by `renderer` when it is sent."""
    return await _insert(session, dedupe_key=dedupe_key, kind=OutboxKind.report, chat_id=chat_id, issue_id=None,
                         payload={"renderer": renderer, "data": data}, next_attempt_at=now, created_at=now)


async def enqueue_reports(session: AsyncSession, reports: list[tuple[int, str, dict[str, Any], str]],
                          now: datetime) -> int:
    """Many reports (chat id, renderer, data, dedupe key) in one statement: a digest goes to every group."""
    if not reports:
        return 0
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    rows = [{"dedupe_key": key, "kind": OutboxKind.report, "chat_id": chat_id, "issue_id": None,
             "payload": {"renderer": renderer, "data": data}, "next_attempt_at": now, "created_at": now,
             "status": OutboxStatus.pending, "attempts": 0}
            for chat_id, renderer, data, key in reports]
    connection = await session.connection()
    # RETURNING counts only the rows really queued (a row already there is skipped), which an executemany's
    # rowcount cannot tell on every driver
    result = await connection.execute(
        insert(OutboxMessage).on_conflict_do_nothing(index_elements=[OutboxMessage.dedupe_key])
        .returning(OutboxMessage.id), rows)
    return len(result.all())


async def pending_count(session: AsyncSession) -> int:
    """Rows not yet delivered or given up on: the outbox depth."""
    return await session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.pending)) or 0
