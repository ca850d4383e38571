"""/export [CODE] in a township or county group: the archive workbook of that unit (or of a township or
village inside it), sent as a document to the asker's private chat, never to the group: it holds members' phone
numbers. Someone the bot cannot write to yet (they never started it) is asked, in the group, to open the private
chat first."""

from __future__ import annotations

from io import BytesIO

from aiogram import Bot, F, Router
from aiogram.enums import ChatAction
from aiogram.exceptions import TelegramForbiddenError
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.deep_linking import create_start_link
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import PrivateChat
from bot.i18n import Localizer
from bot.messaging.text import local_date
from bot.messaging.workbook import Labels, archive_filename, write_archive
from bot.services.actors import Actor
from bot.services.archive_subjects import chat_subject
from bot.services.chats import BoundChat

START_PAYLOAD = "export"


async def on_export(message: Message, command: CommandObject, bot: Bot, session: AsyncSession,
                    actor: Actor | None, bound: BoundChat | None, t: Localizer, settings: Settings,
                    clock: Clock) -> None:
    now = clock.now()
    subject = await chat_subject(session, actor, bound, command.args)
    assert message.from_user is not None  # chat_subject lets only a known member through
    private = message.from_user.id
    title = t(f"archive-title-{subject.kind.value}")
    try:
        # Telegram answers 403 at once to a chat with someone who never started the bot: before any work is done
        await bot.send_chat_action(private, ChatAction.UPLOAD_DOCUMENT)
        workbook = BytesIO()
        await write_archive(session, subject, workbook, labels=Labels.build(t, settings), settings=settings, now=now)
        day = local_date(now, settings.tz)
        caption = t("export-caption", title=title, name=subject.name, code=subject.code, date=day)
        document = BufferedInputFile(workbook.getvalue(), filename=archive_filename(subject, f"_{day}"))
        await bot.send_document(private, document, caption=caption)
    except TelegramForbiddenError:
        button = InlineKeyboardButton(text=t("export-open-private-button"),
                                      url=await create_start_link(bot, START_PAYLOAD))
        await message.reply(t("export-open-private"),
                            reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]))
        return
    await message.reply(t("export-sent-privately", title=title, name=subject.name))


async def on_private_start(message: Message, t: Localizer) -> None:
    await message.answer(t("export-private-ready"))


def build() -> Router:
    router = Router(name="export")
    router.message.register(on_export, Command("export"))
    router.message.register(on_private_start, CommandStart(deep_link=True, magic=F.args == START_PAYLOAD),
                            PrivateChat())
    return router
