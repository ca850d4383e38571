"""Housekeeping of stored conversations."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import FsmRecord

KEEP = timedelta(days=7)


async def purge_idle_conversations(session: AsyncSession, now: datetime) -> int:
    """Forget conversations nobody touched for a week (finished ones leave an empty row behind)."""
    result = await session.execute(delete(FsmRecord).where(FsmRecord.updated_at < now - KEEP))
    return result.rowcount or 0
