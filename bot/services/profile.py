"""What a member is (roles with the places they cover) and what they can do in a given chat."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Department, RoleName, Team, Unit
from bot.services.actors import Actor


@dataclass(frozen=True)
class RoleLine:
    role: str
    place: str | None
    kind: str | None = None


async def describe_roles(session: AsyncSession, actor: Actor) -> list[RoleLine]:
    lines: list[RoleLine] = []
    for grant in actor.grants:
        if grant.team_id is not None:
            team = await session.get(Team, grant.team_id)
            village = await session.get(Unit, team.village_id) if team else None
            lines.append(RoleLine(grant.role.value, village.name if village else None, team.kind if team else None))
        elif grant.unit_id is not None:
            unit = await session.get(Unit, grant.unit_id)
            lines.append(RoleLine(grant.role.value, unit.name if unit else None))
        elif grant.department_id is not None:
            department = await session.get(Department, grant.department_id)
            lines.append(RoleLine(grant.role.value, department.name if department else None))
        else:
            lines.append(RoleLine(grant.role.value, None))
    return lines


async def team_kinds_of(session: AsyncSession, actor: Actor, village_id: int) -> list[str]:
    """The kinds of the member's own teams in this village, their own first pick for a report."""
    team_ids = [tid for tid, vid in actor.team_villages.items() if vid == village_id]
    if not team_ids:
        return []
    return list((await session.scalars(select(Team.kind).where(Team.id.in_(team_ids)).order_by(Team.id))).all())


def help_topics(actor: Actor | None, purpose: str | None, *, private: bool) -> list[str]:
    """Locale topic names (help-<topic>) that apply to this member in this chat."""
    topics: list[str] = []
    if private:
        topics.append("private")
    elif purpose == "village":
        topics.append("village-join" if actor is None else "village")
        if actor is not None:
            topics.append("village-service")
        if actor is not None and (actor.has(RoleName.team_lead) or actor.has(RoleName.village_secretary)):
            topics.append("village-lead")
    elif purpose in ("township", "county", "department"):
        topics.append(purpose)
    topics.append("lookup")
    if actor is not None and (actor.is_admin or actor.has(RoleName.village_secretary)):
        topics.append("reserve")
    if actor is not None and actor.is_admin:
        topics.append("admin")
    return topics
