"""The control API injecting faults into the Bot API and setting its rate limits."""

from __future__ import annotations

from typing import cast

from aiohttp import web

from emulator.control_input import as_float, as_int, as_optional_int, json_body
from emulator.errors import ControlError
from emulator.faults import FAULT_KINDS, FaultKind, RateLimits
from emulator.state import State


class FaultsApi:
    def __init__(self, state: State) -> None:
        self._state = state

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/control/faults", self.list_faults),
            web.post("/control/faults", self.add_fault),
            web.delete("/control/faults", self.clear_faults),
            web.get("/control/rate_limits", self.get_rate_limits),
            web.post("/control/rate_limits", self.set_rate_limits),
        ]

    async def list_faults(self, request: web.Request) -> web.Response:
        return web.json_response({"faults": [fault.view() for fault in self._state.faults.list()]})

    async def add_fault(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise ControlError(400, f"kind must be one of {', '.join(FAULT_KINDS)}")
        count = as_optional_int(body.get("count", 1), "count")
        migrate_to_chat_id = as_int(body.get("migrate_to_chat_id", 0), "migrate_to_chat_id")
        if kind == "migrated" and not migrate_to_chat_id:
            raise ControlError(400, "a migrated fault needs migrate_to_chat_id, the supergroup's id")
        fault = self._state.faults.add(
            cast(FaultKind, kind),
            method=body.get("method") or None,
            count=count if count and count > 0 else None,
            retry_after=as_int(body.get("retry_after", 5), "retry_after"),
            status=as_int(body.get("status", 500), "status"),
            seconds=as_float(body.get("seconds", 1.0), "seconds"),
            chat_id=as_optional_int(body.get("chat_id"), "chat_id"),
            migrate_to_chat_id=migrate_to_chat_id,
        )
        return web.json_response(fault.view())

    async def clear_faults(self, request: web.Request) -> web.Response:
        self._state.faults.clear()
        return web.json_response({"faults": []})

    async def get_rate_limits(self, request: web.Request) -> web.Response:
        return web.json_response(self._state.rate_limiter.limits.view())

    async def set_rate_limits(self, request: web.Request) -> web.Response:
        body = await json_body(request)
        current = self._state.rate_limiter.limits
        unknown = set(body) - set(current.view())
        if unknown:
            raise ControlError(400, f"unknown rate limit fields: {', '.join(sorted(unknown))}")
        limits = RateLimits(
            enabled=bool(body.get("enabled", current.enabled)),
            overall_per_second=as_int(
                body.get("overall_per_second", current.overall_per_second), "overall_per_second"
            ),
            group_per_minute=as_int(body.get("group_per_minute", current.group_per_minute), "group_per_minute"),
            chat_per_second=as_int(body.get("chat_per_second", current.chat_per_second), "chat_per_second"),
        )
        self._state.rate_limiter.limits = limits
        return web.json_response(limits.view())
