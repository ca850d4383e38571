"""The raw counts behind the 100-point score (docs/scoring.md), each from one grouped query over every unit at
once, so a province is counted in a few table scans rather than a query per team."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Float, Integer, and_, case, cast, exists, func, literal, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from bot.models import Issue, IssueEvent, IssueStatus, Role, RoleName, ServiceLog, Team, Unit

DAY_SECONDS = 86_400
UNIX_EPOCH_JULIAN_DAY = 2_440_587.5
TEAM_ROLES = (RoleName.member, RoleName.team_lead)
ESCALATION_EVENTS = ("escalate", "auto_escalate")
# Any of these is the township taking the escalation in hand: dispatching acknowledges implicitly, and
# sending an item back answers it just as promptly.
ANSWER_EVENTS = ("acknowledge", "dispatch", "send_back")


@dataclass(slots=True)
class Tally:
    """The numbers a score is computed from; a village's tally is the sum of its teams', and so on up."""

    items: int = 0                  # due items (see due_counts)
    verified: int = 0               # of them, verified within the month by someone other than the resolver
    on_time: int = 0                # of them, also resolved by their due date
    problems: int = 0               # due items, a team's items reported on the same day counted as one problem
    problems_verified: int = 0      # problems all of whose items are verified
    problems_on_time: int = 0       # problems all of whose items are verified and were on time
    members: int = 0                # team members
    services: int = 0               # services they logged in the month
    services_counted: int = 0       # the same, at most `activity_cap` per member
    escalations: int = 0            # escalations to the township whose acknowledgement deadline fell in the month
    acknowledged: int = 0           # of them, answered by that deadline

    def add(self, other: Tally) -> None:
        for name in TALLY_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


TALLY_FIELDS = tuple(field.name for field in fields(Tally))  # looked up once: units are summed by the ten thousand


def _epoch(column: ColumnElement[datetime], dialect: str) -> ColumnElement[float]:
    """Seconds since 1970 of a UTC timestamp column (SQLite keeps timestamps as text)."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)  # extract gives numeric, slow to do sums with
    return (func.julianday(column) - UNIX_EPOCH_JULIAN_DAY) * DAY_SECONDS


def _local_day(column: ColumnElement[datetime], utc_offset: timedelta, dialect: str) -> ColumnElement[int]:
    """The county-time day number of a timestamp. One UTC offset serves the whole month: where daylight saving
    shifts it, a report made within an hour of midnight may fall on the neighbouring day."""
    shifted = (_epoch(column, dialect) + literal(int(utc_offset.total_seconds()))) / DAY_SECONDS
    return func.floor(shifted) if dialect == "postgresql" else cast(shifted, Integer)


