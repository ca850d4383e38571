"""Turning a finished report conversation into an issue: one problem, one form."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue, IssueLevel, IssuePhoto, IssueStatus, PhotoStage, Team, Unit, UnitLevel, Urgency
from bot.services.actors import Actor
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.lifecycle import record
from bot.services.numbering import next_number

MAX_DESCRIPTION = 10_000
MAX_PLACE = 200
MAX_PHOTOS = 10


@dataclass
class ReportDraft:
    kind: str
    description: str
    photos: list[str] = field(default_factory=list)
    place_text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    urgency: Urgency = Urgency.normal


async def reporting_village(session: AsyncSession, actor: Actor | None, village_id: int | None) -> Unit:
    """The village a member reports for: the group's village, or in private their only village."""
    if actor is None:
        raise NotAllowed("not-a-member")
    if village_id is None:
        villages = sorted(actor.village_ids)
        if not villages:
            raise NotAllowed("report-no-village")
        if len(villages) > 1:
            raise DomainError("report-pick-village-group")
        village_id = villages[0]
    elif not (actor.belongs_to_village(village_id) or actor.is_admin):
        raise NotAllowed("report-not-your-village")
    village = await session.get(Unit, village_id)
    if village is None or village.level != UnitLevel.village:
        raise NotFound("report-no-village")
    return village


async def village_kinds(session: AsyncSession, village_id: int) -> list[str]:
    return list((await session.scalars(select(Team.kind).where(Team.village_id == village_id)
                                       .order_by(Team.id))).all())


def validate_description(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("report-description-empty")
    if len(cleaned) > MAX_DESCRIPTION:
        raise DomainError("report-description-too-long", limit=MAX_DESCRIPTION)
    return cleaned


def validate_place(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("report-place-empty")
    if len(cleaned) > MAX_PLACE:
        raise DomainError("report-place-too-long", limit=MAX_PLACE)
    return cleaned


async def create_issue(
    session: AsyncSession,
    actor: Actor | None,
    *,
    village_id: int,
    draft: ReportDraft,
    draft_key: str,
    settings: Settings,
    now: datetime,
) -> tuple[Issue, bool]:
    """Create the issue, or return the one this draft already created (a repeated Confirm); True if new."""
    existing = await session.scalar(select(Issue).where(Issue.draft_key == draft_key))
    if existing is not None:
        return existing, False
    village = await reporting_village(session, actor, village_id)
    assert actor is not None
    team = await session.scalar(select(Team).where(Team.village_id == village.id, Team.kind == draft.kind))
    if team is None:
        raise NotFound("report-no-such-team")
    description = validate_description(draft.description)
    year = now.astimezone(settings.tz).year
    issue = Issue(
        number=await next_number(session, settings.county_code, year),
        village_id=village.id,
        team_id=team.id,
        kind=draft.kind,
        reporter_id=actor.id,
        description=description,
        place_text=draft.place_text,
        latitude=draft.latitude,
        longitude=draft.longitude,
        urgency=draft.urgency,
        level=IssueLevel.village,
        status=IssueStatus.open,
        due_at=now + timedelta(days=settings.deadlines.village_days),
        draft_key=draft_key,
        created_at=now,
        updated_at=now,
    )
    session.add(issue)
    await session.flush()
    for position, file_id in enumerate(draft.photos[:MAX_PHOTOS]):
        session.add(IssuePhoto(issue_id=issue.id, file_id=file_id, stage=PhotoStage.report, position=position))
    record(session, issue, actor.id, "reported", now, urgency=draft.urgency.value, photos=len(draft.photos))
    await session.flush()
    return issue, True
