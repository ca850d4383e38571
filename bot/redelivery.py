"""A conversation step Telegram sends again after a crash is not taken twice.

Polling confirms an update only once it is handled (bot/polling.py): a process killed after an update's
transaction committed but before the confirmation leaves the update with Telegram, which sends it again to the
next process. Taken twice, a member's description would be read again as the answer to the step after it. So an
update that moves a member's conversation also records its id in the conversation, in its own transaction (the
record is written then anyway), and an update at or below that id is skipped. A member's updates are handled one
at a time and in order (the conversation lock), so one number per member is enough. Other updates are not
numbered: the domain takes them twice without harm (a second Confirm finds its draft's issue, a second claim
finds the item moved on), and numbering them would cost a write each.

Telegram keeps an update at most a day, and numbers them afresh (from a random start) only after a week without
any: a number recorded over a day ago stops nothing. Only with the conversation state in our database (one
process): kept in Redis, the number would not commit with the update.

A button press handled again cannot be answered again: Telegram takes one answer per press, and none after a
quarter of a minute or so (a restart may take that long). That refusal must not undo the press.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.methods import AnswerCallbackQuery, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.clock import Clock

log = logging.getLogger(__name__)

HANDLED = "handled_update"       # in the conversation's data: [update id, when]
TELEGRAM_KEEPS = timedelta(days=1)
ANSWERED_OR_TOO_OLD = "query is too old"   # Telegram's words for both


class SkipHandled(BaseMiddleware):
    """Innermost of the update's outer middlewares: inside its transaction, with the member's state attached."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is None or not isinstance(event, Update):
            return await handler(event, data)
        clock: Clock = data["clock"]
        now = clock.now()
        before = (await state.get_state(), await state.get_data())
        last = before[1].get(HANDLED)
        if last is not None and last[0] >= event.update_id and now - datetime.fromisoformat(last[1]) < TELEGRAM_KEEPS:
            log.info("update %s was handled before the last restart; skipped", event.update_id)
            return None
        result = await handler(event, data)
        if (await state.get_state(), await state.get_data()) != before:
            await state.update_data({HANDLED: [event.update_id, now.isoformat()]})
        return result


class LateAnswers(BaseRequestMiddleware):
    """For the handlers' Bot: a button answer Telegram refuses as answered already or too old counts as given."""

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Any,
                       method: TelegramMethod[TelegramType]) -> Response[TelegramType]:
        try:
            return await make_request(bot, method)
        except TelegramBadRequest as error:
            if not isinstance(method, AnswerCallbackQuery) or ANSWERED_OR_TOO_OLD not in error.message:
                raise
            log.info("button press %s could not be answered any more: %s", method.callback_query_id, error.message)
            return Response[TelegramType](ok=True, result=True)
