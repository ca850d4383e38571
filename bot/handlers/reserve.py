"""/reserve CODE note: put a member in the reserve-cadre pool; /reserve alone: the pool you keep;
/unreserve CODE: take a member out. Village secretaries for their village's members, admins for anyone."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.text import local_date, split_message
from bot.services.actors import Actor
from bot.services.errors import DomainError
from bot.services.reserve import add_to_pool, remove_from_pool, visible_pool


async def on_reserve(message: Message, command: CommandObject, session: AsyncSession, actor: Actor | None,
                     t: Localizer, settings: Settings, clock: Clock) -> None:
    words = (command.args or "").split(maxsplit=1)
    if words:
        code, note = words[0], words[1] if len(words) > 1 else ""
        member, added = await add_to_pool(session, actor, code=code, note=note, now=clock.now())
        await message.reply(t("reserve-added" if added else "reserve-updated", name=member.display_name,
                              code=member.code))
        return
    pool = await visible_pool(session, actor)
    if not pool:
        await message.reply(t("reserve-empty"))
        return
    lines = [t("reserve-title", count=len(pool))]
    lines += [t("reserve-line", code=entry.code, name=entry.name, villages=", ".join(entry.villages) or "-",
                note=entry.note, date=local_date(entry.added_at, settings.tz), by=entry.added_by or "-")
              for entry in pool]
    for part in split_message("\n".join(lines)):
        await message.answer(part)


async def on_unreserve(message: Message, command: CommandObject, session: AsyncSession, actor: Actor | None,
                       t: Localizer) -> None:
    words = (command.args or "").split()
    if len(words) != 1:
        raise DomainError("unreserve-usage")
    member = await remove_from_pool(session, actor, code=words[0])
    await message.reply(t("reserve-removed", name=member.display_name, code=member.code))


def build() -> Router:
    router = Router(name="reserve")
    router.message.register(on_reserve, Command("reserve"))
    router.message.register(on_unreserve, Command("unreserve"))
    return router
