"""The weekly digest of every village and township, and the agendas of the joint and department meetings.

Counted with a handful of grouped queries over all villages at once, so a province-sized organisation is
digested in seconds; the result is plain data that the outbox renders when it sends.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import Row, ScalarSelect, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CLOSED_STATUSES, Issue, IssueEvent, IssueStatus, Unit, UnitLevel
from bot.services.lifecycle_rules import CLOSE_EVENTS, RESOLVE_EVENTS

COUNTS = ("new", "open", "overdue", "resolved", "closed")
OLDEST = 5
PICK_BATCH = 5_000

Counts = dict[str, dict[str, int]]  # team kind -> count name -> n


def _add(table: dict[int, Counts], village: int, kind: str, name: str, value: int) -> None:
    table[village].setdefault(kind, dict.fromkeys(COUNTS, 0))[name] += value


async def village_counts(session: AsyncSession, start: datetime, end: datetime) -> dict[int, Counts]:
    """Per village and team kind: new, open and overdue items, resolved and signed off in [start, end)."""
    table: dict[int, Counts] = defaultdict(dict)
    live = Issue.status.not_in(CLOSED_STATUSES)
    rows = await session.execute(
        select(Issue.village_id, Issue.kind, func.count())
        .where(Issue.created_at >= start, Issue.created_at < end).group_by(Issue.village_id, Issue.kind))
    for village, kind, n in rows.all():
        _add(table, village, kind, "new", n)
    rows = await session.execute(
        select(Issue.village_id, Issue.kind, func.count(),
               func.count().filter(Issue.due_at < end, Issue.status != IssueStatus.resolved))
        .where(live).group_by(Issue.village_id, Issue.kind))
    for village, kind, n, overdue in rows.all():
        _add(table, village, kind, "open", n)
        _add(table, village, kind, "overdue", overdue)
    for name, kinds in (("resolved", RESOLVE_EVENTS), ("closed", CLOSE_EVENTS)):
        rows = await session.execute(
            select(Issue.village_id, Issue.kind, func.count(func.distinct(IssueEvent.issue_id)))
            .join(Issue, Issue.id == IssueEvent.issue_id)
            .where(IssueEvent.kind.in_(kinds), IssueEvent.at >= start, IssueEvent.at < end)
            .group_by(Issue.village_id, Issue.kind))
        for village, kind, n in rows.all():
            _add(table, village, kind, name, n)
    return table


async def oldest_open(session: AsyncSession, per_village: int = OLDEST) -> dict[int, list[dict[str, Any]]]:
    """The oldest live items of every village. Place k of a village's list is one correlated lookup that walks
    the village's entries in the creation-ordered index and stops at its k-th live item, so the cost follows
    the number of villages, not of live items; then the few picked rows are read."""

    def place(k: int) -> ScalarSelect[int]:
        return (select(Issue.id).where(Issue.village_id == Unit.id, Issue.status.not_in(CLOSED_STATUSES))
                .order_by(Issue.created_at, Issue.id).offset(k).limit(1).scalar_subquery())

    rows = await session.execute(
        select(Unit.id, *(place(k) for k in range(per_village))).where(Unit.level == UnitLevel.village))
    picked = {village: [i for i in ids if i is not None] for village, *ids in rows.all() if ids[0] is not None}
    # read in rowid order: neighbouring ids share table pages
    ids = sorted(issue_id for village_ids in picked.values() for issue_id in village_ids)
    details: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), PICK_BATCH):
        batch = await session.execute(
            select(Issue.id, Issue.number, Issue.kind, Issue.description, Issue.due_at, Issue.status, Issue.level)
            .where(Issue.id.in_(ids[start:start + PICK_BATCH])))
        details.update((row.id, _oldest_item(row)) for row in batch)
    return {village: [details[i] for i in village_ids] for village, village_ids in picked.items()}


def _oldest_item(issue: Row[Any]) -> dict[str, Any]:
    return {"number": issue.number, "kind": issue.kind, "description": issue.description[:80],
            "due": issue.due_at.isoformat() if issue.due_at else None, "status": issue.status.value,
            "level": issue.level.value}


def merge(tables: list[Counts]) -> Counts:
    total: Counts = {}
    for table in tables:
        for kind, counts in table.items():
            into = total.setdefault(kind, dict.fromkeys(COUNTS, 0))
            for name, value in counts.items():
                into[name] += value
    return total


async def villages_by_township(session: AsyncSession) -> dict[int, list[int]]:
    rows = await session.execute(select(Unit.parent_id, Unit.id).where(Unit.level == UnitLevel.village))
    result: dict[int, list[int]] = defaultdict(list)
    for township, village in rows.all():
        if township is not None:
            result[township].append(village)
    return result
