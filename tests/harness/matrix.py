"""A county to try the permission matrix in: bound groups, a fresh member per cell holding one role at one scope
relative to what the action touches, items put straight into the state an action needs, and a snapshot of the
whole database to prove a refusal left nothing behind."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from aiogram.methods import AnswerCallbackQuery, EditMessageCaption, EditMessageText, SendDocument, SendMessage
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Localizer
from bot.models import Base, Department, Issue, IssueLevel, IssueStatus, Member, Role, RoleName, Team, Unit
from bot.services.permissions import Relation, Scope
from tests.harness.chat import ChatHarness, Person

HOME_VILLAGE, HOME_KIND, HOME_TOWNSHIP, HOME_DEPARTMENT, COUNTY = "GC01-02", "ecology", "GC01", "AGRI", "GC"
VILLAGE_CHAT, TOWNSHIP_CHAT, COUNTY_CHAT, DEPARTMENT_CHAT = -100_901, -100_902, -100_903, -100_904
# Where a grant sits for each scope it should have relative to something in `village` (of township GC01).
TEAM_ROLES = (RoleName.member, RoleName.team_lead)


def team_seat(village: str, scope: Scope) -> tuple[str, str]:
    other_village = "GC01-03" if village != "GC01-03" else "GC01-04"
    return {Scope.team: (village, HOME_KIND), Scope.village: (village, "industry"),
            Scope.township: (other_village, HOME_KIND), Scope.county: ("GC02-01", HOME_KIND)}[scope]


def unit_seat(role: RoleName, village: str, scope: Scope) -> str:
    if role == RoleName.village_secretary:
        return {Scope.village: village, Scope.township: "GC01-03" if village != "GC01-03" else "GC01-04",
                Scope.county: "GC02-01"}[scope]
    if role == RoleName.township_supervisor:
        return {Scope.township: HOME_TOWNSHIP, Scope.county: "GC02"}[scope]
    return COUNTY


@dataclass(frozen=True)
class Stage:
    """The state an item is put in for an action to apply."""

    level: IssueLevel
    status: IssueStatus
    holder: bool = False
    department: bool = False
    resolved: bool = False


@dataclass
class Cast:
    """A fresh member acting in one cell."""

    person: Person
    member_id: int
    code: str
    name: str
    phone: str


@dataclass
class World:
    harness: ChatHarness
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: ManualClock
    t: Localizer
    units: dict[str, int] = field(default_factory=dict)
    departments: dict[str, int] = field(default_factory=dict)
    teams: dict[tuple[str, str], int] = field(default_factory=dict)
    sample: dict[str, int] = field(default_factory=dict)   # a reporter, holder, liaison and admin of the sample
    reporter_name: str | None = None
    serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def load(self) -> World:
        async with self.sessionmaker() as s:
            self.units = dict((await s.execute(select(Unit.code, Unit.id))).all())
            self.departments = dict((await s.execute(select(Department.code, Department.id))).all())
            self.teams = {(code, kind): team_id for team_id, code, kind in (await s.execute(
                select(Team.id, Unit.code, Team.kind).join(Unit, Unit.id == Team.village_id))).all()}
            home_team = self.teams[HOME_VILLAGE, HOME_KIND]
            mates = (await s.scalars(select(Role.member_id).where(Role.team_id == home_team).order_by(Role.id))).all()
            liaison = await s.scalar(select(Role.member_id).where(
                Role.department_id == self.departments[HOME_DEPARTMENT]).order_by(Role.id))
            admin = await s.scalar(select(Role.member_id).where(Role.role == RoleName.admin).order_by(Role.id))
            self.reporter_name = await s.scalar(select(Member.display_name).where(Member.id == mates[0]))
        assert liaison is not None and admin is not None
        self.sample = {"reporter": mates[0], "holder": mates[1], "liaison": liaison, "admin": admin}
        return self

    async def count(self, model: type[Any], *where: Any) -> int:
        async with self.sessionmaker() as s:
            return await s.scalar(select(func.count()).select_from(model).where(*where)) or 0

    def grant(self, role: RoleName, scope: Scope, village: str) -> dict[str, int]:
        if role in TEAM_ROLES:
            return {"team_id": self.teams[team_seat(village, scope)]}
        if role == RoleName.department_liaison:
            return {"department_id": self.departments[HOME_DEPARTMENT if scope == Scope.department else "ECO"]}
        return {"unit_id": self.units[unit_seat(role, village, scope)]}

    async def enlist(self, role: RoleName | None, scope: Scope | None, village: str = HOME_VILLAGE, *,
                     linked: bool = True) -> Cast:
        """A new member holding one role at one scope (None: a team member elsewhere in the county)."""
        n = next(self.serial)
        role, scope = role or RoleName.member, scope or Scope.county
        member = Member(code=f"PM{n:04d}", display_name=f"格{n}", telegram_id=8_000_000 + n if linked else None,
                        phone=f"1770000{n:04d}")  # a phone no sample member has, to look for in what the bot shows
        async with self.sessionmaker.begin() as s:
            s.add(member)
            await s.flush()
            s.add(Role(member_id=member.id, role=role, **self.grant(role, scope, village)))
        return Cast(Person(8_000_000 + n, member.display_name, None, "zh"), member.id, member.code,
                    member.display_name, f"1770000{n:04d}")

    async def item(self, stage: Stage, *, tie: Relation | None = None, cast: Cast | None = None,
                   village: str = HOME_VILLAGE) -> Issue:
        """A new item of the village's ecology team in `stage`; `tie` makes `cast` its reporter, holder or
        resolver."""
        n = next(self.serial)
        now: datetime = self.clock.now()
        people = {"reporter": self.sample["reporter"], "holder": self.sample["holder"] if stage.holder else None,
                  "resolver": None}
        if stage.resolved:
            people["resolver"] = self.sample["liaison" if stage.department else "holder"]
        if tie is not None and cast is not None:
            people[tie.value] = cast.member_id
        issue = Issue(
            number=f"2025-{n:04d}", village_id=self.units[village], team_id=self.teams[village, HOME_KIND],
            kind=HOME_KIND, reporter_id=people["reporter"], holder_id=people["holder"],
            resolver_id=people["resolver"], description=f"矩阵测试 {n}", level=stage.level, status=stage.status,
            due_at=now + timedelta(days=7), created_at=now, updated_at=now,
            resolved_at=now if stage.resolved else None, resolution_note="修好了" if stage.resolved else None,
            escalated_at=now if stage.level != IssueLevel.village else None,
            acknowledged_at=now if stage.level != IssueLevel.village and stage.status != IssueStatus.open else None,
            department_id=self.departments[HOME_DEPARTMENT] if stage.department else None)
        async with self.sessionmaker.begin() as s:
            s.add(issue)
        return issue

    async def snapshot(self, *rows: tuple[type[Any], int]) -> tuple[Any, ...]:
        """Row counts of every table, and every column of the given rows."""
        tables = Base.metadata.sorted_tables
        async with self.sessionmaker() as s:
            counts = (await s.execute(select(*(select(func.count()).select_from(table).scalar_subquery()
                                                 for table in tables)))).one()
            values = []
            for model, row_id in rows:
                table = model.__table__
                values.append((await s.execute(select(table).where(table.c.id == row_id))).one())
        return dict(zip((table.name for table in tables), counts, strict=True)), values

    def prompt_with(self, chat_id: int, data: str | None = None, prefix: str | None = None) -> tuple[int, str]:
        """The newest bot message in the chat with a button whose data is `data` (or starts with `prefix`)."""
        for chat, message_id in reversed(list(self.harness.session.sent)):
            if chat != chat_id:
                continue
            for found in self.harness.buttons(chat_id, message_id).values():
                if found == data or (prefix is not None and found.startswith(prefix)):
                    return message_id, found
        raise AssertionError(f"no button {data or prefix!r} in chat {chat_id}")


def visible(requests: list[Any]) -> list[str]:
    """What the member saw: messages, documents, edits and button answers with text."""
    out = []
    for r in requests:
        if isinstance(r, SendMessage | EditMessageText):
            out.append(r.text)
        elif isinstance(r, SendDocument | EditMessageCaption):
            out.append(r.caption or "")
        elif isinstance(r, AnswerCallbackQuery) and r.text:
            out.append(r.text)
    return out
