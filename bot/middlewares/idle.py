"""A conversation step left longer than the configured time expires instead of carrying on."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiogram import BaseMiddleware
from aiogram.dispatcher.event.handler import HandlerObject
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Localizer


class IdleExpiry(BaseMiddleware):
    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        state: FSMContext | None = data.get("state")
        if state is None or data.get("raw_state") is None:
            return await handler(event, data)
        settings: Settings = data["settings"]
        clock: Clock = data["clock"]
        touched = (await state.get_data()).get("touched")
        if touched and clock.now() - datetime.fromisoformat(touched) > timedelta(
                minutes=settings.conversation.idle_minutes):
            await state.clear()
            t: Localizer = data["t"]
            text = t("conversation-expired", minutes=settings.conversation.idle_minutes)
            chat_id = _chat_id(event)
            if not _needs_state(data.get("handler")):
                if chat_id is not None:
                    await data["bot"].send_message(chat_id, text)
                return await handler(event, data)  # a command or a card button does not need the old step
            if isinstance(event, CallbackQuery):
                await event.answer(text, show_alert=True)
            elif isinstance(event, Message):
                await event.reply(text)
            return None
        return await handler(event, data)


def _needs_state(handler: HandlerObject | None) -> bool:
    return handler is not None and any(isinstance(f.callback, StateFilter) for f in handler.filters or ())


def _chat_id(event: TelegramObject) -> int | None:
    if isinstance(event, Message):
        return event.chat.id
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat.id
    return None
