"""Typed callback data. Buttons carry an action and an id only; everything else is looked up."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class JoinPick(CallbackData, prefix="jp"):
    member_id: int


class JoinDecision(CallbackData, prefix="jd"):
    request_id: int
    approve: bool


class CardAction(CallbackData, prefix="ia"):
    """A life-cycle button on an issue card: the action name and the issue id, nothing else."""

    action: str
    issue_id: int


class ReportStep(CallbackData, prefix="rs"):
    """A button of the report conversation; valid only on a prompt of the presser's own conversation."""

    step: str
    value: str = ""


class Page(CallbackData, prefix="pg"):
    """Paging of a long list: which list and which page."""

    view: str
    page: int


class DepartmentPick(CallbackData, prefix="dp"):
    """Which department a dispatch goes to; the item being dispatched is in the presser's conversation."""

    department_id: int


class DueDefault(CallbackData, prefix="dd"):
    """Accept the default due date offered in the conversation."""

    ok: bool = True


class MeetingPick(CallbackData, prefix="mp"):
    """A button of the /meeting conversation: a day, an attendee or agenda item to toggle, or done."""

    what: str
    id: int = 0


class ServiceStep(CallbackData, prefix="sv"):
    """A button of the /service conversation (a kind, or skipping the place); valid only on the presser's own
    prompts."""

    step: str
    value: str = ""


class ServicePage(CallbackData, prefix="sp"):
    """Paging of /services: this month's services of the group's village."""

    page: int
