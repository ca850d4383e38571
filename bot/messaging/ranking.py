"""Rendering scores: the /score breakdown, and the monthly ranking and year-end assessment from the data their jobs
queued (bot/scheduler/ranking_jobs.py shapes it), as text and a chart drawn here, in the sender's worker thread."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.charts import Bar, range_bars, stacked_bars
from bot.messaging.rendered import Rendered
from bot.messaging.reserve import reserve_lines
from bot.messaging.text import CAPTION_LIMIT, shorten, split_message
from bot.services.scoring import PARTS, Part, UnitScore
from bot.services.scoring_card import ScoreCard

INDENT = "  "
OWN_MARKER = "👉 "


def _number(value: float | None, t: Localizer) -> str:
    return t("score-none") if value is None else f"{value:.1f}"


def _rank(rank: int | None) -> str:
    return "-" if rank is None else str(rank)


def _kind(settings: Settings, t: Localizer, kind: str) -> str:
    team = settings.kind(kind)
    return team.label(t.language) if team else kind


def unit_name(name: str, kind: str | None, t: Localizer, settings: Settings) -> str:
    """A unit's name; a team is named by its village and kind."""
    return name if kind is None else t("ranking-team-name", village=name, team=_kind(settings, t, kind))


def _part_lines(unit: UnitScore, part: Part, t: Localizer, settings: Settings) -> list[str]:
    label = t(f"score-part-{part.key}")
    if not part.applies:
        return [t("score-part-not-counted", part=label, weight=part.weight)]
    if part.rate is None:
        return [t("score-part-no-data", part=label, weight=part.weight)]
    tally = unit.tally
    details = {
        "resolution": {"items": tally.items, "verified": tally.verified, "problems": tally.problems,
                       "problems_verified": tally.problems_verified},
        "on_time": {"items": tally.items, "on_time": tally.on_time, "problems": tally.problems,
                    "problems_on_time": tally.problems_on_time},
        "activity": {"members": tally.members, "services": tally.services, "cap": settings.scoring.activity_cap,
                     "counted": tally.services_counted, "possible": part.total},
        "acknowledgement": {"escalations": tally.escalations, "acknowledged": tally.acknowledged,
                            "hours": settings.deadlines.township_ack_hours},
    }[part.key]
    return [t("score-part", part=label, weight=part.weight, rate=f"{part.rate * 100:.1f}%",
              points=f"{part.points:.1f}"),
            INDENT + t(f"score-detail-{part.key}", **details)]


def render_score(card: ScoreCard, t: Localizer, settings: Settings) -> list[str]:
    """The /score answer: the score, each part with its weight, rate, points and the counts behind it, and the
    units below ranked."""
    month = str(card.month)
    subject = card.subject
    if subject is None:
        lines = [t("score-county-title", name=card.name, code=card.code, month=month)]
    else:
        lines = [t("score-title", name=card.name, code=card.code, month=month, score=_number(subject.value, t))]
    if not card.complete:
        lines.append(t("score-running"))
    if subject is not None:
        if subject.value is None:
            lines.append(t("score-no-data"))
        else:
            for part in subject.parts:
                lines.extend(_part_lines(subject, part, t, settings))
            lines.append(t("score-formula", pool=subject.pool))
    if card.below:
        lines.append("")
        lines.append(t(f"score-below-{card.level}"))
        lines.extend(t("score-row", rank=_rank(entry.rank), score=_number(entry.unit.value, t),
                       name=_kind(settings, t, entry.unit.kind) if entry.unit.kind else entry.unit.name)
                     for entry in card.below)
    return split_message("\n".join(lines))


def _table(rows: list[dict[str, Any]], line: Callable[[dict[str, Any]], str], t: Localizer) -> list[str]:
    """Ranked rows, with a gap line where rows of the full table were left out."""
    lines: list[str] = []
    for index, row in enumerate(rows):
        if index and row["pos"] > rows[index - 1]["pos"] + 1:
            lines.append(t("ranking-gap"))
        lines.append(line(row))
    return lines


def _rows(rows: list[dict[str, Any]], t: Localizer, settings: Settings) -> list[str]:
    return _table(rows, lambda row: t("ranking-row", marker=OWN_MARKER if row.get("own") else "",
                                      rank=_rank(row["rank"]), name=unit_name(row["name"], row["kind"], t, settings),
                                      score=_number(row["score"], t)), t)