def _flag(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return case((condition, 1), else_=0)


async def due_counts(session: AsyncSession, start: datetime, cutoff: datetime, utc_offset: timedelta,
                     villages: Collection[int] | None) -> dict[tuple[int, int | None], Tally]:
    """Per (village, team): the month's due items and how many were verified and on time, as items and as
    problems (a team's items reported on the same county-time day, which are verified only when all are).

    An item is due in the month when it was not yet closed at the month's start and either fell due before
    `cutoff` (the month's end, or now for the running month) or was verified by someone else within the month.
    Items withdrawn or marked duplicate before their due date are no work left undone and do not count;
    withdrawn after it, they count as not done — otherwise withdrawing would hide an overdue item.
    """
    dialect = session.bind.dialect.name
    credited = and_(Issue.status == IssueStatus.closed, Issue.closed_at < cutoff,
                    Issue.verifier_id.is_not(None), Issue.resolver_id.is_not(None),
                    Issue.verifier_id != Issue.resolver_id)
    on_time = and_(credited, or_(Issue.due_at.is_(None),
                                 func.coalesce(Issue.resolved_at, Issue.closed_at) <= Issue.due_at))
    cancelled = Issue.status.in_([IssueStatus.withdrawn, IssueStatus.duplicate])
    fell_due = and_(Issue.due_at < cutoff, or_(~cancelled, Issue.closed_at > Issue.due_at))
    relevant = and_(or_(Issue.closed_at.is_(None), Issue.closed_at >= start), or_(fell_due, credited))
    scope = [Issue.village_id.in_(villages)] if villages is not None else []
    problems = (
        select(Issue.village_id, Issue.team_id, func.count().label("n_items"),
               func.sum(_flag(credited)).label("verified"), func.sum(_flag(on_time)).label("on_time"))
        .where(relevant, *scope)
        # team first: leading with village_id lets SQLite walk a village index and fetch every row at random
        .group_by(Issue.team_id, Issue.village_id, _local_day(Issue.created_at, utc_offset, dialect))
        .subquery())
    rows = await session.execute(
        select(problems.c.village_id, problems.c.team_id, func.sum(problems.c.n_items),
               func.sum(problems.c.verified), func.sum(problems.c.on_time), func.count(),
               func.sum(_flag(problems.c.verified == problems.c.n_items)),
               func.sum(_flag(problems.c.on_time == problems.c.n_items)))
        .group_by(problems.c.village_id, problems.c.team_id))
    return {(village, team): Tally(items=int(items), verified=int(verified), on_time=int(timely),
                                   problems=int(n), problems_verified=int(all_verified),
                                   problems_on_time=int(all_timely))
            for village, team, items, verified, timely, n, all_verified, all_timely in rows.all()}


def services_per_member(start: datetime, cutoff: datetime) -> Subquery:
    """(member_id, services): how many services each member logged in the service log (/service) in
    [start, cutoff), wherever they logged them."""
    return (select(ServiceLog.member_id.label("member_id"), func.count().label("services"))
            .where(ServiceLog.at >= start, ServiceLog.at < cutoff)
            .group_by(ServiceLog.member_id).subquery())


async def team_activity(session: AsyncSession, start: datetime, cutoff: datetime, cap: int,
                        villages: Collection[int] | None) -> dict[int, Tally]:
    """Per team: its members, the services they logged, and the same counting at most `cap` per member."""
    memberships = (select(Role.team_id, Role.member_id)
                   .where(Role.role.in_(TEAM_ROLES), Role.team_id.is_not(None)).distinct())
    if villages is not None:
        memberships = memberships.join(Team, Team.id == Role.team_id).where(Team.village_id.in_(villages))
    members = memberships.subquery()
    services = services_per_member(start, cutoff)
    logged = func.coalesce(services.c.services, 0)
    rows = await session.execute(
        select(members.c.team_id, func.count(), func.sum(logged), func.sum(case((logged > cap, cap), else_=logged)))
        .select_from(members.outerjoin(services, services.c.member_id == members.c.member_id))
        .group_by(members.c.team_id))
    return {team: Tally(members=int(n), services=int(total), services_counted=int(counted))
            for team, n, total, counted in rows.all()}


async def acknowledgements(session: AsyncSession, start: datetime, cutoff: datetime, ack_hours: int,
                           villages: Collection[int] | None) -> dict[int, Tally]:
    """Per township: escalations from its villages whose acknowledgement deadline (escalation + ack_hours) fell
    in [start, cutoff), and how many of them the township answered by then. Counting by deadline rather than
    by escalation time means every one counted has been decided, even on the first day of the next month."""
    dialect = session.bind.dialect.name
    window = timedelta(hours=ack_hours)
    escalation, answer = aliased(IssueEvent), aliased(IssueEvent)
    answered = exists().where(
        answer.issue_id == escalation.issue_id, answer.kind.in_(ANSWER_EVENTS), answer.at >= escalation.at,
        _epoch(answer.at, dialect) - _epoch(escalation.at, dialect) <= window.total_seconds())
    scope = [Issue.village_id.in_(villages)] if villages is not None else []
    rows = await session.execute(
        select(Unit.parent_id, func.count(), func.sum(_flag(answered)))
        .select_from(escalation).join(Issue, Issue.id == escalation.issue_id)
        .join(Unit, Unit.id == Issue.village_id)
        .where(escalation.kind.in_(ESCALATION_EVENTS), escalation.at >= start - window,
               escalation.at < cutoff - window, Unit.parent_id.is_not(None), *scope)
        .group_by(Unit.parent_id))
    return {township: Tally(escalations=int(n), acknowledged=int(done)) for township, n, done in rows.all()}
