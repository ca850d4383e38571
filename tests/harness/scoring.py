"""Hand-built months for the score tests: a village team's cast, its issues with their dates and its services,
and October 2026 scored as the month just over (the clock fixture's time)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue, IssueStatus, RoleName, ServiceLog, Team, Unit
from bot.services.scoring import MonthScores, monthly_scores
from tests.harness.people import members_with, unit_id

TZ = ZoneInfo("Asia/Shanghai")
AFTER_OCTOBER = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # the clock fixture's time
VILLAGE, OTHER_VILLAGE, TOWNSHIP = "GC01-02", "GC01-03", "GC01"
CAP = 8  # config.toml's scoring.activity_cap
_numbers = itertools.count(1)


def oct_(day: int, hour: int = 10) -> datetime:
    """A moment of October 2026 in county time."""
    return datetime(2026, 10, day, hour, tzinfo=TZ).astimezone(UTC)


def local(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=TZ).astimezone(UTC)


@dataclass
class Cast:
    village: int
    team: int
    mate: int
    mate2: int
    lead: int
    reporter: int


async def team_of(session: AsyncSession, village: str, kind: str = "ecology") -> int:
    team = await session.scalar(select(Team.id).join(Unit, Unit.id == Team.village_id)
                                .where(Unit.code == village, Team.kind == kind))
    assert team is not None
    return team


async def cast_of(session: AsyncSession, village: str = VILLAGE) -> Cast:
    members = await members_with(session, RoleName.member, village=village, kind="ecology")
    lead = (await members_with(session, RoleName.team_lead, village=village, kind="ecology"))[0]
    return Cast(await unit_id(session, village), await team_of(session, village), members[0].id, members[1].id,
                lead.id, members[2].id if len(members) > 2 else members[0].id)


def add_issue(session: AsyncSession, c: Cast, *, created: datetime, due: datetime | None,
              status: IssueStatus = IssueStatus.open, resolver: int | None = None, resolved: datetime | None = None,
              verifier: int | None = None, closed: datetime | None = None) -> Issue:
    issue = Issue(number=f"T-{next(_numbers):05d}", village_id=c.village, team_id=c.team, kind="ecology",
                  reporter_id=c.reporter, description="test", status=status, due_at=due, resolver_id=resolver,
                  resolved_at=resolved, verifier_id=verifier, closed_at=closed, created_at=created,
                  updated_at=created)
    session.add(issue)
    return issue


def verified(session: AsyncSession, c: Cast, *, created: datetime, due: datetime, resolved: datetime,
             closed: datetime | None = None) -> Issue:
    return add_issue(session, c, created=created, due=due, status=IssueStatus.closed, resolver=c.mate,
                     resolved=resolved, verifier=c.lead, closed=closed or resolved)


async def notes(session: AsyncSession, issue: Issue, actor: int, count: int, at: datetime) -> None:
    """`count` services `actor` logged in the issue's village (the service log feeds the activity part)."""
    await session.flush()
    session.add_all(ServiceLog(member_id=actor, village_id=issue.village_id, kind="household_visit", note="visited",
                               at=at + timedelta(minutes=i)) for i in range(count))


async def october(session: AsyncSession, settings: Settings, **kwargs: object) -> MonthScores:
    await session.flush()
    return await monthly_scores(session, settings, 2026, 10, now=AFTER_OCTOBER, **kwargs)  # type: ignore[arg-type]
