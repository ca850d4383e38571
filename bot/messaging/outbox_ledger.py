"""The sender's reads and writes of outbox rows, each in the caller's transaction: claims taken, renewed and given
back, and what became of a row (sent, parts sent so far, due again later, failed for good)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.send_outcomes import Claimed
from bot.models import ChatBinding, OutboxMessage, OutboxStatus


async def claim_due(session: AsyncSession, *, now: datetime, until: datetime, worker: str,
                    batch: int) -> list[Claimed]:
    """Claim up to `batch` rows due now and not claimed by a sender still within its claim, oldest first."""
    found = (await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.pending, OutboxMessage.next_attempt_at <= now,
               or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < now))
        .order_by(OutboxMessage.id).limit(batch)
        .with_for_update(skip_locked=True))).all()
    for row in found:
        row.claimed_until, row.claimed_by = until, worker
    topics = {chat_id: topic for chat_id, topic in await session.execute(
        select(ChatBinding.chat_id, ChatBinding.forum_topic_id)
        .where(ChatBinding.chat_id.in_({r.chat_id for r in found}), ChatBinding.forum_topic_id.is_not(None)))}
    return [Claimed(r.id, r.kind, r.chat_id, r.issue_id, dict(r.payload or {}), r.attempts,
                    topics.get(r.chat_id)) for r in found]


async def release(session: AsyncSession, ids: list[int], *, worker: str) -> None:
    """Give back claims of rows still pending (retries, or rows skipped while stopping)."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.status == OutboxStatus.pending,
               OutboxMessage.claimed_by == worker)
        .values(claimed_until=None, claimed_by=None))


async def renew(session: AsyncSession, row_id: int, *, worker: str, until: datetime) -> bool:
    """Extend this sender's claim; False when the row is no longer its to send."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == OutboxStatus.pending,
               OutboxMessage.claimed_by == worker)
        .values(claimed_until=until))
    return bool(result.rowcount)


async def record_progress(session: AsyncSession, row_id: int, payload: dict[str, Any]) -> None:
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=dict(payload)))


async def record_sent(session: AsyncSession, row: Claimed, *, worker: str, now: datetime,
                      message_id: int | None) -> None:
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id, OutboxMessage.claimed_by == worker)
        .values(status=OutboxStatus.sent, sent_at=now, message_id=message_id, attempts=row.attempts + 1,
                claimed_until=None))


async def reschedule(session: AsyncSession, row_id: int, *, attempts: int, reason: str, due: datetime) -> None:
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row_id)
        .values(attempts=attempts, last_error=reason[:1000], claimed_until=None, claimed_by=None,
                next_attempt_at=due))


async def record_failure(session: AsyncSession, row: Claimed, reason: str) -> None:
    await session.execute(
        update(OutboxMessage).where(OutboxMessage.id == row.id)
        .values(status=OutboxStatus.failed, last_error=reason[:1000], attempts=row.attempts + 1,
                claimed_until=None))


async def chat_of(session: AsyncSession, row_id: int) -> int | None:
    """The chat a row is addressed to now (a group's upgrade moves its rows to the supergroup)."""
    return await session.scalar(select(OutboxMessage.chat_id).where(OutboxMessage.id == row_id))
