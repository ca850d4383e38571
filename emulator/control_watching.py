"""The control API watching the bot: its calls, callback answers, pending updates, the event feed, files."""

from __future__ import annotations

from aiohttp import web

from emulator.control_input import as_float, as_optional_int
from emulator.errors import ControlError
from emulator.state import State

_MAX_EVENT_WAIT = 60.0


class WatchingApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/control/calls", self.list_calls),
            web.get("/control/callback_answers", self.list_callback_answers),
            web.get("/control/updates", self.list_updates),
            web.get("/control/events", self.events),
            web.get("/control/files/{file_id}", self.file),
            web.get("/control/stats", self.stats),
        ]

    async def list_calls(self, request: web.Request) -> web.Response:
        method = (request.query.get("method") or "").lower()
        chat_id = as_optional_int(request.query.get("chat_id"), "chat_id")
        after = as_optional_int(request.query.get("after"), "after") or 0
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
        after = as_optional_int(request.query.get("after"), "after") or 0
        timeout = min(as_float(request.query.get("timeout", 0), "timeout"), _MAX_EVENT_WAIT)
        limit = max(1, min(as_optional_int(request.query.get("limit"), "limit") or 100, 1000))
        events = await self._state.events.wait(after, timeout, limit)
        return web.json_response({"events": events, "last_id": self._state.events.last_id})

    async def file(self, request: web.Request) -> web.Response:
        stored = self._state.files.get(request.match_info["file_id"])
        if stored is None:
            raise ControlError(404, "unknown file_id")
        return web.Response(body=stored.data, content_type=stored.mime_type)

    async def stats(self, request: web.Request) -> web.Response:
        return web.json_response(
            {
                **self._state.stats.view(),
                "calls": len(self._state.calls),
                "pending_updates": len(self._state.updates.pending),
            }
        )
