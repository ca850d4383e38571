"""Messages in a chat's own name rather than a person's. A group upgraded to a supergroup changes id: the old
group gets `migrate_to_chat_id`, the new supergroup `migrate_from_chat_id`, and the binding follows whichever comes
first. An admin posting anonymously speaks as the group: a command from them is told why it cannot be done. The
bot added back to a group, or unblocked by a person, may post there again."""

from __future__ import annotations

import logging
import re
from typing import Any

from aiogram import Router
from aiogram.filters import JOIN_TRANSITION, ChatMemberUpdatedFilter, Command, Filter
from aiogram.types import ChatMemberUpdated, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.i18n import Localizer
from bot.services.chat_migration import migrate_chat
from bot.services.delivery import chat_reachable

log = logging.getLogger(__name__)


class Migration(Filter):
    """The group's old and new ids, from either of the two messages (each only in the kind of chat it belongs to)."""

    async def __call__(self, message: Message) -> bool | dict[str, Any]:
        if message.migrate_to_chat_id is not None and message.chat.type == "group":
            return {"old_chat_id": message.chat.id, "new_chat_id": message.migrate_to_chat_id}
        if message.migrate_from_chat_id is not None and message.chat.type == "supergroup":
            return {"old_chat_id": message.migrate_from_chat_id, "new_chat_id": message.chat.id}
        return False


class AnonymousAdmin(Filter):
    async def __call__(self, message: Message) -> bool:
        return message.sender_chat is not None and message.sender_chat.id == message.chat.id


async def on_migration(message: Message, session: AsyncSession, clock: Clock, old_chat_id: int,
                       new_chat_id: int) -> None:
    moved = await migrate_chat(session, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=clock.now())
    log.info("chat %s became %s: %s", old_chat_id, new_chat_id, moved)


async def on_bot_back(event: ChatMemberUpdated, session: AsyncSession, clock: Clock) -> None:
    await chat_reachable(session, event.chat.id, clock.now())


async def on_anonymous_command(message: Message, t: Localizer) -> None:
    await message.reply(t("anonymous-admin"))


def build() -> Router:
    router = Router(name="chat_events")
    router.message.register(on_migration, Migration())
    router.message.register(on_anonymous_command, AnonymousAdmin(), Command(re.compile(r"\w+")))
    router.my_chat_member.register(on_bot_back, ChatMemberUpdatedFilter(JOIN_TRANSITION))
    return router
