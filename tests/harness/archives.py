"""The archive tests' organisation: three issues in GC01-02's ecology team with their timelines, a joint
meeting and one issue elsewhere (tests/test_archives.py, tests/test_archive_export.py)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from openpyxl.workbook import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Issue, IssueEvent, IssueStatus, Meeting, MeetingKind, Member, RoleName, Team, Unit, Urgency
from tests.harness.people import members_with

ZH_LIBRARY = ["概况", "村", "工作队", "人员", "问题", "处理记录", "会议", "月度得分"]
FORMULA_LIKE = '=HYPERLINK("http://example.invalid")'


def utc(month: int, day: int, hour: int = 2) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@dataclass
class Seeded:
    reporter: Member
    mate: Member
    lead: Member


async def seed(session: AsyncSession) -> Seeded:
    """Three issues in GC01-02's ecology team with their timelines and a joint meeting; one issue elsewhere."""
    reporter, mate = (await members_with(session, RoleName.member, village="GC01-02", kind="ecology"))[:2]
    lead = (await members_with(session, RoleName.team_lead, village="GC01-02", kind="ecology"))[0]
    secretary = (await members_with(session, RoleName.village_secretary, village="GC01-02"))[0]
    team = await session.scalar(select(Team).join(Unit, Unit.id == Team.village_id)
                                .where(Unit.code == "GC01-02", Team.kind == "ecology"))
    elsewhere = await session.scalar(select(Team).join(Unit, Unit.id == Team.village_id)
                                     .where(Unit.code == "GC02-01", Team.kind == "ecology"))
    assert team is not None and elsewhere is not None
    numbers = itertools.count(1)

    def issue(by: Member, description: str, status: IssueStatus, at: Team = team, **fields: Any) -> Issue:
        created = fields.pop("created", utc(10, 5))
        row = Issue(number=f"2026-{next(numbers):04d}", village_id=at.village_id, team_id=at.id, kind=at.kind,
                    reporter_id=by.id, description=description, status=status, created_at=created,
                    updated_at=created, **fields)
        session.add(row)
        return row

    def event(on: Issue, by: Member | None, kind: str, at: datetime, **data: Any) -> None:
        session.add(IssueEvent(issue_id=on.id, actor_id=by.id if by else None, kind=kind, at=at, data=data))

    first = issue(reporter, "草场围栏损坏", IssueStatus.closed, resolver_id=mate.id, resolved_at=utc(10, 6),
                  verifier_id=lead.id, closed_at=utc(10, 7), resolution_note="已修好", due_at=utc(10, 12))
    second = issue(reporter, FORMULA_LIKE + "\x07", IssueStatus.in_progress, urgency=Urgency.urgent,
                   holder_id=mate.id, created=utc(10, 8))
    third = issue(mate, "围栏又坏了", IssueStatus.duplicate, created=utc(10, 9), close_reason="同一处")
    other = issue(reporter, "别的乡镇", IssueStatus.open, at=elsewhere, created=utc(10, 10))
    await session.flush()
    third.duplicate_of_id = first.id
    event(first, reporter, "reported", utc(10, 5), urgency="normal", photos=0)
    event(first, mate, "claim", utc(10, 5, 3), text=None, **{"from": "open", "to": "in_progress"})
    event(first, mate, "resolve", utc(10, 6), text="已修好", **{"from": "in_progress", "to": "resolved"})
    event(first, lead, "verify", utc(10, 7), text=None, **{"from": "resolved", "to": "closed"})
    event(second, reporter, "reported", utc(10, 8), urgency="urgent", photos=0)
    event(second, mate, "claim", utc(10, 8, 4), text=None, **{"from": "open", "to": "in_progress"})
    event(second, mate, "note", utc(10, 9), text="材料已订")
    event(third, mate, "reported", utc(10, 9), urgency="normal", photos=0)
    event(third, lead, "duplicate", utc(10, 9, 5), text="同一处", of="2026-0001",
          **{"from": "open", "to": "duplicate"})
    event(other, None, "reported", utc(10, 10))
    session.add(Meeting(unit_id=team.village_id, kind=MeetingKind.joint, held_on=date(2026, 10, 20),
                        attendees=[reporter.id, mate.id], decisions={"escalated": [second.number]},
                        recorded_by_id=secretary.id, created_at=utc(10, 20, 9)))
    await session.commit()
    return Seeded(reporter, mate, lead)


def rows(workbook: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(workbook[sheet].iter_rows(values_only=True))
