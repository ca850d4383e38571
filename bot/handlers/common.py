"""/start, /help and /whoami: what the bot thinks of you and what you can do here."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.profile import describe_roles, help_topics


async def on_help(message: Message, t: Localizer, actor: Actor | None, bound: BoundChat | None) -> None:
    purpose = bound.purpose.value if bound else None
    lines = [t("help-title")]
    if actor is None:
        lines.append(t("help-unknown-member"))
    if bound is not None:
        lines.append(t("help-chat-bound", name=bound.name, code=bound.code, purpose=t(f"purpose-{purpose}")))
    elif message.chat.type != "private":
        lines.append(t("help-chat-unbound"))
    lines.extend(t(f"help-{topic}") for topic in help_topics(actor, purpose, private=message.chat.type == "private"))
    await message.answer("\n\n".join(lines))


async def on_whoami(
    message: Message, t: Localizer, actor: Actor | None, session: AsyncSession, settings: Settings
) -> None:
    if actor is None:
        await message.reply(t("whoami-unknown"))
        return
    lines = [t("whoami-title", name=actor.member.display_name, code=actor.member.code)]
    for role in await describe_roles(session, actor):
        kind = settings.kind(role.kind) if role.kind else None
        scope = " · ".join(part for part in (role.place, kind.label(t.language) if kind else None) if part)
        lines.append(t("whoami-role", role=t(f"role-{role.role}"), scope=scope or "-"))
    if not actor.grants:
        lines.append(t("whoami-no-roles"))
    await message.reply("\n".join(lines))


def build() -> Router:
    router = Router(name="common")
    router.message.register(on_help, CommandStart(deep_link=False))
    router.message.register(on_help, Command("help"))
    router.message.register(on_whoami, Command("whoami"))
    return router
