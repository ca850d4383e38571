"""Rendering an outbox row into what Telegram is sent: a card for a chat, or a notice's text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.cards import Card, render_card
from bot.services.chats import bound_chat
from bot.services.issue_views import issue_view
from bot.services.lifecycle import load_issue


async def card_for_chat(session: AsyncSession, *, issue_id: int, chat_id: int, t: Localizer, settings: Settings,
                        now: datetime) -> Card:
    """The card as this chat should see it: a village group gets the village buttons, a township group the
    supervision buttons, and a private chat the buttons of the village it came from."""
    bound = await bound_chat(session, chat_id)
    purpose = bound.purpose.value if bound is not None else "village"
    view = await issue_view(session, await load_issue(session, issue_id))
    return render_card(view, t, settings, now, purpose)
