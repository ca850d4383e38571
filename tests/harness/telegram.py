"""A mocked aiogram session that records every Bot API request and answers it like Telegram would."""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    EditMessageCaption,
    EditMessageReplyMarkup,
    EditMessageText,
    GetChatMember,
    GetMe,
    SendLocation,
    SendMessage,
    SendPhoto,
    TelegramMethod,
)
from aiogram.types import (
    Chat,
    ChatMemberAdministrator,
    ChatMemberMember,
    ChatMemberOwner,
    InlineKeyboardMarkup,
    Message,
    PhotoSize,
    User,
)

BOT_USER = User(id=42, is_bot=True, first_name="Five Teams", username="five_teams_bot")


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    text: str | None
    reply_markup: Any
    photo: str | None = None
    edits: int = 0
    thread_id: int | None = None    # the forum topic it was sent to


@dataclass
class MockedSession(BaseSession):
    requests: list[TelegramMethod[Any]] = field(default_factory=list)
    chat_admins: dict[int, set[int]] = field(default_factory=dict)
    chat_owners: dict[int, int] = field(default_factory=dict)
    chat_types: dict[int, str] = field(default_factory=dict)
    sent: dict[tuple[int, int], SentMessage] = field(default_factory=dict)
    fail: dict[type, Exception] = field(default_factory=dict)
    # chats where every request fails, as the private chat of someone who never started the bot answers 403
    fail_chats: dict[int, Exception] = field(default_factory=dict)
    # forum topics (chat, thread) where sending fails, as in a topic that was deleted
    fail_topics: dict[tuple[int, int | None], Exception] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()
        self._ids = itertools.count(10_000)

    async def close(self) -> None:
        return None

    async def stream_content(self, url: str, headers: Any = None, timeout: int = 30, chunk_size: int = 65536,
                             raise_for_status: bool = True) -> AsyncGenerator[bytes, None]:
        yield b""

    def _chat(self, chat_id: int | str) -> Chat:
        chat_id = int(chat_id)
        return Chat(id=chat_id, type=self.chat_types.get(chat_id, "private" if chat_id > 0 else "supergroup"))

    def _message(self, chat_id: int | str, **fields: Any) -> Message:
        if not isinstance(fields.get("reply_markup"), InlineKeyboardMarkup):
            fields.pop("reply_markup", None)  # a sent Message only ever carries an inline keyboard
        if fields.get("message_thread_id") is not None:
            fields["is_topic_message"] = True  # sent to a forum topic
        return Message(message_id=next(self._ids), date=datetime.now(UTC), chat=self._chat(chat_id),
                       from_user=BOT_USER, **fields)

    async def make_request(self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
        self.requests.append(method)
        if type(method) in self.fail:
            raise self.fail[type(method)]
        if (refusal := self.fail_chats.get(getattr(method, "chat_id", 0))) is not None:
            raise refusal
        topic = (getattr(method, "chat_id", 0), getattr(method, "message_thread_id", None))
        if (refusal := self.fail_topics.get(topic)) is not None:
            raise refusal
        match method:
            case GetMe():
                return BOT_USER
            case SendMessage():
                message = self._message(method.chat_id, text=method.text, reply_markup=method.reply_markup,
                                        message_thread_id=method.message_thread_id)
                self.sent[(message.chat.id, message.message_id)] = SentMessage(
                    message.chat.id, message.message_id, method.text, method.reply_markup,
                    thread_id=method.message_thread_id)
                return message
            case SendPhoto():
                message = self._message(method.chat_id, caption=method.caption, reply_markup=method.reply_markup,
                                        photo=[PhotoSize(file_id=str(method.photo), file_unique_id="u",
                                                         width=1, height=1)],
                                        message_thread_id=method.message_thread_id)
                self.sent[(message.chat.id, message.message_id)] = SentMessage(
                    message.chat.id, message.message_id, method.caption, method.reply_markup, str(method.photo),
                    thread_id=method.message_thread_id)
                return message
            case SendLocation():
                return self._message(method.chat_id)
            case EditMessageText() | EditMessageCaption() | EditMessageReplyMarkup():
                key = (int(method.chat_id or 0), int(method.message_id or 0))
                if key in self.sent:
                    entry = self.sent[key]
                    entry.edits += 1
                    if not isinstance(method, EditMessageReplyMarkup):
                        entry.text = method.text if isinstance(method, EditMessageText) else method.caption
                    entry.reply_markup = method.reply_markup
                return True
            case GetChatMember():
                chat_id, user_id = int(method.chat_id), method.user_id
                user = User(id=user_id, is_bot=False, first_name="u")
                if self.chat_owners.get(chat_id) == user_id:
                    return ChatMemberOwner(user=user, is_anonymous=False)
                if user_id in self.chat_admins.get(chat_id, set()):
                    return ChatMemberAdministrator(
                        user=user, can_be_edited=False, is_anonymous=False, can_manage_chat=True,
                        can_delete_messages=True, can_manage_video_chats=True, can_restrict_members=True,
                        can_promote_members=False, can_change_info=True, can_invite_users=True,
                        can_post_stories=False, can_edit_stories=False, can_delete_stories=False,
                        can_send_welcome_messages=False)
                return ChatMemberMember(user=user)
            case AnswerCallbackQuery() | DeleteMessage():
                return True
        return True

    def of(self, kind: type) -> list[Any]:
        return [r for r in self.requests if isinstance(r, kind)]

    def texts(self) -> list[str]:
        out: list[str] = []
        for request in self.requests:
            if isinstance(request, SendMessage | EditMessageText):
                out.append(request.text)
            elif isinstance(request, SendPhoto | EditMessageCaption) and request.caption:
                out.append(request.caption)
            elif isinstance(request, AnswerCallbackQuery) and request.text:
                out.append(request.text)
        return out

    def clear(self) -> None:
        self.requests.clear()
