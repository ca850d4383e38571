"""Objects shaped exactly like the Bot API's (User, Chat, Message, ChatMember...) and control-API views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from emulator.models import JSON, Chat, StoredMessage, User

if TYPE_CHECKING:
    from emulator.state import State


def _compact(**fields: Any) -> JSON:
    # Telegram omits absent optional fields rather than sending null.
    return {key: value for key, value in fields.items() if value is not None}


def bot_user_json(state: State) -> JSON:
    bot = state.bot
    return {"id": bot.id, "is_bot": True, "first_name": bot.first_name, "username": bot.username}


def user_json(user: User) -> JSON:
    return _compact(
        id=user.id,
        is_bot=False,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


def sender_json(state: State, sender_id: int) -> JSON:
    if sender_id == state.bot.id:
        return bot_user_json(state)
    return user_json(state.users[sender_id])


def chat_json(state: State, chat: Chat) -> JSON:
    if chat.type == "private":
        user = state.users[chat.id]
        return _compact(
            id=chat.id,
            type="private",
            first_name=user.first_name,
            last_name=user.last_name,
            username=user.username,
        )
    return _compact(
        id=chat.id,
        type=chat.type,
        title=chat.title,
        username=chat.username,
        is_forum=True if chat.is_forum else None,
    )


def chat_full_json(state: State, chat: Chat) -> JSON:
    return {
        **chat_json(state, chat),
        "accent_color_id": 0,
        "max_reaction_count": 11,
        "accepted_gift_types": {
            "unlimited_gifts": False,
            "limited_gifts": False,
            "unique_gifts": False,
            "premium_subscription": False,
            "gifts_from_channels": False,
        },
    }


def message_json(state: State, message: StoredMessage, *, nested: bool = False) -> JSON:
    chat = state.chats[message.chat_id]
    body: JSON = {
        "message_id": message.message_id,
        "from": sender_json(state, message.sender_id),
        "chat": chat_json(state, chat),
        "date": message.date,
    }
    if message.message_thread_id is not None:
        body["message_thread_id"] = message.message_thread_id
        body["is_topic_message"] = chat.is_forum
    if message.reply_to_message_id is not None and not nested:
        # Telegram nests the replied-to message one level deep only.
        replied = state.message(message.chat_id, message.reply_to_message_id, include_deleted=True)
        if replied is not None:
            body["reply_to_message"] = message_json(state, replied, nested=True)
    body.update(
        _compact(
            edit_date=message.edit_date,
            media_group_id=message.media_group_id,
            text=message.text,
            entities=message.entities or None,
            photo=message.photo,
            document=message.document,
            caption=message.caption,
            caption_entities=message.caption_entities or None,
            location=message.location,
        )
    )
    # Only inline keyboards are part of a Message; reply keyboards and force_reply are not echoed.
    if message.reply_markup and "inline_keyboard" in message.reply_markup:
        body["reply_markup"] = message.reply_markup
    return body


def message_view(state: State, message: StoredMessage) -> JSON:
    """The control API's message: the Telegram Message plus what a person would see in a client."""
    return {
        **message_json(state, message),
        "reply_markup": message.reply_markup,
        "edit_count": message.edit_count,
        "deleted": message.deleted,
        "from_bot": message.sender_id == state.bot.id,
    }


_ADMIN_RIGHTS = (
    "can_manage_chat",
    "can_delete_messages",
    "can_manage_video_chats",
    "can_restrict_members",
    "can_change_info",
    "can_invite_users",
    "can_post_stories",
    "can_edit_stories",
    "can_delete_stories",
    "can_pin_messages",
)


def member_json(state: State, chat: Chat, user_id: int) -> JSON:
    user = bot_user_json(state) if user_id == state.bot.id else user_json(state.users[user_id])
    status = chat.bot_status if user_id == state.bot.id else chat.status_of(user_id)
    if status == "creator":
        return {"status": "creator", "user": user, "is_anonymous": False}
    if status == "administrator":
        rights = dict.fromkeys(_ADMIN_RIGHTS, True)
        return {
            "status": "administrator",
            "user": user,
            "can_be_edited": False,
            "is_anonymous": False,
            "can_promote_members": False,
            "can_send_welcome_messages": False,
            **rights,
        }
    if status == "kicked":
        return {"status": "kicked", "user": user, "until_date": 0}
    return {"status": status, "user": user}


def user_view(user: User) -> JSON:
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "username": user.username,
        "language_code": user.language_code,
        "note": user.note,
        "started_bot": user.started_bot,
        "blocked_bot": user.blocked_bot,
    }


def chat_view(chat: Chat) -> JSON:
    return {
        "id": chat.id,
        "type": chat.type,
        "title": chat.title,
        "username": chat.username,
        "is_forum": chat.is_forum,
        "owner": chat.owner_id,
        "members": list(chat.member_ids),
        "admins": sorted(chat.admin_ids),
        "bot_status": chat.bot_status,
        "topics": {str(thread_id): status for thread_id, status in chat.topics.items()},
    }
