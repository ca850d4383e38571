"""/export [CODE] in a township or county group: the archive workbook of that unit (or of a township or
village inside it), sent as a document."""

from __future__ import annotations

from io import BytesIO

from aiogram import Router
from aiogram.enums import ChatAction
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.text import local_date
from bot.messaging.workbook import Labels, archive_filename, write_archive
from bot.services.actors import Actor
from bot.services.archive_subjects import chat_subject
from bot.services.chats import BoundChat


async def on_export(message: Message, command: CommandObject, session: AsyncSession, actor: Actor | None,
                    bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock) -> None:
    now = clock.now()
    subject = await chat_subject(session, actor, bound, command.args)
    if message.bot is not None:
        await message.bot.send_chat_action(message.chat.id, ChatAction.UPLOAD_DOCUMENT)
    workbook = BytesIO()
    await write_archive(session, subject, workbook, labels=Labels.build(t, settings), settings=settings, now=now)
    day = local_date(now, settings.tz)
    caption = t("export-caption", title=t(f"archive-title-{subject.kind.value}"), name=subject.name,
                code=subject.code, date=day)
    document = BufferedInputFile(workbook.getvalue(), filename=archive_filename(subject, f"_{day}"))
    await message.answer_document(document, caption=caption)


def build() -> Router:
    router = Router(name="export")
    router.message.register(on_export, Command("export"))
    return router
