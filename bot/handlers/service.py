"""/service: a member logs a service in their village group (kind -> household or place -> note, optionally with
a photo); /services: the village's services this month."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import Answer, BoundAs
from bot.handlers.prompts import Conversation, conversation_router, origin_of, own_prompt, step_button, touch
from bot.handlers.states import ServiceForm
from bot.i18n import Localizer
from bot.messaging.callbacks import ServicePage, ServiceStep
from bot.messaging.service_log import render_services, service_kind_label
from bot.messaging.text import shorten
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.scoring import Month
from bot.services.service_log import (
    ServiceDraft,
    ensure_logger,
    log_service,
    validate_kind,
    validate_place,
    village_services,
)


async def on_service(message: Message, bot: Bot, state: FSMContext, actor: Actor | None, bound: BoundChat,
                     t: Localizer, settings: Settings, clock: Clock) -> None:
    assert bound.unit_id is not None and message.from_user is not None
    ensure_logger(actor, bound.unit_id)
    # a new /service starts over, whatever conversation the member had going in this chat
    await state.set_state(ServiceForm.kind)
    await state.set_data({"village_id": bound.unit_id, "origin": message.message_id,
                          "touched": clock.now().isoformat()})
    rows = [[step_button(ServiceStep, kind.label(t.language), "kind", kind.key)] for kind in settings.service_kinds]
    await Conversation.of(message, bot, state, t, settings).ask(
        t("service-ask-kind", village=bound.name), reply_to=await origin_of(state), force_reply=False, buttons=rows)


async def _own(query: CallbackQuery, state: FSMContext, t: Localizer) -> bool:
    return await own_prompt(query, state, t("button-not-yours"))


async def on_kind(query: CallbackQuery, callback_data: ServiceStep, bot: Bot, state: FSMContext, t: Localizer,
                  settings: Settings, clock: Clock) -> None:
    if not await _own(query, state, t):
        return
    kind = validate_kind(settings, callback_data.value)
    await state.update_data(kind=kind)
    await touch(state, clock)
    await state.set_state(ServiceForm.place)
    await query.answer(service_kind_label(settings, t, kind))
    await Conversation.of(query, bot, state, t, settings).ask(
        t("service-ask-place"), reply_to=await origin_of(state),
        buttons=[[step_button(ServiceStep, t("service-place-skip"), "place", "skip")]],
        buttons_text=t("service-place-skip-hint"))


async def on_kind_text(message: Message, t: Localizer) -> None:
    await message.reply(t("service-use-buttons"))


async def on_place(message: Message, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                   clock: Clock) -> None:
    if not message.text:
        await message.reply(t("service-place-need-text"))
        return
    await state.update_data(place=validate_place(message.text))
    await touch(state, clock)
    await state.set_state(ServiceForm.note)
    await Conversation.of(message, bot, state, t, settings).ask(t("service-ask-note"), reply_to=message.message_id)


async def on_place_skip(query: CallbackQuery, bot: Bot, state: FSMContext, t: Localizer, settings: Settings,
                        clock: Clock) -> None:
    if not await _own(query, state, t):
        return
    await state.update_data(place=None)
    await touch(state, clock)
    await query.answer()
    await state.set_state(ServiceForm.note)
    await Conversation.of(query, bot, state, t, settings).ask(t("service-ask-note"), reply_to=await origin_of(state))


async def on_note(message: Message, state: FSMContext, session: AsyncSession, actor: Actor | None, t: Localizer,
                  settings: Settings, clock: Clock) -> None:
    """The note as text, or as the caption of one photo (the photo is kept with the entry)."""
    if message.photo and not message.caption:
        await message.reply(t("service-photo-needs-caption"))
        return
    if not (message.text or message.caption):
        await message.reply(t("service-note-need-text"))
        return
    data = await state.get_data()
    draft = ServiceDraft(kind=data["kind"], place=data.get("place"), note=message.text or message.caption or "",
                         photo_file_id=message.photo[-1].file_id if message.photo else None)
    logged = await log_service(session, actor, village_id=data["village_id"], draft=draft, settings=settings,
                               now=clock.now())
    await state.clear()
    await message.reply(t("service-logged", kind=service_kind_label(settings, t, draft.kind),
                          place=shorten(draft.place, 40) if draft.place else "-", count=logged.month_count,
                          photo="yes" if draft.photo_file_id else "no"))


async def on_services(message: Message, session: AsyncSession, bound: BoundChat, t: Localizer, settings: Settings,
                      clock: Clock) -> None:
    assert bound.unit_id is not None
    services = await village_services(session, bound.unit_id, Month.of(clock.now(), settings.tz), settings)
    paged = render_services(services, village=bound.name, page=0, t=t, settings=settings)
    await message.answer(paged.text, reply_markup=paged.keyboard)


async def on_services_page(query: CallbackQuery, callback_data: ServicePage, session: AsyncSession, bound: BoundChat,
                           t: Localizer, settings: Settings, clock: Clock) -> None:
    assert bound.unit_id is not None
    services = await village_services(session, bound.unit_id, Month.of(clock.now(), settings.tz), settings)
    paged = render_services(services, village=bound.name, page=callback_data.page, t=t, settings=settings)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_text(paged.text, reply_markup=paged.keyboard)


async def on_elsewhere(message: Message, t: Localizer) -> None:
    await message.reply(t("service-only-village"))


async def on_foreign_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("button-not-yours"), show_alert=True)


def build() -> Router:
    router = conversation_router("service")
    village = BoundAs(ChatPurpose.village)
    router.message.register(on_service, Command("service"), village)
    router.message.register(on_services, Command("services"), village)
    router.message.register(on_elsewhere, Command("service", "services"))
    router.callback_query.register(on_kind, ServiceStep.filter(F.step == "kind"), StateFilter(ServiceForm.kind))
    router.message.register(on_kind_text, StateFilter(ServiceForm.kind), Answer())
    router.message.register(on_place, StateFilter(ServiceForm.place), Answer())
    router.callback_query.register(on_place_skip, ServiceStep.filter(F.step == "place"),
                                   StateFilter(ServiceForm.place))
    router.message.register(on_note, StateFilter(ServiceForm.note), Answer())
    router.callback_query.register(on_foreign_button, ServiceStep.filter())
    router.callback_query.register(on_services_page, ServicePage.filter(), village)
    return router
