"""Prompts that work with group privacy mode on: ForceReply aimed at one member, buttons in a follow-up."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram import Bot
from aiogram.fsm.context import FSMContext
from aiogram.types import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters, User
from aiogram.utils.formatting import Text, TextMention

from bot.clock import Clock

PROMPTS_KEY = "prompts"
MAX_REMEMBERED_PROMPTS = 20


async def remember_prompt(state: FSMContext, message: Message) -> None:
    data = await state.get_data()
    prompts = [*data.get(PROMPTS_KEY, []), message.message_id][-MAX_REMEMBERED_PROMPTS:]
    await state.update_data({PROMPTS_KEY: prompts})


async def is_own_prompt(state: FSMContext, message_id: int) -> bool:
    return message_id in (await state.get_data()).get(PROMPTS_KEY, [])


async def touch(state: FSMContext, clock: Clock) -> None:
    await state.update_data(touched=clock.now().isoformat())


async def ask(
    bot: Bot,
    state: FSMContext,
    *,
    chat_id: int,
    user_id: int,
    user_name: str,
    text: str,
    reply_to: int | None,
    force_reply: bool = True,
    buttons: Sequence[Sequence[InlineKeyboardButton]] = (),
    buttons_text: str | None = None,
) -> None:
    """Ask one member a question in a (possibly busy) group chat.

    In a group the prompt replies to the member's message, or mentions them, so that `selective` shows the
    reply field to them alone; inline buttons cannot share a message with ForceReply, so they follow.
    """
    private = chat_id == user_id
    if private or reply_to:
        content = Text(text)
    else:
        mention = TextMention(user_name, user=User(id=user_id, is_bot=False, first_name=user_name))
        content = Text(mention, " ", text)
    reply = ReplyParameters(message_id=reply_to, allow_sending_without_reply=True) if reply_to else None
    markup = None
    if force_reply:
        markup = ForceReply(selective=True)
    elif buttons:
        markup = InlineKeyboardMarkup(inline_keyboard=[list(row) for row in buttons])
    sent = await bot.send_message(chat_id, reply_parameters=reply, reply_markup=markup, **content.as_kwargs())
    await remember_prompt(state, sent)
    if force_reply and buttons:
        follow = await bot.send_message(
            chat_id, buttons_text or text, reply_parameters=ReplyParameters(message_id=sent.message_id),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[list(row) for row in buttons]))
        await remember_prompt(state, follow)

