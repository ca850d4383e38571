"""Typed callback data. Buttons carry an action and an id only; everything else is looked up."""

from __future__ import annotations

from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

# Row ids are PostgreSQL integers: a number outside them was never on a button, and must not reach the database
# (where it fails as an error rather than as "not found"); such data matches no button and is answered as stale.
MAX_ROW_ID = 2**31 - 1
RowId = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class JoinPick(CallbackData, prefix="jp"):
    member_id: RowId


class JoinDecision(CallbackData, prefix="jd"):
    request_id: RowId
    approve: bool


class CardAction(CallbackData, prefix="ia"):
    """A life-cycle button on an issue card: the action name and the issue id, nothing else."""

    action: str
    issue_id: RowId


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

    department_id: RowId


class DueDefault(CallbackData, prefix="dd"):
    """Accept the default due date offered in the conversation."""

    ok: bool = True


class MeetingPick(CallbackData, prefix="mp"):
    """A button of the /meeting conversation: a day, an attendee or agenda item to toggle, or done."""

    what: str
    id: Annotated[int, Field(ge=0, le=MAX_ROW_ID)] = 0  # a member's or item's id; a day: 0 today, 1 yesterday


class ServiceStep(CallbackData, prefix="sv"):
    """A button of the /service conversation (a kind, or skipping the place); valid only on the presser's own
    prompts."""

    step: str
    value: str = ""


class ServicePage(CallbackData, prefix="sp"):
    """Paging of /services: this month's services of the group's village."""

    page: int
