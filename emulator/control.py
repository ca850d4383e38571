"""The control API under /control/: build the world, act as users, watch the bot, inject faults.

This file holds the bot and the world (users, chats, members); acting as a user, watching the bot and faults
each have a file of their own."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from emulator import world
from emulator.control_acting import ActingApi
from emulator.control_faults import FaultsApi
from emulator.control_input import CHAT_ROUTE, as_int, as_optional_int, chat_id_of, json_body
from emulator.control_watching import WatchingApi
from emulator.errors import ControlError
from emulator.models import Chat
from emulator.state import State
from emulator.views import bot_user_json, chat_view, user_view


class ControlApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        chat = CHAT_ROUTE
        return [
            web.get("/control/bot", self.bot),
            web.post("/control/reset", self.reset),
            web.get("/control/users", self.list_users),
            web.post("/control/users", self.upsert_users),
            web.get("/control/users/{user_id}", self.get_user),
            web.get("/control/chats", self.list_chats),
            web.post("/control/chats", self.create_chats),
            web.get(chat, self.get_chat),
            web.post(chat + "/members", self.add_members),
            web.delete(chat + "/members/{user_id}", self.remove_member),
            web.post(chat + "/bot", self.set_bot_status),
            web.post(chat + "/topics/{thread_id}", self.set_topic),
            *ActingApi(self._state).routes(),
            *WatchingApi(self._state).routes(),
            *FaultsApi(self._state).routes(),
        ]

    async def bot(self, request: web.Request) -> web.Response:
        state = self._state
        commands = [
            {"scope": json.loads(scope), "language_code": language, "commands": listed}
            for (scope, language), listed in state.commands.items()
        ]
        menu_buttons = [
            {"chat_id": chat_id, "menu_button": button} for chat_id, button in state.menu_buttons.items()
        ]
        return web.json_response(
            {
                "user": bot_user_json(state),
                "privacy_mode": state.privacy_mode,
                "commands": commands,
                "menu_buttons": menu_buttons,
                "webhook": {
                    "url": state.webhook.url,
                    "pending_update_count": len(state.updates.pending),
                    "last_error_message": state.webhook.last_error_message,
                },
            }
        )

    async def reset(self, request: web.Request) -> web.Response:
        self._state.reset()
        return web.json_response({"ok": True})

    async def list_users(self, request: web.Request) -> web.Response:
        return web.json_response({"users": [user_view(user) for user in self._state.users.values()]})

    async def upsert_users(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        specs = body.get("users", [body])
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ControlError(400, "users must be a list of objects")
        users = [world.upsert_user(self._state, spec) for spec in specs]
        return web.json_response({"users": [user_view(user) for user in users]})

    async def get_user(self, request: web.Request) -> web.Response:
        user = world.require_user(self._state, as_int(request.match_info["user_id"], "user_id"))
        return web.json_response(user_view(user))

    async def list_chats(self, request: web.Request) -> web.Response:
        member = as_optional_int(request.query.get("member"), "member")
        return web.json_response({"chats": [chat_view(chat) for chat in self._state.group_chats(member)]})

    async def create_chats(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        specs = body.get("chats", [body])
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ControlError(400, "chats must be a list of objects")
        chats = [self._create_chat(spec) for spec in specs]
        return web.json_response({"chats": [chat_view(chat) for chat in chats]})

    def _create_chat(self, spec: dict[str, Any]) -> Chat:
        def ids(name: str) -> list[int]:
            values = spec.get(name) or []
            if not isinstance(values, list):
                raise ControlError(400, f"{name} must be a list of user ids")
            return [as_int(value, name) for value in values]

        return world.create_chat(
            self._state,
            chat_type=str(spec.get("type", "group")),
            title=str(spec.get("title") or "Group"),
            chat_id=as_optional_int(spec.get("id"), "id"),
            username=spec.get("username"),
            is_forum=bool(spec.get("is_forum", False)),
            members=ids("members"),
            admins=ids("admins"),
            owner=as_optional_int(spec.get("owner"), "owner"),
            bot_status=str(spec.get("bot_status", "member")),
        )

    async def get_chat(self, request: web.Request) -> web.Response:
        chat = self._state.chat(chat_id_of(request))
        if chat is None:
            raise ControlError(404, "unknown chat")
        return web.json_response(chat_view(chat))

    async def add_members(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        user_ids = body.get("user_ids")
        if not isinstance(user_ids, list):
            raise ControlError(400, "user_ids must be a list")
        chat = world.add_members(
            self._state,
            chat_id_of(request),
            [as_int(user_id, "user_ids") for user_id in user_ids],
            admin=bool(body.get("admin", False)),
        )
        return web.json_response(chat_view(chat))

    async def remove_member(self, request: web.Request) -> web.Response:
        user_id = as_int(request.match_info["user_id"], "user_id")
        chat = world.remove_member(self._state, chat_id_of(request), user_id)
        return web.json_response(chat_view(chat))

    async def set_bot_status(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        chat, update_id = world.set_bot_status(
            self._state,
            chat_id_of(request),
            str(body.get("status", "")),
            by=as_optional_int(body.get("by"), "by"),
        )
        return web.json_response({"chat": chat_view(chat), "update_id": update_id})

    async def set_topic(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        thread_id = as_int(request.match_info["thread_id"], "thread_id")
        chat = world.set_topic(self._state, chat_id_of(request), thread_id, str(body.get("status", "")))
        return web.json_response(chat_view(chat))
