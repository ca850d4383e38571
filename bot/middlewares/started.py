"""Start pressed in a private chat with the bot, whatever the deep link's payload."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject

from bot.clock import Clock
from bot.services.delivery import chat_reachable


class StartedPrivately(BaseMiddleware):
    """Start (or Restart, which also unblocks the bot) means the bot may write to this person again: should they
    stop or block it later, the admins are told again (bot/services/delivery.py)."""

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        if (isinstance(event, Message) and event.chat.type == "private"
                and (event.text or "").split(maxsplit=1)[:1] == ["/start"]):
            clock: Clock = data["clock"]
            await chat_reachable(data["session"], event.chat.id, clock.now())
        return await handler(event, data)
