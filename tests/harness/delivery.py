"""The outbox sender against the Bot API emulator: the emulator, the database and the clock the senders share.

Time is the injected ManualClock: a retry is due when the clock passes `next_attempt_at`, so the tests move the
clock and drain again instead of sleeping. The sender's rate limiters run on real time, so the limits are raised
far above what the tests send.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.sender import Sender
from bot.models import ChatProblem, Member, OutboxMessage, OutboxStatus, Role, RoleName
from bot.services.outbox import enqueue_notice
from emulator import Emulator, EmulatorClient

# Far above what a test sends: the limiters run on real time and must not slow the tests down.
FAST_LIMITS = {"overall_per_second": 100_000, "group_per_minute": 100_000, "chat_per_second": 100_000,
               "max_attempts": 3}
REQUEST_TIMEOUT = 10.0      # the normal Bot session: no request of these tests comes near it
TOKEN = re.compile(r"X\d{5}")


def token(n: int) -> str:
    """A fixed-width marker put into the notice text, so every message names the row it came from."""
    return f"X{n:05d}"


@dataclass
class Rig:
    """The emulator, the database and the clock the senders share; each sender gets its own Bot session,
    as a separate process would."""

    emulator: Emulator
    client: EmulatorClient
    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    clock: ManualClock
    translator: Translator
    bots: list[Bot] = field(default_factory=list)
    numbers: int = 0

    def bot(self, *, timeout: float = REQUEST_TIMEOUT) -> Bot:
        session = AiohttpSession(api=TelegramAPIServer.from_base(self.emulator.base_url), timeout=timeout)
        bot = Bot(self.emulator.token, session=session)
        self.bots.append(bot)
        return bot

    def sender(self, worker: str, *, bot: Bot | None = None, **delivery: Any) -> Sender:
        settings = self.settings.model_copy(
            update={"delivery": self.settings.delivery.model_copy(update={**FAST_LIMITS, **delivery})})
        return Sender(bot or self.bot(), self.sessionmaker, self.translator, settings, self.clock, worker=worker)

    async def group(self, title: str, *, owner: int | None = None) -> int:
        members = [owner] if owner is not None else []
        return (await self.client.create_chat(title, members=members, owner=owner, bot_status="member"))["id"]

    async def queue(self, chat_id: int, count: int = 1) -> list[str]:
        """Queue `count` notices to a chat in one transaction; returns their markers."""
        markers = []
        async with self.sessionmaker.begin() as session:
            for _ in range(count):
                self.numbers += 1
                marker = token(self.numbers)
                assert await enqueue_notice(session, chat_id=chat_id, key="notice-overdue",
                                            args={"number": marker, "days": 3}, dedupe_key=f"test:{marker}",
                                            now=self.clock.now())
                markers.append(marker)
        return markers

    async def rows(self) -> list[OutboxMessage]:
        async with self.sessionmaker() as session:
            return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())

    async def row(self, marker: str) -> OutboxMessage:
        [found] = [row for row in await self.rows() if row.dedupe_key == f"test:{marker}"]
        return found

    async def texts(self, chat_id: int) -> list[str]:
        return [m.get("text") or "" for m in await self.client.messages(chat_id) if m["from_bot"]]

    async def delivered(self, *chat_ids: int) -> Counter[str]:
        """How often each marker arrived, over these chats."""
        seen: Counter[str] = Counter()
        for chat_id in chat_ids:
            for text in await self.texts(chat_id):
                seen.update(TOKEN.findall(text))
        return seen

    async def send_calls(self, chat_id: int) -> list[dict[str, Any]]:
        return await self.client.calls("sendMessage", chat_id=chat_id)

    async def admins(self) -> list[int]:
        async with self.sessionmaker() as session:
            return sorted(set((await session.scalars(
                select(Member.telegram_id).join(Role, Role.member_id == Member.id)
                .where(Role.role == RoleName.admin, Member.telegram_id.is_not(None)))).all()))

    async def chat_problems(self, chat_id: int) -> int:
        async with self.sessionmaker() as session:
            return await session.scalar(select(func.count()).select_from(ChatProblem)
                                        .where(ChatProblem.chat_id == chat_id)) or 0


@asynccontextmanager
async def delivery_rig(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
                       clock: ManualClock) -> AsyncIterator[Rig]:
    emulator = Emulator(privacy_mode=True)
    await emulator.start()
    async with EmulatorClient(emulator.base_url) as client:
        rig = Rig(emulator, client, sessionmaker, settings, clock, Translator(settings.default_language))
        try:
            yield rig
        finally:
            for bot in rig.bots:   # AiohttpSession.close() sleeps 0.25 s for TLS shutdown; this is plain HTTP
                if bot.session._session is not None:
                    await bot.session._session.close()
    await emulator.stop()


def after_sends(count: int, action: Callable[[], Awaitable[None] | None]) -> Any:
    """A Bot request middleware that runs `action` once, right after the `count`-th successful sendMessage."""
    done = 0

    async def middleware(make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        nonlocal done
        result = await make_request(bot, method)
        if isinstance(method, SendMessage):
            done += 1
            if done == count:
                outcome = action()
                if outcome is not None:
                    await outcome
        return result

    return middleware


def assert_all_sent(rows: list[OutboxMessage]) -> None:
    assert [(row.dedupe_key, row.status) for row in rows if row.status != OutboxStatus.sent] == []
    assert all(row.claimed_until is None and row.message_id is not None for row in rows)
