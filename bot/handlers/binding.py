"""/bind and /unbind: an org admin who also administers the group says which unit the group is."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.filters import GroupChat
from bot.handlers.prompts import topic_of
from bot.i18n import Localizer
from bot.services.actors import Actor
from bot.services.chats import bind_chat, unbind_chat

CHAT_ADMIN_STATUSES = {"creator", "administrator"}


async def _is_chat_admin(bot: Bot, message: Message) -> bool:
    if message.from_user is None:
        return False
    member = await bot.get_chat_member(message.chat.id, message.from_user.id)
    return member.status in CHAT_ADMIN_STATUSES


async def on_bind(
    message: Message, command: CommandObject, bot: Bot, session: AsyncSession, actor: Actor | None, t: Localizer
) -> None:
    code = (command.args or "").strip()
    if not code or len(code.split()) != 1 or len(code) > 32:
        await message.reply(t("bind-usage"))
        return
    bound = await bind_chat(
        session,
        actor,
        chat_id=message.chat.id,
        code=code,
        title=message.chat.title,
        is_chat_admin=await _is_chat_admin(bot, message),
        forum_topic_id=topic_of(message),
    )
    await message.reply(t("bind-done", name=bound.name, code=bound.code, purpose=t(f"purpose-{bound.purpose.value}")))


async def on_unbind(message: Message, bot: Bot, session: AsyncSession, actor: Actor | None, t: Localizer) -> None:
    bound = await unbind_chat(
        session, actor, chat_id=message.chat.id, is_chat_admin=await _is_chat_admin(bot, message)
    )
    await message.reply(t("unbind-done", name=bound.name, code=bound.code))


def build() -> Router:
    router = Router(name="binding")
    router.message.filter(GroupChat())
    router.message.register(on_bind, Command("bind"))
    router.message.register(on_unbind, Command("unbind"))
    return router
