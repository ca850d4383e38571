"""The Bot API over HTTP: /bot{token}/{method} and /file/bot{token}/{file_path}."""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from emulator.errors import ApiError, too_many_requests
from emulator.faults import Fault
from emulator.methods import METHODS, SENDING_METHODS
from emulator.models import JSON
from emulator.params import Params
from emulator.state import State

logger = logging.getLogger(__name__)
_BY_LOWER_NAME = {name.lower(): name for name in METHODS}
_SERVER_ERRORS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def _error_response(error: ApiError) -> web.Response:
    return web.json_response(error.payload(), status=error.code)


class BotApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        return [
            web.route("*", "/bot{token}/{method}", self.handle),
            web.get("/file/bot{token}/{file_path:.+}", self.download),
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._state.bot.token:
            return _error_response(ApiError(401, "Unauthorized"))
        try:
            params = await Params.from_request(request)
        except ApiError as error:
            return _error_response(error)
        name = request.match_info["method"]
        fault = self._state.faults.take(name, params.raw("chat_id"))
        if fault is not None and fault.kind == "delay":
            await asyncio.sleep(fault.seconds)
        if fault is not None and fault.kind == "drop":
            record = self._state.record_call(self._canonical(name), params.loggable())
            record.status, record.description = 0, "connection dropped (injected fault)"
            if request.transport is not None:
                request.transport.close()
            return web.Response()
        status, body = await self.execute(name, params, fault=fault)
        return web.json_response(body, status=status)

    @staticmethod
    def _canonical(name: str) -> str:
        # Telegram matches method names case-insensitively.
        return _BY_LOWER_NAME.get(name.lower(), name)

    async def execute(self, name: str, params: Params, *, fault: Fault | None = None) -> tuple[int, JSON]:
        """Run one method call, logging it; returns the HTTP status and the Telegram-shaped body."""
        name = self._canonical(name)
        record = self._state.record_call(name, params.loggable())
        try:
            self._inject(fault)
            method = METHODS.get(name)
            if method is None:
                raise ApiError(404, "Not Found")
            if name in SENDING_METHODS:
                self._enforce_rate_limits(params)
            result = await method(self._state, params)
        except ApiError as error:
            record.status, record.description = error.code, error.description
            if error.code == 429:
                injected = fault is not None and fault.kind == "too_many_requests"
                self._state.stats.count_429(name, injected=injected)
            return error.code, error.payload()
        except Exception:
            # An emulator bug: the bot still gets a Telegram-shaped answer; the traceback goes to the log.
            logger.exception("emulator failed on %s", name)
            record.status, record.description = 500, "Internal Server Error"
            return 500, ApiError(500, "Internal Server Error").payload()
        return 200, {"ok": True, "result": result}

    @staticmethod
    def _inject(fault: Fault | None) -> None:
        if fault is None:
            return
        if fault.kind == "too_many_requests":
            raise too_many_requests(fault.retry_after)
        if fault.kind == "server_error":
            raise ApiError(fault.status, _SERVER_ERRORS.get(fault.status, "Internal Server Error"))
        if fault.kind == "migrated":
            raise ApiError(400, "Bad Request: group chat was upgraded to a supergroup chat",
                           {"migrate_to_chat_id": fault.migrate_to_chat_id})

    def _enforce_rate_limits(self, params: Params) -> None:
        chat = self._state.find_chat(params.chat_ref())
        if chat is None:
            return
        retry_after = self._state.rate_limiter.check(chat.id, chat.is_group, time.monotonic())
        if retry_after is not None:
            raise too_many_requests(retry_after)

    async def download(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self._state.bot.token:
            return _error_response(ApiError(401, "Unauthorized"))
        stored = self._state.file_by_path(request.match_info["file_path"])
        if stored is None:
            return _error_response(ApiError(404, "Not Found"))
        return web.Response(body=stored.data, content_type=stored.mime_type)
