"""Builds the long-lived objects (engine, sessions, translator, dispatcher) and wires them together."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker
from bot.fsm_storage import SQLAlchemyStorage
from bot.handlers import build_router
from bot.i18n import Translator
from bot.messaging.sender import Sender
from bot.middlewares.context import ContextMiddleware
from bot.middlewares.database import DatabaseMiddleware
from bot.scheduler.jobs import job_registry
from bot.scheduler.service import JobScheduler

log = logging.getLogger(__name__)

COMMANDS = ("report", "open", "mine", "issue", "tasks", "overview", "meeting", "join", "whoami", "help", "cancel")


@dataclass
class App:
    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    translator: Translator
    clock: Clock
    dispatcher: Dispatcher

    async def close(self) -> None:
        await self.engine.dispose()


def build_dispatcher(
    settings: Settings, sessionmaker: async_sessionmaker[AsyncSession], translator: Translator,
    clock: Clock | None = None,
) -> Dispatcher:
    storage = SQLAlchemyStorage(sessionmaker)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=SimpleEventIsolation(),
        settings=settings,
        sessionmaker=sessionmaker,
        translator=translator,
        clock=clock or Clock(),
    )
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessionmaker, storage))
    dispatcher.update.outer_middleware(ContextMiddleware(translator))
    dispatcher.include_router(build_router())
    return dispatcher


def build_app(settings: Settings, engine: AsyncEngine | None = None, clock: Clock | None = None) -> App:
    engine = engine or create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    translator = Translator(settings.default_language)
    clock = clock or Clock()
    return App(settings, engine, sessionmaker, translator, clock,
               build_dispatcher(settings, sessionmaker, translator, clock))


def build_bot(settings: Settings) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    return Bot(settings.bot_token.get_secret_value(), session=session)


async def set_commands(bot: Bot, translator: Translator) -> None:
    for language in ("zh", "en"):
        t = translator.localizer(language)
        commands = [BotCommand(command=name, description=t(f"command-{name}")) for name in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == translator.default_language
                                  else language)


async def run_polling(settings: Settings) -> None:
    app = build_app(settings)
    bot = build_bot(settings)
    sender = Sender(bot, app.sessionmaker, app.translator, settings, app.clock)
    app.dispatcher["sender"] = sender
    jobs = JobScheduler(app.sessionmaker, settings, job_registry(), app.clock, worker=sender.worker,
                        after_run=sender.wake)
    sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
    try:
        me = await bot.get_me()
        log.info("polling as @%s against %s", me.username, settings.telegram_api_url)
        await set_commands(bot, app.translator)
        jobs.start()
        catch_up = asyncio.create_task(jobs.catch_up(), name="jobs-catch-up")
        await app.dispatcher.start_polling(bot, handle_signals=True)
        await catch_up
    finally:
        jobs.shutdown()
        sender.stop()
        await sender_task
        await bot.session.close()
        await app.close()
