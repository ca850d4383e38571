"""The control API under /control/: build the world, act as users, watch the bot, inject faults."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any, cast

from aiohttp import web

from emulator import actions, world
from emulator.errors import ControlError
from emulator.faults import FAULT_KINDS, FaultKind, RateLimits
from emulator.models import Chat
from emulator.state import State
from emulator.views import bot_user_json, chat_view, message_view, user_view

_MAX_EVENT_WAIT = 60.0
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def control_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as error:
        return web.json_response({"error": error.message}, status=error.status)


def _int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ControlError(400, f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"{name} must be an integer") from error


def _optional_int(value: Any, name: str) -> int | None:
    return None if value in (None, "") else _int(value, name)


def _float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"{name} must be a number") from error


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError as error:
        raise ControlError(400, "the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


class ControlApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        chat = "/control/chats/{chat_id}"
        message = chat + "/messages/{message_id}"
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
            web.get(chat + "/messages", self.list_messages),
            web.post(chat + "/messages", self.send_text),
            web.post(chat + "/photos", self.send_photo),
            web.post(chat + "/locations", self.send_location),
            web.post(message + "/edit", self.edit_message),
            web.post(message + "/press", self.press_button),
            web.get("/control/calls", self.list_calls),
            web.get("/control/callback_answers", self.list_callback_answers),
            web.get("/control/updates", self.list_updates),
            web.get("/control/events", self.events),
            web.get("/control/files/{file_id}", self.file),
            web.get("/control/faults", self.list_faults),
            web.post("/control/faults", self.add_fault),
            web.delete("/control/faults", self.clear_faults),
            web.get("/control/rate_limits", self.get_rate_limits),
            web.post("/control/rate_limits", self.set_rate_limits),
            web.get("/control/stats", self.stats),
        ]

    # --- the bot and the world -------------------------------------------------------------------

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
        body = await _body(request)
        specs = body.get("users", [body])
        if not isinstance(specs, list) or not all(isinstance(spec, dict) for spec in specs):
            raise ControlError(400, "users must be a list of objects")
        users = [world.upsert_user(self._state, spec) for spec in specs]
        return web.json_response({"users": [user_view(user) for user in users]})

    async def get_user(self, request: web.Request) -> web.Response:
        user = world.require_user(self._state, _int(request.match_info["user_id"], "user_id"))
        return web.json_response(user_view(user))

    async def list_chats(self, request: web.Request) -> web.Response:
        member = _optional_int(request.query.get("member"), "member")
        return web.json_response({"chats": [chat_view(chat) for chat in self._state.group_chats(member)]})

    async def create_chats(self, request: web.Request) -> web.Response:
        body = await _body(request)
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
            return [_int(value, name) for value in values]

        return world.create_chat(
            self._state,
            chat_type=str(spec.get("type", "group")),
            title=str(spec.get("title") or "Group"),
            chat_id=_optional_int(spec.get("id"), "id"),
            username=spec.get("username"),
            is_forum=bool(spec.get("is_forum", False)),
            members=ids("members"),
            admins=ids("admins"),
            owner=_optional_int(spec.get("owner"), "owner"),
            bot_status=str(spec.get("bot_status", "member")),
        )

    def _chat_id(self, request: web.Request) -> int:
        return _int(request.match_info["chat_id"], "chat_id")

    async def get_chat(self, request: web.Request) -> web.Response:
        chat = self._state.chat(self._chat_id(request))
        if chat is None:
            raise ControlError(404, "unknown chat")
        return web.json_response(chat_view(chat))

    async def add_members(self, request: web.Request) -> web.Response:
        body = await _body(request)
        user_ids = body.get("user_ids")
        if not isinstance(user_ids, list):
            raise ControlError(400, "user_ids must be a list")
        chat = world.add_members(
            self._state,
            self._chat_id(request),
            [_int(user_id, "user_ids") for user_id in user_ids],
            admin=bool(body.get("admin", False)),
        )
        return web.json_response(chat_view(chat))

    async def remove_member(self, request: web.Request) -> web.Response:
        user_id = _int(request.match_info["user_id"], "user_id")
        chat = world.remove_member(self._state, self._chat_id(request), user_id)
        return web.json_response(chat_view(chat))

    async def set_bot_status(self, request: web.Request) -> web.Response:
        body = await _body(request)
        chat, update_id = world.set_bot_status(
            self._state,
            self._chat_id(request),
            str(body.get("status", "")),
            by=_optional_int(body.get("by"), "by"),
        )
        return web.json_response({"chat": chat_view(chat), "update_id": update_id})

    # --- acting as a user ------------------------------------------------------------------------

    def _sender(self, request: web.Request, value: Any) -> int:
        if value in (None, ""):
            chat_id = self._chat_id(request)
            if chat_id > 0:
                # In a private chat the only possible sender is the chat's own user.
                return chat_id
            raise ControlError(400, "say which user sends: 'from'")
        return _int(value, "from")

    async def list_messages(self, request: web.Request) -> web.Response:
        include_deleted = request.query.get("include_deleted", "") in ("1", "true")
        messages = self._state.chat_messages(self._chat_id(request), include_deleted=include_deleted)
        return web.json_response({"messages": [message_view(self._state, message) for message in messages]})

    async def send_text(self, request: web.Request) -> web.Response:
        body = await _body(request)
        posted = actions.send_text(
            self._state,
            self._chat_id(request),
            self._sender(request, body.get("from")),
            str(body.get("text") or ""),
            reply_to=_optional_int(body.get("reply_to"), "reply_to"),
            thread_id=_optional_int(body.get("message_thread_id"), "message_thread_id"),
        )
        return web.json_response(posted.view(self._state))

    async def send_photo(self, request: web.Request) -> web.Response:
        if request.content_type != "multipart/form-data":
            raise ControlError(400, "upload the photo as multipart/form-data with a 'photo' file field")
        form = await request.post()
        photo = form.get("photo")
        if not isinstance(photo, web.FileField):
            raise ControlError(400, "the 'photo' field must be a file")
        caption = form.get("caption")
        posted = actions.send_photo(
            self._state,
            self._chat_id(request),
            self._sender(request, form.get("from")),
            photo.file.read(),
            caption=caption if isinstance(caption, str) and caption else None,
            reply_to=_optional_int(form.get("reply_to"), "reply_to"),
            thread_id=_optional_int(form.get("message_thread_id"), "message_thread_id"),
        )
        return web.json_response(posted.view(self._state))

    async def send_location(self, request: web.Request) -> web.Response:
        body = await _body(request)
        posted = actions.send_location(
            self._state,
            self._chat_id(request),
            self._sender(request, body.get("from")),
            _float(body.get("latitude"), "latitude"),
            _float(body.get("longitude"), "longitude"),
            reply_to=_optional_int(body.get("reply_to"), "reply_to"),
            thread_id=_optional_int(body.get("message_thread_id"), "message_thread_id"),
        )
        return web.json_response(posted.view(self._state))

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await _body(request)
        posted = actions.edit_text(
            self._state,
            self._chat_id(request),
            _int(request.match_info["message_id"], "message_id"),
            self._sender(request, body.get("from")),
            str(body.get("text") or ""),
        )
        return web.json_response(posted.view(self._state))

    async def press_button(self, request: web.Request) -> web.Response:
        body = await _body(request)
        pressed = actions.press_button(
            self._state,
            self._chat_id(request),
            _int(request.match_info["message_id"], "message_id"),
            self._sender(request, body.get("from")),
            str(body.get("callback_data") or ""),
        )
        return web.json_response(pressed.view())

    # --- watching the bot ------------------------------------------------------------------------

    async def list_calls(self, request: web.Request) -> web.Response:
        method = (request.query.get("method") or "").lower()
        chat_id = _optional_int(request.query.get("chat_id"), "chat_id")
        after = _optional_int(request.query.get("after"), "after") or 0
        calls = [
            call.view()
            for call in self._state.calls
            if call.id > after
            and (not method or call.method.lower() == method)
            and (chat_id is None or call.params.get("chat_id") == chat_id)
        ]
        return web.json_response({"calls": calls})

    async def list_callback_answers(self, request: web.Request) -> web.Response:
        answers = [
            {
                "callback_query_id": query.id,
                "user_id": query.user_id,
                "chat_id": query.chat_id,
                "message_id": query.message_id,
                "data": query.data,
                **query.answer,
            }
            for query in self._state.callback_queries.values()
            if query.answer is not None
        ]
        return web.json_response({"answers": answers})

    async def list_updates(self, request: web.Request) -> web.Response:
        return web.json_response({"pending": self._state.updates.pending})

    async def events(self, request: web.Request) -> web.Response:
        after = _optional_int(request.query.get("after"), "after") or 0
        timeout = min(_float(request.query.get("timeout", 0), "timeout"), _MAX_EVENT_WAIT)
        limit = max(1, min(_optional_int(request.query.get("limit"), "limit") or 100, 1000))
        events = await self._state.events.wait(after, timeout, limit)
        return web.json_response({"events": events, "last_id": self._state.events.last_id})

    async def file(self, request: web.Request) -> web.Response:
        stored = self._state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError(404, "unknown file_id")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    # --- faults and limits -----------------------------------------------------------------------

    async def list_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": [fault.view() for fault in self._state.faults.list()]})

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await _body(request)
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        count = _optional_int(body.get("count", 1), "count")
        fault = self._state.faults.add(
            cast(FaultKind, kind),
            method=body.get("method") or None,
            count=count if count and count > 0 else None,
            retry_after=_int(body.get("retry_after", 5), "retry_after"),
            status=_int(body.get("status", 500), "status"),
            seconds=_float(body.get("seconds", 1.0), "seconds"),
        )
        return web.json_response(fault.view())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self._state.faults.clear()
        return web.json_response({"faults": []})

    async def get_rate_limits(self, request: web.Request) -> web.Response:
        return web.json_response(self._state.rate_limiter.limits.view())

    async def set_rate_limits(self, request: web.Request) -> web.Response:
        body = await _body(request)
        current = self._state.rate_limiter.limits
        unknown = set(body) - set(current.view())
        if unknown:
            raise ControlError(400, f"unknown rate limit fields: {', '.join(sorted(unknown))}")
        limits = RateLimits(
            enabled=bool(body.get("enabled", current.enabled)),
            overall_per_second=_int(
                body.get("overall_per_second", current.overall_per_second), "overall_per_second"
            ),
            group_per_minute=_int(body.get("group_per_minute", current.group_per_minute), "group_per_minute"),
            chat_per_second=_int(body.get("chat_per_second", current.chat_per_second), "chat_per_second"),
        )
        self._state.rate_limiter.limits = limits
        return web.json_response(limits.view())

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                **self._state.stats.view(),
                "calls": len(self._state.calls),
                "pending_updates": len(self._state.updates.pending),
            }
        )
