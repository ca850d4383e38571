"""The bot's own settings and feeds: identity, updates, webhook, files, callback answers, commands."""

from __future__ import annotations

import json
import re

from emulator.errors import ApiError, bad_request
from emulator.methods.common import Method
from emulator.models import JSON
from emulator.params import Params
from emulator.state import State, WebhookConfig
from emulator.views import bot_user_json

_SCOPE_TYPES = {
    "default",
    "all_private_chats",
    "all_group_chats",
    "all_chat_administrators",
    "chat",
    "chat_administrators",
    "chat_member",
}
_MENU_BUTTON_TYPES = {"default", "commands", "web_app"}
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,256}")


async def get_me(state: State, params: Params) -> JSON:
    return {
        **bot_user_json(state),
        "can_join_groups": True,
        "can_read_all_group_messages": not state.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def _allowed_updates(state: State, params: Params) -> None:
    allowed = params.obj("allowed_updates")
    if allowed is None:
        return
    if not isinstance(allowed, list) or not all(isinstance(kind, str) for kind in allowed):
        raise bad_request("can't parse allowed_updates JSON array")
    state.updates.allowed_updates = allowed


async def get_updates(state: State, params: Params) -> list[JSON]:
    if state.webhook.url:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    _allowed_updates(state, params)
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout = max(params.integer("timeout") or 0, 0)
    return await state.updates.poll(params.integer("offset") or 0, limit, timeout)


async def set_webhook(state: State, params: Params) -> bool:
    url = params.text("url") or ""
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret_token = params.text("secret_token")
    if secret_token is not None and not _SECRET_TOKEN.fullmatch(secret_token):
        raise bad_request("secret token contains unallowed characters")
    _allowed_updates(state, params)
    if params.flag("drop_pending_updates"):
        state.updates.clear()
    state.webhook = WebhookConfig(
        url=url, secret_token=secret_token, max_connections=params.integer("max_connections") or 40
    )
    state.updates.notify()
    return True


async def delete_webhook(state: State, params: Params) -> bool:
    if params.flag("drop_pending_updates"):
        state.updates.clear()
    state.webhook = WebhookConfig()
    state.updates.notify()
    return True


async def get_webhook_info(state: State, params: Params) -> JSON:
    webhook = state.webhook
    info: JSON = {
        "url": webhook.url,
        "has_custom_certificate": False,
        "pending_update_count": len(state.updates.pending),
    }
    if webhook.url:
        info["max_connections"] = webhook.max_connections
        info["ip_address"] = "127.0.0.1"
    if webhook.last_error_date is not None:
        info["last_error_date"] = webhook.last_error_date
        info["last_error_message"] = webhook.last_error_message
    if state.updates.allowed_updates is not None:
        info["allowed_updates"] = state.updates.allowed_updates
    return info


async def get_file(state: State, params: Params) -> JSON:
    stored = state.files.get(params.text("file_id") or "")
    if stored is None:
        raise bad_request("invalid file_id")
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
        "file_path": stored.file_path,
    }


async def answer_callback_query(state: State, params: Params) -> bool:
    query = state.callback_queries.get(params.text("callback_query_id") or "")
    if query is None or query.answer is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    text = params.text("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    query.answer = {
        "text": text,
        "show_alert": params.flag("show_alert"),
        "url": params.text("url"),
        "cache_time": params.integer("cache_time") or 0,
    }
    state.events.emit(
        "callback_answer",
        callback_query_id=query.id,
        chat_id=query.chat_id,
        message_id=query.message_id,
        user_id=query.user_id,
        **query.answer,
    )
    return True


def _command_set_key(params: Params) -> tuple[str, str]:
    scope = params.obj("scope") or {"type": "default"}
    if not isinstance(scope, dict) or scope.get("type") not in _SCOPE_TYPES:
        raise bad_request("can't parse BotCommandScope JSON object")
    return json.dumps(scope, sort_keys=True), params.text("language_code") or ""


def _checked_commands(raw: object) -> list[JSON]:
    if not isinstance(raw, list) or len(raw) > 100:
        raise bad_request("can't parse commands JSON array")
    commands: list[JSON] = []
    for item in raw:
        if not isinstance(item, dict):
            raise bad_request("can't parse BotCommand JSON object")
        command, description = item.get("command"), item.get("description")
        if not isinstance(command, str) or not _COMMAND.fullmatch(command):
            raise bad_request("BOT_COMMAND_INVALID")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        commands.append({"command": command, "description": description})
        if isinstance(item.get("is_ephemeral"), bool):
            commands[-1]["is_ephemeral"] = item["is_ephemeral"]
    return commands


async def set_my_commands(state: State, params: Params) -> bool:
    commands = _checked_commands(params.obj("commands"))
    key = _command_set_key(params)
    if commands:
        state.commands[key] = commands
    else:
        state.commands.pop(key, None)
    state.events.emit("bot")
    return True


async def get_my_commands(state: State, params: Params) -> list[JSON]:
    return state.commands.get(_command_set_key(params), [])


async def delete_my_commands(state: State, params: Params) -> bool:
    state.commands.pop(_command_set_key(params), None)
    state.events.emit("bot")
    return True


def _menu_chat_id(state: State, params: Params) -> int | None:
    chat_id = params.integer("chat_id")
    if chat_id is not None:
        chat = state.chat(chat_id)
        if chat is None or chat.type != "private":
            raise bad_request("chat not found")
    return chat_id


async def set_chat_menu_button(state: State, params: Params) -> bool:
    chat_id = _menu_chat_id(state, params)
    button = params.obj("menu_button") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in _MENU_BUTTON_TYPES:
        raise bad_request("can't parse MenuButton JSON object")
    state.menu_buttons[chat_id] = button
    state.events.emit("bot")
    return True


async def get_chat_menu_button(state: State, params: Params) -> JSON:
    chat_id = _menu_chat_id(state, params)
    return state.menu_buttons.get(chat_id) or state.menu_buttons.get(None) or {"type": "default"}


METHODS: dict[str, Method] = {
    "getMe": get_me,
    "getUpdates": get_updates,
    "setWebhook": set_webhook,
    "deleteWebhook": delete_webhook,
    "getWebhookInfo": get_webhook_info,
    "getFile": get_file,
    "answerCallbackQuery": answer_callback_query,
    "setMyCommands": set_my_commands,
    "getMyCommands": get_my_commands,
    "deleteMyCommands": delete_my_commands,
    "setChatMenuButton": set_chat_menu_button,
    "getChatMenuButton": get_chat_menu_button,
}
