"""Builds the long-lived objects (engine, sessions, translator, dispatcher) and wires them together."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker, is_sqlite
from bot.fsm_redis import redis_fsm
from bot.fsm_storage import SQLAlchemyStorage
from bot.handlers import build_router
from bot.i18n import Translator
from bot.messaging.sender import Sender
from bot.metrics import Metrics
from bot.middlewares.context import ContextMiddleware
from bot.middlewares.conversation import ConversationLock
from bot.middlewares.database import DatabaseMiddleware
from bot.middlewares.metrics import UpdateMetrics
from bot.middlewares.started import StartedPrivately
from bot.polling import Poller, stop_on_signals
from bot.redelivery import LateAnswers, SkipHandled
from bot.resilience import ApiRetry, ApiWatch, UpdateRetry
from bot.scheduler.jobs import job_registry
from bot.scheduler.service import JobScheduler
from bot.services.health import Health
from bot.watchdog import Watchdog

log = logging.getLogger(__name__)

COMMANDS = (
    "report", "open", "mine", "issue", "service", "services", "tasks", "overview", "meeting", "score", "export",
    "join", "whoami", "help", "cancel",
)
# Updates handled at once. Polling hands over everything Telegram holds: a burst of thousands, all started
# together, queued for the database's connections (SQLite takes one writer at a time) until the pool timed out
# and they failed (bench/README-load.md). Bounded, the rest wait at Telegram, which keeps them for a day.
UPDATES_IN_HAND = 10


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
    clock: Clock | None = None, metrics: Metrics | None = None,
) -> Dispatcher:
    storage: BaseStorage
    isolation: BaseEventIsolation
    in_transaction: SQLAlchemyStorage | None
    if settings.redis_url:  # several replicas: any of them may take a member's next step
        storage, isolation = redis_fsm(settings.redis_url)
        in_transaction = None
    else:  # one process: the state commits in the update's own transaction
        in_transaction = SQLAlchemyStorage(sessionmaker)
        storage, isolation = in_transaction, SimpleEventIsolation()
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        settings=settings,
        sessionmaker=sessionmaker,
        translator=translator,
        clock=clock or Clock(),
    )
    dispatcher.update.outer_middleware.unregister(dispatcher.fsm)
    dispatcher.fsm = ConversationLock(storage, isolation, dispatcher.fsm.strategy)
    if metrics is not None:  # ahead of the conversation lock, so waiting for it counts
        dispatcher.update.outer_middleware(UpdateMetrics(metrics))
    dispatcher.update.outer_middleware(dispatcher.fsm)
    # outside the update's transaction, so a retry starts it afresh; inside the member's conversation lock
    dispatcher.update.outer_middleware(UpdateRetry(state_outside_transaction=in_transaction is None))
    dispatcher.update.outer_middleware(DatabaseMiddleware(sessionmaker, in_transaction,
                                                          in_turn=is_sqlite(sessionmaker.kw["bind"])))
    dispatcher.update.outer_middleware(ContextMiddleware(translator))
    if in_transaction is not None:  # its record of handled updates commits with each update
        dispatcher.update.outer_middleware(SkipHandled())
    dispatcher.message.outer_middleware(StartedPrivately())
    dispatcher.include_router(build_router())
    return dispatcher


def build_app(settings: Settings, engine: AsyncEngine | None = None, clock: Clock | None = None,
              metrics: Metrics | None = None) -> App:
    engine = engine or create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    translator = Translator(settings.default_language)
    clock = clock or Clock()
    return App(settings, engine, sessionmaker, translator, clock,
               build_dispatcher(settings, sessionmaker, translator, clock, metrics))


def build_bot(settings: Settings, health: Health | None = None, *, retry_requests: bool = False) -> Bot:
    """`retry_requests`: for the handlers' bot (the outbox sender keeps its own schedule); `health` hears
    whether requests get through."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    if retry_requests:
        session.middleware(ApiRetry())   # first: outermost, so the watch below sees every try
        session.middleware(LateAnswers())   # a press handled again after a restart cannot be answered again
    if health is not None:
        session.middleware(ApiWatch(health))
    return Bot(settings.bot_token.get_secret_value(), session=session)


async def set_commands(bot: Bot, translator: Translator) -> None:
    for language in ("zh", "en"):
        t = translator.localizer(language)
        commands = [BotCommand(command=name, description=t(f"command-{name}")) for name in COMMANDS]
        await bot.set_my_commands(commands, language_code=None if language == translator.default_language
                                  else language)


@dataclass(frozen=True)
class Running:
    app: App
    bot: Bot
    username: str


@asynccontextmanager
async def running(settings: Settings, metrics: Metrics | None = None) -> AsyncIterator[Running]:
    """What polling and the webhook share: the outbox sender, the scheduler and its catch-up, the commands;
    stopped in order when the body returns."""
    app = build_app(settings, metrics=metrics)
    health = Health(app.clock, timedelta(minutes=settings.alerts.after_minutes))
    app.dispatcher["health"] = health
    bot = build_bot(settings, health, retry_requests=True)
    sender_bot = build_bot(settings, health)
    sender = Sender(sender_bot, app.sessionmaker, app.translator, settings, app.clock, health=health,
                    on_outcome=metrics.delivered if metrics else None)
    app.dispatcher["sender"] = sender
    jobs = JobScheduler(app.sessionmaker, settings, job_registry(), app.clock, worker=sender.worker,
                        after_run=sender.wake, on_outcome=metrics.job_ran if metrics else None, health=health)
    watchdog = Watchdog(health, app.sessionmaker, settings, app.clock, worker=sender.worker, wake=sender.wake)
    sender_task = asyncio.create_task(sender.run(), name="outbox-sender")
    watchdog_task = asyncio.create_task(watchdog.run(), name="watchdog")
    catch_up: asyncio.Task[object] | None = None
    try:
        me = await bot.get_me()
        await set_commands(bot, app.translator)
        jobs.start()
        catch_up = asyncio.create_task(jobs.catch_up(), name="jobs-catch-up")
        yield Running(app, bot, me.username or str(me.id))
    finally:
        if catch_up is not None and not catch_up.done():
            # still retrying with the database away, perhaps: a job's claim and work commit together, so a
            # cancelled run is simply run again at the next start
            catch_up.cancel()
            await asyncio.wait({catch_up})
        jobs.shutdown()
        watchdog.stop()
        await watchdog_task
        sender.stop()
        await sender_task
        await bot.session.close()
        await sender_bot.session.close()
        await app.close()


async def run_polling(settings: Settings) -> None:
    stop = stop_on_signals()  # set already during start-up: the start completes, then nothing is fetched
    async with running(settings) as live:
        log.info("polling as @%s against %s", live.username, settings.telegram_api_url)
        await Poller(live.app.dispatcher, live.bot, max_in_hand=UPDATES_IN_HAND).run(stop)
