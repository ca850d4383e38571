"""Async scope filters used on routers: which kind of chat a feature lives in."""

from __future__ import annotations

import re

from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.models import ChatPurpose
from bot.services.chats import BoundChat


def _chat_type(event: Message | CallbackQuery) -> str | None:
    message = event.message if isinstance(event, CallbackQuery) else event
    return message.chat.type if message is not None else None


class GroupChat(Filter):
    async def __call__(self, event: Message | CallbackQuery) -> bool:
        return _chat_type(event) in ("group", "supergroup")


class PrivateChat(Filter):
    async def __call__(self, event: Message | CallbackQuery) -> bool:
        return _chat_type(event) == "private"


class BoundAs(Filter):
    """The chat is bound to one of the given purposes (village, township, county, department)."""

    def __init__(self, *purposes: ChatPurpose) -> None:
        self.purposes = purposes

    async def __call__(self, event: Message | CallbackQuery, bound: BoundChat | None = None) -> bool:
        return bound is not None and bound.purpose in self.purposes


class FromUser(Filter):
    """A message from a person (not a channel post or an anonymous admin posting as the group)."""

    async def __call__(self, event: Message) -> bool:
        # a message in a chat's name carries a stand-in sender, and a linked channel's is not marked as a bot
        return event.from_user is not None and not event.from_user.is_bot and event.sender_chat is None


COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@\w+)?(\s|$)")


class Answer(Filter):
    """A message that may answer a conversation step. A command never does: it runs as itself (or, if no feature
    knows it, nothing happens) and the conversation waits at its step."""

    async def __call__(self, message: Message) -> bool:
        return not COMMAND.match(message.text or message.caption or "")


class WithPhoto(Filter):
    async def __call__(self, message: Message) -> bool:
        return bool(message.photo)
