"""Turning domain errors into short answers in the user's language."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.i18n import Localizer
from bot.services.errors import DomainError


async def answer_error(event: Message | CallbackQuery, t: Localizer, error: DomainError) -> None:
    text = t(error.key, **error.args_)
    if isinstance(event, CallbackQuery):
        await event.answer(text, show_alert=True)
    else:
        await event.reply(text)
