"""Whom and what an archive is about (its subject), and the `Directory` of names it looks people, units and
teams up in: loaded once, it grows with the organisation, never with the number of issues."""

from __future__ import annotations

import enum
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Department, DepartmentLiaison, Member, Role, RoleName, Team, Unit, UnitLevel


class SubjectKind(enum.StrEnum):
    township = "township"    # its library
    county = "county"        # the whole county as one library (/export in the county group)
    village = "village"      # its register
    member = "member"        # their file


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: int
    code: str
    name: str
    village_ids: tuple[int, ...]  # whose issues, teams and meetings it covers; a member's: their roles' villages
    township_id: int | None       # the township its scores are computed for; None: the whole county


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    level: UnitLevel
    parent_id: int | None


@dataclass(frozen=True)
class Grant:
    member_id: int
    role: RoleName
    unit_id: int | None
    team_id: int | None
    department_id: int | None


@dataclass
class Directory:
    """Everyone and everything an archive names, loaded once per export run."""

    members: dict[int, tuple[str, str, str | None, str | None, bool]]  # id -> code, name, phone, username, linked
    units: dict[int, UnitInfo]
    teams: dict[int, tuple[int, str]]                                   # id -> village id, kind
    departments: dict[int, tuple[str, str]]                             # id -> code, name
    grants: list[Grant]
    liaisons: dict[int, set[int]]                                       # township id -> liaison member ids
    by_member: dict[int, list[Grant]] = field(init=False)
    by_team: dict[int, list[Grant]] = field(init=False)

    def __post_init__(self) -> None:
        # Indexed once: a county-wide export asks for every member's and every team's grants.
        self.by_member, self.by_team = defaultdict(list), defaultdict(list)
        for grant in self.grants:
            self.by_member[grant.member_id].append(grant)
            if grant.team_id is not None:
                self.by_team[grant.team_id].append(grant)

    @classmethod
    async def load(cls, session: AsyncSession) -> Directory:
        members = {row.id: (row.code, row.display_name, row.phone, row.username, row.telegram_id is not None)
                   for row in await session.execute(select(Member.id, Member.code, Member.display_name, Member.phone,
                                                           Member.username, Member.telegram_id))}
        units = {row.id: UnitInfo(row.code, row.name, row.level, row.parent_id)
                 for row in await session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id))}
        teams = {row.id: (row.village_id, row.kind)
                 for row in await session.execute(select(Team.id, Team.village_id, Team.kind).order_by(Team.id))}
        departments = {row.id: (row.code, row.name)
                       for row in await session.execute(select(Department.id, Department.code, Department.name))}
        grants = [Grant(*row) for row in await session.execute(
            select(Role.member_id, Role.role, Role.unit_id, Role.team_id, Role.department_id).order_by(Role.id))]
        liaisons: dict[int, set[int]] = defaultdict(set)
        for township_id, member_id in await session.execute(select(DepartmentLiaison.township_id,
                                                                   DepartmentLiaison.member_id)):
            liaisons[township_id].add(member_id)
        return cls(members, units, teams, departments, grants, dict(liaisons))

    def code(self, member_id: int | None) -> str | None:
        return self.members[member_id][0] if member_id in self.members else None

    def name(self, member_id: int | None) -> str | None:
        return self.members[member_id][1] if member_id in self.members else None

    def unit(self, unit_id: int | None) -> UnitInfo | None:
        return self.units.get(unit_id) if unit_id is not None else None

    def sorted_units(self, ids: Iterable[int]) -> list[int]:
        return sorted(ids, key=lambda unit_id: self.units[unit_id].code)

    def villages_of(self, township_id: int) -> tuple[int, ...]:
        return tuple(self.sorted_units(i for i, u in self.units.items()
                                       if u.level == UnitLevel.village and u.parent_id == township_id))

    def all_villages(self) -> tuple[int, ...]:
        return tuple(self.sorted_units(i for i, u in self.units.items() if u.level == UnitLevel.village))

    def grant_village(self, grant: Grant) -> int | None:
        if grant.team_id is not None and grant.team_id in self.teams:
            return self.teams[grant.team_id][0]
        unit = self.unit(grant.unit_id)
        return grant.unit_id if unit is not None and unit.level == UnitLevel.village else None

    def member_ids(self, subject: Subject) -> list[int]:
        """Who belongs in a library or register: everyone whose roles touch its villages (and, for a township,
        its supervisors and its department liaisons); everyone for the county."""
        if subject.kind == SubjectKind.county:
            wanted = set(self.members)
        else:
            villages = set(subject.village_ids)
            wanted = {g.member_id for g in self.grants if self.grant_village(g) in villages}
            if subject.kind == SubjectKind.township:
                wanted |= {g.member_id for g in self.grants if g.unit_id == subject.id}
                wanted |= self.liaisons.get(subject.id, set())
        return sorted(wanted, key=lambda member_id: self.members[member_id][0])

