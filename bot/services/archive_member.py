"""A member's file (一人一档): their roles, the problems they reported, what they resolved and verified, and
their teams' monthly scores."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from sqlalchemy import func, select

from bot.models import Issue, IssueEvent, RoleName
from bot.services.archive_sheets import (
    MEMBER_SCORES,
    OVERVIEW,
    REPORTS,
    RESOLUTIONS,
    ROLES,
    VERIFICATIONS,
    Chunks,
    Label,
    Row,
    SheetSpec,
)
from bot.services.archive_source import ArchiveSource, archive_months, once, stream
from bot.services.lifecycle_rules import CLOSE_EVENTS, RESOLVE_EVENTS, Action

# a verifier's decisions on a resolved item: closed, or sent back
VERIFY_EVENTS = (*CLOSE_EVENTS, Action.reopen.value, Action.unmet.value)


class MemberFile(ArchiveSource):
    """The sheets of a member's file, streamed in order (see `Archive`)."""

    async def sheets(self) -> AsyncIterator[tuple[SheetSpec, Chunks]]:
        yield OVERVIEW, once(await self._member_overview())
        yield ROLES, once(self._roles())
        yield REPORTS, self._reports()
        yield RESOLUTIONS, self._member_events(RESOLVE_EVENTS, with_status=True)
        yield VERIFICATIONS, self._member_events(VERIFY_EVENTS, with_status=False)
        yield MEMBER_SCORES, once(await self._member_scores())

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
        return stream(self.session, statement, convert)

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
        return stream(self.session, statement, convert)

    async def _member_scores(self) -> list[Row]:
        """Per month and team of the member: the team's score, the services the member logged and how many of
        them counted towards it (at most `activity_cap` a month)."""
        d, member_id = self.directory, self.subject.id
        teams = list(dict.fromkeys(g.team_id for g in d.by_member[member_id] if g.team_id in d.teams))
        if not teams:
            return []
        cap = self.settings.scoring.activity_cap
        rows: list[Row] = []
        for month in await archive_months(self.session, self.subject.village_ids, self.now, self.settings):
            scores = await self.cache.scores(self.session, month)
            services = (await self.cache.services(self.session, month)).get(member_id, 0)
            for team_id in teams:
                village_id, kind = d.teams[team_id]
                team = scores.teams.get(team_id)
                rows.append((str(month), d.units[village_id].code, d.units[village_id].name, kind,
                             team.shown if team else None, services, min(services, cap)))
        return rows

