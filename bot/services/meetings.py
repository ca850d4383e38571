"""The quarterly joint meeting (联席会): recorded by the village secretary, with what it sends up in one step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue, Meeting, MeetingKind
from bot.services.actors import Actor
from bot.services.dates import FULL
from bot.services.errors import DomainError, NotAllowed
from bot.services.joining import village_roster
from bot.services.lifecycle import Action, Change, ChatScope, perform
from bot.services.notify import announce

OLDEST_RECORDABLE = timedelta(days=120)


def ensure_recorder(actor: Actor | None, village_id: int) -> Actor:
    if actor is None or not (actor.secretary_of(village_id) or actor.is_admin):
        raise NotAllowed("meeting-secretary-only")
    return actor


def parse_held_on(text: str | None, *, now: datetime, tz: ZoneInfo) -> date:
    """A meeting already held: a date no later than today and not older than about four months."""
    match = FULL.match((text or "").strip())
    if match is None:
        raise DomainError("meeting-date-unparseable", text=(text or "")[:30])
    try:
        day = date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise DomainError("meeting-date-unparseable", text=(text or "")[:30]) from None
    today = now.astimezone(tz).date()
    if day > today:
        raise DomainError("meeting-date-future")
    if day < today - OLDEST_RECORDABLE:
        raise DomainError("meeting-date-too-old")
    return day


@dataclass(frozen=True)
class Recorded:
    meeting: Meeting
    escalated: list[Issue]


async def record_meeting(
    session: AsyncSession, actor: Actor | None, *, village_id: int, held_on: date, attendee_ids: list[int],
    escalate_ids: list[int], reason: str, settings: Settings, now: datetime,
) -> Recorded:
    recorder = ensure_recorder(actor, village_id)
    roster = {member.id for member in await village_roster(session, village_id, unlinked_only=False)}
    if not attendee_ids:
        raise DomainError("meeting-no-attendees")
    if not set(attendee_ids) <= roster:
        raise NotAllowed("meeting-attendee-not-in-village")
    escalated = []
    for issue_id in dict.fromkeys(escalate_ids):
        issue = await perform(session, recorder, issue_id, Action.escalate,
                              Change(now=now, settings=settings, text=reason), ChatScope("village", village_id))
        await announce(session, issue, Action.escalate, now)
        escalated.append(issue)
    meeting = Meeting(unit_id=village_id, kind=MeetingKind.joint, held_on=held_on, attendees=sorted(set(attendee_ids)),
                      decisions={"escalated": [issue.number for issue in escalated]}, recorded_by_id=recorder.id,
                      created_at=now)
    session.add(meeting)
    await session.flush()
    return Recorded(meeting, escalated)
