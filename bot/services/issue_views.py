"""Read models of issues for cards, lists and the full form with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import (
    CLOSED_STATUSES,
    Department,
    Issue,
    IssueCard,
    IssueEvent,
    IssuePhoto,
    Member,
    PhotoStage,
    Unit,
)
from bot.services.actors import Actor


@dataclass(frozen=True)
class IssueView:
    issue: Issue
    village: str
    reporter: str
    holder: str | None
    owner: str | None
    resolver: str | None
    verifier: str | None
    department: str | None
    duplicate_of: str | None
    photos: tuple[str, ...]
    resolution_photos: tuple[str, ...]

    def overdue(self, now: datetime) -> bool:
        due = self.issue.due_at
        return due is not None and due < now and self.issue.status not in CLOSED_STATUSES


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str | None
    kind: str
    data: dict[str, Any]


async def _name(session: AsyncSession, member_id: int | None) -> str | None:
    if member_id is None:
        return None
    member = await session.get(Member, member_id)
    return member.display_name if member else None


async def issue_view(session: AsyncSession, issue: Issue) -> IssueView:
    village = await session.get(Unit, issue.village_id)
    department = await session.get(Department, issue.department_id) if issue.department_id else None
    duplicate_of = await session.get(Issue, issue.duplicate_of_id) if issue.duplicate_of_id else None
    photos = (await session.execute(
        select(IssuePhoto.file_id, IssuePhoto.stage).where(IssuePhoto.issue_id == issue.id)
        .order_by(IssuePhoto.stage, IssuePhoto.position, IssuePhoto.id)
    )).all()
    return IssueView(
        issue=issue,
        village=village.name if village else "",
        reporter=await _name(session, issue.reporter_id) or "",
        holder=await _name(session, issue.holder_id),
        owner=await _name(session, issue.owner_id),
        resolver=await _name(session, issue.resolver_id),
        verifier=await _name(session, issue.verifier_id),
        department=department.name if department else None,
        duplicate_of=duplicate_of.number if duplicate_of else None,
        photos=tuple(file_id for file_id, stage in photos if stage == PhotoStage.report),
        resolution_photos=tuple(file_id for file_id, stage in photos if stage == PhotoStage.resolution),
    )


async def timeline(session: AsyncSession, issue_id: int) -> list[EventView]:
    actor = aliased(Member)
    rows = await session.execute(
        select(IssueEvent, actor.display_name)
        .outerjoin(actor, actor.id == IssueEvent.actor_id)
        .where(IssueEvent.issue_id == issue_id)
        .order_by(IssueEvent.at, IssueEvent.id)
    )
    return [EventView(event.at, name, event.kind, dict(event.data or {})) for event, name in rows.all()]


@dataclass(frozen=True)
class ListItem:
    id: int
    number: str
    kind: str
    description: str
    status: str
    created_at: datetime
    due_at: datetime | None


def items_of(rows: Any) -> list[ListItem]:
    return [ListItem(i.id, i.number, i.kind, i.description, i.status.value, i.created_at, i.due_at) for i in rows]


async def open_issues(session: AsyncSession, village_id: int) -> list[ListItem]:
    """The village's live items, grouped by team (in kind order of the caller), oldest first."""
    rows = await session.scalars(
        select(Issue)
        .where(Issue.village_id == village_id, Issue.status.not_in(CLOSED_STATUSES))
        .order_by(Issue.kind, Issue.created_at, Issue.id)
    )
    return items_of(rows.all())


async def my_issues(session: AsyncSession, actor: Actor) -> list[ListItem]:
    rows = await session.scalars(
        select(Issue)
        .where(or_(Issue.reporter_id == actor.id, Issue.holder_id == actor.id),
               Issue.status.not_in(CLOSED_STATUSES))
        .order_by(Issue.created_at, Issue.id)
    )
    return items_of(rows.all())


async def cards_of(session: AsyncSession, issue_id: int) -> list[IssueCard]:
    return list((await session.scalars(select(IssueCard).where(IssueCard.issue_id == issue_id))).all())


async def add_card(session: AsyncSession, issue_id: int, chat_id: int, message_id: int, with_photo: bool) -> None:
    session.add(IssueCard(issue_id=issue_id, chat_id=chat_id, message_id=message_id, with_photo=with_photo))
    await session.flush()
