"""Rendering the weekly digest and the meeting agendas from the data the jobs queued."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.rendered import Rendered
from bot.messaging.text import local_date, shorten, split_message


def _kind(settings: Settings, t: Localizer, kind: str) -> str:
    team = settings.kind(kind)
    return team.label(t.language) if team else kind


def _date(value: str | None, settings: Settings) -> str:
    return local_date(datetime.fromisoformat(value), settings.tz) if value else "-"


def _item_line(item: dict[str, Any], t: Localizer, settings: Settings) -> str:
    return t("digest-item", number=item["number"], description=shorten(item["description"], 50),
             due=_date(item.get("due"), settings), overdue="yes" if item.get("overdue") else "no")


def render_weekly_digest(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    title = t("digest-title", name=data["name"], start=_date(data["start"], settings),
              end=_date(data["end"], settings))
    teams: dict[str, dict[str, int]] = data["teams"]
    if not any(any(counts.values()) for counts in teams.values()):
        return Rendered([f"{title}\n{t('digest-nothing')}"])
    lines = [title]
    order = [kind for kind in settings.kind_keys if kind in teams] + sorted(set(teams) - set(settings.kind_keys))
    for kind in order:
        counts = teams[kind]
        lines.append(t("digest-team", team=_kind(settings, t, kind), **counts))
    total = {name: sum(c[name] for c in teams.values()) for name in next(iter(teams.values()))}
    lines.append(t("digest-total", **total))
    if data.get("oldest"):
        lines.append(t("digest-oldest"))
        lines.extend(t("digest-oldest-item", number=i["number"], description=shorten(i["description"], 50))
                     for i in data["oldest"])
    return Rendered(split_message("\n".join(lines)))


def render_agenda(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    lines = [t("agenda-title", name=data["name"], date=data["date"])]
    teams: dict[str, list[dict[str, Any]]] = data["teams"]
    if not teams:
        lines.append(t("agenda-nothing"))
    for kind in [k for k in settings.kind_keys if k in teams] + sorted(set(teams) - set(settings.kind_keys)):
        lines.append(t("agenda-team", team=_kind(settings, t, kind), count=len(teams[kind])))
        lines.extend(_item_line(item, t, settings) for item in teams[kind])
    lines.append(t("agenda-footer"))
    return Rendered(split_message("\n".join(lines)))


def render_department_meeting(data: dict[str, Any], t: Localizer, settings: Settings) -> Rendered:
    items: list[dict[str, Any]] = data["items"]
    overdue = sum(1 for item in items if item.get("overdue"))
    lines = [t("dept-meeting-title", name=data["name"], date=data["date"], count=len(items), overdue=overdue)]
    if not items:
        lines.append(t("dept-meeting-nothing"))
    lines.extend(_item_line(item, t, settings) for item in items)
    return Rendered(split_message("\n".join(lines)))
