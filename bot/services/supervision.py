"""What supervisors look at: a township's or department's task list, and the county overview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import CLOSED_STATUSES, Issue, IssueLevel, IssueStatus, Unit, UnitLevel
from bot.services.issue_views import ListItem, items_of

OLDEST_SHOWN = 3


async def township_tasks(session: AsyncSession, township_id: int) -> list[ListItem]:
    """Items the township holds: escalated from its villages and not sent back or closed, oldest first."""
    village = aliased(Unit)
    rows = await session.scalars(
        select(Issue).join(village, village.id == Issue.village_id)
        .where(village.parent_id == township_id, Issue.level != IssueLevel.village,
               Issue.status.not_in(CLOSED_STATUSES))
        .order_by(Issue.due_at, Issue.id))
    return items_of(rows.all())


async def department_tasks(session: AsyncSession, department_id: int) -> list[ListItem]:
    rows = await session.scalars(
        select(Issue).where(Issue.department_id == department_id, Issue.status.not_in(CLOSED_STATUSES))
        .order_by(Issue.due_at, Issue.id))
    return items_of(rows.all())


@dataclass(frozen=True)
class TownshipSummary:
    name: str
    open: int
    overdue: int
    unacknowledged: int
    oldest: list[ListItem]


async def county_overview(session: AsyncSession, now: datetime) -> list[TownshipSummary]:
    """Per township: live items, overdue ones, escalations nobody acknowledged, and the oldest items."""
    village = aliased(Unit)
    township = aliased(Unit)
    live = Issue.status.not_in(CLOSED_STATUSES)
    counts = await session.execute(
        select(
            township.id, township.name,
            func.count(Issue.id).filter(live),
            func.sum(case((and_(live, Issue.due_at < now, Issue.status != IssueStatus.resolved), 1), else_=0)),
            func.sum(case((and_(Issue.level != IssueLevel.village, Issue.status == IssueStatus.open,
                                Issue.acknowledged_at.is_(None)), 1), else_=0)),
        )
        .select_from(township)
        .outerjoin(village, village.parent_id == township.id)
        .outerjoin(Issue, Issue.village_id == village.id)
        .where(township.level == UnitLevel.township)
        .group_by(township.id, township.name, township.code)
        .order_by(township.code))
    summaries = []
    for township_id, name, open_count, overdue, unacknowledged in counts.all():
        oldest = await session.scalars(
            select(Issue).join(village, village.id == Issue.village_id)
            .where(village.parent_id == township_id, live).order_by(Issue.created_at, Issue.id).limit(OLDEST_SHOWN))
        summaries.append(TownshipSummary(name, open_count or 0, overdue or 0, unacknowledged or 0,
                                         items_of(oldest.all())))
    return summaries
