"""Setting up the world the bot lives in: users, group chats, their members and the bot's membership."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any, cast, get_args

from emulator.errors import ControlError
from emulator.models import BotStatus, Chat, TopicStatus, User
from emulator.state import State
from emulator.views import chat_json, member_json, user_json

USER_FIELDS = ("first_name", "last_name", "username", "language_code", "note", "started_bot", "blocked_bot")
BOT_STATUSES: tuple[str, ...] = get_args(BotStatus)
TOPIC_STATUSES: tuple[str, ...] = get_args(TopicStatus)
# Basic groups have ids like -4xxxxxxxxx today; supergroups are -100 followed by the channel id.
_GROUP_ID_BASE = -4_000_000_000
_SUPERGROUP_ID_BASE = -1_003_000_000_000


def _checked_bot_status(value: str) -> BotStatus:
    if value not in BOT_STATUSES:
        raise ControlError(400, f"the bot's status must be one of {', '.join(BOT_STATUSES)}")
    return cast(BotStatus, value)


def upsert_user(state: State, spec: dict[str, Any]) -> User:
    user_id = spec.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool) or user_id <= 0:
        raise ControlError(400, "a user needs a positive integer id")
    unknown = set(spec) - {"id", *USER_FIELDS}
    if unknown:
        raise ControlError(400, f"unknown user fields: {', '.join(sorted(unknown))}")
    if user_id not in state.users and not spec.get("first_name"):
        raise ControlError(400, f"a new user needs a first_name (user {user_id})")
    if user_id == state.bot.id:
        raise ControlError(400, "that id belongs to the bot")
    fields = {name: spec[name] for name in USER_FIELDS if name in spec}
    if "first_name" in fields and not (isinstance(fields["first_name"], str) and fields["first_name"]):
        raise ControlError(400, f"first_name must be a non-empty string (user {user_id})")
    for name in ("last_name", "username", "language_code", "note"):
        if not isinstance(fields.get(name), str | None):
            raise ControlError(400, f"{name} must be a string or null (user {user_id})")
    for name in ("started_bot", "blocked_bot"):
        if not isinstance(fields.get(name, False), bool):
            raise ControlError(400, f"{name} must be true or false (user {user_id})")
    return state.upsert_user(user_id, **fields)


def require_user(state: State, user_id: int) -> User:
    user = state.users.get(user_id)
    if user is None:
        raise ControlError(404, f"unknown user {user_id}")
    return user


def require_group(state: State, chat_id: int) -> Chat:
    chat = state.chats.get(chat_id)
    if chat is None or not chat.is_group:
        raise ControlError(404, f"unknown group chat {chat_id}")
    return chat


def _free_chat_id(state: State, base: int) -> int:
    chat_id = base - 1
    while chat_id in state.chats:
        chat_id -= 1
    return chat_id


def create_chat(
    state: State,
    *,
    chat_type: str,
    title: str,
    chat_id: int | None = None,
    username: str | None = None,
    is_forum: bool = False,
    members: Iterable[int] = (),
    admins: Iterable[int] = (),
    owner: int | None = None,
    bot_status: str = "member",
) -> Chat:
    """Create a group or supergroup, or redefine an existing one keeping its messages."""
    if chat_type not in ("group", "supergroup"):
        raise ControlError(400, "chat type must be group or supergroup (private chats exist implicitly)")
    checked_status = _checked_bot_status(bot_status)
    if chat_id is None:
        chat_id = _free_chat_id(state, _GROUP_ID_BASE if chat_type == "group" else _SUPERGROUP_ID_BASE)
    if chat_id >= 0:
        raise ControlError(400, "group chat ids are negative")
    if chat_type == "supergroup" and not str(chat_id).startswith("-100"):
        raise ControlError(400, "supergroup ids start with -100")
    admin_ids = set(admins)
    member_ids = [*members, *admin_ids, *([owner] if owner is not None else [])]
    for user_id in member_ids:
        require_user(state, user_id)
    previous = state.chats.get(chat_id)
    chat = Chat(
        id=chat_id,
        type="group" if chat_type == "group" else "supergroup",
        title=title,
        username=username,
        is_forum=is_forum,
        owner_id=owner,
        member_ids=dict.fromkeys(member_ids),
        admin_ids=admin_ids | ({owner} if owner is not None else set()),
        bot_status=checked_status,
    )
    if previous is not None:
        chat.chat_instance = previous.chat_instance
    state.save_chat(chat)
    return chat


def add_members(state: State, chat_id: int, user_ids: Iterable[int], *, admin: bool = False) -> Chat:
    chat = require_group(state, chat_id)
    for user_id in user_ids:
        require_user(state, user_id)
        chat.member_ids.setdefault(user_id, None)
        if admin:
            chat.admin_ids.add(user_id)
    state.save_chat(chat)
    return chat


def remove_member(state: State, chat_id: int, user_id: int) -> Chat:
    chat = require_group(state, chat_id)
    chat.member_ids.pop(user_id, None)
    chat.admin_ids.discard(user_id)
    if chat.owner_id == user_id:
        chat.owner_id = None
    state.save_chat(chat)
    return chat


def set_bot_status(
    state: State, chat_id: int, status: str, *, by: int | None = None
) -> tuple[Chat, int | None]:
    """Change the bot's membership and send the bot its my_chat_member update, as Telegram does."""
    chat = require_group(state, chat_id)
    checked_status = _checked_bot_status(status)
    actor_id = by if by is not None else chat.owner_id or next(iter(sorted(chat.admin_ids)), None)
    if actor_id is None:
        raise ControlError(400, "say who changes the bot's membership: 'by' (the chat has no owner or admin)")
    actor = require_user(state, actor_id)
    old_member = member_json(state, chat, state.bot.id)
    chat.bot_status = checked_status
    state.save_chat(chat)
    update_id = state.updates.push(
        "my_chat_member",
        {
            "chat": chat_json(state, chat),
            "from": user_json(actor),
            "date": int(time.time()),
            "old_chat_member": old_member,
            "new_chat_member": member_json(state, chat, state.bot.id),
        },
    )
    return chat, update_id


def set_topic(state: State, chat_id: int, thread_id: int, status: str) -> Chat:
    """An admin closes, reopens or deletes a forum topic; deleting it deletes its messages, as Telegram does."""
    chat = require_group(state, chat_id)
    if not chat.is_forum:
        raise ControlError(400, "only a forum supergroup has topics")
    if status not in TOPIC_STATUSES:
        raise ControlError(400, f"status must be one of {', '.join(TOPIC_STATUSES)}")
    if chat.topics.get(thread_id) == "deleted":
        raise ControlError(400, "a deleted topic stays deleted")
    if status == "open":
        chat.topics.pop(thread_id, None)
    else:
        chat.topics[thread_id] = cast(TopicStatus, status)
    if status == "deleted":
        for message in state.chat_messages(chat.id):
            if message.message_thread_id == thread_id:
                state.mark_deleted(message)
    state.save_chat(chat)
    return chat
