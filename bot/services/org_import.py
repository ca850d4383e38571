"""Writing a validated organisation into the database: idempotent upserts keyed by code."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Department, DepartmentLiaison, Member, Role, RoleName, Team, Unit, UnitLevel
from bot.services.org_model import MemberSpec, OrgSpec, UnitSpec


@dataclass(frozen=True)
class OrgCounts:
    townships: int
    villages: int
    teams: int
    departments: int
    members: int


async def org_counts(session: AsyncSession) -> OrgCounts:
    async def count_units(level: UnitLevel) -> int:
        return await session.scalar(select(func.count()).select_from(Unit).where(Unit.level == level)) or 0

    return OrgCounts(
        townships=await count_units(UnitLevel.township),
        villages=await count_units(UnitLevel.village),
        teams=await session.scalar(select(func.count()).select_from(Team)) or 0,
        departments=await session.scalar(select(func.count()).select_from(Department)) or 0,
        members=await session.scalar(select(func.count()).select_from(Member)) or 0,
    )


async def _upsert_unit(
    session: AsyncSession, units: dict[str, Unit], spec: UnitSpec, level: UnitLevel
) -> Unit:
    unit = units.get(spec.code)
    parent_id = units[spec.parent].id if spec.parent else None
    if unit is None:
        unit = Unit(code=spec.code, name=spec.name, level=level, parent_id=parent_id)
        session.add(unit)
        units[spec.code] = unit
    else:
        unit.name, unit.level, unit.parent_id = spec.name, level, parent_id
    await session.flush()
    return unit


async def apply_org(session: AsyncSession, org: OrgSpec) -> OrgCounts:
    """Create or update everything in `org`; nothing in the database that the file omits is removed."""
    units = {u.code: u for u in (await session.scalars(select(Unit))).all()}
    await _upsert_unit(session, units, org.county, UnitLevel.county)
    for township in org.townships:
        await _upsert_unit(session, units, township, UnitLevel.township)
    teams = {(t.village_id, t.kind): t for t in (await session.scalars(select(Team))).all()}
    for village_spec in org.villages:
        village = await _upsert_unit(session, units, village_spec, UnitLevel.village)
        for kind in village_spec.teams:
            if (village.id, kind) not in teams:
                team = Team(village_id=village.id, kind=kind)
                session.add(team)
                teams[(village.id, kind)] = team
    departments = {d.code: d for d in (await session.scalars(select(Department))).all()}
    for department_spec in org.departments:
        department = departments.get(department_spec.code)
        if department is None:
            department = Department(code=department_spec.code, name=department_spec.name)
            session.add(department)
            departments[department_spec.code] = department
        else:
            department.name = department_spec.name
    await session.flush()

    members = await _upsert_members(session, org.members)
    for member_spec in org.members:
        member = members[member_spec.code]
        await session.execute(delete(Role).where(Role.member_id == member.id))
        for role in member_spec.roles:
            session.add(_grant(role, member, member_spec, units, teams, departments))

    liaisons = {(li.department_id, li.township_id): li
                for li in (await session.scalars(select(DepartmentLiaison))).all()}
    for department_spec in org.departments:
        department = departments[department_spec.code]
        for township_code, member_code in department_spec.liaisons.items():
            key = (department.id, units[township_code].id)
            liaison = liaisons.get(key)
            if liaison is None:
                session.add(DepartmentLiaison(department_id=key[0], township_id=key[1],
                                              member_id=members[member_code].id))
            else:
                liaison.member_id = members[member_code].id
    await session.flush()
    return await org_counts(session)


async def _upsert_members(session: AsyncSession, specs: list[MemberSpec]) -> dict[str, Member]:
    existing = {m.code: m for m in (await session.scalars(select(Member))).all()}
    by_telegram = {m.telegram_id: m for m in existing.values() if m.telegram_id}
    for spec in specs:
        member = existing.get(spec.code)
        holder = by_telegram.get(spec.telegram_id) if spec.telegram_id else None
        if holder is not None and holder.code != spec.code:
            # The account moved to another roster entry: free it so the unique id stays unique.
            holder.telegram_id = None
            await session.flush()
        if member is None:
            member = Member(code=spec.code, display_name=spec.name)
            session.add(member)
            existing[spec.code] = member
        member.display_name = spec.name
        if spec.telegram_id is not None:
            member.telegram_id = spec.telegram_id
        member.username = spec.username or member.username
        member.phone = spec.phone
    await session.flush()
    return existing


def _grant(
    role: RoleName,
    member: Member,
    spec: MemberSpec,
    units: dict[str, Unit],
    teams: dict[tuple[int, str], Team],
    departments: dict[str, Department],
) -> Role:
    grant = Role(member_id=member.id, role=role)
    if role in (RoleName.member, RoleName.team_lead) and spec.village and spec.team:
        grant.team_id = teams[(units[spec.village].id, spec.team)].id
    elif role == RoleName.village_secretary and spec.village:
        grant.unit_id = units[spec.village].id
    elif role == RoleName.township_supervisor and spec.township:
        grant.unit_id = units[spec.township].id
    elif role == RoleName.department_liaison and spec.department:
        grant.department_id = departments[spec.department].id
    elif role in (RoleName.county_leader, RoleName.admin):
        grant.unit_id = next(u.id for u in units.values() if u.level == UnitLevel.county)
    return grant
