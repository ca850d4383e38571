"""Prompts that work with group privacy mode on: ForceReply aimed at one member, buttons in a follow-up; and
what every guided conversation (/report, /service) shares: its router, its step buttons, whose prompt a button
is on, and the `Conversation` that asks the member."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from aiogram import Bot, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import (
    CallbackQuery,
    ForceReply,
    InaccessibleMessage,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    ReplyParameters,
    User,
)
from aiogram.utils.formatting import Text, TextMention

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Localizer
from bot.middlewares.idle import IdleExpiry

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
    thread_id: int | None = None,
    force_reply: bool = True,
    buttons: Sequence[Sequence[InlineKeyboardButton]] = (),
    buttons_text: str | None = None,
) -> None:
    """Ask one member a question in a (possibly busy) group chat.

    In a group the prompt replies to the member's message, or mentions them, so that `selective` shows the
    reply field to them alone; inline buttons cannot share a message with ForceReply, so they follow. In a forum
    it goes to the topic the member wrote in (`thread_id`), else Telegram puts what replies to nothing in General.
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
    sent = await bot.send_message(chat_id, message_thread_id=thread_id, reply_parameters=reply, reply_markup=markup,
                                  **content.as_kwargs())
    await remember_prompt(state, sent)
    if force_reply and buttons:
        follow = await bot.send_message(
            chat_id, buttons_text or text, message_thread_id=thread_id,
            reply_parameters=ReplyParameters(message_id=sent.message_id),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[list(row) for row in buttons]))
        await remember_prompt(state, follow)


def conversation_router(name: str) -> Router:
    """A router of a guided conversation: a step left idle too long expires. (Only people reach it: the root
    router's `people` branch filters out bots, channels and anonymous admins.)"""
    router = Router(name=name)
    router.message.middleware(IdleExpiry())
    router.callback_query.middleware(IdleExpiry())
    return router


class StepData(Protocol):
    """A conversation's CallbackData class: which step a button answers, with which value."""

    def __call__(self, *, step: str, value: str) -> CallbackData: ...


def step_button(data: StepData, text: str, step: str, value: str = "") -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data(step=step, value=value).pack())


def topic_of(message: Message | InaccessibleMessage | None) -> int | None:
    """The forum topic a message is in, for answers to go there too. Outside a forum a reply carries the id of
    its reply thread, which is not a topic: None then."""
    return message.message_thread_id if isinstance(message, Message) and message.is_topic_message else None


async def own_prompt(query: CallbackQuery, state: FSMContext, refusal: str) -> bool:
    """Whether the button pressed is on a prompt of the presser's own conversation; if not, they are told so."""
    if query.message is None or not await is_own_prompt(state, query.message.message_id):
        await query.answer(refusal, show_alert=True)
        return False
    return True


async def origin_of(state: FSMContext) -> int | None:
    """The member's message that started the conversation: prompts reply to it."""
    return (await state.get_data()).get("origin")


class Conversation:
    """What every step needs to talk to the member: where (the chat, and the forum topic if any), to whom, in
    which language."""

    def __init__(self, bot: Bot, state: FSMContext, t: Localizer, settings: Settings, chat_id: int,
                 user_id: int, user_name: str, thread_id: int | None = None) -> None:
        self.bot, self.state, self.t, self.settings = bot, state, t, settings
        self.chat_id, self.user_id, self.user_name, self.thread_id = chat_id, user_id, user_name, thread_id

    @classmethod
    def of(cls, event: Message | CallbackQuery, bot: Bot, state: FSMContext, t: Localizer,
           settings: Settings) -> Conversation:
        message = event.message if isinstance(event, CallbackQuery) else event
        assert message is not None and event.from_user is not None
        # a button's message is the bot's prompt, in the topic the conversation is in
        return cls(bot, state, t, settings, message.chat.id, event.from_user.id, event.from_user.full_name,
                   topic_of(message))

    async def ask(self, text: str, *, reply_to: int | None = None, force_reply: bool = True,
                  buttons: list[list[InlineKeyboardButton]] | None = None, buttons_text: str | None = None) -> None:
        await ask(self.bot, self.state, chat_id=self.chat_id, user_id=self.user_id, user_name=self.user_name,
                  text=text, reply_to=reply_to, thread_id=self.thread_id, force_reply=force_reply,
                  buttons=buttons or [], buttons_text=buttons_text)

    async def say(self, text: str, *, reply_markup: InlineKeyboardMarkup | None = None) -> Message:
        return await self.bot.send_message(self.chat_id, text, message_thread_id=self.thread_id,
                                           reply_markup=reply_markup)
