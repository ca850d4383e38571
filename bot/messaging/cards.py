"""The issue card: the form in a few lines, with the buttons the item allows now."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.callbacks import CardAction
from bot.messaging.text import CAPTION_LIMIT, MESSAGE_LIMIT, local_date, shorten
from bot.models import Urgency
from bot.services.issue_views import IssueView
from bot.services.lifecycle import buttons_for

PHOTOS_ACTION = "photos"


@dataclass(frozen=True)
class Card:
    text: str
    keyboard: InlineKeyboardMarkup | None
    photo: str | None


def kind_label(settings: Settings, t: Localizer, kind: str) -> str:
    team_kind = settings.kind(kind)
    return team_kind.label(t.language) if team_kind else kind


def age_days(created_at: datetime, now: datetime) -> int:
    return max((now - created_at).days, 0)


def _place(view: IssueView) -> str | None:
    issue = view.issue
    if issue.place_text:
        return issue.place_text
    if issue.latitude is not None and issue.longitude is not None:
        return f"{issue.latitude:.5f}, {issue.longitude:.5f}"
    return None


def card_text(view: IssueView, t: Localizer, settings: Settings, now: datetime, limit: int) -> str:
    issue = view.issue
    head = [t("card-title", number=issue.number, team=kind_label(settings, t, issue.kind),
              urgent="yes" if issue.urgency == Urgency.urgent else "no")]
    head.append(t("card-origin", village=view.village, reporter=view.reporter,
                  days=age_days(issue.created_at, now)))
    head.append(t("card-status", status=t(f"status-{issue.status.value}"), level=t(f"level-{issue.level.value}"),
                  holder=view.holder or "-"))
    if issue.due_at is not None:
        head.append(t("card-due", date=local_date(issue.due_at, settings.tz),
                      overdue="yes" if view.overdue(now) else "no"))
    place = _place(view)
    if place:
        head.append(t("card-place", place=place))
    if issue.level.value != "village":
        if issue.acknowledged_at is None:
            head.append(t("card-awaiting-ack"))
        else:
            head.append(t("card-owner", owner=view.owner or "-"))
    if issue.escalation_reason:
        head.append(t("card-escalated", reason=shorten(issue.escalation_reason, 200)))
    if view.department:
        head.append(t("card-department", department=view.department,
                      acknowledged="yes" if issue.department_acknowledged_at else "no"))
    tail: list[str] = []
    if issue.resolution_note:
        tail.append(t("card-resolution", resolver=view.resolver or "-", note=shorten(issue.resolution_note, 300)))
    if view.verifier:
        tail.append(t("card-verified", verifier=view.verifier))
    if issue.unmet_reason and issue.status.value in ("open", "in_progress"):
        tail.append(t("card-unmet", reason=shorten(issue.unmet_reason, 300)))
    if issue.close_reason:
        tail.append(t("card-closed-reason", reason=shorten(issue.close_reason, 300)))
    if view.duplicate_of:
        tail.append(t("card-duplicate-of", number=view.duplicate_of))
    frame = "\n".join(head) + "\n\n" + "\n\n" + "\n".join(tail)
    budget = max(limit - len(frame) - 40, 80)
    description = issue.description
    if len(description) > budget:
        description = shorten(description, budget) + "\n" + t("card-more", number=issue.number)
    return ("\n".join(head) + "\n\n" + description + ("\n\n" + "\n".join(tail) if tail else ""))[:limit]


def card_keyboard(view: IssueView, t: Localizer, purpose: str) -> InlineKeyboardMarkup | None:
    buttons = [
        InlineKeyboardButton(text=t(f"action-{action.value}"),
                             callback_data=CardAction(action=action.value, issue_id=view.issue.id).pack())
        for action in buttons_for(view.issue, purpose)
    ]
    extra = max(len(view.photos) - 1, 0) + len(view.resolution_photos)
    if extra > 0:
        buttons.append(InlineKeyboardButton(
            text=t("action-photos", count=extra),
            callback_data=CardAction(action=PHOTOS_ACTION, issue_id=view.issue.id).pack()))
    if not buttons:
        return None
    rows = [buttons[i:i + 3] for i in range(0, len(buttons), 3)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def render_card(view: IssueView, t: Localizer, settings: Settings, now: datetime, purpose: str) -> Card:
    photo = view.photos[0] if view.photos else None
    limit = CAPTION_LIMIT if photo else MESSAGE_LIMIT
    return Card(card_text(view, t, settings, now, limit), card_keyboard(view, t, purpose), photo)
