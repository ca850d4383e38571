"""Last line of defence: domain refusals become answers, anything else is logged and apologised for."""

from __future__ import annotations

import logging
from typing import Any

from aiogram import Router
from aiogram.types import ErrorEvent

from bot.handlers.replies import answer_error
from bot.i18n import Localizer, Translator
from bot.retry import describe, is_transient
from bot.services.errors import DomainError

log = logging.getLogger(__name__)

async def on_error(event: ErrorEvent, translator: Translator, **data: Any) -> bool:
    update = event.update
    target = update.message or update.callback_query
    t: Localizer = data.get("t") or translator.localizer(None)
    if isinstance(event.exception, DomainError):
        if target is not None:
            await answer_error(target, t, event.exception)
        return True
    chat = data.get("event_chat")
    user = data.get("event_from_user")
    where = (update.update_id, chat.id if chat else None, user.id if user else None, update.event_type)
    if is_transient(event.exception):  # the update was already retried for a while (bot/resilience.py)
        log.warning("update %s failed (chat=%s user=%s type=%s): database unavailable: %s", *where,
                    describe(event.exception))
        key = "error-database-busy"
    else:
        log.exception("update %s failed (chat=%s user=%s type=%s)", *where, exc_info=event.exception)
        key = "error-internal"
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(t(key), show_alert=True)
        elif update.message is not None:
            await update.message.reply(t(key))
    except Exception:
        log.warning("could not tell the user about failed update %s", update.update_id, exc_info=True)
    return True


def build() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
