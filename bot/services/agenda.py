"""Agendas: each village's open and overdue items per team for the joint meeting, each department's task list
for its progress meeting."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CLOSED_STATUSES, Department, Issue, IssueLevel, IssueStatus

AGENDA_LIMIT = 30


def _item(issue: Issue, now: datetime) -> dict[str, Any]:
    overdue = issue.due_at is not None and issue.due_at < now and issue.status != IssueStatus.resolved
    return {"id": issue.id, "number": issue.number, "description": issue.description[:80],
            "status": issue.status.value, "level": issue.level.value, "overdue": overdue,
            "due": issue.due_at.isoformat() if issue.due_at else None}


async def village_agendas(session: AsyncSession, now: datetime) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """village id -> team kind -> live village-level items, overdue first, then oldest."""
    rows = await session.scalars(
        select(Issue).where(Issue.status.not_in(CLOSED_STATUSES), Issue.level == IssueLevel.village)
        .order_by(Issue.village_id, Issue.kind, Issue.due_at, Issue.id))
    agendas: dict[int, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for issue in rows.all():
        items = agendas[issue.village_id][issue.kind]
        if len(items) < AGENDA_LIMIT:
            items.append(_item(issue, now))
    return {village: {kind: sorted(items, key=lambda i: not i["overdue"]) for kind, items in teams.items()}
            for village, teams in agendas.items()}


async def village_agenda(session: AsyncSession, village_id: int, now: datetime) -> list[dict[str, Any]]:
    rows = await session.scalars(
        select(Issue).where(Issue.village_id == village_id, Issue.status.not_in(CLOSED_STATUSES),
                            Issue.level == IssueLevel.village).order_by(Issue.kind, Issue.due_at, Issue.id)
        .limit(AGENDA_LIMIT))
    return [_item(issue, now) | {"kind": issue.kind} for issue in rows.all()]


async def department_agendas(session: AsyncSession, now: datetime) -> dict[int, dict[str, Any]]:
    names = dict((await session.execute(select(Department.id, Department.name))).all())
    rows = await session.scalars(
        select(Issue).where(Issue.department_id.is_not(None), Issue.status.not_in(CLOSED_STATUSES))
        .order_by(Issue.department_id, Issue.due_at, Issue.id))
    agendas: dict[int, dict[str, Any]] = {d: {"name": n, "items": []} for d, n in names.items()}
    for issue in rows.all():
        assert issue.department_id is not None
        agendas[issue.department_id]["items"].append(_item(issue, now))
    return agendas
