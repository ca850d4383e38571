"""The weekly digest's oldest open items, picked for every village at once, are the ones a query per village
picks: the oldest live items first (ties by id), signed-off, withdrawn and duplicate items left out."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CLOSED_STATUSES, Issue, IssueLevel, IssueStatus, RoleName, Unit, UnitLevel
from bot.services.digest import OLDEST, oldest_open
from tests.harness.people import members_with, unit_id

WEEK_START = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
_numbers = itertools.count(1)


async def add(session: AsyncSession, village: str, status: IssueStatus, days_old: int, *,
              kind: str = "ecology", due: datetime | None = None, level: IssueLevel = IssueLevel.village) -> str:
    reporter = (await members_with(session, RoleName.member, village=village, kind=kind))[0]
    created = WEEK_START - timedelta(days=days_old)
    number = f"D-{next(_numbers):04d}"
    session.add(Issue(number=number, village_id=await unit_id(session, village), kind=kind,
                      reporter_id=reporter.id, description=f"{number} " + "水渠" * 60, status=status, level=level,
                      due_at=due, created_at=created, updated_at=created))
    await session.flush()  # ids follow the order of the calls: ties in age are broken by them
    return number


async def per_village(session: AsyncSession) -> dict[int, list[dict[str, Any]]]:
    """The straightforward computation: one query per village."""
    result: dict[int, list[dict[str, Any]]] = {}
    for village in (await session.scalars(select(Unit.id).where(Unit.level == UnitLevel.village))).all():
        issues = (await session.scalars(
            select(Issue).where(Issue.village_id == village, Issue.status.not_in(CLOSED_STATUSES))
            .order_by(Issue.created_at, Issue.id).limit(OLDEST))).all()
        if issues:
            result[village] = [{"number": i.number, "kind": i.kind, "description": i.description[:80],
                                "due": i.due_at.isoformat() if i.due_at else None, "status": i.status.value,
                                "level": i.level.value} for i in issues]
    return result


async def test_oldest_open_items_of_every_village_match_a_query_per_village(session: AsyncSession) -> None:
    busy, quiet, done = "GC01-02", "GC01-03", "GC01-04"
    due = WEEK_START + timedelta(days=3)
    await add(session, busy, IssueStatus.closed, 90)
    oldest = await add(session, busy, IssueStatus.open, 80, due=due)
    await add(session, busy, IssueStatus.withdrawn, 80)
    tie_first = await add(session, busy, IssueStatus.resolved, 70, kind="welfare", level=IssueLevel.township)
    tie_second = await add(session, busy, IssueStatus.in_progress, 70)
    await add(session, busy, IssueStatus.duplicate, 60)
    fourth = await add(session, busy, IssueStatus.open, 50, kind="culture")
    fifth = await add(session, busy, IssueStatus.open, 40)
    await add(session, busy, IssueStatus.open, 30)
    await add(session, quiet, IssueStatus.closed, 100)
    only = await add(session, quiet, IssueStatus.in_progress, 20, due=due)
    await add(session, done, IssueStatus.closed, 10)
    await session.commit()

    picked = await oldest_open(session)

    assert [i["number"] for i in picked[await unit_id(session, busy)]] == [oldest, tie_first, tie_second, fourth,
                                                                          fifth]
    assert [i["number"] for i in picked[await unit_id(session, quiet)]] == [only]
    assert await unit_id(session, done) not in picked
    assert picked == await per_village(session)
