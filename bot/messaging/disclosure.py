"""Rendering the monthly public digest (公示) from the scrubbed data its job queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.cards import kind_label
from bot.messaging.rendered import Rendered
from bot.messaging.text import local_date, split_message


def _words(segments: list[list[str]] | None, t: Localizer) -> str:
    """Scrubbed text back to words: masks become 某某 / a phone mark in the reader's language."""
    return "".join(text if kind == "text" else t(f"disclosure-mask-{kind}") for kind, text in segments or [])


def _item(item: dict[str, Any], t: Localizer, settings: Settings) -> str:
    description = _words(item.get("description"), t)
    place = _words(item.get("place"), t)
    return t("disclosure-item", number=item["number"], team=kind_label(settings, t, item["kind"]),
             description=description or "-", place=place or "-", show_place="yes" if place else "no")


def _date(value: str | None, settings: Settings) -> str:
    return local_date(datetime.fromisoformat(value) if value else None, settings.tz)


def _more(shown: int, total: int, t: Localizer) -> list[str]:
    return [t("disclosure-more", count=total - shown)] if total > shown else []


def _rank_row(row: dict[str, Any], t: Localizer) -> str:
    own = "yes" if row["own"] else "no"
    if row["rank"] is None:
        return t("disclosure-rank-none", name=row["name"], own=own)
    return t("disclosure-rank-row", rank=row["rank"], name=row["name"], signed=row["signed"], items=row["items"],
             share=f"{row['share']:.1f}%", own=own)


def render_disclosure(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    lines = [t("disclosure-title", name=data["name"], month=data["month"]),
             t("disclosure-summary", solved=data["solved_count"], pending=data["pending_count"],
               overdue=data["overdue_count"])]
    if data["solved"]:
        lines += ["", t("disclosure-solved")]
        lines += [t("disclosure-mark", overdue="no") + _item(item, t, settings)
                  + t("disclosure-signed-on", date=_date(item["date"], settings)) for item in data["solved"]]
        lines += _more(len(data["solved"]), data["solved_count"], t)
    if data["pending"]:
        lines += ["", t("disclosure-pending")]
        lines += [t("disclosure-mark", overdue="yes" if item["overdue"] else "no") + _item(item, t, settings)
                  + t("disclosure-state", status=t(f"status-{item['status']}"), level=t(f"level-{item['level']}"))
                  for item in data["pending"]]
        lines += _more(len(data["pending"]), data["pending_count"], t)
    if data["ranking"]:
        lines += ["", t("disclosure-ranking", township=data["township"], month=data["month"])]
        lines += [_rank_row(row, t) for row in data["ranking"]]
    lines += ["", t("disclosure-footer")]
    return Rendered(split_message("\n".join(lines)))
