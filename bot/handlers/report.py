"""The guided report: team -> description -> photos -> place -> urgency -> confirm (one problem, one form)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import BoundAs, FromUser, PrivateChat, WithPhoto
from bot.handlers.prompts import ask, is_own_prompt, remember_prompt, touch
from bot.handlers.states import ReportForm
from bot.i18n import Localizer
from bot.messaging.callbacks import ReportStep
from bot.messaging.cards import kind_label
from bot.messaging.text import shorten
from bot.middlewares.idle import IdleExpiry
from bot.models import ChatPurpose, Urgency
from bot.services.actors import Actor
from bot.services.chats import BoundChat, chat_for_unit
from bot.services.outbox import enqueue_card
from bot.services.profile import team_kinds_of
from bot.services.reports import (
    MAX_PHOTOS,
    ReportDraft,
    create_issue,
    reporting_village,
    validate_description,
    validate_place,
    village_kinds,
)

EDITABLE = ("kind", "description", "photos", "place", "urgency")


def _button(text: str, step: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=ReportStep(step=step, value=value).pack())


class Conversation:
    """What every step needs to talk to the member: where, to whom, in which language."""

    def __init__(self, bot: Bot, state: FSMContext, t: Localizer, settings: Settings, chat_id: int,
                 user_id: int, user_name: str) -> None:
        self.bot, self.state, self.t, self.settings = bot, state, t, settings
        self.chat_id, self.user_id, self.user_name = chat_id, user_id, user_name

    @classmethod
    def of(cls, event: Message | CallbackQuery, bot: Bot, state: FSMContext, t: Localizer,
           settings: Settings) -> Conversation:
        message = event.message if isinstance(event, CallbackQuery) else event
        assert message is not None and event.from_user is not None
        return cls(bot, state, t, settings, message.chat.id, event.from_user.id, event.from_user.full_name)

    async def ask(self, text: str, *, reply_to: int | None = None, force_reply: bool = True,
                  buttons: list[list[InlineKeyboardButton]] | None = None, buttons_text: str | None = None) -> None:
        await ask(self.bot, self.state, chat_id=self.chat_id, user_id=self.user_id, user_name=self.user_name,
                  text=text, reply_to=reply_to, force_reply=force_reply, buttons=buttons or [],
                  buttons_text=buttons_text)

    async def say(self, text: str) -> None:
        await self.bot.send_message(self.chat_id, text)


async def _origin(state: FSMContext) -> int | None:
    return (await state.get_data()).get("origin")


async def ask_kind(conv: Conversation) -> None:
    data = await conv.state.get_data()
    own = set(data.get("own_kinds", []))
    rows = [[_button(("✅ " if kind in own else "") + kind_label(conv.settings, conv.t, kind), "kind", kind)]
            for kind in data["kinds"]]
    await conv.state.set_state(ReportForm.kind)
    await conv.ask(conv.t("report-ask-kind", village=data["village_name"]), reply_to=await _origin(conv.state),
                   force_reply=False, buttons=rows)


async def ask_description(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.description)
    await conv.ask(conv.t("report-ask-description"), reply_to=reply_to)


async def ask_photos(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.photos)
    await conv.ask(conv.t("report-ask-photos", limit=MAX_PHOTOS), reply_to=reply_to,
                   buttons=[[_button(conv.t("report-photos-none"), "photos", "done")]],
                   buttons_text=conv.t("report-photos-none-hint"))


async def ask_place(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.place)
    await conv.ask(conv.t("report-ask-place"), reply_to=reply_to,
                   buttons=[[_button(conv.t("report-place-skip"), "place", "skip")]],
                   buttons_text=conv.t("report-place-skip-hint"))


async def ask_urgency(conv: Conversation, reply_to: int | None) -> None:
    await conv.state.set_state(ReportForm.urgency)
    await conv.ask(conv.t("report-ask-urgency"), reply_to=reply_to, force_reply=False, buttons=[[
        _button(conv.t("urgency-normal"), "urgency", Urgency.normal.value),
        _button(conv.t("urgency-urgent"), "urgency", Urgency.urgent.value),
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
        _button(conv.t("report-confirm"), "confirm", "yes"),
        _button(conv.t("report-edit"), "confirm", "edit"),
        _button(conv.t("report-cancel"), "confirm", "cancel"),
    ]])


async def _next(conv: Conversation, after: str, reply_to: int | None) -> None:
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


async def on_report(
    message: Message, bot: Bot, state: FSMContext, session: AsyncSession, actor: Actor | None,
    bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock,
) -> None:
    conv = Conversation.of(message, bot, state, t, settings)
    current = await state.get_state()
    if current is not None and current.startswith(ReportForm.__name__):
        await resume(conv, current, message.message_id)
        return
    if current is not None:
        await state.clear()
    village = await reporting_village(session, actor, bound.unit_id if bound else None)
    assert actor is not None
    kinds = await village_kinds(session, village.id)
    own = [kind for kind in await team_kinds_of(session, actor, village.id) if kind in kinds]
    await state.set_data({
        "village_id": village.id, "village_name": village.name, "draft_key": uuid.uuid4().hex,
        "origin": message.message_id, "kinds": own + [kind for kind in kinds if kind not in own],
        "own_kinds": own, "photos": [], "urgency": Urgency.normal.value, "touched": clock.now().isoformat(),
    })
    await ask_kind(conv)


async def on_private_start(
    message: Message, command: CommandObject, bot: Bot, state: FSMContext, session: AsyncSession,
    actor: Actor | None, t: Localizer, settings: Settings, clock: Clock,
) -> None:
    await on_report(message, bot, state, session, actor, None, t, settings, clock)


async def on_report_elsewhere(message: Message, t: Localizer) -> None:
    await message.reply(t("report-only-village"))


async def on_cancel(message: Message, state: FSMContext, t: Localizer) -> None:
    if await state.get_state() is None:
        await message.reply(t("cancel-nothing"))
        return
    await state.clear()
    await message.reply(t("report-cancelled"))


async def _own_button(query: CallbackQuery, state: FSMContext, t: Localizer) -> bool:
    if query.message is None or not await is_own_prompt(state, query.message.message_id):
        await query.answer(t("report-not-your-button"), show_alert=True)
        return False
    return True


async def on_kind(query: CallbackQuery, callback_data: ReportStep, bot: Bot, state: FSMContext, t: Localizer,
                  settings: Settings, clock: Clock) -> None:
    if not await _own_button(query, state, t):
        return
    data = await state.get_data()
    if callback_data.value not in data.get("kinds", []):
        await query.answer(t("report-no-such-team"), show_alert=True)
        return
    await state.update_data(kind=callback_data.value)
    await touch(state, clock)
    await query.answer(kind_label(settings, t, callback_data.value))
    await _next(Conversation.of(query, bot, state, t, settings), "kind", data.get("origin"))


async def on_description(message: Message, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                         clock: Clock) -> None:
    if not message.text:
        await message.reply(t("report-description-need-text"))
        return
    description = validate_description(message.text)
    await state.update_data(description=description)
    await touch(state, clock)
    await _next(Conversation.of(message, bot, state, t, settings), "description", message.message_id)


async def on_photo(message: Message, state: FSMContext, t: Localizer, clock: Clock) -> None:
    assert message.photo
    photos = list((await state.get_data()).get("photos", []))
    if len(photos) >= MAX_PHOTOS:
        await message.reply(t("report-photos-full", limit=MAX_PHOTOS))
        return
    photos.append(message.photo[-1].file_id)
    await state.update_data(photos=photos)
    await touch(state, clock)
    done = InlineKeyboardMarkup(inline_keyboard=[[_button(t("report-photos-done"), "photos", "done")]])
    await remember_prompt(state, await message.reply(t("report-photo-received", count=len(photos)),
                                                     reply_markup=done))


async def on_photo_wrong(message: Message, t: Localizer) -> None:
    await message.reply(t("report-photos-need-photo"))


async def on_photos_done(query: CallbackQuery, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                         clock: Clock) -> None:
    if not await _own_button(query, state, t):
        return
    await touch(state, clock)
    await query.answer()
    await _next(Conversation.of(query, bot, state, t, settings), "photos", await _origin(state))


async def on_place(message: Message, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                   clock: Clock) -> None:
    if message.location is not None:
        await state.update_data(lat=message.location.latitude, lon=message.location.longitude, place_text=None)
    elif message.venue is not None:
        await state.update_data(place_text=validate_place(message.venue.title), lat=message.venue.location.latitude,
                                lon=message.venue.location.longitude)
    elif message.text:
        await state.update_data(place_text=validate_place(message.text), lat=None, lon=None)
    else:
        await message.reply(t("report-place-need"))
        return
    await touch(state, clock)
    await _next(Conversation.of(message, bot, state, t, settings), "place", message.message_id)


async def on_place_skip(query: CallbackQuery, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                        clock: Clock) -> None:
    if not await _own_button(query, state, t):
        return
    await state.update_data(place_text=None, lat=None, lon=None)
    await touch(state, clock)
    await query.answer()
    await _next(Conversation.of(query, bot, state, t, settings), "place", await _origin(state))


async def on_urgency(query: CallbackQuery, callback_data: ReportStep, bot: Bot, state: FSMContext, t: Localizer,
                     settings: Settings, clock: Clock) -> None:
    if not await _own_button(query, state, t):
        return
    if callback_data.value not in Urgency.__members__:
        await query.answer(t("button-stale"), show_alert=True)
        return
    await state.update_data(urgency=callback_data.value)
    await touch(state, clock)
    await query.answer()
    await _next(Conversation.of(query, bot, state, t, settings), "urgency", await _origin(state))


async def on_confirm(
    query: CallbackQuery, callback_data: ReportStep, bot: Bot, state: FSMContext, session: AsyncSession,
    actor: Actor | None, t: Localizer, settings: Settings, clock: Clock,
) -> None:
    if not await _own_button(query, state, t):
        return
    conv = Conversation.of(query, bot, state, t, settings)
    if callback_data.value == "cancel":
        await state.clear()
        await query.answer()
        await conv.say(t("report-cancelled"))
        return
    if callback_data.value == "edit":
        await query.answer()
        await conv.ask(t("report-edit-which"), force_reply=False, buttons=[
            [_button(t(f"report-field-{field}"), "edit", field)] for field in EDITABLE])
        return
    data = await state.get_data()
    draft = ReportDraft(kind=data["kind"], description=data["description"], photos=data.get("photos", []),
                        place_text=data.get("place_text"), latitude=data.get("lat"), longitude=data.get("lon"),
                        urgency=Urgency(data.get("urgency", "normal")))
    now = clock.now()
    issue, created = await create_issue(session, actor, village_id=data["village_id"], draft=draft,
                                        draft_key=data["draft_key"], settings=settings, now=now)
    if created:
        village_chat = await chat_for_unit(session, issue.village_id)
        for chat_id in dict.fromkeys(c for c in (village_chat, conv.chat_id) if c is not None):
            await enqueue_card(session, issue_id=issue.id, chat_id=chat_id, now=now)
    await state.clear()
    await query.answer(t("report-created", number=issue.number))
    await conv.say(t("report-created", number=issue.number))


async def on_edit_field(query: CallbackQuery, callback_data: ReportStep, bot: Bot, state: FSMContext,
                        t: Localizer, settings: Settings) -> None:
    if not await _own_button(query, state, t):
        return
    if callback_data.value not in EDITABLE:
        await query.answer(t("button-stale"), show_alert=True)
        return
    await query.answer()
    await state.update_data(editing=True)
    conv = Conversation.of(query, bot, state, t, settings)
    if callback_data.value == "kind":
        await ask_kind(conv)
    elif callback_data.value == "photos":
        await state.update_data(photos=[])
        await ask_photos(conv, await _origin(state))
    else:
        prompts = {"description": ask_description, "place": ask_place, "urgency": ask_urgency}
        await prompts[callback_data.value](conv, await _origin(state))


async def on_step_text_instead_of_button(message: Message, t: Localizer) -> None:
    await message.reply(t("report-use-buttons"))


async def on_foreign_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("report-not-your-button"), show_alert=True)


def build() -> Router:
    router = Router(name="report")
    scope = BoundAs(ChatPurpose.village)
    router.message.filter(FromUser())
    router.message.middleware(IdleExpiry())
    router.callback_query.middleware(IdleExpiry())
    router.message.register(on_cancel, Command("cancel"))
    router.message.register(on_report, Command("report"), scope)
    router.message.register(on_report, Command("report"), PrivateChat())
    router.message.register(on_report_elsewhere, Command("report"))
    router.message.register(on_private_start, CommandStart(deep_link=True, magic=F.args == "report"),
                            PrivateChat())
    router.callback_query.register(on_kind, ReportStep.filter(F.step == "kind"), StateFilter(ReportForm.kind))
    router.message.register(on_description, StateFilter(ReportForm.description))
    router.message.register(on_photo, StateFilter(ReportForm.photos), WithPhoto())
    router.message.register(on_photo_wrong, StateFilter(ReportForm.photos))
    router.callback_query.register(on_photos_done, ReportStep.filter(F.step == "photos"),
                                   StateFilter(ReportForm.photos))
    router.message.register(on_place, StateFilter(ReportForm.place))
    router.callback_query.register(on_place_skip, ReportStep.filter(F.step == "place"), StateFilter(ReportForm.place))
    router.callback_query.register(on_urgency, ReportStep.filter(F.step == "urgency"), StateFilter(ReportForm.urgency))
    router.callback_query.register(on_confirm, ReportStep.filter(F.step == "confirm"), StateFilter(ReportForm.confirm))
    router.callback_query.register(on_edit_field, ReportStep.filter(F.step == "edit"), StateFilter(ReportForm.confirm))
    router.message.register(on_step_text_instead_of_button,
                            StateFilter(ReportForm.kind, ReportForm.urgency, StateFilter(ReportForm.confirm)))
    router.callback_query.register(on_foreign_button, ReportStep.filter())
    return router

