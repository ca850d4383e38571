"""The monthly 100-point score (DESIGN §8) of every team, village and township; docs/scoring.md is the formula.

Rates, not volumes, so that splitting work or logging noise earns nothing:
- resolution: the share of the month's due problems verified by someone other than the resolver;
- on time: the share of them also resolved by the due date (an open overdue item is late);
- activity: services per team member, each member counting at most `activity_cap` a month;
- acknowledgement (townships only): the share of escalations answered within `township_ack_hours`.
A problem is a team's items reported on the same day, done only when all are: five pieces of one problem
weigh what the one would. A part with no data, or one that does not apply at a level, is left out and its
weight shared among the others in proportion, so a team with nothing due is scored on what it did.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Team, Unit, UnitLevel, utcnow
from bot.services.errors import DomainError
from bot.services.scoring_counts import Tally, acknowledgements, due_counts, team_activity

PARTS = ("resolution", "on_time", "activity", "acknowledgement")
TEAM, VILLAGE, TOWNSHIP = "team", "village", "township"
MONTH = re.compile(r"(\d{4})-(\d{1,2})")
MAX_CODE = 40


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, moment: datetime, tz: ZoneInfo) -> Month:
        local = moment.astimezone(tz)
        return cls(local.year, local.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        match = MONTH.fullmatch(text.strip())
        if match is None or not 1 <= int(match[2]) <= 12 or not 2000 <= int(match[1]) <= 2999:
            raise DomainError("score-bad-month", text=text.strip()[:MAX_CODE])
        return cls(int(match[1]), int(match[2]))

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def following(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def start(self, tz: ZoneInfo) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=tz).astimezone(UTC)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True, slots=True)
class Part:
    key: str
    weight: int
    done: int
    total: int
    applies: bool        # False: not scored at this level (acknowledgement below the township)
    points: float        # rate × weight × 100 / pool, 0 when the part is left out

    @property
    def rate(self) -> float | None:
        return self.done / self.total if self.applies and self.total else None


@dataclass(frozen=True, slots=True)
class UnitScore:
    level: str           # team, village or township
    id: int              # the team's or the unit's id
    code: str            # a team's is its village's code and kind: GC01-02/ecology
    name: str            # a team's is its village's name
    kind: str | None     # a team's kind key
    parent_id: int | None
    tally: Tally
    parts: tuple[Part, ...]
    pool: int            # the weights of the parts that have data: the points are scaled to it
    value: float | None  # None: no part had data

    @property
    def shown(self) -> float | None:
        """The score as shown (one decimal); ranks compare this, so equal-looking scores share a rank."""
        return None if self.value is None else round(self.value, 1)


def score_parts(tally: Tally, level: str, weights: dict[str, int],
                cap: int) -> tuple[tuple[Part, ...], int, float | None]:
    """The parts, the pool of weights they are scaled to, and the score (None if no part has data)."""
    township = level == TOWNSHIP
    counts = (  # in the order of PARTS
        ("resolution", tally.problems_verified, tally.problems, True),
        ("on_time", tally.problems_on_time, tally.problems, True),
        ("activity", tally.services_counted, tally.members * cap, True),
        ("acknowledgement", tally.acknowledged, tally.escalations, township),
    )
    pool = sum(weights[key] for key, _, total, applies in counts if applies and total)
    parts = tuple(Part(key, weights[key], done, total, applies,
                       100 * weights[key] * done / total / pool if pool and applies and total else 0.0)
                  for key, done, total, applies in counts)
    return parts, pool, sum(part.points for part in parts) if pool else None


@dataclass(frozen=True)
class MonthScores:
    month: Month
    complete: bool       # False while the month is still running (the score covers it up to now)
    teams: dict[int, UnitScore]
    villages: dict[int, UnitScore]
    townships: dict[int, UnitScore]



async def monthly_scores(session: AsyncSession, settings: Settings, year: int, month: int, *,
                         now: datetime | None = None, township_id: int | None = None) -> MonthScores:
    """The scores of every team, village and township for one calendar month in the county's time zone
    (only those of one township with `township_id`). A running month is scored up to `now`."""
    tz = settings.tz
    period = Month(year, month)
    start, end = period.start(tz), period.following().start(tz)
    cutoff = min(end, now or utcnow())
    if cutoff <= start:
        raise DomainError("score-future-month", month=str(period))
    unit_rows = (await session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id))).all()
    units = {row.id: row for row in unit_rows}
    villages = {row.id: row for row in unit_rows if row.level == UnitLevel.village
                and (township_id is None or row.parent_id == township_id)}
    townships = {row.id: row for row in unit_rows if row.level == UnitLevel.township
                 and (township_id is None or row.id == township_id)}
    scope: Collection[int] | None = None if township_id is None else list(villages)
    team_query = select(Team.id, Team.village_id, Team.kind)
    if scope is not None:
        team_query = team_query.where(Team.village_id.in_(scope))
    teams = [row for row in (await session.execute(team_query)).all() if row.village_id in villages]

    team_tally = {team.id: Tally() for team in teams}
    village_tally = {village: Tally() for village in villages}
    township_tally = {township: Tally() for township in townships}
    offset = start.astimezone(tz).utcoffset() or timedelta()
    for (village, team), counts in (await due_counts(session, start, cutoff, offset, scope)).items():
        if team in team_tally:
            team_tally[team].add(counts)
        if village in village_tally:
            village_tally[village].add(counts)
    activity = await team_activity(session, start, cutoff, settings.scoring.activity_cap, scope)
    for team in teams:
        if team.id in activity:
            team_tally[team.id].add(activity[team.id])
            village_tally[team.village_id].add(activity[team.id])
    for village, tally in village_tally.items():
        if villages[village].parent_id in township_tally:
            township_tally[villages[village].parent_id].add(tally)
    ack = await acknowledgements(session, start, cutoff, settings.deadlines.township_ack_hours, scope)
    for township, counts in ack.items():
        if township in township_tally:
            township_tally[township].add(counts)

    weights = settings.scoring.weights.model_dump()

    def scored(level: str, id_: int, code: str, name: str, kind: str | None, parent: int | None,
               tally: Tally) -> UnitScore:
        parts, pool, value = score_parts(tally, level, weights, settings.scoring.activity_cap)
        return UnitScore(level, id_, code, name, kind, parent, tally, parts, pool, value)

    return MonthScores(
        period, cutoff >= end,
        teams={team.id: scored(TEAM, team.id, f"{units[team.village_id].code}/{team.kind}",
                               units[team.village_id].name, team.kind, team.village_id, team_tally[team.id])
               for team in teams},
        villages={v.id: scored(VILLAGE, v.id, v.code, v.name, None, v.parent_id, village_tally[v.id])
                  for v in villages.values()},
        townships={t.id: scored(TOWNSHIP, t.id, t.code, t.name, None, t.parent_id, township_tally[t.id])
                   for t in townships.values()},
    )
