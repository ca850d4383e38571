"""What the sheets of an archive read from: the session, the subject, the directory of names and the monthly
scores shared by every workbook of a run; rows are streamed in chunks with a server-side cursor, so an archive
of any size passes through in constant memory."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue
from bot.services.archive_directory import Directory, Subject, SubjectKind
from bot.services.archive_sheets import Chunks, Row
from bot.services.scoring import Month, MonthScores, monthly_scores
from bot.services.scoring_counts import services_per_member

CHUNK = 1000


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


async def archive_months(session: AsyncSession, village_ids: tuple[int, ...], now: datetime,
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


async def once(rows: list[Row]) -> Chunks:
    yield rows


async def stream(session: AsyncSession, statement: Select[Any], convert: Any) -> Chunks:
    result = await session.stream(statement.execution_options(yield_per=CHUNK))
    async for partition in result.partitions(CHUNK):
        yield [convert(row) for row in partition]


def in_villages(column: Any, subject: Subject) -> list[Any]:
    # The county covers every village: no list of ids to send.
    return [] if subject.kind == SubjectKind.county else [column.in_(subject.village_ids)]


@dataclass
class ArchiveSource:
    session: AsyncSession
    subject: Subject
    directory: Directory
    cache: ScoreCache
    now: datetime
    settings: Settings
