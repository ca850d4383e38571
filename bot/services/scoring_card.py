"""What /score shows: the month and unit asked for, the unit's score and the units below it ranked."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Unit, UnitLevel
from bot.services.actors import Actor
from bot.services.errors import DomainError, NotFound
from bot.services.scoring import MAX_CODE, Month, UnitScore, monthly_scores
from bot.services.scoring_ranks import Ranked, ranked

MONTH_LIKE = re.compile(r"\d{4}(\D.*)?")


def parse_score_args(args: str | None, current: Month) -> tuple[str | None, Month]:
    """`/score [CODE] [YYYY-MM]`, in either order: the unit code (None: the chat's own) and the month."""
    code: str | None = None
    month: Month | None = None
    words = (args or "").split()
    if len(words) > 2:
        raise DomainError("score-usage")
    for word in words:
        if MONTH_LIKE.fullmatch(word):
            if month is not None:
                raise DomainError("score-usage")
            month = Month.parse(word)
        elif code is None:
            code = word[:MAX_CODE]
        else:
            raise DomainError("score-usage")
    month = month or current
    if month > current:
        raise DomainError("score-future-month", month=str(month))
    return code, month


async def score_subject(session: AsyncSession, *, code: str | None, chat_unit_id: int | None,
                        actor: Actor | None) -> Unit:
    """The unit named, else the chat's own unit, else (in private) the member's only village."""
    if code is not None:
        unit = await session.scalar(select(Unit).where(func.upper(Unit.code) == code.upper()))
        if unit is None:
            raise NotFound("score-unknown-code", code=code)
        return unit
    unit_id = chat_unit_id
    if unit_id is None and actor is not None and len(actor.village_ids) == 1:
        unit_id = next(iter(actor.village_ids))
    unit = await session.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise DomainError("score-usage")
    return unit


@dataclass(frozen=True)
class ScoreCard:
    """What /score shows: the unit's score with its parts (None for the county, which is not scored itself)
    and the units below it ranked: a village's teams, a township's villages, the county's townships."""

    month: Month
    complete: bool
    level: str
    code: str
    name: str
    subject: UnitScore | None
    below: list[Ranked[UnitScore]]


async def score_card(session: AsyncSession, settings: Settings, unit: Unit, month: Month,
                     now: datetime) -> ScoreCard:
    if unit.level == UnitLevel.village:
        scores = await monthly_scores(session, settings, month.year, month.month, now=now,
                                      township_id=unit.parent_id)
        subject = scores.villages[unit.id]
        below = ranked(team for team in scores.teams.values() if team.parent_id == unit.id)
    elif unit.level == UnitLevel.township:
        scores = await monthly_scores(session, settings, month.year, month.month, now=now, township_id=unit.id)
        subject = scores.townships[unit.id]
        below = ranked(scores.villages.values())
    else:
        scores = await monthly_scores(session, settings, month.year, month.month, now=now)
        subject, below = None, ranked(scores.townships.values())
    return ScoreCard(month, scores.complete, unit.level.value, unit.code, unit.name, subject, below)
