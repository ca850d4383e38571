"""The organisation in the database, read as the emulator's users and group chats."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.cards import kind_label
from bot.models import ChatBinding, ChatPurpose, Department, DepartmentLiaison, Member, Role, RoleName, Team, Unit
from bot.services.chats import PURPOSE_BY_LEVEL

# The emulator forgets its chats on every start, so each unit and department gets a supergroup id derived from
# its database id ("-100" + a range digit + the id padded to 9 digits): a restart recreates the same chats and
# finds them already bound. Neither range meets the ids the emulator hands out itself (-1003...).
UNIT_CHAT_BASE = -1_001_000_000_000
DEPARTMENT_CHAT_BASE = -1_002_000_000_000
LEVEL_ORDER = ("county", "township", "village")

# (kind, id): ("unit", unit id) or ("department", department id)
Place = tuple[str, int]


@dataclass(frozen=True)
class Group:
    code: str
    title: str
    chat_id: int
    member_ids: tuple[int, ...]
    bound: bool

    @property
    def chat_type(self) -> str:
        return "supergroup" if str(self.chat_id).startswith("-100") else "group"


@dataclass(frozen=True)
class Roster:
    users: list[dict[str, Any]]
    groups: list[Group]
    # telegram ids of the org admins: administrators of every group, the first one its owner
    admin_ids: tuple[int, ...]
    # the member who binds the groups
    binder_id: int | None


@dataclass
class _People:
    """Who belongs where, and what to say about each person on the sandbox page."""

    places: dict[Place, dict[int, None]] = field(default_factory=lambda: defaultdict(dict))
    notes: dict[int, dict[str, list[str]]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(list)))
    admins: list[int] = field(default_factory=list)

    def add(self, member_id: int, place: Place, where: str, role: str | None) -> None:
        self.places[place][member_id] = None
        if role is not None:
            self.notes[member_id][where].append(role)

    def note(self, member_id: int) -> str:
        return "；".join(f"{where} · {'、'.join(roles)}" for where, roles in self.notes[member_id].items())


def _place_of(binding: ChatBinding) -> Place:
    if binding.unit_id is not None:
        return ("unit", binding.unit_id)
    assert binding.department_id is not None
    return ("department", binding.department_id)


def _chat_id(place: Place) -> int:
    kind, item_id = place
    return (UNIT_CHAT_BASE if kind == "unit" else DEPARTMENT_CHAT_BASE) - item_id


async def _people(session: AsyncSession, settings: Settings, t: Localizer, units: dict[int, Unit],
                  departments: dict[int, Department]) -> _People:
    teams = {team.id: team for team in (await session.scalars(select(Team))).all()}
    people = _People()
    for role in (await session.scalars(select(Role).order_by(Role.id))).all():
        label = t(f"role-{role.role.value}")
        if role.team_id is not None:
            team = teams[role.team_id]
            village = units[team.village_id]
            people.add(role.member_id, ("unit", village.id),
                       f"{village.name} · {kind_label(settings, t, team.kind)}", label)
        elif role.department_id is not None:
            people.add(role.member_id, ("department", role.department_id), departments[role.department_id].name,
                       label)
        elif role.unit_id is not None:
            unit = units[role.unit_id]
            people.add(role.member_id, ("unit", unit.id), unit.name, label)
            if role.role == RoleName.village_secretary and unit.parent_id is not None:
                people.add(role.member_id, ("unit", unit.parent_id), unit.name, None)
        if role.role == RoleName.admin:
            people.admins.append(role.member_id)
    for liaison in (await session.scalars(select(DepartmentLiaison))).all():
        people.add(liaison.member_id, ("department", liaison.department_id), "", None)
    return people


async def load_roster(session: AsyncSession, settings: Settings, t: Localizer) -> Roster:
    units = {unit.id: unit for unit in (await session.scalars(select(Unit))).all()}
    departments = {d.id: d for d in (await session.scalars(select(Department).order_by(Department.code))).all()}
    members = {m.id: m for m in (await session.scalars(select(Member).order_by(Member.code))).all()}
    people = await _people(session, settings, t, units, departments)
    telegram = {member_id: m.telegram_id for member_id, m in members.items() if m.telegram_id is not None}
    admin_ids = tuple(telegram[a] for a in people.admins if a in telegram)

    bindings = (await session.scalars(select(ChatBinding))).all()
    bound = {_place_of(binding): binding.chat_id for binding in bindings}
    taken = {binding.chat_id for binding in bindings}
    places: list[tuple[Place, str, str, ChatPurpose]] = [
        (("unit", u.id), u.code, u.name, PURPOSE_BY_LEVEL[u.level])
        for u in sorted(units.values(), key=lambda u: (LEVEL_ORDER.index(u.level.value), u.code))
    ] + [(("department", d.id), d.code, d.name, ChatPurpose.department) for d in departments.values()]
    groups = []
    for place, code, name, purpose in places:
        chat_id = bound.get(place, _chat_id(place))
        if place not in bound and chat_id in taken:
            continue  # someone re-bound this sandbox chat to another code: that binding stands
        member_ids = tuple(telegram[m] for m in people.places.get(place, {}) if m in telegram)
        groups.append(Group(code, f"{name} · {t(f'purpose-{purpose.value}')}", chat_id, member_ids,
                            place in bound))

    users = [
        {"id": telegram[m.id], "first_name": m.display_name, "username": m.username, "language_code": t.language,
         "note": people.note(m.id) or None}
        for m in members.values() if m.id in telegram
    ]
    return Roster(users, groups, admin_ids, people.admins[0] if people.admins else None)
