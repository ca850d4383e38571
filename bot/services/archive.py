"""What the archives hold (DESIGN §1.7): one library per township (一乡一库), one register per village (一村一册),
one file per person (一人一档).

An archive is a list of sheets; each is a spec (its columns and how each value shows) and an async stream of
raw rows in chunks, read with a server-side cursor, so an archive of any size passes through in constant
memory. The workbook writer (bot/messaging/workbook.py) turns the raw values into cells and words. Names of
people, units and teams are looked up in a `Directory` loaded once, which grows with the organisation, never
with the number of issues.
"""

from __future__ import annotations

import enum
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.config import Settings
from bot.models import (
    CLOSED_STATUSES,
    ChatPurpose,
    Department,
    DepartmentLiaison,
    Issue,
    IssueEvent,
    IssueStatus,
    Meeting,
    Member,
    Role,
    RoleName,
    Team,
    Unit,
    UnitLevel,
)
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.errors import Conflict, NotAllowed, NotFound
from bot.services.scoring import Month, MonthScores, UnitScore, monthly_scores
from bot.services.scoring_counts import services_per_member

CHUNK = 1000
# A workbook sent in a chat is written inside the update's transaction, which on SQLite holds the write lock
# for as long; a township bigger than this (a few seconds' work) is a job for `main.py export`, which reads
# beside the bot without the lock.
CHAT_MAX_ISSUES = 10_000
RESOLVE_EVENTS = ("resolve", "task_resolve")
VERIFY_EVENTS = ("verify", "sign_off", "reopen", "unmet")
SCORE_PARTS = ("resolution", "on_time", "activity", "acknowledgement")


class Show(enum.StrEnum):
    """How the writer shows a raw value; a list is shown item by item, joined."""

    text = "text"
    number = "number"
    moment = "moment"        # an aware datetime, shown in the county's time zone
    day = "day"              # a date
    status = "status"        # IssueStatus value
    level = "level"          # IssueLevel value
    urgency = "urgency"
    event = "event"          # IssueEvent kind
    team = "team"            # team kind key
    role = "role"            # RoleName
    meeting = "meeting"      # MeetingKind
    scope = "scope"          # team, village or township (scores)
    yesno = "yesno"
    item = "item"            # an overview line's name
    any = "any"              # an overview line's value: text, number, moment or Label


@dataclass(frozen=True)
class Label:
    """A value that is a word from the locale files (the archive's title on the overview)."""

    key: str


@dataclass(frozen=True)
class Column:
    key: str                 # header: archive-col-KEY
    show: Show = Show.text
    width: int = 12


@dataclass(frozen=True)
class SheetSpec:
    key: str                 # sheet name: archive-sheet-KEY
    columns: tuple[Column, ...]


Row = tuple[Any, ...]
Chunks = AsyncIterator[list[Row]]

N, M, D, T = Show.number, Show.moment, Show.day, Show.team
OVERVIEW = SheetSpec("overview", (Column("item", Show.item, 20), Column("value", Show.any, 40)))
VILLAGES = SheetSpec("villages", (
    Column("village_code"), Column("village", width=14), Column("township", width=14), Column("team_count", N),
    Column("member_count", N), Column("issues", N), Column("open", N), Column("closed", N)))
TEAMS = SheetSpec("teams", (
    Column("village_code"), Column("village", width=14), Column("team", T, 16), Column("leads", width=16),
    Column("member_count", N), Column("issues", N), Column("open", N), Column("closed", N)))
MEMBERS = SheetSpec("members", (
    Column("member_code"), Column("member", width=14), Column("roles", Show.role, 24), Column("villages", width=16),
    Column("teams", T, 24), Column("township", width=14), Column("department", width=18),
    Column("phone", width=14), Column("username", width=16), Column("linked", Show.yesno)))
