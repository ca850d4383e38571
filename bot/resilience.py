"""Riding out faults on aiogram's side: Bot API requests watched for lasting trouble, a handler's own requests
retried through a short fault, and an update handled again after a passing database fault."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.fsm.context import FSMContext
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.retry import backoff, is_transient, retry_transient
from bot.services.health import Health, Trouble

log = logging.getLogger(__name__)

# A prompt or a button answer waits this out (about 7 s) before the update fails: a member is waiting for it.
REQUEST_RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0)
LONGEST_RETRY_AFTER = 10     # a 429 asking for longer is not waited out while a member waits
# An update that met a passing database fault is handled again for about this long (SQLite waits its busy
# timeout within each try); then the member is told to try again later.
UPDATE_RETRY_SECONDS = 30.0


class ApiWatch(BaseRequestMiddleware):
    """Tells `health` whether Bot API requests get through: getUpdates as receiving, all else as sending.
    Any answer of Telegram's, a refusal or a 429 included, shows it is reachable."""

    def __init__(self, health: Health) -> None:
        self._health = health

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Any,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        kind = Trouble.telegram if isinstance(method, GetUpdates) else Trouble.delivery
        try:
            response = await make_request(bot, method)
        except (TelegramNetworkError, TelegramServerError) as error:
            self._health.failed(kind, f"{type(error).__name__}: {error.message}")
            raise
        except TelegramAPIError:
            self._health.ok(kind)
            raise
        self._health.ok(kind)
        return response


class ApiRetry(BaseRequestMiddleware):
    """A handler's requests (prompts, replies, button answers) are tried again through 5xx, dropped connections,
    timeouts and short 429s. Not getUpdates (the poller, bot/polling.py, backs off itself) and not the outbox
    sender's requests (it has its own Bot and keeps its own schedule). A request that timed out after Telegram
    took it is sent again: a member may then see a prompt twice, never none."""

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Any,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        if isinstance(method, GetUpdates):
            return await make_request(bot, method)
        for pause in REQUEST_RETRY_DELAYS:
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if error.retry_after > LONGEST_RETRY_AFTER:
                    raise
                pause = error.retry_after
                reason = "429"
            except (TelegramNetworkError, TelegramServerError) as error:
                reason = f"{type(error).__name__}: {error.message}"
            log.warning("%s failed (%s); retrying in %.1fs", type(method).__name__, reason, pause)
            await asyncio.sleep(pause)
        return await make_request(bot, method)


class UpdateRetry(BaseMiddleware):
    """Outside the update's transaction: a passing database fault rolls the whole update back, so it is handled
    again from the start. A handler that had already replied before the fault replies again; nothing is written
    twice. When the fault outlasts the retries, the error handler tells the member to try again later.

    Conversation state in Redis does not roll back with the transaction: it is put back as it was before the
    attempt, so the retry takes the same step (and a member told to try again finds the step they were at)."""

    def __init__(self, *, state_outside_transaction: bool) -> None:
        self._restore = state_outside_transaction

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        what = f"update {event.update_id}" if isinstance(event, Update) else "update"
        attempt = _restoring(handler) if self._restore and data.get("state") is not None else handler
        return await retry_transient(lambda: attempt(event, data), what=what,
                                     delays=backoff(1.0, 8.0, total=UPDATE_RETRY_SECONDS), health=data.get("health"))


def _restoring(handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]
               ) -> Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]:
    """`handler`, putting the member's conversation state back as it was when a passing database fault ends it."""

    async def attempt(event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext = data["state"]
        before = await state.get_state(), await state.get_data()
        try:
            return await handler(event, data)
        except Exception as error:
            if is_transient(error):
                await state.set_state(before[0])
                await state.set_data(before[1])
            raise

    return attempt
