"""The year-end assessment: each village's and township's monthly scores over a year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.services.scoring import Month, UnitScore, monthly_scores


@dataclass(frozen=True)
class YearScore:
    """A township's or village's twelve monthly scores and what the year-end assessment says of them."""

    id: int
    code: str
    name: str
    parent_id: int | None
    monthly: tuple[tuple[Month, float | None], ...]

    @property
    def scored(self) -> list[tuple[Month, float]]:
        return [(month, value) for month, value in self.monthly if value is not None]

    @property
    def average(self) -> float | None:
        values = [value for _, value in self.scored]
        return sum(values) / len(values) if values else None

    @property
    def shown(self) -> float | None:
        return None if self.average is None else round(self.average, 1)

    @property
    def best(self) -> tuple[Month, float] | None:
        return max(self.scored, key=lambda entry: entry[1], default=None)

    @property
    def worst(self) -> tuple[Month, float] | None:
        return min(self.scored, key=lambda entry: entry[1], default=None)


async def year_scores(session: AsyncSession, settings: Settings, year: int, *,
                      now: datetime) -> tuple[dict[int, YearScore], dict[int, YearScore]]:
    """Each village's and township's scores in the months of `year` that have begun (villages, townships).
    A month without a score (no data at all) does not count towards the average."""
    months = [await monthly_scores(session, settings, year, month, now=now) for month in range(1, 13)
              if Month(year, month).start(settings.tz) < now]

    def summary(tables: list[dict[int, UnitScore]]) -> dict[int, YearScore]:
        latest = tables[-1] if tables else {}
        return {unit.id: YearScore(unit.id, unit.code, unit.name, unit.parent_id,
                                   tuple((scores.month, table[unit.id].value if unit.id in table else None)
                                         for scores, table in zip(months, tables, strict=True)))
                for unit in latest.values()}

    return (summary([scores.villages for scores in months]), summary([scores.townships for scores in months]))
