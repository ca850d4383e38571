"""The service log (为民服务): household visits, help with insurance, disputes settled — the work members do for
people besides the issues they report. Each member's services of a month count in the score, up to a cap."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Member, ServiceLog
from bot.services.actors import Actor
from bot.services.errors import DomainError, NotAllowed
from bot.services.scoring import Month

MAX_PLACE = 200
MAX_NOTE = 2000


def ensure_logger(actor: Actor | None, village_id: int) -> Actor:
    """Only the village's own members log services there: the count is theirs and feeds their team's score."""
    if actor is None:
        raise NotAllowed("not-a-member")
    if not actor.belongs_to_village(village_id):
        raise NotAllowed("service-not-your-village")
    return actor


def validate_kind(settings: Settings, key: str) -> str:
    if settings.service_kind(key) is None:
        raise DomainError("service-no-such-kind")
    return key


def validate_place(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("service-place-empty")
    if len(cleaned) > MAX_PLACE:
        raise DomainError("service-place-too-long", limit=MAX_PLACE)
    return cleaned


def validate_note(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("service-note-empty")
    if len(cleaned) > MAX_NOTE:
        raise DomainError("service-note-too-long", limit=MAX_NOTE)
    return cleaned


@dataclass(frozen=True)
class ServiceDraft:
    kind: str
    place: str | None
    note: str
    photo_file_id: str | None = None


@dataclass(frozen=True)
class Logged:
    entry: ServiceLog
    month_count: int    # the member's services this month, this one included


async def log_service(session: AsyncSession, actor: Actor | None, *, village_id: int, draft: ServiceDraft,
                      settings: Settings, now: datetime) -> Logged:
    member = ensure_logger(actor, village_id)
    entry = ServiceLog(member_id=member.id, village_id=village_id, kind=validate_kind(settings, draft.kind),
                       place=validate_place(draft.place) if draft.place is not None else None,
                       note=validate_note(draft.note), photo_file_id=draft.photo_file_id, at=now, created_at=now)
    session.add(entry)
    await session.flush()
    start = Month.of(now, settings.tz).start(settings.tz)
    count = await session.scalar(select(func.count()).select_from(ServiceLog)
                                 .where(ServiceLog.member_id == member.id, ServiceLog.at >= start))
    return Logged(entry, int(count or 0))


@dataclass(frozen=True)
class ServiceEntry:
    at: datetime
    kind: str
    member: str
    place: str | None
    note: str
    with_photo: bool


@dataclass(frozen=True)
class VillageServices:
    month: Month
    counts: dict[str, int]          # service kind -> services this month
    entries: list[ServiceEntry]     # newest first

    @property
    def total(self) -> int:
        return sum(self.counts.values())


async def village_services(session: AsyncSession, village_id: int, month: Month, settings: Settings) -> VillageServices:
    """A village's services of one month in county time: the count of each kind and every entry, newest first."""
    start, end = month.start(settings.tz), month.following().start(settings.tz)
    in_month = (ServiceLog.village_id == village_id, ServiceLog.at >= start, ServiceLog.at < end)
    counts = dict((await session.execute(select(ServiceLog.kind, func.count()).where(*in_month)
                                         .group_by(ServiceLog.kind))).all())
    rows = await session.execute(
        select(ServiceLog, Member.display_name).join(Member, Member.id == ServiceLog.member_id)
        .where(*in_month).order_by(ServiceLog.at.desc(), ServiceLog.id.desc()))
    entries = [ServiceEntry(entry.at, entry.kind, name, entry.place, entry.note, entry.photo_file_id is not None)
               for entry, name in rows.all()]
    return VillageServices(month, {kind: int(n) for kind, n in counts.items()}, entries)
