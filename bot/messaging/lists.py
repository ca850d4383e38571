"""Rendering lists of issues (paged, never cut off) and the full form with its timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.callbacks import Page
from bot.messaging.cards import age_days, card_text, kind_label
from bot.messaging.text import MESSAGE_LIMIT, local_date, local_time, shorten, split_message
from bot.models import CLOSED_STATUSES, IssueStatus
from bot.services.issue_views import EventView, IssueView, ListItem
from bot.services.supervision import TownshipSummary

PAGE_SIZE = 10


@dataclass(frozen=True)
class PagedText:
    text: str
    keyboard: InlineKeyboardMarkup | None


def _line(item: ListItem, t: Localizer, settings: Settings, now: datetime) -> str:
    overdue = item.due_at is not None and item.due_at < now and IssueStatus(item.status) not in CLOSED_STATUSES
    return t("list-line", number=item.number, status=t(f"status-{item.status}"), days=age_days(item.created_at, now),
             description=shorten(item.description, 60), overdue="yes" if overdue else "no",
             due=local_date(item.due_at, settings.tz))


def render_page(items: list[ListItem], *, view: str, page: int, title: str, empty: str, t: Localizer,
                settings: Settings, now: datetime, group_by_team: bool) -> PagedText:
    if not items:
        return PagedText(empty, None)
    pages = (len(items) + PAGE_SIZE - 1) // PAGE_SIZE
    page = min(max(page, 0), pages - 1)
    chunk = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    lines = [title, t("list-page", page=page + 1, pages=pages, total=len(items))]
    current_kind = None
    for item in chunk:
        if group_by_team and item.kind != current_kind:
            current_kind = item.kind
            lines.append("")
            lines.append(t("list-team", team=kind_label(settings, t, item.kind)))
        lines.append(_line(item, t, settings, now))
    buttons = []
    if page > 0:
        buttons.append(InlineKeyboardButton(text=t("page-previous"),
                                            callback_data=Page(view=view, page=page - 1).pack()))
    if page < pages - 1:
        buttons.append(InlineKeyboardButton(text=t("page-next"), callback_data=Page(view=view, page=page + 1).pack()))
    keyboard = InlineKeyboardMarkup(inline_keyboard=[buttons]) if buttons else None
    return PagedText("\n".join(lines)[:MESSAGE_LIMIT], keyboard)


def _event_line(event: EventView, t: Localizer, settings: Settings) -> str:
    detail = event.data.get("text") or event.data.get("of") or ""
    return t("timeline-line", at=local_time(event.at, settings.tz), actor=event.actor or t("timeline-system"),
             action=t(f"event-{event.kind}"), detail=shorten(str(detail), 200))


def render_form(view: IssueView, events: list[EventView], t: Localizer, settings: Settings,
                now: datetime) -> list[str]:
    """The full form: every field, the whole description and the timeline; split to fit Telegram."""
    text = card_text(view, t, settings, now, limit=10**6)
    if view.issue.description and view.issue.description not in text:
        text += "\n\n" + view.issue.description
    lines = [text, "", t("timeline-title"), *(_event_line(event, t, settings) for event in events)]
    return split_message("\n".join(lines))



def render_overview(summaries: list[TownshipSummary], t: Localizer, settings: Settings, now: datetime) -> list[str]:
    lines = [t("overview-title", date=local_date(now, settings.tz))]
    for summary in summaries:
        lines.append("")
        lines.append(t("overview-township", name=summary.name, open=summary.open, overdue=summary.overdue,
                       unacknowledged=summary.unacknowledged))
        lines.extend(_line(item, t, settings, now) for item in summary.oldest)
    return split_message("\n".join(lines))
