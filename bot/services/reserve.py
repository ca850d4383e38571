"""The reserve-cadre pool (后备干部): outstanding members put forward by their village secretary or an admin, and
their record of the year for the year-end assessment."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from bot.models import Issue, IssueEvent, Member, ReserveCadre, Role, RoleName, ServiceLog, Team, Unit
from bot.services.actors import Actor
from bot.services.errors import DomainError, NotAllowed, NotFound
from bot.services.lifecycle_rules import CLOSE_EVENTS, RESOLVE_EVENTS
from bot.services.scoring import Month

MAX_NOTE = 500
MAX_CODE = 32


async def member_villages(session: AsyncSession, member_ids: Collection[int]) -> dict[int, set[int]]:
    """The villages each member belongs to: through a team, or as the village's secretary."""
    rows = await session.execute(
        select(Role.member_id, func.coalesce(Team.village_id, Role.unit_id))
        .outerjoin(Team, Team.id == Role.team_id)
        .where(Role.member_id.in_(member_ids),
               (Role.team_id.is_not(None)) | (Role.role == RoleName.village_secretary)))
    result: dict[int, set[int]] = defaultdict(set)
    for member_id, village_id in rows.all():
        if village_id is not None:
            result[member_id].add(village_id)
    return result


def _may_manage(actor: Actor, villages: set[int]) -> bool:
    return actor.is_admin or any(actor.secretary_of(village) for village in villages)


def _ensure_pool_keeper(actor: Actor | None) -> Actor:
    """Secretaries keep their village's part of the pool, admins all of it; nobody else sees it."""
    if actor is None or not (actor.is_admin or actor.has(RoleName.village_secretary)):
        raise NotAllowed("reserve-not-allowed")
    return actor


async def _member(session: AsyncSession, actor: Actor, code: str) -> Member:
    code = code.strip()
    if not code or len(code) > MAX_CODE:
        raise DomainError("reserve-usage")
    member = await session.scalar(select(Member).where(func.upper(Member.code) == code.upper()))
    if member is None:
        raise NotFound("reserve-unknown-member", code=code)
    if not _may_manage(actor, (await member_villages(session, [member.id])).get(member.id, set())):
        raise NotAllowed("reserve-not-your-member", name=member.display_name)
    return member


async def add_to_pool(session: AsyncSession, actor: Actor | None, *, code: str, note: str,
                      now: datetime) -> tuple[Member, bool]:
    """Put a member in the pool, or replace the note of one already there; True if newly added."""
    keeper = _ensure_pool_keeper(actor)
    member = await _member(session, keeper, code)
    note = note.strip()
    if not note:
        raise DomainError("reserve-note-needed")
    if len(note) > MAX_NOTE:
        raise DomainError("reserve-note-too-long", limit=MAX_NOTE)
    entry = await session.scalar(select(ReserveCadre).where(ReserveCadre.member_id == member.id))
    if entry is None:
        session.add(ReserveCadre(member_id=member.id, note=note, added_by_id=keeper.id, added_at=now))
    else:
        entry.note, entry.added_by_id, entry.added_at = note, keeper.id, now
    await session.flush()
    return member, entry is None


async def remove_from_pool(session: AsyncSession, actor: Actor | None, *, code: str) -> Member:
    keeper = _ensure_pool_keeper(actor)
    member = await _member(session, keeper, code)
    entry = await session.scalar(select(ReserveCadre).where(ReserveCadre.member_id == member.id))
    if entry is None:
        raise NotFound("reserve-not-in-pool", name=member.display_name)
    await session.delete(entry)
    await session.flush()
    return member


@dataclass(frozen=True)
class PoolEntry:
    member_id: int
    code: str
    name: str
    village_ids: set[int]
    villages: list[str]     # names
    township_ids: list[int]
    note: str
    added_at: datetime
    added_by: str | None


async def _pool(session: AsyncSession) -> list[PoolEntry]:
    adder = aliased(Member)
    rows = (await session.execute(
        select(ReserveCadre, Member.code, Member.display_name, adder.display_name)
        .join(Member, Member.id == ReserveCadre.member_id)
        .outerjoin(adder, adder.id == ReserveCadre.added_by_id)
        .order_by(Member.code))).all()
    villages = await member_villages(session, [entry.member_id for entry, *_ in rows])
    units = {unit.id: unit for unit in (await session.scalars(
        select(Unit).where(Unit.id.in_({v for ids in villages.values() for v in ids})))).all()}
    result = []
    for entry, code, name, added_by in rows:
        own = villages.get(entry.member_id, set())
        result.append(PoolEntry(entry.member_id, code, name, own, sorted(units[v].name for v in own),
                                sorted({parent for v in own if (parent := units[v].parent_id) is not None}),
                                entry.note, entry.added_at, added_by))
    return result


async def visible_pool(session: AsyncSession, actor: Actor | None) -> list[PoolEntry]:
    """The pool as the actor may see it: all of it for an admin, their villages' members for a secretary."""
    keeper = _ensure_pool_keeper(actor)
    pool = await _pool(session)
    return [entry for entry in pool if _may_manage(keeper, entry.village_ids)]


@dataclass(frozen=True)
class ReserveRecord:
    """A reserve cadre's record of one year, for the year-end assessment."""

    entry: PoolEntry
    reports: int            # issues they reported
    resolutions: int        # issues (and department tasks) they resolved
    verifications: int      # issues they verified or signed off
    services: int           # services they logged

    def row(self) -> dict[str, Any]:
        """As plain data for a queued report."""
        entry = self.entry
        return {"code": entry.code, "name": entry.name, "villages": entry.villages, "townships": entry.township_ids,
                "note": entry.note, "reports": self.reports, "resolutions": self.resolutions,
                "verifications": self.verifications, "services": self.services}


async def reserve_pool_records(session: AsyncSession, year: int, *, tz: ZoneInfo) -> list[ReserveRecord]:
    """Everyone in the pool with what they did in `year` (county time), in code order."""
    pool = await _pool(session)
    ids = [entry.member_id for entry in pool]
    start, end = Month(year, 1).start(tz), Month(year + 1, 1).start(tz)

    async def counted(member: InstrumentedAttribute[int], *where: ColumnElement[bool]) -> dict[int, int]:
        rows = await session.execute(select(member, func.count()).where(member.in_(ids), *where).group_by(member))
        return {member_id: int(n) for member_id, n in rows.all()}

    reports = await counted(Issue.reporter_id, Issue.created_at >= start, Issue.created_at < end)
    resolutions = await counted(IssueEvent.actor_id, IssueEvent.kind.in_(RESOLVE_EVENTS), IssueEvent.at >= start,
                                IssueEvent.at < end)
    verifications = await counted(IssueEvent.actor_id, IssueEvent.kind.in_(CLOSE_EVENTS), IssueEvent.at >= start,
                                  IssueEvent.at < end)
    services = await counted(ServiceLog.member_id, ServiceLog.at >= start, ServiceLog.at < end)
    return [ReserveRecord(entry, reports.get(entry.member_id, 0), resolutions.get(entry.member_id, 0),
                          verifications.get(entry.member_id, 0), services.get(entry.member_id, 0))
            for entry in pool]
