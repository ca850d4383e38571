"""Everything the emulator knows: the bot's settings, the world of users and chats, messages and files."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from emulator.events import EventLog
from emulator.faults import FaultInjector, RateLimiter, RateLimits, Stats
from emulator.media import image_info, photo_ladder
from emulator.models import (
    JSON,
    BotIdentity,
    CallbackQueryRecord,
    CallRecord,
    Chat,
    FileKind,
    StoredFile,
    StoredMessage,
    User,
)
from emulator.updates import UpdateQueue
from emulator.views import chat_view, message_view, user_view

# Real file ids start with a type-dependent header; bots sometimes log or compare them, so look alike.
_FILE_ID_PREFIX: dict[FileKind, str] = {"photo": "AgACAgIAAxkBAAI", "document": "BQACAgIAAxkBAAI"}


@dataclass
class WebhookConfig:
    url: str = ""
    secret_token: str | None = None
    max_connections: int = 40
    last_error_date: int | None = None
    last_error_message: str | None = None


class State:
    def __init__(self, bot: BotIdentity, *, privacy_mode: bool = True, rate_limits: RateLimits | None = None):
        self.bot = bot
        self.privacy_mode = privacy_mode
        self.events = EventLog()
        self.updates = UpdateQueue()
        self.faults = FaultInjector()
        self.rate_limiter = RateLimiter(rate_limits or RateLimits())
        self.stats = Stats()
        self.webhook = WebhookConfig()
        # Keyed by (scope as canonical JSON, language code) like Telegram's command sets.
        self.commands: dict[tuple[str, str], list[JSON]] = {}
        # None holds the default menu button for private chats without their own.
        self.menu_buttons: dict[int | None, JSON] = {}
        self._next_call_id = 1
        self._reset_world()

    def _reset_world(self) -> None:
        self.users: dict[int, User] = {}
        self.chats: dict[int, Chat] = {}
        self._messages: dict[int, dict[int, StoredMessage]] = {}
        self._last_message_id: dict[int, int] = {}
        self.files: dict[str, StoredFile] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        # Every size's file_id maps to the whole size list, so a photo re-sent by file_id keeps its sizes.
        self.photo_sets: dict[str, list[JSON]] = {}
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.calls: list[CallRecord] = []

    def reset(self) -> None:
        """Forget the world and the logs; keep what the bot configured (webhook, commands, menu button)."""
        self._reset_world()
        self.updates.clear()
        self.events.clear()
        self.faults.clear()
        self.rate_limiter.reset()
        self.stats = Stats()
        self.events.emit("reset")

    # --- users and chats -------------------------------------------------------------------------

    def upsert_user(self, user_id: int, **fields: Any) -> User:
        user = self.users.get(user_id)
        if user is None:
            user = User(id=user_id, first_name=fields.pop("first_name"))
            self.users[user_id] = user
        for name, value in fields.items():
            setattr(user, name, value)
        self.events.emit("user", user=user_view(user))
        return user

    def chat(self, chat_id: int) -> Chat | None:
        chat = self.chats.get(chat_id)
        if chat is None and chat_id in self.users:
            # The private chat between a user and the bot exists as soon as the user does.
            chat = Chat(id=chat_id, type="private", member_ids={chat_id: None})
            self.chats[chat_id] = chat
        return chat

    def find_chat(self, ref: int | str) -> Chat | None:
        if isinstance(ref, int):
            return self.chat(ref)
        name = ref.removeprefix("@").lower()
        return next((chat for chat in self.chats.values() if (chat.username or "").lower() == name), None)

    def save_chat(self, chat: Chat) -> None:
        self.chats[chat.id] = chat
        self.events.emit("chat", chat=chat_view(chat))

    def group_chats(self, member_id: int | None = None) -> list[Chat]:
        return [
            chat
            for chat in self.chats.values()
            if chat.is_group and (member_id is None or member_id in chat.member_ids)
        ]

    # --- messages --------------------------------------------------------------------------------

    def message(
        self, chat_id: int, message_id: int, *, include_deleted: bool = False
    ) -> StoredMessage | None:
        message = self._messages.get(chat_id, {}).get(message_id)
        if message is None or (message.deleted and not include_deleted):
            return None
        return message

    def chat_messages(self, chat_id: int, *, include_deleted: bool = False) -> list[StoredMessage]:
        return [
            message
            for message in self._messages.get(chat_id, {}).values()
            if include_deleted or not message.deleted
        ]

    def add_message(self, chat_id: int, sender_id: int, **content: Any) -> tuple[StoredMessage, int]:
        """Store a message and announce it; returns it with the id of its event."""
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        message = StoredMessage(
            chat_id=chat_id, message_id=message_id, sender_id=sender_id, date=int(time.time()), **content
        )
        self._messages.setdefault(chat_id, {})[message_id] = message
        event_id = self.events.emit(
            "message", chat_id=chat_id, message_id=message_id, message=message_view(self, message)
        )
        return message, event_id

    def mark_edited(self, message: StoredMessage) -> int:
        message.edit_date = int(time.time())
        message.edit_count += 1
        return self.events.emit(
            "edit",
            chat_id=message.chat_id,
            message_id=message.message_id,
            message=message_view(self, message),
        )

    def mark_deleted(self, message: StoredMessage) -> int:
        message.deleted = True
        return self.events.emit("delete", chat_id=message.chat_id, message_id=message.message_id)

    def bot_receives(self, chat: Chat, message: StoredMessage) -> bool:
        """Whether Telegram would hand this user message to the bot (membership and privacy mode)."""
        if chat.type == "private":
            return True
        if chat.bot_status in ("left", "kicked"):
            return False
        if not self.privacy_mode or chat.bot_status == "administrator":
            return True
        if message.reply_to_message_id is not None:
            replied = self.message(chat.id, message.reply_to_message_id, include_deleted=True)
            if replied is not None and replied.sender_id == self.bot.id:
                return True
        return self._is_command_for_bot(message.text)

    def _is_command_for_bot(self, text: str | None) -> bool:
        if not text or not text.startswith("/"):
            return False
        _, _, addressee = text.split(maxsplit=1)[0].partition("@")
        return not addressee or addressee.lower() == self.bot.username.lower()

    # --- files -----------------------------------------------------------------------------------

    def store_file(
        self, kind: FileKind, data: bytes, *, extension: str, mime_type: str, file_name: str | None = None
    ) -> StoredFile:
        folder = "photos" if kind == "photo" else "documents"
        stored = StoredFile(
            file_id=_FILE_ID_PREFIX[kind] + secrets.token_urlsafe(27),
            file_unique_id="AQAD" + secrets.token_urlsafe(9),
            kind=kind,
            data=data,
            file_path=f"{folder}/file_{len(self.files)}.{extension}",
            mime_type=mime_type,
            file_name=file_name,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def file_by_path(self, file_path: str) -> StoredFile | None:
        return self._files_by_path.get(file_path)

    def store_photo(self, data: bytes) -> list[JSON] | None:
        """The PhotoSize list for an uploaded image, or None when the bytes are not an image."""
        info = image_info(data)
        if info is None:
            return None
        extension, width, height = info
        mime_type = "image/jpeg" if extension == "jpg" else f"image/{extension}"
        sizes: list[JSON] = []
        for size_width, size_height in photo_ladder(width, height):
            stored = self.store_file("photo", data, extension=extension, mime_type=mime_type)
            sizes.append(
                {
                    "file_id": stored.file_id,
                    "file_unique_id": stored.file_unique_id,
                    "file_size": stored.size,
                    "width": size_width,
                    "height": size_height,
                }
            )
        for size in sizes:
            self.photo_sets[size["file_id"]] = sizes
        return sizes

    # --- the bot's calls -------------------------------------------------------------------------

    def record_call(self, method: str, params: JSON) -> CallRecord:
        record = CallRecord(id=self._next_call_id, method=method, params=params, time=time.time())
        self._next_call_id += 1
        self.calls.append(record)
        return record
