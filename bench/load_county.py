"""A county of any size for the load benchmark: the organisation in a fresh database (migrated, imported through
the organisation-file validation), and the same people and bound groups in the emulator, set up the way the
sandbox sets up the sample county (the bot administers every group, so it hears all their chatter).

Shape: a county group, one township per 20 groups, one department per 60 (at most 8), villages for the rest.
Each township has 2 supervisors, each department 2 liaisons, the county 2 leaders and 2 admins; every other
member belongs to a village team, in pairs (so every reporter has a teammate to claim the card), the first
of each village also its secretary.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from bot.cli import db_upgrade
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Localizer
from bot.models import ChatPurpose
from bot.sandbox.roster import load_roster
from bot.sandbox.seeding import bind_groups, populate
from bot.services.org_import import apply_org
from bot.services.org_parse import validate_org
from emulator import EmulatorClient

FIRST_TELEGRAM_ID = 6_100_000_000
COUNTY = "GC"
VILLAGES_PER_TOWNSHIP = 20
GROUPS_PER_DEPARTMENT = 60
MAX_DEPARTMENTS = 8
STAFF_PER_PLACE = 2  # supervisors per township, liaisons per department, leaders and admins of the county


@dataclass(frozen=True)
class Size:
    groups: int
    members: int


@dataclass(frozen=True)
class Person:
    """A member on Telegram and the one group where they act."""

    telegram_id: int
    code: str
    purpose: ChatPurpose
    place: str  # code of the unit or department of their group
    place_name: str
    chat_id: int
    teammates: tuple[int, ...] = ()  # telegram ids of the others of their village team


@dataclass(frozen=True)
class County:
    people: list[Person]
    groups: int

    def of(self, purpose: ChatPurpose) -> list[Person]:
        return [person for person in self.people if person.purpose == purpose]


def _shape(size: Size) -> tuple[int, int, int]:
    townships = max(1, round(size.groups / VILLAGES_PER_TOWNSHIP))
    departments = max(1, min(MAX_DEPARTMENTS, size.groups // GROUPS_PER_DEPARTMENT))
    villages = size.groups - 1 - townships - departments
    staff = STAFF_PER_PLACE * (townships + departments + 2)
    if villages < 1 or size.members - staff < 2 * villages:
        raise ValueError(f"{size.groups} groups and {size.members} members: need at least {staff} + 2 per village "
                         f"members and one village")
    return townships, departments, villages


def organisation(size: Size, kinds: list[str]) -> dict[str, Any]:
    """The tables of an organisation file for this size."""
    townships, departments, villages = _shape(size)
    members: list[dict[str, Any]] = []

    def member(**fields: Any) -> None:
        number = len(members) + 1
        members.append({"code": f"M{number:05d}", "name": f"成员{number}",
                        "telegram_id": FIRST_TELEGRAM_ID + number, **fields})

    township_codes = [f"{COUNTY}{t + 1:02d}" for t in range(townships)]
    village_rows = [{"code": f"{township_codes[v % townships]}-{v // townships + 1:02d}", "name": f"{v + 1}号村",
                     "township": township_codes[v % townships], "teams": kinds} for v in range(villages)]
    for code in township_codes:
        for _ in range(STAFF_PER_PLACE):
            member(township=code, roles=["township_supervisor"])
    department_rows = []
    for d in range(departments):
        code = f"D{d + 1:02d}"
        first = len(members)
        for _ in range(STAFF_PER_PLACE):
            member(department=code, roles=["department_liaison"])
        department_rows.append({"code": code, "name": f"{d + 1}号部门", "liaisons": {
            township: members[first + t % STAFF_PER_PLACE]["code"] for t, township in enumerate(township_codes)}})
    for role in ("county_leader", "admin"):
        for _ in range(STAFF_PER_PLACE):
            member(roles=[role])
    in_villages = size.members - len(members)
    for v, village in enumerate(village_rows):
        count = in_villages // villages + (1 if v < in_villages % villages else 0)
        for i in range(count):
            # pairs share a team; an odd last one joins the pair before it
            team = kinds[(min(i, count - 2 if count % 2 else i) // 2) % len(kinds)]
            roles = ["team_lead"] if i % 2 == 0 and i < count - count % 2 else ["member"]
            member(village=village["code"], team=team, roles=roles + (["village_secretary"] if i == 0 else []))
    return {"county": {"code": COUNTY, "name": "负荷县"},
            "townships": [{"code": code, "name": f"{t + 1}号乡"} for t, code in enumerate(township_codes)],
            "villages": village_rows, "departments": department_rows, "members": members}


async def build_county(size: Size, database_url: str, client: EmulatorClient, settings: Settings,
                       t: Localizer) -> County:
    """Migrate the (empty) database, import the organisation, create people and groups in the emulator, bind."""
    await asyncio.to_thread(db_upgrade, database_url)  # Alembic runs an event loop of its own
    data = organisation(size, settings.kind_keys)
    spec = validate_org(data, settings.kind_keys)
    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        async with sessionmaker.begin() as session:
            await apply_org(session, spec)
        async with sessionmaker() as session:
            roster = await load_roster(session, settings, t)
        await populate(client, roster)
        await bind_groups(sessionmaker, roster)
    finally:
        await engine.dispose()
    chats = {group.code: group.chat_id for group in roster.groups}
    names = {row["code"]: row["name"] for key in ("townships", "villages", "departments") for row in data[key]}
    names[COUNTY] = data["county"]["name"]
    teams: dict[tuple[str, str], list[int]] = {}
    for row in data["members"]:
        if "team" in row:
            teams.setdefault((row["village"], row["team"]), []).append(row["telegram_id"])
    people = []
    for row in data["members"]:
        purpose, place = _place(row)
        mates = tuple(other for other in teams.get((row.get("village"), row.get("team")), [])
                      if other != row["telegram_id"])
        people.append(Person(row["telegram_id"], row["code"], purpose, place, names[place], chats[place], mates))
    return County(people, len(roster.groups))


def _place(row: dict[str, Any]) -> tuple[ChatPurpose, str]:
    if "village" in row:
        return ChatPurpose.village, row["village"]
    if "township" in row:
        return ChatPurpose.township, row["township"]
    if "department" in row:
        return ChatPurpose.department, row["department"]
    return ChatPurpose.county, COUNTY
