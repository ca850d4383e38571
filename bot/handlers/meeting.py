"""/meeting: the village secretary records the joint meeting (date, attendees) and sends chosen agenda items
to the township in one step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import Answer, BoundAs
from bot.handlers.prompts import Conversation, conversation_router, own_prompt, remember_prompt
from bot.handlers.states import MeetingForm
from bot.i18n import Localizer
from bot.messaging.callbacks import MeetingPick
from bot.messaging.text import shorten
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.agenda import village_agenda
from bot.services.chats import BoundChat
from bot.services.joining import village_roster
from bot.services.meetings import ensure_recorder, parse_held_on, record_meeting


def _button(text: str, what: str, id_: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=MeetingPick(what=what, id=id_).pack())


def _toggles(options: list[tuple[int, str]], chosen: set[int], what: str, done: str) -> InlineKeyboardMarkup:
    rows = [[_button(("✅ " if key in chosen else "▫️ ") + label, what, key)] for key, label in options]
    rows.append([_button(done, "done")])
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def on_meeting(message: Message, bot: Bot, state: FSMContext, actor: Actor | None, bound: BoundChat,
                     t: Localizer, clock: Clock, settings: Settings) -> None:
    assert bound.unit_id is not None and message.from_user is not None
    ensure_recorder(actor, bound.unit_id)
    await state.set_state(MeetingForm.held_on)
    await state.set_data({"village_id": bound.unit_id, "touched": clock.now().isoformat()})
    today = clock.now().astimezone(settings.tz).date()
    await Conversation.of(message, bot, state, t, settings).ask(
        t("meeting-ask-date"), reply_to=message.message_id,
        buttons=[[_button(t("meeting-today", date=today.isoformat()), "day", 0),
                  _button(t("meeting-yesterday", date=(today - timedelta(days=1)).isoformat()), "day", 1)]],
        buttons_text=t("meeting-date-hint"))


async def _ask_attendees(conv: Conversation, session: AsyncSession) -> None:
    data = await conv.state.get_data()
    roster = await village_roster(session, data["village_id"], unlinked_only=False)
    options = [(member.id, member.display_name) for member in roster]
    await conv.state.update_data(options=options, attendees=[])
    await conv.state.set_state(MeetingForm.attendees)
    sent = await conv.say(conv.t("meeting-ask-attendees"),
                          reply_markup=_toggles(options, set(), "a", conv.t("meeting-next")))
    await remember_prompt(conv.state, sent)


async def on_date_text(message: Message, bot: Bot, state: FSMContext, session: AsyncSession, t: Localizer,
                       settings: Settings, clock: Clock) -> None:
    held_on = parse_held_on(message.text, now=clock.now(), tz=settings.tz)
    await state.update_data(held_on=held_on.isoformat(), touched=clock.now().isoformat())
    await _ask_attendees(Conversation.of(message, bot, state, t, settings), session)


async def on_day_button(query: CallbackQuery, callback_data: MeetingPick, bot: Bot, state: FSMContext,
                        session: AsyncSession, t: Localizer, settings: Settings, clock: Clock) -> None:
    if not await own_prompt(query, state, t("button-not-yours")):
        return
    day = clock.now().astimezone(settings.tz).date() - timedelta(days=1 if callback_data.id else 0)
    await state.update_data(held_on=day.isoformat(), touched=clock.now().isoformat())
    await query.answer()
    await _ask_attendees(Conversation.of(query, bot, state, t, settings), session)


async def on_toggle(query: CallbackQuery, callback_data: MeetingPick, state: FSMContext, session: AsyncSession,
                    t: Localizer, clock: Clock) -> None:
    if not await own_prompt(query, state, t("button-not-yours")):
        return
    data: dict[str, Any] = await state.get_data()
    field = "attendees" if callback_data.what == "a" else "items"
    options = [(key, label) for key, label in data["options"]]
    if callback_data.id not in {key for key, _ in options}:
        await query.answer(t("meeting-not-in-village"), show_alert=True)
        return
    chosen = set(data.get(field, [])) ^ {callback_data.id}
    await state.update_data({field: sorted(chosen), "touched": clock.now().isoformat()})
    await query.answer()
    if isinstance(query.message, Message):
        done = t("meeting-next") if field == "attendees" else t("meeting-finish")
        await query.message.edit_reply_markup(reply_markup=_toggles(options, chosen, callback_data.what, done))


async def on_done(query: CallbackQuery, bot: Bot, state: FSMContext, session: AsyncSession, actor: Actor | None,
                  t: Localizer, settings: Settings, clock: Clock) -> None:
    if not await own_prompt(query, state, t("button-not-yours")):
        return
    conv = Conversation.of(query, bot, state, t, settings)
    data: dict[str, Any] = await state.get_data()
    if await state.get_state() == MeetingForm.attendees.state:
        if not data.get("attendees"):
            await query.answer(t("meeting-no-attendees"), show_alert=True)
            return
        agenda = await village_agenda(session, data["village_id"], clock.now())
        options = [(item["id"], f"{item['number']} {shorten(item['description'], 30)}") for item in agenda]
        await state.update_data(options=options, items=[], touched=clock.now().isoformat())
        await state.set_state(MeetingForm.agenda)
        await query.answer()
        sent = await conv.say(t("meeting-ask-agenda") if options else t("meeting-agenda-empty"),
                              reply_markup=_toggles(options, set(), "i", t("meeting-finish")))
        await remember_prompt(state, sent)
        return
    held_on = parse_held_on(data["held_on"], now=clock.now(), tz=settings.tz)
    recorded = await record_meeting(
        session, actor, village_id=data["village_id"], held_on=held_on, attendee_ids=data["attendees"],
        escalate_ids=data.get("items", []), reason=t("meeting-escalation-reason", date=held_on.isoformat()),
        settings=settings, now=clock.now())
    await state.clear()
    await query.answer()
    numbers = ", ".join(issue.number for issue in recorded.escalated) or t("meeting-none")
    await conv.say(t("meeting-recorded", date=held_on.isoformat(), attendees=len(recorded.meeting.attendees),
                     numbers=numbers))


async def on_foreign_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("button-not-yours"), show_alert=True)


def build() -> Router:
    router = conversation_router("meeting")
    router.message.filter(BoundAs(ChatPurpose.village))
    router.callback_query.filter(BoundAs(ChatPurpose.village))
    router.message.register(on_meeting, Command("meeting"))
    router.message.register(on_date_text, StateFilter(MeetingForm.held_on), Answer())
    router.callback_query.register(on_day_button, MeetingPick.filter(F.what == "day"),
                                   StateFilter(MeetingForm.held_on))
    router.callback_query.register(on_toggle, MeetingPick.filter(F.what.in_({"a", "i"})),
                                   StateFilter(MeetingForm.attendees, MeetingForm.agenda))
    router.callback_query.register(on_done, MeetingPick.filter(F.what == "done"),
                                   StateFilter(MeetingForm.attendees, MeetingForm.agenda))
    router.callback_query.register(on_foreign_button, MeetingPick.filter())
    return router
