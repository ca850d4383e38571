"""Feeds group messages and button presses through the real router tree, as Telegram would deliver them."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import (
    CallbackQuery,
    Chat,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberUpdated,
    InlineKeyboardMarkup,
    Location,
    Message,
    MessageEntity,
    PhotoSize,
    Update,
    User,
)

from bot.messaging.sender import Sender
from tests.harness.telegram import BOT_USER, MockedSession, SentMessage


@dataclass(frozen=True)
class Person:
    telegram_id: int
    first_name: str
    username: str | None = None
    language: str | None = "zh"

    @property
    def user(self) -> User:
        return User(id=self.telegram_id, is_bot=False, first_name=self.first_name, username=self.username,
                    language_code=self.language)


class ChatHarness:
    """Feeds updates and then delivers what they queued in the outbox, as the running bot's sender would."""

    def __init__(self, dispatcher: Dispatcher, sender_factory: Callable[[Bot], Sender] | None = None) -> None:
        self.dispatcher = dispatcher
        self.session = MockedSession()
        self.bot = Bot("42:TEST", session=self.session)
        self.sender = sender_factory(self.bot) if sender_factory else None
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        self.chats: dict[int, Chat] = {}

    def group(self, chat_id: int, title: str = "group", *, admins: set[int] | None = None,
              kind: str = "supergroup") -> Chat:
        chat = Chat(id=chat_id, type=kind, title=title)
        self.chats[chat_id] = chat
        self.session.chat_types[chat_id] = kind
        self.session.chat_admins[chat_id] = set(admins or ())
        return chat

    def _chat(self, chat_id: int, person: Person) -> Chat:
        if chat_id in self.chats:
            return self.chats[chat_id]
        return Chat(id=chat_id, type="private", first_name=person.first_name)

    async def feed(self, update: Update) -> list[Any]:
        before = len(self.session.requests)
        await self.dispatcher.feed_update(self.bot, update)
        await self.deliver()
        return self.session.requests[before:]

    async def deliver(self) -> int:
        return await self.sender.drain() if self.sender else 0

    def message(self, person: Person, chat_id: int, text: str | None = None, *, reply_to: int | None = None,
                **fields: Any) -> Message:
        entities = None
        if text and text.startswith("/"):
            entities = [MessageEntity(type="bot_command", offset=0, length=len(text.split()[0]))]
        reply = None
        if reply_to is not None:
            sent = self.session.sent.get((chat_id, reply_to))
            reply = Message(message_id=reply_to, date=datetime.now(UTC), chat=self._chat(chat_id, person),
                            from_user=BOT_USER, text=sent.text if sent else "")
        return Message(message_id=next(self._message_ids), date=datetime.now(UTC),
                       chat=self._chat(chat_id, person), from_user=person.user, text=text, entities=entities,
                       reply_to_message=reply, **fields)

    async def send(self, person: Person, chat_id: int, text: str | None = None, **fields: Any) -> list[Any]:
        return await self.feed(Update(update_id=next(self._update_ids),
                                      message=self.message(person, chat_id, text, **fields)))

    async def send_photo(self, person: Person, chat_id: int, file_id: str, caption: str | None = None,
                         **fields: Any) -> list[Any]:
        photo = [PhotoSize(file_id=file_id, file_unique_id=f"u-{file_id}", width=640, height=480)]
        return await self.send(person, chat_id, None, photo=photo, caption=caption, **fields)

    async def send_location(self, person: Person, chat_id: int, latitude: float, longitude: float,
                            **fields: Any) -> list[Any]:
        location = Location(latitude=latitude, longitude=longitude)
        return await self.send(person, chat_id, None, location=location, **fields)

    async def press(self, person: Person, chat_id: int, message_id: int, data: str) -> list[Any]:
        sent = self.session.sent.get((chat_id, message_id))
        thread_id = sent.thread_id if sent else None    # a button under a message in a forum topic is in it too
        message = Message(message_id=message_id, date=datetime.now(UTC), chat=self._chat(chat_id, person),
                          from_user=BOT_USER, text=sent.text if sent else "card", message_thread_id=thread_id,
                          is_topic_message=thread_id is not None or None)
        query = CallbackQuery(id=str(next(self._update_ids)), from_user=person.user, chat_instance="ci",
                              message=message, data=data)
        return await self.feed(Update(update_id=next(self._update_ids), callback_query=query))

    async def add_bot(self, person: Person, chat_id: int) -> list[Any]:
        """`person` adds the bot (back) to the group: its my_chat_member update, from left to member."""
        update = ChatMemberUpdated(chat=self._chat(chat_id, person), from_user=person.user, date=datetime.now(UTC),
                                   old_chat_member=ChatMemberLeft(user=BOT_USER),
                                   new_chat_member=ChatMemberMember(user=BOT_USER))
        return await self.feed(Update(update_id=next(self._update_ids), my_chat_member=update))

    def last_sent(self, chat_id: int) -> SentMessage:
        return [m for (c, _), m in self.session.sent.items() if c == chat_id][-1]

    def buttons(self, chat_id: int, message_id: int | None = None) -> dict[str, str]:
        """Button text -> callback data of a message the bot sent (the latest in the chat by default)."""
        sent = self.session.sent[(chat_id, message_id)] if message_id else self.last_sent(chat_id)
        markup = sent.reply_markup
        if not isinstance(markup, InlineKeyboardMarkup):
            return {}
        return {b.text: b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data}
