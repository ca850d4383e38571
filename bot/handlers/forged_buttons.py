"""Button data Telegram could not have delivered (more than its 64 bytes, or not text) is answered as a stale
button before any feature reads it: a forged press must never reach an action, however it happens to parse."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery

from bot.i18n import Localizer

TELEGRAM_MAX_BYTES = 64


class ForgedData(Filter):
    async def __call__(self, query: CallbackQuery) -> bool:
        if query.data is None:
            return False
        try:
            return len(query.data.encode("utf-8")) > TELEGRAM_MAX_BYTES
        except UnicodeEncodeError:  # lone surrogates: bytes that were not UTF-8
            return True


async def on_forged(query: CallbackQuery, t: Localizer) -> None:
    await query.answer(t("button-stale"), show_alert=True)


def build() -> Router:
    router = Router(name="forged_buttons")
    router.callback_query.filter(ForgedData())
    router.callback_query.register(on_forged)
    return router
