"""Anything no feature took: a button nobody handles gets an answer, so the member's spinner stops."""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.i18n import Localizer


async def on_unhandled_button(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("button-stale"), show_alert=True)


def build() -> Router:
    router = Router(name="fallback")
    router.callback_query.register(on_unhandled_button)
    return router
