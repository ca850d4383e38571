"""/join in a village group: pick your name from the roster, a secretary or admin approves."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.filters import BoundAs
from bot.i18n import Localizer
from bot.messaging.callbacks import JoinDecision, JoinPick
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.joining import decide_join, request_join, village_roster

ROSTER_BUTTONS = 60


async def on_join(message: Message, session: AsyncSession, actor: Actor | None, bound: BoundChat, t: Localizer) -> None:
    if actor is not None:
        await message.reply(t("join-already-member", name=actor.member.display_name))
        return
    assert bound.unit_id is not None
    roster = await village_roster(session, bound.unit_id)
    if not roster:
        await message.reply(t("join-roster-empty"))
        return
    builder = InlineKeyboardBuilder()
    for member in roster[:ROSTER_BUTTONS]:
        builder.button(text=member.display_name, callback_data=JoinPick(member_id=member.id))
    builder.adjust(3)
    await message.reply(t("join-pick", village=bound.name), reply_markup=builder.as_markup())


async def on_pick(
    query: CallbackQuery, callback_data: JoinPick, session: AsyncSession, actor: Actor | None, bound: BoundChat,
    t: Localizer,
) -> None:
    if actor is not None:
        await query.answer(t("join-already-member", name=actor.member.display_name), show_alert=True)
        return
    assert bound.unit_id is not None and query.message is not None
    request, member = await request_join(
        session,
        village_id=bound.unit_id,
        chat_id=query.message.chat.id,
        telegram_id=query.from_user.id,
        username=query.from_user.username,
        member_id=callback_data.member_id,
    )
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[
        InlineKeyboardButton(text=t("join-approve"),
                             callback_data=JoinDecision(request_id=request.id, approve=True).pack()),
        InlineKeyboardButton(text=t("join-reject"),
                             callback_data=JoinDecision(request_id=request.id, approve=False).pack()),
    ]])
    await query.answer(t("join-requested-alert"))
    await query.message.answer(
        t("join-requested", user=query.from_user.full_name, name=member.display_name), reply_markup=keyboard
    )


async def on_decide(
    query: CallbackQuery, callback_data: JoinDecision, session: AsyncSession, actor: Actor | None, bound: BoundChat,
    t: Localizer,
) -> None:
    assert bound.unit_id is not None
    _, member = await decide_join(
        session, actor, request_id=callback_data.request_id, village_id=bound.unit_id, approve=callback_data.approve
    )
    key = "join-approved" if callback_data.approve else "join-rejected"
    text = t(key, name=member.display_name, by=actor.member.display_name if actor else "")
    await query.answer(text)
    if query.message is not None:
        await query.message.edit_text(text)


def build() -> Router:
    router = Router(name="joining")
    router.message.filter(BoundAs(ChatPurpose.village))
    router.callback_query.filter(BoundAs(ChatPurpose.village))
    router.message.register(on_join, Command("join"))
    router.callback_query.register(on_pick, JoinPick.filter())
    router.callback_query.register(on_decide, JoinDecision.filter())
    return router
