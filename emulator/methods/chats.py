"""Chats and their members."""

from __future__ import annotations

from emulator.errors import bad_request
from emulator.methods.common import Method, target_chat
from emulator.models import JSON
from emulator.params import Params
from emulator.state import State
from emulator.views import chat_full_json, member_json


async def get_chat(state: State, params: Params) -> JSON:
    return chat_full_json(state, target_chat(state, params))


async def get_chat_member(state: State, params: Params) -> JSON:
    chat = target_chat(state, params)
    user_id = params.required_integer("user_id", missing="user_id is empty")
    if user_id != state.bot.id and user_id not in state.users:
        raise bad_request("PARTICIPANT_ID_INVALID")
    if chat.type == "private" and user_id not in (chat.id, state.bot.id):
        raise bad_request("user not found")
    return member_json(state, chat, user_id)


async def get_chat_administrators(state: State, params: Params) -> list[JSON]:
    chat = target_chat(state, params)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admin_ids = [
        user_id for user_id in chat.member_ids if chat.status_of(user_id) in ("creator", "administrator")
    ]
    admins = [member_json(state, chat, user_id) for user_id in admin_ids]
    if chat.bot_status == "administrator":
        admins.append(member_json(state, chat, state.bot.id))
    return admins


async def get_chat_member_count(state: State, params: Params) -> int:
    chat = target_chat(state, params)
    bot_present = chat.type == "private" or chat.bot_status in ("member", "administrator")
    return len(chat.member_ids) + bot_present


METHODS: dict[str, Method] = {
    "getChat": get_chat,
    "getChatMember": get_chat_member,
    "getChatAdministrators": get_chat_administrators,
    "getChatMemberCount": get_chat_member_count,
}
