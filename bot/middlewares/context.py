"""Resolves the acting member, the bound chat and the user's language for every update."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Chat, TelegramObject, User
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Translator
from bot.services.actors import resolve_actor
from bot.services.chats import bound_chat


class ContextMiddleware(BaseMiddleware):
    def __init__(self, translator: Translator) -> None:
        self._translator = translator

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        session: AsyncSession = data["session"]
        user: User | None = data.get("event_from_user")
        chat: Chat | None = data.get("event_chat")
        language = self._translator.pick(user.language_code if user else None)
        data["t"] = self._translator.localizer(language)
        data["actor"] = (
            await resolve_actor(session, user.id, user.username, language) if user and not user.is_bot else None
        )
        data["bound"] = await bound_chat(session, chat.id) if chat and chat.type != "private" else None
        return await handler(event, data)
