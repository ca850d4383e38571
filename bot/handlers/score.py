"""/score [CODE] [YYYY-MM]: a village's, township's or the county's 100-point score with every part shown, so
it can be checked by hand."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.ranking import render_score
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.scoring import Month
from bot.services.scoring_card import parse_score_args, score_card, score_subject


async def on_score(message: Message, command: CommandObject, session: AsyncSession, actor: Actor | None,
                   bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock) -> None:
    now = clock.now()
    code, month = parse_score_args(command.args, Month.of(now, settings.tz))
    unit = await score_subject(session, code=code, chat_unit_id=bound.unit_id if bound else None, actor=actor)
    card = await score_card(session, settings, unit, month, now)
    for part in render_score(card, t, settings):
        await message.answer(part)


def build() -> Router:
    router = Router(name="score")
    router.message.register(on_score, Command("score"))
    return router
