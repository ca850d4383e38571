"""Delivers queued updates to the bot's webhook, as Telegram does once setWebhook is called."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp

from emulator.models import JSON
from emulator.params import Params
from emulator.state import State

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
_TIMEOUT = aiohttp.ClientTimeout(total=30)
# Short backoff: the bot under test is local, and tests should not wait long for a retry.
_RETRY_FIRST = 0.2
_RETRY_MAX = 5.0
_IDLE_WAIT = 30.0

Execute = Callable[[str, Params], Awaitable[Any]]


async def _read_reply(response: aiohttp.ClientResponse) -> dict[str, Any] | None:
    """A method the bot answered the webhook request with, as a parameter dict."""
    if response.content_type == "application/json":
        with contextlib.suppress(ValueError):
            body = await response.json()
            return body if isinstance(body, dict) and isinstance(body.get("method"), str) else None
        return None
    if response.content_type != "multipart/form-data":
        return None
    values: dict[str, Any] = {}
    reader = aiohttp.MultipartReader.from_response(response)
    while (part := await reader.next()) is not None:
        if isinstance(part, aiohttp.BodyPartReader) and part.name:
            values[part.name] = await part.text()
    return values if isinstance(values.get("method"), str) else None


class WebhookDelivery:
    def __init__(self, state: State, execute: Execute) -> None:
        self._state = state
        self._execute = execute
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        async with aiohttp.ClientSession(timeout=_TIMEOUT) as session:
            delay = _RETRY_FIRST
            while True:
                update = self._state.updates.first() if self._state.webhook.url else None
                if update is None:
                    await self._state.updates.wait_for_change(_IDLE_WAIT)
                elif await self._deliver(session, update):
                    delay = _RETRY_FIRST
                else:
                    await asyncio.sleep(delay)
                    delay = min(delay * 2, _RETRY_MAX)

    async def _deliver(self, session: aiohttp.ClientSession, update: JSON) -> bool:
        webhook = self._state.webhook
        headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
        try:
            async with session.post(webhook.url, json=update, headers=headers) as response:
                if not 200 <= response.status < 300:
                    self._failed(f"Wrong response from the webhook: {response.status} {response.reason}")
                    return False
                reply = await _read_reply(response)
        except (aiohttp.ClientError, TimeoutError) as error:
            self._failed(
                "Connection refused" if isinstance(error, aiohttp.ClientConnectionError) else "Timeout"
            )
            return False
        self._state.updates.drop(update["update_id"])
        if reply is not None:
            method = reply.pop("method")
            await self._execute(method, Params(reply))
        return True

    def _failed(self, message: str) -> None:
        self._state.webhook.last_error_date = int(time.time())
        self._state.webhook.last_error_message = message
