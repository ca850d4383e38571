"""The outbox sender's throughput against the Bot API emulator with Telegram's rate limits switched on.

Queues `--messages` notices (default 2,000) to `--groups` group chats (default 500) in one transaction, then lets
the real `Sender.run()` loop deliver them through aiogram to the local emulator, which answers 429 whenever
Telegram's limits (30 messages a second overall, 20 a minute per group, 1 a second per chat) are broken. Real
clock, a temporary migrated SQLite database, nothing leaves 127.0.0.1. At 30 messages a second the default run
takes about 70 s.

    python -m bench.sender                              # 2,000 messages to 500 groups
    python -m bench.sender --messages 600 --groups 150  # a shorter run
    python -m bench.sender --order grouped              # each group's messages queued one after another
    python -m bench.sender --profile                    # where the time goes: limiters, transactions, HTTP
    python -m bench.sender --json                       # the figures as one JSON object as well

Targets: at least 95 % of the configured overall limit (28.5 messages a second at 30) and no 429 at all.
The exit status is 0 when both are met, 1 when either is missed, 2 when messages were not delivered.
See bench/README-sender.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.sender_profile import Profile, instrument, watch_loop
from bench.sender_profile import percentile as percentile  # other benchmarks import it from here
from bench.sender_report import Outcome, blame_429s, busiest_window, report
from bot.cli import db_upgrade
from bot.clock import Clock
from bot.config import Settings, load_settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.messaging.sender import Sender
from bot.models import OutboxMessage, OutboxStatus
from bot.services.outbox import enqueue_notice
from emulator import Emulator, EmulatorClient, RateLimits

# Telegram's limits, which the emulator enforces whatever the bot's config.toml says
TELEGRAM = {"overall_per_second": 30, "group_per_minute": 20, "chat_per_second": 1}
NOTICE_KEY = "notice-overdue"
POLL_SECONDS = 0.2  # how often the benchmark looks whether everything has been delivered


# --- the run --------------------------------------------------------------------------------------------------

def chat_order(messages: int, groups: list[int], order: str) -> list[int]:
    """interleaved: message i goes to group i mod n (one message per group per pass, like a sweep touching
    every village); grouped: each group's messages follow one another (a chat with a backlog)."""
    if order == "interleaved":
        return [groups[i % len(groups)] for i in range(messages)]
    per_group, extra = divmod(messages, len(groups))
    targets: list[int] = []
    for index, chat_id in enumerate(groups):
        targets += [chat_id] * (per_group + (1 if index < extra else 0))
    return targets


async def queue(sessionmaker: async_sessionmaker[AsyncSession], targets: list[int], clock: Clock) -> None:
    async with sessionmaker.begin() as session:
        for number, chat_id in enumerate(targets, start=1):
            await enqueue_notice(session, chat_id=chat_id, key=NOTICE_KEY,
                                 args={"number": f"2026-{number:04d}", "days": 1}, dedupe_key=f"bench:{number}",
                                 now=clock.now())


async def settled(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
    async with sessionmaker() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)
                                    .where(OutboxMessage.status != OutboxStatus.pending)) or 0


async def run(args: argparse.Namespace, url: str, settings: Settings) -> Outcome:
    clock = Clock()
    engine = create_engine(url)
    watcher = create_engine(url, write_lock_upfront=False)  # reads beside the sender without its write lock
    sessionmaker, watch = create_sessionmaker(engine), create_sessionmaker(watcher)
    emulator = Emulator(rate_limits=RateLimits(enabled=True, **TELEGRAM))
    base_url = await emulator.start()
    bot = Bot(emulator.token, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    try:
        async with EmulatorClient(base_url) as client:
            groups = [(await client.create_chat(f"村{n:03d}", bot_status="member"))["id"]
                      for n in range(1, args.groups + 1)]
            await queue(sessionmaker, chat_order(args.messages, groups, args.order), clock)

            sender = Sender(bot, sessionmaker, Translator(settings.default_language), settings, clock,
                            worker="bench")
            profile = Profile() if args.profile else None
            stop_watch = asyncio.Event()
            lag_task = None
            if profile is not None:
                instrument(sender, bot, profile)
                lag_task = asyncio.create_task(watch_loop(profile, stop_watch))

            cpu0, start, load0 = time.process_time(), time.time(), os.getloadavg()[0]
            runner = asyncio.create_task(sender.run())
            deadline = time.monotonic() + args.timeout
            while not runner.done() and time.monotonic() < deadline:
                if await settled(watch) >= args.messages:
                    break
                await asyncio.sleep(POLL_SECONDS)
            sender.stop()
            await runner
            cpu, load1 = time.process_time() - cpu0, os.getloadavg()[0]
            stop_watch.set()
            if lag_task is not None:
                await lag_task
            stats = await client.stats()

        calls = [{"time": c.time, "status": c.status, "chat_id": int(c.params.get("chat_id", 0))}
                 for c in emulator.state.calls if c.method == "sendMessage"]
        async with watch() as session:
            rows = (await session.scalars(select(OutboxMessage))).all()
        sent = [r for r in rows if r.status == OutboxStatus.sent]
        ok = [c["time"] for c in calls if c["status"] == 200]
        seconds = (max(ok) - start) if ok else float("nan")
        return Outcome(
            messages=args.messages, groups=args.groups, order=args.order, delivered=len(sent),
            failed=sum(1 for r in rows if r.status == OutboxStatus.failed), seconds=seconds,
            rate=len(sent) / seconds if ok else 0.0, configured_rate=settings.delivery.overall_per_second,
            too_many_requests=stats["too_many_requests"], attempts=len(calls), busiest_second=busiest_window(ok, 1.0),
            latencies=[(r.sent_at - r.created_at).total_seconds() for r in sent if r.sent_at is not None],
            retried_rows=sum(1 for r in sent if r.last_error), cpu=cpu,
            blame=blame_429s(calls, TELEGRAM), profile=profile, start=start, load=(load0, load1),
            calls=calls)
    finally:
        if bot.session._session is not None:  # AiohttpSession.close() sleeps 0.25 s for TLS; this is plain HTTP
            await bot.session._session.close()
        await emulator.stop()
        await engine.dispose()
        await watcher.dispose()


# --- the command ----------------------------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.sender", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000, help="notices to queue (default 2000)")
    parser.add_argument("--groups", type=int, default=500, help="group chats they go to (default 500)")
    parser.add_argument("--order", choices=("interleaved", "grouped"), default="interleaved",
                        help="queue order: round-robin over the groups (default) or each group's in a row")
    parser.add_argument("--profile", action="store_true",
                        help="time the limiters, the transactions, the HTTP calls, the rounds and the loop's lag")
    parser.add_argument("--timeout", type=float, default=900.0, help="give up after this many seconds")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON as well")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.groups < 1:
        parser.error("--messages and --groups must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    settings = load_settings()
    with tempfile.TemporaryDirectory(prefix="bench-sender-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
        db_upgrade(url)
        outcome = asyncio.run(run(args, url, settings))
    report(outcome, settings)
    if args.json:
        print(json.dumps(outcome.as_dict(), ensure_ascii=False))
    if outcome.delivered < outcome.messages:
        return 2
    return 0 if outcome.met else 1


if __name__ == "__main__":
    sys.exit(main())
