"""What the report flow benchmark runs on: the sample county in a migrated SQLite database with village groups
bound, the test harness timing every update it feeds, and lanes of members driven side by side.
See bench/README.md."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.methods import TelegramMethod
from aiogram.types import Update
from sqlalchemy import func, select

from bot.cli import db_upgrade
from bot.config import PROJECT_ROOT, Settings
from bot.db import create_engine, create_sessionmaker
from bot.models import Issue, RoleName, Unit, UnitLevel
from bot.services.org_import import apply_org
from bot.services.org_parse import parse_org
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import as_person, bind, members_with

SAMPLE_COUNTY = PROJECT_ROOT / "org" / "sample_county.toml"
FIRST_CHAT = -1_009_000_000  # village group i is FIRST_CHAT - i


@dataclass(frozen=True)
class Seat:
    """One member in one village group."""

    chat_id: int
    title: str
    person: Person


class TimedHarness(ChatHarness):
    """The test harness, timing every update it feeds and able to forget a finished conversation."""

    def __init__(self, dispatcher: Dispatcher, api_latency: float = 0.0) -> None:
        super().__init__(dispatcher)
        self.latencies: list[float] = []
        if api_latency > 0:
            answer = self.session.make_request

            async def slow_answer(bot: Bot, method: TelegramMethod[Any], timeout: int | None = None) -> Any:
                await asyncio.sleep(api_latency)  # Telegram's round trip, for runs with --concurrency
                return await answer(bot, method, timeout)

            self.session.make_request = slow_answer  # type: ignore[method-assign]

    async def feed(self, update: Update) -> list:
        start = time.perf_counter()
        try:
            return await super().feed(update)
        finally:
            self.latencies.append(time.perf_counter() - start)

    def forget(self, chat_id: int) -> None:
        """Drop the mocked Telegram's copies of one chat's messages, so the harness's own per-update
        bookkeeping (Reporter snapshots every sent message) does not grow with the length of the run."""
        for key in [key for key in self.session.sent if key[0] == chat_id]:
            del self.session.sent[key]


class BenchmarkFailed(Exception):
    """The conversations did not run as a member would see them; the figures would be meaningless."""


# --- the database ---------------------------------------------------------------------------------------------


def migrate(url: str) -> None:
    """Alembic runs its own event loop, so this is called before ours starts (as the test fixtures do)."""
    db_upgrade(url)


async def load_county(url: str, settings: Settings, groups: int) -> list[list[Seat]]:
    """Import the sample county, bind `groups` village chats, and list each village's team members."""
    engine = create_engine(url)
    sessionmaker = create_sessionmaker(engine)
    try:
        async with sessionmaker.begin() as session:
            await apply_org(session, parse_org(SAMPLE_COUNTY.read_bytes(), settings.kind_keys))
        async with sessionmaker() as session:
            villages = (await session.scalars(
                select(Unit).where(Unit.level == UnitLevel.village).order_by(Unit.code))).all()
            seats: list[list[Seat]] = []
            for village in villages:
                members = await members_with(session, RoleName.member, village=village.code)
                if not members:
                    continue
                chat_id = FIRST_CHAT - len(seats)
                await bind(session, chat_id, village.code)
                seats.append([Seat(chat_id, village.name, as_person(member)) for member in members])
                if len(seats) == groups:
                    break
    finally:
        await engine.dispose()
    if len(seats) < groups:
        raise BenchmarkFailed(f"the sample county has only {len(seats)} villages with members; use fewer --groups")
    return seats


async def count_issues(url: str) -> int:
    engine = create_engine(url, write_lock_upfront=False)
    try:
        async with create_sessionmaker(engine)() as session:
            return int(await session.scalar(select(func.count()).select_from(Issue)) or 0)
    finally:
        await engine.dispose()


# --- driving ----------------------------------------------------------------------------------------------------


def round_robin(villages: Sequence[Sequence[Seat]], count: int) -> list[Seat]:
    """`count` seats, taking one member from each village in turn; members repeat only once all have had a go."""
    order = [village[i] for i in range(max(map(len, villages))) for village in villages if i < len(village)]
    return [order[i % len(order)] for i in range(count)]


def lanes(seats: Sequence[Seat], concurrency: int) -> list[list[tuple[int, Seat]]]:
    """Split the work into `concurrency` lanes run side by side; a chat always stays in one lane, so two
    conversations never interleave in one group (the Reporter tells its prompts apart by chat)."""
    chats = list(dict.fromkeys(seat.chat_id for seat in seats))
    lane_of = {chat_id: i % concurrency for i, chat_id in enumerate(chats)}
    out: list[list[tuple[int, Seat]]] = [[] for _ in range(concurrency)]
    for index, seat in enumerate(seats):
        out[lane_of[seat.chat_id]].append((index, seat))
    return [lane for lane in out if lane]


async def drive(work: list[list[tuple[int, Seat]]],
                step: Callable[[int, Seat], Awaitable[None]]) -> tuple[float, float]:
    """Run the lanes side by side; the wall-clock and CPU seconds it took."""
    async def run(lane: list[tuple[int, Seat]]) -> None:
        for index, seat in lane:
            await step(index, seat)

    gc.collect()
    start, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(run(lane) for lane in work))
    return time.perf_counter() - start, time.process_time() - cpu


def open_groups(harness: ChatHarness, seats: Sequence[Seat]) -> None:
    for seat in seats:
        if seat.chat_id not in harness.chats:
            harness.group(seat.chat_id, seat.title)
