"""The monthly ranking and the year-end assessment, posted to every township group and the county group.

The jobs queue plain data (the rows below); bot/messaging/ranking.py turns it into text and a chart when the
outbox sends it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatPurpose, Unit
from bot.scheduler.runner import JobContext
from bot.services.chats import bindings
from bot.services.outbox import enqueue_reports
from bot.services.reserve import reserve_pool_records
from bot.services.scoring import Month, UnitScore, monthly_scores
from bot.services.scoring_ranks import Ranked, ranked
from bot.services.scoring_year import YearScore, year_scores

T = TypeVar("T", UnitScore, YearScore)


def score_row(entry: Ranked[UnitScore], *, own: bool = False) -> dict[str, Any]:
    unit = entry.unit
    return {"rank": entry.rank, "pos": entry.position, "code": unit.code, "name": unit.name, "kind": unit.kind,
            "score": unit.shown, "points": [round(part.points, 2) for part in unit.parts], "own": own}


def year_row(entry: Ranked[YearScore]) -> dict[str, Any]:
    unit = entry.unit
    best, worst = unit.best, unit.worst
    return {"rank": entry.rank, "pos": entry.position, "code": unit.code, "name": unit.name, "average": unit.shown,
            "months": len(unit.scored), "best": [str(best[0]), round(best[1], 1)] if best else None,
            "worst": [str(worst[0]), round(worst[1], 1)] if worst else None}


def ends(table: list[Ranked[Any]], top: int) -> list[Ranked[Any]]:
    """The top and the bottom of a table: the best to praise, the lagging to be talked to."""
    return [entry for entry in table if entry.position < top or entry.position >= len(table) - top]


def by_parent(table: list[Ranked[T]], parent: Callable[[T], int | None]) -> dict[int | None, list[Ranked[T]]]:
    """A ranked table split by township (or village), each part still in rank order: one pass for all groups."""
    result: dict[int | None, list[Ranked[T]]] = defaultdict(list)
    for entry in table:
        result[parent(entry.unit)].append(entry)
    return result


async def _names(session: AsyncSession) -> dict[int, str]:
    return {unit_id: name for unit_id, name in (await session.execute(select(Unit.id, Unit.name))).all()}


async def monthly_ranking(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    """Last month's ranking: to each township group its villages, the county's top teams and where its own
    teams stand; to the county group the townships and the top and bottom villages."""
    settings = ctx.settings
    month = Month.of(ctx.fire_time, settings.tz).previous()
    scores = await monthly_scores(session, settings, month.year, month.month, now=ctx.now)
    townships = ranked(scores.townships.values())
    villages = ranked(scores.villages.values())
    teams = ranked(scores.teams.values())
    top = settings.scoring.top_n
    township_of = {village.id: village.parent_id for village in scores.villages.values()}
    villages_of = by_parent(villages, lambda unit: unit.parent_id)
    teams_of = by_parent(teams, lambda unit: township_of.get(unit.parent_id) if unit.parent_id else None)
    reports: list[tuple[int, str, dict[str, Any], str]] = []
    for binding in await bindings(session, ChatPurpose.township):
        entry = next((e for e in townships if e.unit.id == binding.unit_id), None)
        if entry is None:
            continue
        own = {e.position for e in teams_of.get(binding.unit_id, [])}
        shown = [teams[position] for position in sorted(own | set(range(min(top, len(teams)))))]
        data = {"month": str(month), "name": entry.unit.name, "score": entry.unit.shown, "rank": entry.rank,
                "of": len(townships), "villages_of": len(villages), "teams_of": len(teams), "top": top,
                "villages": [score_row(e) for e in villages_of.get(binding.unit_id, [])],
                "teams": [score_row(e, own=e.position in own) for e in shown]}
        reports.append((binding.chat_id, "monthly_ranking_township", data, f"ranking:{ctx.period}:{binding.chat_id}"))
    names = await _names(session)
    for binding in await bindings(session, ChatPurpose.county):
        assert binding.unit_id is not None
        data = {"month": str(month), "name": names[binding.unit_id], "villages_of": len(villages), "top": top,
                "townships": [score_row(e) for e in townships], "villages": [score_row(e) for e in ends(villages, top)]}
        reports.append((binding.chat_id, "monthly_ranking_county", data, f"ranking:{ctx.period}:{binding.chat_id}"))
    posted = await enqueue_reports(session, reports, ctx.now)
    return {"posted": posted, "teams": len(teams), "villages": len(villages), "townships": len(townships)}


async def year_end_assessment(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    """Last year's twelve months per township and village: the average score, the best and the worst month;
    and the reserve-cadre pool with each one's record of the year (the county all of it, a township its own)."""
    settings = ctx.settings
    year = Month.of(ctx.fire_time, settings.tz).year - 1
    village_years, township_years = await year_scores(session, settings, year, now=ctx.now)
    townships = ranked(township_years.values())
    villages = ranked(village_years.values())
    top = settings.scoring.top_n
    villages_of = by_parent(villages, lambda unit: unit.parent_id)
    pool = [record.row() for record in await reserve_pool_records(session, year, tz=settings.tz)]
    reports: list[tuple[int, str, dict[str, Any], str]] = []
    for binding in await bindings(session, ChatPurpose.township):
        entry = next((e for e in townships if e.unit.id == binding.unit_id), None)
        if entry is None:
            continue
        data = {"year": str(year), "name": entry.unit.name, "average": entry.unit.shown, "rank": entry.rank,
                "of": len(townships), "villages_of": len(villages),
                "villages": [year_row(e) for e in villages_of.get(binding.unit_id, [])],
                "reserve": [row for row in pool if binding.unit_id in row["townships"]]}
        reports.append((binding.chat_id, "year_end_township", data, f"year_end:{ctx.period}:{binding.chat_id}"))
    names = await _names(session)
    for binding in await bindings(session, ChatPurpose.county):
        assert binding.unit_id is not None
        data = {"year": str(year), "name": names[binding.unit_id], "villages_of": len(villages), "top": top,
                "townships": [year_row(e) for e in townships], "villages": [year_row(e) for e in ends(villages, top)],
                "reserve": pool}
        reports.append((binding.chat_id, "year_end_county", data, f"year_end:{ctx.period}:{binding.chat_id}"))
    posted = await enqueue_reports(session, reports, ctx.now)
    return {"posted": posted, "villages": len(villages), "townships": len(townships)}
