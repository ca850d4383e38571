"""The control API acting as a user: sending text, photos and locations, editing, pressing buttons."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from emulator import actions
from emulator.control_input import CHAT_ROUTE, as_float, as_int, as_optional_int, chat_id_of, json_body, sender_of
from emulator.errors import ControlError
from emulator.state import State
from emulator.views import message_view


def _placement(values: Mapping[str, Any]) -> dict[str, int | None]:
    """Where a new message stands in its chat: the message it replies to and its forum topic."""
    return {"reply_to": as_optional_int(values.get("reply_to"), "reply_to"),
            "thread_id": as_optional_int(values.get("message_thread_id"), "message_thread_id")}


def _in_chat(request: web.Request, body: Mapping[str, Any]) -> tuple[int, int]:
    """The chat and the user acting in it."""
    return chat_id_of(request), sender_of(request, body.get("from"))


def _at_message(request: web.Request, body: Mapping[str, Any]) -> tuple[int, int, int]:
    """The chat, the message in it and the user acting on it."""
    return (chat_id_of(request), as_int(request.match_info["message_id"], "message_id"),
            sender_of(request, body.get("from")))


class ActingApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        chat = CHAT_ROUTE
        message = chat + "/messages/{message_id}"
        return [
            web.get(chat + "/messages", self.list_messages),
            web.post(chat + "/messages", self.send_text),
            web.post(chat + "/photos", self.send_photo),
            web.post(chat + "/locations", self.send_location),
            web.post(message + "/edit", self.edit_message),
            web.post(message + "/press", self.press_button),
        ]

    async def list_messages(self, request: web.Request) -> web.Response:
        include_deleted = request.query.get("include_deleted", "") in ("1", "true")
        messages = self._state.chat_messages(chat_id_of(request), include_deleted=include_deleted)
        return web.json_response({"messages": [message_view(self._state, message) for message in messages]})

    async def send_text(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        posted = actions.send_text(self._state, *_in_chat(request, body), str(body.get("text") or ""),
                                   **_placement(body))
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
            *_in_chat(request, form),
            photo.file.read(),
            caption=caption if isinstance(caption, str) and caption else None,
            **_placement(form),
        )
        return web.json_response(posted.view(self._state))

    async def send_location(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        posted = actions.send_location(
            self._state,
            *_in_chat(request, body),
            as_float(body.get("latitude"), "latitude"),
            as_float(body.get("longitude"), "longitude"),
            **_placement(body),
        )
        return web.json_response(posted.view(self._state))

    async def edit_message(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        posted = actions.edit_text(self._state, *_at_message(request, body), str(body.get("text") or ""))
        return web.json_response(posted.view(self._state))

    async def press_button(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        pressed = actions.press_button(self._state, *_at_message(request, body), str(body.get("callback_data") or ""))
        return web.json_response(pressed.view())
