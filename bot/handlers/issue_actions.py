"""Buttons on an issue card in any bound group or a private chat: the village life cycle, escalation,
township supervision and department tasks. The rules live in bot/services/lifecycle.py."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter, or_f
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InputMediaPhoto, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import Answer, BoundAs, PrivateChat
from bot.handlers.prompts import Conversation, conversation_router, own_prompt, topic_of
from bot.handlers.scope import chat_scope
from bot.handlers.states import ActionInput, ReportForm
from bot.i18n import Localizer
from bot.messaging.callbacks import CardAction, DepartmentPick, DueDefault
from bot.messaging.cards import PHOTOS_ACTION
from bot.messaging.send_outcomes import topic_gone
from bot.messaging.text import local_date
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.dates import parse_due
from bot.services.departments import all_departments
from bot.services.issue_views import issue_view
from bot.services.lifecycle import (
    RULES,
    Action,
    Change,
    check,
    ensure_readable,
    ensure_visible,
    load_issue,
    perform,
    where_of,
)
from bot.services.notify import announce

MEDIA_GROUP_LIMIT = 10
NEEDS_DUE = {Action.dispatch, Action.unmet}


async def _apply(session: AsyncSession, actor: Actor | None, bound: BoundChat | None, *, issue_id: int,
                 action: Action, change: Change) -> str:
    issue = await perform(session, actor, issue_id, action, change, chat_scope(bound))
    await announce(session, issue, action, change.now)
    return issue.number


async def on_card_action(
    query: CallbackQuery, callback_data: CardAction, bot: Bot, state: FSMContext, session: AsyncSession,
    actor: Actor | None, bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock,
) -> None:
    if callback_data.action == PHOTOS_ACTION:
        await _send_photos(query, bot, session, callback_data.issue_id, actor, bound, t)
        return
    try:
        action = Action(callback_data.action)
    except ValueError:
        await query.answer(t("button-stale"), show_alert=True)
        return
    issue = await load_issue(session, callback_data.issue_id)
    where = await where_of(session, issue)
    ensure_visible(issue, where, chat_scope(bound))
    check(actor, issue, action, where)
    if not RULES[action].needs_text and action not in NEEDS_DUE:
        number = await _apply(session, actor, bound, issue_id=issue.id, action=action,
                              change=Change(now=clock.now(), settings=settings))
        await query.answer(t(f"done-{action.value}", number=number))
        return
    current = await state.get_state()
    if current is not None and current.startswith(ReportForm.__name__):
        await query.answer(t("action-finish-report-first"), show_alert=True)
        return
    await state.set_state(ActionInput.department if action == Action.dispatch else ActionInput.text)
    await state.set_data({"action": action.value, "issue_id": issue.id, "number": issue.number,
                          "touched": clock.now().isoformat()})
    await query.answer()
    conv = Conversation.of(query, bot, state, t, settings)
    if action == Action.dispatch:
        departments = await all_departments(session)
        buttons = [[InlineKeyboardButton(text=d.name, callback_data=DepartmentPick(department_id=d.id).pack())]
                   for d in departments]
        await conv.ask(t("ask-department", number=issue.number), force_reply=False, buttons=buttons)
        return
    await conv.ask(t(f"ask-{action.value}", number=issue.number))


async def _ask_due(conv: Conversation, now: datetime, reply_to: int | None) -> None:
    await conv.state.set_state(ActionInput.due)
    data = await conv.state.get_data()
    default = local_date(now + timedelta(days=conv.settings.deadlines.department_days), conv.settings.tz)
    button = InlineKeyboardButton(text=conv.t("due-default", date=default), callback_data=DueDefault().pack())
    await conv.ask(conv.t("ask-due", number=data["number"]), reply_to=reply_to, buttons=[[button]],
                   buttons_text=conv.t("due-default-hint"))


async def on_action_text(
    message: Message, bot: Bot, state: FSMContext, session: AsyncSession, actor: Actor | None,
    bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock,
) -> None:
    data = await state.get_data()
    action = Action(data["action"])
    text = message.text or message.caption
    if not text or not text.strip():
        await message.reply(t("text-required"))
        return
    if action == Action.unmet:
        await state.update_data(text=text, touched=clock.now().isoformat())
        await _ask_due(Conversation.of(message, bot, state, t, settings), clock.now(), message.message_id)
        return
    photo = message.photo[-1].file_id if message.photo and action in (Action.resolve, Action.task_resolve) else None
    number = await _apply(session, actor, bound, issue_id=data["issue_id"], action=action,
                          change=Change(now=clock.now(), settings=settings, text=text, photo_file_id=photo))
    await state.clear()
    await message.reply(t(f"done-{action.value}", number=number))


async def on_department(query: CallbackQuery, callback_data: DepartmentPick, bot: Bot, state: FSMContext,
                        t: Localizer, settings: Settings, clock: Clock) -> None:
    if not await own_prompt(query, state, t("button-not-yours")):
        return
    await state.update_data(department_id=callback_data.department_id, touched=clock.now().isoformat())
    await query.answer()
    await _ask_due(Conversation.of(query, bot, state, t, settings), clock.now(), None)


async def _finish_due(session: AsyncSession, actor: Actor | None, bound: BoundChat | None, state: FSMContext,
                      settings: Settings, now: datetime, due: datetime | None) -> tuple[str, str]:
    data: dict[str, Any] = await state.get_data()
    action = Action(data["action"])
    number = await _apply(session, actor, bound, issue_id=data["issue_id"], action=action,
                          change=Change(now=now, settings=settings, text=data.get("text"),
                                        department_id=data.get("department_id"), due_at=due))
    await state.clear()
    return action.value, number


async def on_due_text(message: Message, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                      state: FSMContext, t: Localizer, settings: Settings, clock: Clock) -> None:
    now = clock.now()
    due = parse_due(message.text, now=now, tz=settings.tz)
    action, number = await _finish_due(session, actor, bound, state, settings, now, due)
    await message.reply(t(f"done-{action}", number=number))


async def on_due_default(query: CallbackQuery, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                         state: FSMContext, t: Localizer, settings: Settings, clock: Clock) -> None:
    if not await own_prompt(query, state, t("button-not-yours")):
        return
    action, number = await _finish_due(session, actor, bound, state, settings, clock.now(), None)
    await query.answer(t(f"done-{action}", number=number))


async def on_department_text(message: Message, t: Localizer) -> None:
    await message.reply(t("report-use-buttons"))


async def on_foreign_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("button-not-yours"), show_alert=True)


async def _send_photos(query: CallbackQuery, bot: Bot, session: AsyncSession, issue_id: int, actor: Actor | None,
                       bound: BoundChat | None, t: Localizer) -> None:
    issue = await load_issue(session, issue_id)
    ensure_readable(actor, issue, await where_of(session, issue), chat_scope(bound))
    view = await issue_view(session, issue)
    rest = [*view.photos[1:], *view.resolution_photos]
    await query.answer()
    if not rest or query.message is None:
        return
    caption = t("photos-of", number=issue.number)
    chat_id, topic = query.message.chat.id, topic_of(query.message)     # beside the card, in its forum topic
    for start in range(0, len(rest), MEDIA_GROUP_LIMIT):
        chunk = rest[start:start + MEDIA_GROUP_LIMIT]
        try:
            await _send_chunk(bot, chat_id, topic, chunk, caption)
        except TelegramBadRequest as error:
            if topic is None or not topic_gone(error):
                raise
            topic = None    # the card is in a closed topic: its photos go to General
            await _send_chunk(bot, chat_id, topic, chunk, caption)


async def _send_chunk(bot: Bot, chat_id: int, topic: int | None, file_ids: list[str], caption: str) -> None:
    if len(file_ids) == 1:
        await bot.send_photo(chat_id, file_ids[0], caption=caption, message_thread_id=topic)
    else:
        await bot.send_media_group(chat_id, [
            InputMediaPhoto(media=file_id, caption=caption if i == 0 else None) for i, file_id in enumerate(file_ids)],
            message_thread_id=topic)


def build() -> Router:
    router = conversation_router("issue_actions")
    scope = or_f(BoundAs(*ChatPurpose), PrivateChat())
    router.message.filter(scope)
    router.callback_query.filter(scope)
    router.callback_query.register(on_card_action, CardAction.filter())
    router.callback_query.register(on_department, DepartmentPick.filter(), StateFilter(ActionInput.department))
    router.callback_query.register(on_due_default, DueDefault.filter(), StateFilter(ActionInput.due))
    router.callback_query.register(on_foreign_button, or_f(DepartmentPick.filter(), DueDefault.filter()))
    router.message.register(on_action_text, StateFilter(ActionInput.text), Answer())
    router.message.register(on_department_text, StateFilter(ActionInput.department), Answer())
    router.message.register(on_due_text, StateFilter(ActionInput.due), Answer())
    return router
