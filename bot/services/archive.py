"""What the archives hold (DESIGN §1.7): one library per township (一乡一库), one register per village (一村一册),
one file per person (一人一档).

An archive is a list of sheets; each is a spec (its columns and how each value shows: archive_sheets.py) and
an async stream of raw rows in chunks, read with a server-side cursor, so an archive of any size passes through
in constant memory (archive_source.py). The workbook writer (bot/messaging/workbook.py) turns the raw values
into cells and words. Names of people, units and teams are looked up in a `Directory` loaded once
(archive_directory.py), which grows with the organisation, never with the number of issues. This file holds a
township's library and a village's register; archive_member.py a member's file.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from bot.models import CLOSED_STATUSES, Issue, IssueEvent, IssueStatus, Meeting, RoleName
from bot.services.archive_directory import SubjectKind
from bot.services.archive_member import MemberFile
from bot.services.archive_sheets import (
    ISSUES,
    MEETINGS,
    MEMBERS,
    OVERVIEW,
    SCORES,
    TEAMS,
    TIMELINE,
    VILLAGES,
    Chunks,
    Label,
    Row,
    SheetSpec,
)
from bot.services.archive_source import ArchiveSource, archive_months, in_villages, once, stream
from bot.services.scoring import PARTS, Month, UnitScore


@dataclass
class Archive(ArchiveSource):
    """The sheets of one subject's workbook, streamed in order; each stream must be read to its end before the
    next is started (they share the session's connection)."""

    _issue_totals: dict[tuple[int, int | None], Counter[str]] | None = None

    async def sheets(self) -> AsyncIterator[tuple[SheetSpec, Chunks]]:
        if self.subject.kind == SubjectKind.member:
            member_file = MemberFile(self.session, self.subject, self.directory, self.cache, self.now, self.settings)
            async for sheet in member_file.sheets():
                yield sheet
            return
        yield OVERVIEW, once(await self._unit_overview())
        if self.subject.kind != SubjectKind.village:
            yield VILLAGES, once(await self._villages())
        yield TEAMS, once(await self._teams())
        yield MEMBERS, once(self._members())
        yield ISSUES, self._issues()
        yield TIMELINE, self._timeline()
        yield MEETINGS, self._meetings()
        yield SCORES, once(await self._scores())

    async def _issue_counts(self) -> dict[tuple[int, int | None], Counter[str]]:
        """(village, team) -> issues in all, open and signed off; read once, shown on three sheets."""
        if self._issue_totals is not None:
            return self._issue_totals
        counts: dict[tuple[int, int | None], Counter[str]] = defaultdict(Counter)
        rows = await self.session.execute(
            select(Issue.village_id, Issue.team_id, Issue.status, func.count())
            .where(*in_villages(Issue.village_id, self.subject))
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
            .where(*in_villages(Issue.village_id, s))) or 0
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
        return stream(self.session, self._issue_query().where(*in_villages(Issue.village_id, self.subject)),
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
                     .where(*in_villages(Issue.village_id, self.subject))
                     .order_by(IssueEvent.issue_id, IssueEvent.id))
        return stream(self.session, statement, convert)

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
            async for chunk in stream(self.session, statement, lambda row: convert(row[0])):
                yield chunk

        return rows()

    async def _scores(self) -> list[Row]:
        s, d = self.subject, self.directory
        villages = set(s.village_ids)
        rows: list[Row] = []
        for month in await archive_months(self.session, s.village_ids, self.now, self.settings):
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
                  for key in PARTS]
        code, name = ((self.directory.units[unit.parent_id].code, unit.name) if unit.level == "team" and unit.parent_id
                      else (unit.code, unit.name))
        return (str(month), unit.level, code, name, unit.kind, unit.shown, *points, complete)
