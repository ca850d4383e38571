"""The monthly public digest (公示): last month's signed-off and pending items and the township ranking, posted to
every village group with personal data removed (bot/services/disclosure.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatPurpose
from bot.scheduler.runner import JobContext
from bot.services.chats import bindings
from bot.services.disclosure import village_disclosures
from bot.services.outbox import enqueue_report
from bot.services.scoring import Month


async def monthly_disclosure(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    month = Month.of(ctx.fire_time, ctx.settings.tz).previous()
    groups = await bindings(session, ChatPurpose.village)
    if not groups:
        return {"posted": 0}
    data = await village_disclosures(session, ctx.settings, month, now=ctx.now)
    posted = 0
    for binding in groups:
        assert binding.unit_id is not None
        posted += await enqueue_report(session, chat_id=binding.chat_id, renderer="monthly_disclosure",
                                       data=data[binding.unit_id], now=ctx.now,
                                       dedupe_key=f"disclosure:{ctx.period}:{binding.chat_id}")
    return {"posted": posted}
