"""What scripted users do: write, send photos and locations, reply, edit, press inline buttons."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any

from emulator.errors import ControlError
from emulator.formatting import utf16_len
from emulator.markup import inline_callback_data
from emulator.models import JSON, CallbackQueryRecord, Chat, StoredMessage, User
from emulator.state import State
from emulator.views import message_json, message_view, user_json
from emulator.world import require_user

_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_@])")


@dataclass
class Posted:
    message: StoredMessage
    # None when Telegram would not hand the message to the bot (privacy mode, bot not in the chat).
    update_id: int | None
    event_id: int

    def view(self, state: State) -> JSON:
        return {
            "message": message_view(state, self.message),
            "update_id": self.update_id,
            "event_id": self.event_id,
        }


@dataclass
class Pressed:
    callback_query_id: str
    update_id: int | None

    def view(self) -> JSON:
        return {"callback_query_id": self.callback_query_id, "update_id": self.update_id}


def command_entities(text: str) -> list[JSON] | None:
    match = _COMMAND.match(text)
    if match is None:
        return None
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(match.group())}]


def _speaker(state: State, chat_id: int, user_id: int) -> tuple[Chat, User]:
    user = require_user(state, user_id)
    chat = state.chat(chat_id)
    if chat is None:
        raise ControlError(404, f"unknown chat {chat_id}")
    if chat.type == "private" and chat.id != user.id:
        raise ControlError(403, "a user can only write in their own private chat with the bot")
    if chat.is_group and user.id not in chat.member_ids:
        raise ControlError(403, f"user {user.id} is not a member of chat {chat.id}")
    return chat, user


def _post(state: State, chat: Chat, user: User, reply_to: int | None, **content: Any) -> Posted:
    if reply_to is not None and state.message(chat.id, reply_to) is None:
        raise ControlError(404, f"message {reply_to} not found in chat {chat.id}")
    if chat.type == "private" and (not user.started_bot or user.blocked_bot):
        # A user writes to a bot only after pressing Start (or Restart, which also unblocks it).
        state.upsert_user(user.id, started_bot=True, blocked_bot=False)
    message, event_id = state.add_message(chat.id, user.id, reply_to_message_id=reply_to, **content)
    update_id = None
    if state.bot_receives(chat, message):
        update_id = state.updates.push("message", message_json(state, message))
    return Posted(message, update_id, event_id)


def _check_text(text: str) -> None:
    if not text.strip():
        raise ControlError(400, "message text is empty")
    if utf16_len(text) > 4096:
        raise ControlError(400, "message is too long")


def send_text(
    state: State,
    chat_id: int,
    user_id: int,
    text: str,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Posted:
    chat, user = _speaker(state, chat_id, user_id)
    _check_text(text)
    return _post(
        state, chat, user, reply_to, text=text, entities=command_entities(text), message_thread_id=thread_id
    )


def send_photo(
    state: State,
    chat_id: int,
    user_id: int,
    data: bytes,
    *,
    caption: str | None = None,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Posted:
    chat, user = _speaker(state, chat_id, user_id)
    if caption is not None and utf16_len(caption) > 1024:
        raise ControlError(400, "message caption is too long")
    sizes = state.store_photo(data)
    if sizes is None:
        raise ControlError(400, "the upload is not a PNG, JPEG, GIF or WebP image")
    return _post(
        state, chat, user, reply_to, photo=sizes, caption=caption or None, message_thread_id=thread_id
    )


def send_location(
    state: State,
    chat_id: int,
    user_id: int,
    latitude: float,
    longitude: float,
    *,
    reply_to: int | None = None,
    thread_id: int | None = None,
) -> Posted:
    chat, user = _speaker(state, chat_id, user_id)
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise ControlError(400, "latitude must be within ±90 and longitude within ±180")
    location = {"latitude": latitude, "longitude": longitude}
    return _post(state, chat, user, reply_to, location=location, message_thread_id=thread_id)


def edit_text(state: State, chat_id: int, message_id: int, user_id: int, text: str) -> Posted:
    chat, user = _speaker(state, chat_id, user_id)
    message = state.message(chat.id, message_id)
    if message is None:
        raise ControlError(404, f"message {message_id} not found in chat {chat.id}")
    if message.sender_id != user.id:
        raise ControlError(403, "a user can only edit their own messages")
    if message.text is None:
        raise ControlError(400, "only text messages can be edited")
    _check_text(text)
    if text == message.text:
        raise ControlError(400, "message is not modified")
    message.text, message.entities = text, command_entities(text)
    event_id = state.mark_edited(message)
    update_id = None
    if state.bot_receives(chat, message):
        update_id = state.updates.push("edited_message", message_json(state, message))
    return Posted(message, update_id, event_id)


def press_button(state: State, chat_id: int, message_id: int, user_id: int, callback_data: str) -> Pressed:
    chat, user = _speaker(state, chat_id, user_id)
    message = state.message(chat.id, message_id)
    if message is None:
        raise ControlError(404, f"message {message_id} not found in chat {chat.id}")
    if callback_data not in inline_callback_data(message.reply_markup):
        raise ControlError(
            404, f"message {message_id} has no inline button with callback_data {callback_data!r}"
        )
    query_id = str(secrets.randbits(63))
    state.callback_queries[query_id] = CallbackQueryRecord(
        query_id, user.id, chat.id, message_id, callback_data
    )
    update_id = None
    if chat.type == "private" or chat.bot_status in ("member", "administrator"):
        update_id = state.updates.push(
            "callback_query",
            {
                "id": query_id,
                "from": user_json(user),
                "message": message_json(state, message),
                "chat_instance": chat.chat_instance,
                "data": callback_data,
            },
        )
    return Pressed(query_id, update_id)
