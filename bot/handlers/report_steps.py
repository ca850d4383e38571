"""The report conversation's prompts: one function per step, and the way from one step to the next."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.config import Settings
from bot.handlers.prompts import Conversation, origin_of, step_button
from bot.handlers.states import ReportForm
from bot.i18n import Localizer
from bot.messaging.callbacks import ReportStep
from bot.messaging.cards import kind_label
from bot.messaging.text import shorten
from bot.models import Urgency
from bot.services.reports import (
    MAX_PHOTOS,
)

EDITABLE = ("kind", "description", "photos", "place", "urgency")


async def ask_kind(conv: Conversation) -> None:
    data = await conv.state.get_data()
    own = set(data.get("own_kinds", []))
    rows = [[step_button(ReportStep, ("✅ " if kind in own else "") + kind_label(conv.settings, conv.t, kind),
                         "kind", kind)] for kind in data["kinds"]]
    await conv.state.set_state(ReportForm.kind)
    await conv.ask(conv.t("report-ask-kind", village=data["village_name"]), reply_to=await origin_of(conv.state),
                   force_reply=False, buttons=rows)


async def ask_description(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.description)
    await conv.ask(conv.t("report-ask-description"), reply_to=reply_to)


async def ask_photos(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.photos)
    await conv.ask(conv.t("report-ask-photos", limit=MAX_PHOTOS), reply_to=reply_to,
                   buttons=[[step_button(ReportStep, conv.t("report-photos-none"), "photos", "done")]],
                   buttons_text=conv.t("report-photos-none-hint"))


async def ask_place(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.place)
    await conv.ask(conv.t("report-ask-place"), reply_to=reply_to,
                   buttons=[[step_button(ReportStep, conv.t("report-place-skip"), "place", "skip")]],
                   buttons_text=conv.t("report-place-skip-hint"))


async def ask_urgency(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.urgency)
    await conv.ask(conv.t("report-ask-urgency"), reply_to=reply_to, force_reply=False, buttons=[[
        step_button(ReportStep, conv.t("urgency-normal"), "urgency", Urgency.normal.value),
        step_button(ReportStep, conv.t("urgency-urgent"), "urgency", Urgency.urgent.value),
    ]])


def summary(data: dict[str, Any], t: Localizer, settings: Settings) -> str:
    place = data.get("place_text") or (
        f"{data['lat']:.5f}, {data['lon']:.5f}" if data.get("lat") is not None else t("report-summary-no-place"))
    return t("report-summary", village=data["village_name"], team=kind_label(settings, t, data["kind"]),
             description=shorten(data["description"], 3000), photos=len(data.get("photos", [])), place=place,
             urgency=t(f"urgency-{data.get('urgency', 'normal')}"))


async def ask_confirm(conv: Conversation) -> None:
    await conv.state.set_state(ReportForm.confirm)
    await conv.state.update_data(editing=False)
    data = await conv.state.get_data()
    await conv.ask(summary(data, conv.t, conv.settings), reply_to=data.get("origin"), force_reply=False, buttons=[[
        step_button(ReportStep, conv.t("report-confirm"), "confirm", "yes"),
        step_button(ReportStep, conv.t("report-edit"), "confirm", "edit"),
        step_button(ReportStep, conv.t("report-cancel"), "confirm", "cancel"),
    ]])


async def next_step(conv: Conversation, after: str, reply_to: int | None) -> None:
    """Go to the step after `after`, or back to the summary when the member was editing one field."""
    if (await conv.state.get_data()).get("editing"):
        await ask_confirm(conv)
        return
    steps = {"kind": ask_description, "description": ask_photos, "photos": ask_place, "place": ask_urgency}
    if after == "urgency":
        await ask_confirm(conv)
    else:
        await steps[after](conv, reply_to)


PROMPTS_BY_STATE: dict[str | None, Callable[[Conversation, int | None], Awaitable[None]]] = {
    ReportForm.description.state: ask_description,
    ReportForm.photos.state: ask_photos,
    ReportForm.place.state: ask_place,
    ReportForm.urgency.state: ask_urgency,
}


async def resume(conv: Conversation, current: str | None, reply_to: int | None) -> None:
    await conv.say(conv.t("report-resumed"))
    if current == ReportForm.kind.state:
        await ask_kind(conv)
    elif current == ReportForm.confirm.state:
        await ask_confirm(conv)
    elif current in PROMPTS_BY_STATE:
        await PROMPTS_BY_STATE[current](conv, reply_to)
