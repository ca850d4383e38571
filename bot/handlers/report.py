"""The guided report: team -> description -> photos -> place -> urgency -> confirm (one problem, one form)."""

from __future__ import annotations

import uuid

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import Answer, BoundAs, PrivateChat, WithPhoto
from bot.handlers.prompts import (
    Conversation,
    conversation_router,
    origin_of,
    own_prompt,
    remember_prompt,
    step_button,
    touch,
)
from bot.handlers.report_steps import (
    EDITABLE,
    ask_description,
    ask_kind,
    ask_photos,
    ask_place,
    ask_urgency,
    next_step,
    resume,
)
from bot.handlers.states import ReportForm
from bot.i18n import Localizer
from bot.messaging.callbacks import ReportStep
from bot.messaging.cards import kind_label
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
    return await own_prompt(query, state, t("report-not-your-button"))


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
    await next_step(Conversation.of(query, bot, state, t, settings), "kind", data.get("origin"))


async def on_description(message: Message, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                         clock: Clock) -> None:
    if not message.text:
        await message.reply(t("report-description-need-text"))
        return
    description = validate_description(message.text)
    await state.update_data(description=description)
    await touch(state, clock)
    await next_step(Conversation.of(message, bot, state, t, settings), "description", message.message_id)


async def on_photo(message: Message, state: FSMContext, t: Localizer, clock: Clock) -> None:
    assert message.photo
    photos = list((await state.get_data()).get("photos", []))
    if len(photos) >= MAX_PHOTOS:
        await message.reply(t("report-photos-full", limit=MAX_PHOTOS))
        return
    photos.append(message.photo[-1].file_id)
    await state.update_data(photos=photos)
    await touch(state, clock)
    done = InlineKeyboardMarkup(inline_keyboard=[[step_button(ReportStep, t("report-photos-done"), "photos", "done")]])
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
    await next_step(Conversation.of(query, bot, state, t, settings), "photos", await origin_of(state))


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
    await next_step(Conversation.of(message, bot, state, t, settings), "place", message.message_id)


async def on_place_skip(query: CallbackQuery, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                        clock: Clock) -> None:
    if not await _own_button(query, state, t):
        return
    await state.update_data(place_text=None, lat=None, lon=None)
    await touch(state, clock)
    await query.answer()
    await next_step(Conversation.of(query, bot, state, t, settings), "place", await origin_of(state))


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
    await next_step(Conversation.of(query, bot, state, t, settings), "urgency", await origin_of(state))


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
            [step_button(ReportStep, t(f"report-field-{field}"), "edit", field)] for field in EDITABLE])
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
        await ask_photos(conv, await origin_of(state))
    else:
        prompts = {"description": ask_description, "place": ask_place, "urgency": ask_urgency}
        await prompts[callback_data.value](conv, await origin_of(state))


async def on_step_text_instead_of_button(message: Message, t: Localizer) -> None:
    await message.reply(t("report-use-buttons"))


async def on_foreign_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("report-not-your-button"), show_alert=True)


def build() -> Router:
    router = conversation_router("report")
    scope = BoundAs(ChatPurpose.village)
    router.message.register(on_cancel, Command("cancel"))
    router.message.register(on_report, Command("report"), scope)
    router.message.register(on_report, Command("report"), PrivateChat())
    router.message.register(on_report_elsewhere, Command("report"))
    router.message.register(on_private_start, CommandStart(deep_link=True, magic=F.args == "report"),
                            PrivateChat())
    router.callback_query.register(on_kind, ReportStep.filter(F.step == "kind"), StateFilter(ReportForm.kind))
    router.message.register(on_description, StateFilter(ReportForm.description), Answer())
    router.message.register(on_photo, StateFilter(ReportForm.photos), WithPhoto(), Answer())
    router.message.register(on_photo_wrong, StateFilter(ReportForm.photos), Answer())
    router.callback_query.register(on_photos_done, ReportStep.filter(F.step == "photos"),
                                   StateFilter(ReportForm.photos))
    router.message.register(on_place, StateFilter(ReportForm.place), Answer())
    router.callback_query.register(on_place_skip, ReportStep.filter(F.step == "place"), StateFilter(ReportForm.place))
    router.callback_query.register(on_urgency, ReportStep.filter(F.step == "urgency"), StateFilter(ReportForm.urgency))
    router.callback_query.register(on_confirm, ReportStep.filter(F.step == "confirm"), StateFilter(ReportForm.confirm))
    router.callback_query.register(on_edit_field, ReportStep.filter(F.step == "edit"), StateFilter(ReportForm.confirm))
    router.message.register(on_step_text_instead_of_button,
                            StateFilter(ReportForm.kind, ReportForm.urgency, StateFilter(ReportForm.confirm)), Answer())
    router.callback_query.register(on_foreign_button, ReportStep.filter())
    return router