ISSUES = SheetSpec("issues", (
    Column("number"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("reporter"), Column("urgency", Show.urgency), Column("level", Show.level),
    Column("status", Show.status, 14), Column("holder"), Column("department", width=18), Column("created", M, 17),
    Column("due", M, 17), Column("resolved", M, 17), Column("resolver"), Column("resolution", width=30),
    Column("verifier"), Column("closed_at", M, 17), Column("escalated", M, 17),
    Column("escalation_reason", width=24), Column("acknowledged", M, 17), Column("unmet_reason", width=24),
    Column("close_reason", width=24), Column("duplicate_of"), Column("place", width=20), Column("latitude", N),
    Column("longitude", N), Column("description", width=60)))
TIMELINE = SheetSpec("timeline", (
    Column("number"), Column("village_code"), Column("at", M, 17), Column("action", Show.event, 16),
    Column("actor_code"), Column("actor"), Column("status_from", Show.status, 14),
    Column("status_to", Show.status, 14), Column("detail", width=50)))
MEETINGS = SheetSpec("meetings", (
    Column("held_on", D), Column("unit_code"), Column("unit", width=14), Column("kind", Show.meeting, 14),
    Column("attendee_count", N), Column("attendees", width=40), Column("escalated_numbers", width=30),
    Column("recorded_by"), Column("recorded_at", M, 17)))
SCORES = SheetSpec("scores", (
    Column("month"), Column("scope", Show.scope), Column("code", width=14), Column("name", width=14),
    Column("team", T, 16), Column("score", N), *(Column(f"part_{part}", N) for part in SCORE_PARTS),
    Column("complete", Show.yesno)))
ROLES = SheetSpec("roles", (
    Column("role", Show.role, 16), Column("unit_code"), Column("unit", width=18), Column("team", T, 16)))
REPORTS = SheetSpec("reports", (
    Column("number"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("created", M, 17), Column("status", Show.status, 14), Column("level", Show.level),
    Column("closed_at", M, 17), Column("description", width=60)))
RESOLUTIONS = SheetSpec("resolutions", (
    Column("at", M, 17), Column("number"), Column("village", width=14), Column("team", T, 16),
    Column("action", Show.event, 16), Column("note", width=50), Column("status", Show.status, 14)))
VERIFICATIONS = SheetSpec("verifications", (
    Column("at", M, 17), Column("number"), Column("village", width=14), Column("team", T, 16),
    Column("action", Show.event, 16), Column("note", width=50)))
MEMBER_SCORES = SheetSpec("member_scores", (
    Column("month"), Column("village_code"), Column("village", width=14), Column("team", T, 16),
    Column("team_score", N), Column("services", N), Column("counted", N)))
SHEETS = (OVERVIEW, VILLAGES, TEAMS, MEMBERS, ISSUES, TIMELINE, MEETINGS, SCORES, ROLES, REPORTS, RESOLUTIONS,
          VERIFICATIONS, MEMBER_SCORES)
OVERVIEW_ITEMS = ("archive", "code", "name", "township", "exported", "villages", "teams", "members", "issues",
                  "open", "closed", "events", "meetings", "phone", "username", "linked", "roles", "reports",
                  "resolutions", "verifications")
TITLES = ("archive-title-township", "archive-title-county", "archive-title-village", "archive-title-member")


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


def find_subject(directory: Directory, kind: SubjectKind, code: str) -> Subject:
    """The township, village or member with this code (codes are matched as typed, then case-blind)."""
    if kind == SubjectKind.member:
        member = next((i for i, m in directory.members.items() if m[0] == code), None)
        member = member or next((i for i, m in directory.members.items() if m[0].upper() == code.upper()), None)
        if member is None:
            raise NotFound("export-unknown-code", code=code)
        return member_subject(directory, member)
    level = UnitLevel(kind.value)
    unit_id = next((i for i, u in directory.units.items() if u.level == level and u.code == code), None)
    unit_id = unit_id or next((i for i, u in directory.units.items()
                               if u.level == level and u.code.upper() == code.upper()), None)
    if unit_id is None:
        raise NotFound("export-unknown-code", code=code)
    return unit_subject(directory, unit_id)


def unit_subject(directory: Directory, unit_id: int) -> Subject:
    unit = directory.units[unit_id]
    if unit.level == UnitLevel.county:
        return Subject(SubjectKind.county, unit_id, unit.code, unit.name, directory.all_villages(), None)
    if unit.level == UnitLevel.township:
        return Subject(SubjectKind.township, unit_id, unit.code, unit.name, directory.villages_of(unit_id), unit_id)
    return Subject(SubjectKind.village, unit_id, unit.code, unit.name, (unit_id,), unit.parent_id)


def member_subject(directory: Directory, member_id: int) -> Subject:
    code, name, *_ = directory.members[member_id]
    villages = {directory.grant_village(g) for g in directory.by_member[member_id]}
    return Subject(SubjectKind.member, member_id, code, name,
                   tuple(directory.sorted_units(v for v in villages if v is not None)), None)


async def chat_subject(session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                       code: str | None) -> Subject:
    """What /export in this chat sends: the library of the township or county the group is bound to (or of a
    township or village inside it, named by code). Township supervisors of that township, county leaders and
    admins only; the county group's, county leaders and admins only."""
    if bound is None or bound.unit_id is None or bound.purpose not in (ChatPurpose.township, ChatPurpose.county):
        raise NotAllowed("export-only-township-or-county")
    allowed = actor is not None and (actor.is_county or (bound.purpose == ChatPurpose.township
                                                         and actor.supervises(bound.unit_id)))
    if not allowed:
        raise NotAllowed("export-not-allowed")
    directory = await Directory.load(session)
    unit_id = bound.unit_id
    if code:
        inside = {bound.unit_id, *(directory.all_villages() if bound.purpose == ChatPurpose.county
                                   else directory.villages_of(bound.unit_id))}
        if bound.purpose == ChatPurpose.county:
            inside |= {i for i, u in directory.units.items() if u.level == UnitLevel.township}
        unit_id = next((i for i in inside if directory.units[i].code.upper() == code.strip().upper()), None)
        if unit_id is None:
            raise NotFound("export-unknown-code", code=code.strip()[:40])
    subject = unit_subject(directory, unit_id)
    issues = await session.scalar(select(func.count()).select_from(Issue)
                                  .where(Issue.village_id.in_(subject.village_ids))) or 0
    if issues > CHAT_MAX_ISSUES:
        raise Conflict("export-too-big", issues=issues, limit=CHAT_MAX_ISSUES)
    return subject


class ScoreCache:
    """Monthly scores and members' services, computed once per month and shared by every workbook of a run."""

    def __init__(self, settings: Settings, now: datetime, township_id: int | None) -> None:
        self.settings, self.now, self.township_id = settings, now, township_id
        self._scores: dict[Month, MonthScores] = {}
        self._services: dict[Month, dict[int, int]] = {}

    async def scores(self, session: AsyncSession, month: Month) -> MonthScores:
        if month not in self._scores:
            self._scores[month] = await monthly_scores(session, self.settings, month.year, month.month,
                                                       now=self.now, township_id=self.township_id)
        return self._scores[month]

    async def services(self, session: AsyncSession, month: Month) -> dict[int, int]:
        if month not in self._services:
            tz = self.settings.tz
            logged = services_per_member(month.start(tz), min(month.following().start(tz), self.now))
            self._services[month] = {member: int(count) for member, count in
                                     await session.execute(select(logged.c.member_id, logged.c.services))}
        return self._services[month]


async def _months(session: AsyncSession, village_ids: tuple[int, ...], now: datetime,
                  settings: Settings) -> list[Month]:
    """From the month of the first issue in these villages to this month (just this month when there is none)."""
    first = None
    if village_ids:
        first = await session.scalar(select(func.min(Issue.created_at)).where(Issue.village_id.in_(village_ids)))
    month, last = Month.of(first or now, settings.tz), Month.of(now, settings.tz)
    months = []
    while month <= last:
        months.append(month)
        month = month.following()
    return months


async def _once(rows: list[Row]) -> Chunks:
    yield rows


async def _stream(session: AsyncSession, statement: Select[Any], convert: Any) -> Chunks:
    result = await session.stream(statement.execution_options(yield_per=CHUNK))
    async for partition in result.partitions(CHUNK):
        yield [convert(row) for row in partition]


def _in_villages(column: Any, subject: Subject) -> list[Any]:
    # The county covers every village: no list of ids to send.
    return [] if subject.kind == SubjectKind.county else [column.in_(subject.village_ids)]


@dataclass
class Archive:
    """The sheets of one subject's workbook, streamed in order; each stream must be read to its end before the
    next is started (they share the session's connection)."""

    session: AsyncSession
    subject: Subject
    directory: Directory
    cache: ScoreCache
    now: datetime
    settings: Settings
    _issue_totals: dict[tuple[int, int | None], Counter[str]] | None = None

    async def sheets(self) -> AsyncIterator[tuple[SheetSpec, Chunks]]:
        if self.subject.kind == SubjectKind.member:
            yield OVERVIEW, _once(await self._member_overview())
            yield ROLES, _once(self._roles())
            yield REPORTS, self._reports()
            yield RESOLUTIONS, self._member_events(RESOLVE_EVENTS, with_status=True)
            yield VERIFICATIONS, self._member_events(VERIFY_EVENTS, with_status=False)
            yield MEMBER_SCORES, _once(await self._member_scores())
            return
        yield OVERVIEW, _once(await self._unit_overview())
        if self.subject.kind != SubjectKind.village:
            yield VILLAGES, _once(await self._villages())
        yield TEAMS, _once(await self._teams())
        yield MEMBERS, _once(self._members())
        yield ISSUES, self._issues()
        yield TIMELINE, self._timeline()
        yield MEETINGS, self._meetings()
        yield SCORES, _once(await self._scores())

    async def _issue_counts(self) -> dict[tuple[int, int | None], Counter[str]]:
        """(village, team) -> issues in all, open and signed off; read once, shown on three sheets."""
        if self._issue_totals is not None:
            return self._issue_totals
        counts: dict[tuple[int, int | None], Counter[str]] = defaultdict(Counter)
        rows = await self.session.execute(
            select(Issue.village_id, Issue.team_id, Issue.status, func.count())
            .where(*_in_villages(Issue.village_id, self.subject))
            .group_by(Issue.village_id, Issue.team_id, Issue.status))
        for village_id, team_id, status, n in rows:
            counter = counts[(village_id, team_id)]
            counter["issues"] += n
            counter["open"] += 0 if status in CLOSED_STATUSES else n
            counter["closed"] += n if status == IssueStatus.closed else 0
        self._issue_totals = counts
        return counts

    async def _unit_overview(self) -> list[Row]:
        s, d = self.subject, self.directory
        counts = await self._issue_counts()
        total = sum(counts.values(), Counter())
        events = await self.session.scalar(
            select(func.count()).select_from(IssueEvent).join(Issue, Issue.id == IssueEvent.issue_id)
            .where(*_in_villages(Issue.village_id, s))) or 0
        meetings = await self.session.scalar(
            select(func.count()).select_from(Meeting).where(*self._meeting_scope())) or 0
        township = d.unit(d.units[s.id].parent_id) if s.kind == SubjectKind.village else None
        village_set = set(s.village_ids)
        rows: list[Row] = [
            ("archive", Label(f"archive-title-{s.kind.value}")), ("code", s.code), ("name", s.name),
            *([("township", f"{township.code} {township.name}")] if township else []),
            ("exported", self.now),
            *([("villages", len(s.village_ids))] if s.kind != SubjectKind.village else []),
            ("teams", sum(1 for village_id, _ in d.teams.values() if village_id in village_set)),
            ("members", len(d.member_ids(s))), ("issues", total["issues"]), ("open", total["open"]),
            ("closed", total["closed"]), ("events", events), ("meetings", meetings),
        ]
        return rows

    async def _villages(self) -> list[Row]:
        d, counts = self.directory, await self._issue_counts()
        members: dict[int, set[int]] = defaultdict(set)
        for grant in d.grants:
            village_id = d.grant_village(grant)
            if village_id is not None:
                members[village_id].add(grant.member_id)
        rows = []
        for village_id in self.subject.village_ids:
            village = d.units[village_id]
            township = d.unit(village.parent_id)
            total = sum((c for (v, _), c in counts.items() if v == village_id), Counter())
            rows.append((village.code, village.name, township.name if township else None,
                         sum(1 for v, _ in d.teams.values() if v == village_id), len(members[village_id]),
                         total["issues"], total["open"], total["closed"]))
        return rows

    async def _teams(self) -> list[Row]:
        d, counts = self.directory, await self._issue_counts()
        kind_order = {key: i for i, key in enumerate(self.settings.kind_keys)}
        village_set = set(self.subject.village_ids)
        teams = sorted((team_id for team_id, (village_id, _) in d.teams.items() if village_id in village_set),
                       key=lambda t: (d.units[d.teams[t][0]].code, kind_order.get(d.teams[t][1], 99), d.teams[t][1]))
        rows = []
        for team_id in teams:
            village_id, kind = d.teams[team_id]
            village = d.units[village_id]
            team_grants = d.by_team[team_id]
            leads = [d.name(g.member_id) for g in team_grants if g.role == RoleName.team_lead]
            count = counts.get((village_id, team_id), Counter())
            rows.append((village.code, village.name, kind, leads, len({g.member_id for g in team_grants}),
                         count["issues"], count["open"], count["closed"]))
        return rows

    def _members(self) -> list[Row]:
        d = self.directory
        rows = []
        for member_id in d.member_ids(self.subject):
            code, name, phone, username, linked = d.members[member_id]
            grants = d.by_member[member_id]
            villages = dict.fromkeys(d.units[v].name for v in (d.grant_village(g) for g in grants) if v is not None)
            kinds = dict.fromkeys(d.teams[g.team_id][1] for g in grants if g.team_id in d.teams)
            townships = dict.fromkeys(d.units[g.unit_id].name for g in grants if g.role == RoleName.township_supervisor
                                      and g.unit_id in d.units)
            departments = dict.fromkeys(d.departments[g.department_id][1] for g in grants
                                        if g.department_id in d.departments)
            roles = [role for role in RoleName if any(g.role == role for g in grants)]
            rows.append((code, name, roles, list(villages), list(kinds), list(townships), list(departments), phone,
                         username, linked))
        return rows

    def _issue_row(self, row: Any) -> Row:
        d = self.directory
        village = d.units[row.village_id]
        department = d.departments.get(row.department_id) if row.department_id else None
        return (row.number, village.code, village.name, row.kind, d.name(row.reporter_id), row.urgency.value,
                row.level.value, row.status.value, d.name(row.holder_id), department[1] if department else None,
                row.created_at, row.due_at, row.resolved_at, d.name(row.resolver_id), row.resolution_note,
                d.name(row.verifier_id), row.closed_at, row.escalated_at, row.escalation_reason,
                row.acknowledged_at, row.unmet_reason, row.close_reason, row.duplicate_of, row.place_text,
                row.latitude, row.longitude, row.description)

    def _issue_query(self) -> Select[Any]:
        original = aliased(Issue)
        return (select(Issue.number, Issue.village_id, Issue.kind, Issue.reporter_id, Issue.urgency, Issue.level,
                       Issue.status, Issue.holder_id, Issue.department_id, Issue.created_at, Issue.due_at,
                       Issue.resolved_at, Issue.resolver_id, Issue.resolution_note, Issue.verifier_id,
                       Issue.closed_at, Issue.escalated_at, Issue.escalation_reason, Issue.acknowledged_at,
                       Issue.unmet_reason, Issue.close_reason, original.number.label("duplicate_of"),
                       Issue.place_text, Issue.latitude, Issue.longitude, Issue.description)
                .outerjoin(original, original.id == Issue.duplicate_of_id)
                .order_by(Issue.id))

    def _issues(self) -> Chunks:
        return _stream(self.session, self._issue_query().where(*_in_villages(Issue.village_id, self.subject)),
                       self._issue_row)

    def _timeline(self) -> Chunks:
        d = self.directory

        def convert(row: Any) -> Row:
            data = row.data or {}
            detail = data.get("text") or data.get("of") or data.get("department")
            return (row.number, d.units[row.village_id].code, row.at, row.kind, d.code(row.actor_id),
                    d.name(row.actor_id), data.get("from"), data.get("to"), detail)

        # (issue_id, id) is the order of the issue_id index: no sort, and an issue's events in the order written.
        statement = (select(Issue.number, Issue.village_id, IssueEvent.at, IssueEvent.kind, IssueEvent.actor_id,
                            IssueEvent.data)
                     .join(Issue, Issue.id == IssueEvent.issue_id)
                     .where(*_in_villages(Issue.village_id, self.subject))
                     .order_by(IssueEvent.issue_id, IssueEvent.id))
        return _stream(self.session, statement, convert)

    def _meeting_scope(self) -> list[Any]:
        s = self.subject
        if s.kind == SubjectKind.county:
            return []
        return [Meeting.unit_id.in_((*s.village_ids, s.id))]

    def _meetings(self) -> Chunks:
        d = self.directory

        def convert(meeting: Meeting) -> Row:
            unit = d.unit(meeting.unit_id)
            department = d.departments.get(meeting.department_id) if meeting.department_id else None
            code, name = (unit.code, unit.name) if unit else department or (None, None)
            attendees = [d.name(member_id) for member_id in meeting.attendees or [] if member_id in d.members]
            escalated = [str(number) for number in (meeting.decisions or {}).get("escalated", [])]
            return (meeting.held_on, code, name, meeting.kind.value, len(meeting.attendees or []), attendees,
                    escalated, d.name(meeting.recorded_by_id), meeting.created_at)

        statement = select(Meeting).where(*self._meeting_scope()).order_by(Meeting.held_on, Meeting.id)

        async def rows() -> Chunks:
            async for chunk in _stream(self.session, statement, lambda row: convert(row[0])):
                yield chunk

        return rows()

    async def _scores(self) -> list[Row]:
        s, d = self.subject, self.directory
        villages = set(s.village_ids)
        rows: list[Row] = []
        for month in await _months(self.session, s.village_ids, self.now, self.settings):
            scores = await self.cache.scores(self.session, month)
            townships = [t for t in scores.townships.values()
                         if s.kind == SubjectKind.county or (s.kind == SubjectKind.township and t.id == s.id)]
            units = [*sorted(townships, key=lambda u: u.code),
                     *sorted((v for v in scores.villages.values() if v.id in villages), key=lambda u: u.code),
                     *sorted((t for t in scores.teams.values() if t.parent_id in villages),
                             key=lambda u: (d.units[u.parent_id or 0].code, u.kind or ""))]
            rows += [self._score_row(month, unit, scores.complete) for unit in units]
        return rows

    def _score_row(self, month: Month, unit: UnitScore, complete: bool) -> Row:
        parts = {part.key: part for part in unit.parts}
        points = [round(parts[key].points, 1) if key in parts and parts[key].rate is not None else None
                  for key in SCORE_PARTS]
        code, name = ((self.directory.units[unit.parent_id].code, unit.name) if unit.level == "team" and unit.parent_id
                      else (unit.code, unit.name))
        return (str(month), unit.level, code, name, unit.kind, unit.shown, *points, complete)

    # --- a member's file

    async def _member_overview(self) -> list[Row]:
        s, d = self.subject, self.directory
        code, name, phone, username, linked = d.members[s.id]
        reports = await self.session.scalar(select(func.count()).select_from(Issue)
                                            .where(Issue.reporter_id == s.id)) or 0
        by_kind = {kind: n for kind, n in await self.session.execute(
            select(IssueEvent.kind, func.count()).where(IssueEvent.actor_id == s.id,
                                                        IssueEvent.kind.in_((*RESOLVE_EVENTS, *VERIFY_EVENTS)))
            .group_by(IssueEvent.kind))}
        roles = [role for role in RoleName if any(g.role == role for g in d.by_member[s.id])]
        return [("archive", Label("archive-title-member")), ("code", code), ("name", name), ("exported", self.now),
                ("phone", phone), ("username", username), ("linked", linked), ("roles", roles),
                ("reports", reports), ("resolutions", sum(by_kind.get(k, 0) for k in RESOLVE_EVENTS)),
                ("verifications", sum(by_kind.get(k, 0) for k in VERIFY_EVENTS))]

    def _roles(self) -> list[Row]:
        d = self.directory
        rows = []
        for grant in d.by_member[self.subject.id]:
            kind = None
            if grant.team_id in d.teams:
                village_id, kind = d.teams[grant.team_id]
                code, name = d.units[village_id].code, d.units[village_id].name
            elif grant.department_id in d.departments:
                code, name = d.departments[grant.department_id]
            elif grant.unit_id in d.units:
                code, name = d.units[grant.unit_id].code, d.units[grant.unit_id].name
            else:
                code = name = None
            rows.append((grant.role, code, name, kind))
        return rows

    def _reports(self) -> Chunks:
        d = self.directory

        def convert(row: Any) -> Row:
            village = d.units[row.village_id]
            return (row.number, village.code, village.name, row.kind, row.created_at, row.status.value,
                    row.level.value, row.closed_at, row.description)

        statement = (select(Issue.number, Issue.village_id, Issue.kind, Issue.created_at, Issue.status, Issue.level,
                            Issue.closed_at, Issue.description)
                     .where(Issue.reporter_id == self.subject.id).order_by(Issue.id))
        return _stream(self.session, statement, convert)

    def _member_events(self, kinds: tuple[str, ...], *, with_status: bool) -> Chunks:
        d = self.directory

        def convert(row: Any) -> Row:
            data = row.data or {}
            base = (row.at, row.number, d.units[row.village_id].name, row.team_kind, row.kind, data.get("text"))
            return (*base, row.status.value) if with_status else base

        statement = (select(IssueEvent.at, Issue.number, Issue.village_id, Issue.kind.label("team_kind"),
                            IssueEvent.kind, IssueEvent.data, Issue.status)
                     .join(Issue, Issue.id == IssueEvent.issue_id)
                     .where(IssueEvent.actor_id == self.subject.id, IssueEvent.kind.in_(kinds))
                     .order_by(IssueEvent.at, IssueEvent.id))
        return _stream(self.session, statement, convert)

    async def _member_scores(self) -> list[Row]:
        """Per month and team of the member: the team's score, the services the member logged and how many of
        them counted towards it (at most `activity_cap` a month)."""
        d, member_id = self.directory, self.subject.id
        teams = list(dict.fromkeys(g.team_id for g in d.by_member[member_id] if g.team_id in d.teams))
        if not teams:
            return []
        cap = self.settings.scoring.activity_cap
        rows: list[Row] = []
        for month in await _months(self.session, self.subject.village_ids, self.now, self.settings):
            scores = await self.cache.scores(self.session, month)
            services = (await self.cache.services(self.session, month)).get(member_id, 0)
            for team_id in teams:
                village_id, kind = d.teams[team_id]
                team = scores.teams.get(team_id)
                rows.append((str(month), d.units[village_id].code, d.units[village_id].name, kind,
                             team.shown if team else None, services, min(services, cap)))
        return rows


def all_subjects(directory: Directory) -> list[Subject]:
    """Every township's library, every village's register and every member's file, in that order."""
    townships = directory.sorted_units(i for i, u in directory.units.items() if u.level == UnitLevel.township)
    members = sorted(directory.members, key=lambda member_id: directory.members[member_id][0])
    return [*(unit_subject(directory, i) for i in townships),
            *(unit_subject(directory, i) for i in directory.all_villages()),
            *(member_subject(directory, i) for i in members)]
