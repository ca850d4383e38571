"""Posting an issue's card to a chat and editing every posted copy in place when the issue changes."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.cards import render_card
from bot.services.issue_views import add_card, cards_of, issue_view
from bot.services.lifecycle import load_issue

log = logging.getLogger(__name__)


async def post_card(
    bot: Bot, session: AsyncSession, *, issue_id: int, chat_id: int, t: Localizer, settings: Settings,
    now: datetime, thread_id: int | None = None,
) -> int:
    view = await issue_view(session, await load_issue(session, issue_id))
    card = render_card(view, t, settings, now)
    if card.photo:
        sent = await bot.send_photo(chat_id, card.photo, caption=card.text, reply_markup=card.keyboard,
                                    message_thread_id=thread_id)
    else:
        sent = await bot.send_message(chat_id, card.text, reply_markup=card.keyboard, message_thread_id=thread_id)
    await add_card(session, issue_id, chat_id, sent.message_id, with_photo=card.photo is not None)
    return sent.message_id


async def refresh_cards(
    bot: Bot, session: AsyncSession, *, issue_id: int, t: Localizer, settings: Settings, now: datetime
) -> None:
    view = await issue_view(session, await load_issue(session, issue_id))
    card = render_card(view, t, settings, now)
    for posted in await cards_of(session, issue_id):
        try:
            if posted.with_photo:
                await bot.edit_message_caption(chat_id=posted.chat_id, message_id=posted.message_id,
                                               caption=card.text, reply_markup=card.keyboard)
            else:
                await bot.edit_message_text(card.text, chat_id=posted.chat_id, message_id=posted.message_id,
                                            reply_markup=card.keyboard)
        except TelegramBadRequest as error:
            if "not modified" not in error.message:
                log.warning("card %s in chat %s not edited: %s", issue_id, posted.chat_id, error.message)
        except TelegramForbiddenError as error:
            log.warning("card %s in chat %s not edited: %s", issue_id, posted.chat_id, error.message)
