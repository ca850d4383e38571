"""Plain records the emulator keeps: the bot, users, chats, messages, files and callback queries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any, Literal

JSON = dict[str, Any]

ChatType = Literal["private", "group", "supergroup"]
BotStatus = Literal["member", "administrator", "left", "kicked"]
FileKind = Literal["photo", "document"]
# A forum topic's state as a bot meets it; any other thread id is taken as an open topic.
TopicStatus = Literal["open", "closed", "deleted"]


@dataclass
class BotIdentity:
    token: str
    id: int
    username: str
    first_name: str


@dataclass
class User:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    # Free hint for the sandbox page (e.g. village and role); never sent to the bot.
    note: str | None = None
    # False: the user never pressed Start, and Telegram lets no bot write to them first.
    started_bot: bool = True
    blocked_bot: bool = False


def _chat_instance() -> str:
    # Telegram's chat_instance is an opaque signed 64-bit number sent as a string.
    return str(secrets.randbits(64) - 2**63)


@dataclass
class Chat:
    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    is_forum: bool = False
    owner_id: int | None = None
    # dict keys keep insertion order, which is the member list order shown to people.
    member_ids: dict[int, None] = field(default_factory=dict)
    admin_ids: set[int] = field(default_factory=set)
    bot_status: BotStatus = "member"
    chat_instance: str = field(default_factory=_chat_instance)
    # forum topics closed or deleted by the chat's admins (open ones are not listed)
    topics: dict[int, TopicStatus] = field(default_factory=dict)

    @property
    def is_group(self) -> bool:
        return self.type in ("group", "supergroup")

    def status_of(self, user_id: int) -> Literal["creator", "administrator", "member", "left"]:
        if user_id not in self.member_ids:
            return "left"
        if user_id == self.owner_id:
            return "creator"
        if user_id in self.admin_ids:
            return "administrator"
        return "member"


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    sender_id: int
    date: int
    text: str | None = None
    entities: list[JSON] | None = None
    caption: str | None = None
    caption_entities: list[JSON] | None = None
    photo: list[JSON] | None = None
    document: JSON | None = None
    location: JSON | None = None
    reply_to_message_id: int | None = None
    # Kept exactly as the bot sent it (inline, reply keyboard, remove or force reply) for the page.
    reply_markup: JSON | None = None
    message_thread_id: int | None = None
    media_group_id: str | None = None
    edit_date: int | None = None
    edit_count: int = 0
    deleted: bool = False

    @property
    def has_media(self) -> bool:
        return self.photo is not None or self.document is not None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: FileKind
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class CallbackQueryRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answer: JSON | None = None


@dataclass
class CallRecord:
    id: int
    method: str
    params: JSON
    time: float
    status: int = 200
    description: str | None = None

    def view(self) -> JSON:
        return {
            "id": self.id,
            "method": self.method,
            "params": self.params,
            "time": self.time,
            "ok": self.status == 200,
            "status": self.status,
            "description": self.description,
        }
