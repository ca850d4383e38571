"""Who is acting: a member with their roles resolved to the units, teams and departments they cover."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import Member, Role, RoleName, Team, Unit, UnitLevel


@dataclass(frozen=True)
class RoleGrant:
    role: RoleName
    unit_id: int | None = None
    team_id: int | None = None
    department_id: int | None = None


@dataclass(frozen=True)
class Actor:
    member: Member
    grants: tuple[RoleGrant, ...] = ()
    # team id -> village id, for every team the member belongs to or leads
    team_villages: dict[int, int] = field(default_factory=dict)
    # village id -> township id, for every village the member's roles touch
    village_townships: dict[int, int] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return self.member.id

    def has(self, role: RoleName) -> bool:
        return any(grant.role == role for grant in self.grants)

    @property
    def is_admin(self) -> bool:
        return self.has(RoleName.admin)

    @property
    def is_county(self) -> bool:
        return self.has(RoleName.admin) or self.has(RoleName.county_leader)

    def team_ids(self, *roles: RoleName) -> set[int]:
        wanted = roles or (RoleName.member, RoleName.team_lead)
        return {g.team_id for g in self.grants if g.role in wanted and g.team_id is not None}

    def leads_team(self, team_id: int | None) -> bool:
        return team_id is not None and team_id in self.team_ids(RoleName.team_lead)

    def in_team(self, team_id: int | None) -> bool:
        return team_id is not None and team_id in self.team_ids()

    def secretary_of(self, village_id: int) -> bool:
        return any(
            g.role == RoleName.village_secretary and g.unit_id == village_id for g in self.grants
        )

    def supervises(self, township_id: int) -> bool:
        return any(
            g.role == RoleName.township_supervisor and g.unit_id == township_id for g in self.grants
        )

    def liaison_departments(self) -> set[int]:
        return {
            g.department_id
            for g in self.grants
            if g.role == RoleName.department_liaison and g.department_id is not None
        }

    @property
    def village_ids(self) -> set[int]:
        villages = set(self.team_villages.values())
        villages |= {
            g.unit_id for g in self.grants if g.role == RoleName.village_secretary and g.unit_id is not None
        }
        return villages

    def belongs_to_village(self, village_id: int) -> bool:
        return village_id in self.village_ids


def _normalise_username(username: str | None) -> str | None:
    return username.lstrip("@").lower() if username else None


async def identify(
    session: AsyncSession, telegram_id: int, username: str | None, language: str | None = None
) -> Member | None:
    """Find the member behind a Telegram account, linking a roster entry by username on first contact."""
    member = await session.scalar(select(Member).where(Member.telegram_id == telegram_id))
    if member is None and username:
        member = await session.scalar(
            select(Member)
            .where(func.lower(Member.username) == _normalise_username(username), Member.telegram_id.is_(None))
            .order_by(Member.id)
            .limit(1)
        )
        if member is not None:
            member.telegram_id = telegram_id
    if member is not None and language and member.language != language:
        member.language = language
    return member


async def load_actor(session: AsyncSession, member: Member) -> Actor:
    """The member's roles with the villages and townships they touch, in one query (it runs on every update)."""
    village = aliased(Unit)
    rows = await session.execute(
        select(Role, Team.village_id, village.id, village.parent_id, village.level)
        .outerjoin(Team, Team.id == Role.team_id)
        .outerjoin(village, village.id == func.coalesce(Team.village_id, Role.unit_id))
        .where(Role.member_id == member.id))
    grants: list[RoleGrant] = []
    team_villages: dict[int, int] = {}
    village_townships: dict[int, int] = {}
    for role, team_village, unit_id, parent_id, level in rows.all():
        grants.append(RoleGrant(role.role, role.unit_id, role.team_id, role.department_id))
        if role.team_id is not None and team_village is not None:
            team_villages[role.team_id] = team_village
        if unit_id is not None and parent_id is not None and level == UnitLevel.village:
            village_townships[unit_id] = parent_id
    return Actor(member, tuple(grants), team_villages, village_townships)


async def resolve_actor(
    session: AsyncSession, telegram_id: int, username: str | None, language: str | None = None
) -> Actor | None:
    member = await identify(session, telegram_id, username, language)
    return None if member is None else await load_actor(session, member)


async def link_account(session: AsyncSession, member_id: int, telegram_id: int, username: str | None) -> None:
    """Attach a Telegram account to a roster entry, releasing it from any other entry first."""
    await session.execute(
        update(Member).where(Member.telegram_id == telegram_id, Member.id != member_id).values(telegram_id=None)
    )
    await session.execute(
        update(Member)
        .where(Member.id == member_id)
        .values(telegram_id=telegram_id, username=username or Member.username)
    )
