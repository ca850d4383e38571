"""Reading the control API's requests: typed values, the JSON body, the chat and the sender; a mistake is
answered as a JSON error with its status."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from emulator.errors import ControlError

_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
CHAT_ROUTE = "/control/chats/{chat_id}"


@web.middleware
async def control_errors(request: web.Request, handler: _Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except ControlError as error:
        return web.json_response({"error": error.message}, status=error.status)


def as_int(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise ControlError(400, f"{name} must be an integer")
    try:
        return int(value)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"{name} must be an integer") from error


def as_optional_int(value: Any, name: str) -> int | None:
    return None if value in (None, "") else as_int(value, name)


def as_float(value: Any, name: str) -> float:
    try:
        return float(value)
    except (TypeError, ValueError) as error:
        raise ControlError(400, f"{name} must be a number") from error


async def json_body(request: web.Request) -> dict[str, Any]:
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError as error:
        raise ControlError(400, "the body must be a JSON object") from error
    if not isinstance(body, dict):
        raise ControlError(400, "the body must be a JSON object")
    return body


def chat_id_of(request: web.Request) -> int:
    return as_int(request.match_info["chat_id"], "chat_id")


def sender_of(request: web.Request, value: Any) -> int:
    if value in (None, ""):
        chat_id = chat_id_of(request)
        if chat_id > 0:
            # In a private chat the only possible sender is the chat's own user.
            return chat_id
        raise ControlError(400, "say which user sends: 'from'")
    return as_int(value, "from")