def _score_chart(rows: list[dict[str, Any]], title: str, t: Localizer) -> bytes:
    bars = [Bar(row["name"], row["code"], tuple(row["points"])) for row in rows]
    return stacked_bars(bars, title=title, legend=[t(f"score-part-{key}") for key in PARTS])


def render_township_ranking(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    """To a township group: its rank, its villages ranked, the county's top teams and where its own teams stand."""
    name, month = data["name"], data["month"]
    lines = [t("ranking-township-title", name=name, month=month),
             t("ranking-township-rank", score=_number(data["score"], t), rank=_rank(data["rank"]), of=data["of"]),
             "", t("ranking-villages", of=data["villages_of"])]
    lines.extend(t("ranking-village-row", position=position, name=row["name"], score=_number(row["score"], t),
                   rank=_rank(row["rank"]))
                 for position, row in enumerate(data["villages"], start=1))
    lines += ["", t("ranking-teams", top=data["top"], of=data["teams_of"]), *_rows(data["teams"], t, settings),
              "", t("ranking-footer")]
    chart = _score_chart(data["villages"], t("ranking-chart-title", name=name, month=month), t)
    return Rendered(split_message("\n".join(lines)), chart,
                    shorten(t("ranking-caption", name=name, month=month), CAPTION_LIMIT))


def render_county_ranking(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    """To the county group: the townships ranked and the villages at the top and the bottom."""
    name, month = data["name"], data["month"]
    lines = [t("ranking-county-title", name=name, month=month), "", t("ranking-townships"),
             *_rows(data["townships"], t, settings), "",
             t("ranking-county-villages", top=data["top"], of=data["villages_of"]),
             *_rows(data["villages"], t, settings), "", t("ranking-footer")]
    chart = _score_chart(data["townships"], t("ranking-chart-title", name=name, month=month), t)
    return Rendered(split_message("\n".join(lines)), chart,
                    shorten(t("ranking-caption", name=name, month=month), CAPTION_LIMIT))


def _year_line(row: dict[str, Any], t: Localizer) -> str:
    if row["average"] is None:
        return t("year-row-none", rank=_rank(row["rank"]), name=row["name"])
    best_month, best = row["best"]
    worst_month, worst = row["worst"]
    return t("year-row", rank=_rank(row["rank"]), name=row["name"], average=_number(row["average"], t),
             months=row["months"], best_month=best_month, best=_number(best, t), worst_month=worst_month,
             worst=_number(worst, t))


def _year_rows(rows: list[dict[str, Any]], t: Localizer) -> list[str]:
    return _table(rows, lambda row: _year_line(row, t), t)


def _year_chart(rows: list[dict[str, Any]], title: str) -> bytes:
    bars = [Bar(row["name"], row["code"], (row["average"] or 0.0,), row["worst"][1] if row["worst"] else None,
                row["best"][1] if row["best"] else None) for row in rows]
    return range_bars(bars, title=title)


def render_township_year(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    name, year = data["name"], data["year"]
    lines = [t("year-township-title", name=name, year=year),
             t("year-township-rank", average=_number(data["average"], t), rank=_rank(data["rank"]), of=data["of"]),
             "", t("year-villages", of=data["villages_of"]), *(_year_line(row, t) for row in data["villages"]),
             *reserve_lines(data.get("reserve", []), t)]
    chart = _year_chart(data["villages"], t("year-chart-title", name=name, year=year))
    return Rendered(split_message("\n".join(lines)), chart,
                    shorten(t("year-caption", name=name, year=year), CAPTION_LIMIT))


def render_county_year(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    name, year = data["name"], data["year"]
    lines = [t("year-county-title", name=name, year=year), "", t("year-townships"),
             *_year_rows(data["townships"], t), "",
             t("year-county-villages", top=data["top"], of=data["villages_of"]), *_year_rows(data["villages"], t),
             *reserve_lines(data.get("reserve", []), t)]
    chart = _year_chart(data["townships"], t("year-chart-title", name=name, year=year))
    return Rendered(split_message("\n".join(lines)), chart,
                    shorten(t("year-caption", name=name, year=year), CAPTION_LIMIT))
