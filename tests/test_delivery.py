"""The outbox sender against the Bot API emulator: every queued message arrives exactly once, through 429s, 5xx,
dropped connections, permanent failures, restarts and two senders at once.

Time is the injected ManualClock: a retry is due when the clock passes `next_attempt_at`, so the tests move the
clock and drain again instead of sleeping. The sender's rate limiters run on real time, so the limits are raised
far above what the tests send.
"""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramMigrateToChat
from aiogram.methods import SendMessage, TelegramMethod
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.sender import CLAIM_FOR, Sender
from bot.models import ChatProblem, Member, OutboxMessage, OutboxStatus, Role, RoleName
from bot.services.outbox import enqueue_notice
from emulator import Emulator, EmulatorClient

# Far above what a test sends: the limiters run on real time and must not slow the tests down.
FAST_LIMITS = {"overall_per_second": 100_000, "group_per_minute": 100_000, "chat_per_second": 100_000,
               "max_attempts": 3}
REQUEST_TIMEOUT = 10.0      # the normal Bot session: no request of these tests comes near it
SHORT_TIMEOUT = 0.2         # the first attempt of the timeout test, shorter than the injected delay
INJECTED_DELAY = 0.6
TOKEN = re.compile(r"X\d{5}")
MISSING_CHAT = -4_242_424_242
OWNER = 555_100


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


@pytest.fixture
async def rig(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings,
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


# --- 1. the plain path ----------------------------------------------------------------------------------------


async def test_every_queued_message_arrives_exactly_once(rig: Rig) -> None:
    groups = [await rig.group(f"村{i}") for i in range(4)]
    await rig.client.upsert_user(555_001, "个人")
    chats = [*groups, 555_001]
    markers = [marker for index, chat in enumerate(chats) for marker in await rig.queue(chat, 3 + index)]

    assert await rig.sender("one").drain() == len(markers)

    assert await rig.delivered(*chats) == Counter(markers)
    for index, chat in enumerate(chats):
        assert len(await rig.texts(chat)) == 3 + index          # nothing landed in the wrong chat
    rows = await rig.rows()
    assert len(rows) == len(markers)
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}
    assert all(row.sent_at == rig.clock.now() for row in rows)
    assert await rig.sender("again").drain() == 0               # a sent row is never picked up again


# --- 2. 429 --------------------------------------------------------------------------------------------------


async def test_too_many_requests_waits_retry_after_without_counting_an_attempt(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(4)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 5)]
    await rig.client.add_fault("too_many_requests", method="sendMessage", count=3, retry_after=1)
    sender = rig.sender("one")
    start = rig.clock.now()

    await sender.drain()

    pending = [row for row in await rig.rows() if row.status == OutboxStatus.pending]
    assert pending, "the 429s must leave rows waiting"
    limited = {row.chat_id for row in pending}
    assert len(limited) == 3                                     # a chat stops at its first 429: 3 chats wait
    for row in pending:                                          # the whole chat waits out retry_after
        assert row.next_attempt_at == start + timedelta(seconds=1)
        assert row.attempts == 0 and row.claimed_until is None and row.claimed_by is None
    assert sum(1 for row in pending if row.last_error and "retry after" in row.last_error.lower()) == 3
    assert (await rig.client.stats())["injected"] == 3

    calls = len(await rig.client.calls("sendMessage"))
    rig.clock.advance(timedelta(milliseconds=500))              # retry_after not over yet
    assert await sender.drain() == 0
    assert len(await rig.client.calls("sendMessage")) == calls

    rig.clock.advance(timedelta(milliseconds=500))
    assert await sender.drain() == len(pending)

    assert await rig.delivered(*chats) == Counter(markers)
    rows = await rig.rows()
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}                # a 429 is not a failed attempt


# --- 3. 5xx, dropped connections, timeouts -------------------------------------------------------------------


async def test_server_errors_back_off_then_deliver_once(rig: Rig) -> None:
    chat = await rig.group("村")
    [marker] = await rig.queue(chat)
    await rig.client.add_fault("server_error", method="sendMessage", count=2, status=502)
    sender = rig.sender("one")

    delays = []
    for attempt in (1, 2):
        before = rig.clock.now()
        assert await sender.drain() == 1
        row = await rig.row(marker)
        assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.pending, attempt, None)
        assert row.last_error and "Bad Gateway" in row.last_error
        delays.append(row.next_attempt_at - before)
        assert await sender.drain() == 0                         # not due before the backoff is over
        rig.clock.set(row.next_attempt_at)
    assert timedelta(0) < delays[0] < delays[1]

    assert await sender.drain() == 1
    row = await rig.row(marker)
    assert (row.status, row.attempts) == (OutboxStatus.sent, 3)
    assert await rig.delivered(chat) == Counter([marker])
    assert len(await rig.send_calls(chat)) == 3
    assert await rig.chat_problems(chat) == 0                    # a server error is not the chat's fault


async def test_dropped_connection_is_retried_and_delivered_once(rig: Rig) -> None:
    chat = await rig.group("村")
    markers = await rig.queue(chat, 2)
    await rig.client.add_fault("drop", method="sendMessage", count=1)
    sender = rig.sender("one")

    await sender.drain()
    first = await rig.row(markers[0])
    assert (first.status, first.attempts) == (OutboxStatus.pending, 1)
    assert first.last_error and "NetworkError" in first.last_error
    assert first.next_attempt_at > rig.clock.now()
    assert await rig.delivered(chat) == Counter([markers[1]])   # one bad send does not hold up the chat

    rig.clock.set(first.next_attempt_at)
    assert await sender.drain() == 1
    assert await rig.delivered(chat) == Counter(markers)
    assert_all_sent(await rig.rows())
    statuses = [call["status"] for call in await rig.send_calls(chat)]
    assert sorted(statuses) == [0, 200, 200]                     # the dropped call, then one send each


async def test_timeout_after_telegram_accepted_the_message_is_sent_again(rig: Rig) -> None:
    """A timed-out request is ambiguous: Telegram may have posted the message anyway (here the emulator does,
    after its delay). The Bot API has no idempotency key, so the sender can only retry: the row is delivered
    and never lost, and this is the one place where a reader may see it twice."""
    chat = await rig.group("村")
    [marker] = await rig.queue(chat)
    await rig.client.add_fault("delay", method="sendMessage", count=1, seconds=INJECTED_DELAY)
    bot = rig.bot(timeout=SHORT_TIMEOUT)
    sender = rig.sender("one", bot=bot)
    await rig.client.skip_to_now()

    await sender.drain()
    bot.session.timeout = REQUEST_TIMEOUT
    row = await rig.row(marker)
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    assert row.last_error and "timeout" in row.last_error.lower()
    await rig.client.next_bot_message(chat, within=5)            # the late copy of the timed-out request

    rig.clock.set(row.next_attempt_at)
    assert await sender.drain() == 1
    row = await rig.row(marker)
    assert (row.status, row.attempts) == (OutboxStatus.sent, 2)
    assert await rig.delivered(chat) == Counter({marker: 2})


async def test_persistent_server_errors_fail_the_row_after_max_attempts(rig: Rig) -> None:
    chat = await rig.group("村")
    [marker] = await rig.queue(chat)
    await rig.client.add_fault("server_error", method="sendMessage", count=None, status=500)
    sender = rig.sender("one", max_attempts=3)

    for _ in range(5):
        await sender.drain()
        rig.clock.advance(timedelta(minutes=10))

    row = await rig.row(marker)
    assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.failed, 3, None)
    assert row.last_error and row.last_error.startswith("gave up after 3 attempts")
    assert row.payload == {"key": "notice-overdue", "args": {"number": marker, "days": 3}}   # kept, not lost
    assert len(await rig.send_calls(chat)) == 3
    assert await rig.delivered(chat) == Counter()
    assert await rig.chat_problems(chat) == 0
    assert [r.dedupe_key for r in await rig.rows()] == [f"test:{marker}"]   # no admin notice for an outage

    await rig.client.clear_faults()
    assert await sender.drain() == 0                             # a failed row stays failed


# --- 4. permanent failures ------------------------------------------------------------------------------------


@pytest.mark.parametrize("cause", ["missing", "kicked"])
async def test_lost_chat_fails_at_once_and_tells_each_admin_once(rig: Rig, cause: str) -> None:
    admins = await rig.admins()
    assert admins
    await rig.client.upsert_users([{"id": admin, "first_name": f"admin{admin}"} for admin in admins])
    if cause == "kicked":
        await rig.client.upsert_user(OWNER, "群主")
        chat = await rig.group("被移出的村", owner=OWNER)
        await rig.client.kick_bot(chat, by=OWNER)
        expected_error = "bot was kicked"
    else:
        chat = MISSING_CHAT
        expected_error = "chat not found"
    healthy = await rig.group("正常的村")
    [first] = await rig.queue(chat)
    [fine] = await rig.queue(healthy)
    sender = rig.sender("one")

    await sender.drain()

    row = await rig.row(first)
    assert (row.status, row.attempts, row.claimed_until) == (OutboxStatus.failed, 1, None)
    assert row.last_error and expected_error in row.last_error
    assert await rig.chat_problems(chat) == 1
    assert await rig.delivered(healthy) == Counter([fine])

    async def admin_notices() -> list[list[str]]:
        return [await rig.texts(admin) for admin in admins]

    told = await admin_notices()
    assert all(len(texts) == 1 and str(chat) in texts[0] and expected_error in texts[0] for texts in told), told

    more = await rig.queue(chat, 5)
    await sender.drain()
    rig.clock.advance(timedelta(hours=1))
    await sender.drain()

    for marker in more:
        row = await rig.row(marker)
        assert (row.status, row.attempts) == (OutboxStatus.failed, 1)
    assert len(await rig.send_calls(chat)) == 6                 # each tried once, none retried
    assert await rig.chat_problems(chat) == 1
    assert await admin_notices() == told                        # still exactly one notice per admin
    notice_rows = [r for r in await rig.rows() if r.dedupe_key.startswith("chat-problem:")]
    assert sorted(r.chat_id for r in notice_rows) == admins
    assert all(r.status == OutboxStatus.sent for r in notice_rows)


# --- 5. restarts and two senders --------------------------------------------------------------------------------


async def test_a_stopped_sender_leaves_the_rest_to_the_next_one(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(3)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 6)]
    first_bot = rig.bot()
    first = rig.sender("first", bot=first_bot)
    first_bot.session.middleware(after_sends(4, first.stop))

    await asyncio.wait_for(first.run(), timeout=10)

    rows = await rig.rows()
    sent_first = sum(row.status == OutboxStatus.sent for row in rows)
    assert 4 <= sent_first < len(markers)
    left = [row for row in rows if row.status == OutboxStatus.pending]
    assert all(row.claimed_by is None and row.claimed_until is None for row in left)   # claims given back
    assert all(row.attempts == 0 for row in left)

    second = rig.sender("second")                               # a new process: new worker id, new session
    assert await second.drain() == len(left)                    # at once: no waiting for claims to expire

    assert await rig.delivered(*chats) == Counter(markers)
    assert_all_sent(await rig.rows())


async def test_rows_claimed_by_a_crashed_sender_are_delivered_after_the_claim_expires(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(2)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 10)]

    crashed = rig.sender("crashed", batch=5)
    assert await crashed.deliver_due() == 5                      # some delivered before the crash ...
    abandoned = await crashed._claim()                            # ... and the next batch claimed, never sent
    assert len(abandoned) == 5

    survivor = rig.sender("survivor")
    assert await survivor.drain() == len(markers) - 10           # leaves the crashed sender's claims alone
    stuck = [row for row in await rig.rows() if row.status == OutboxStatus.pending]
    assert sorted(row.id for row in stuck) == sorted(row.id for row in abandoned)
    assert all(row.claimed_by == "crashed" for row in stuck)

    rig.clock.advance(CLAIM_FOR - timedelta(seconds=1))
    assert await survivor.drain() == 0                           # the claim still holds
    rig.clock.advance(timedelta(seconds=2))
    assert await survivor.drain() == 5

    assert await rig.delivered(*chats) == Counter(markers)
    rows = await rig.rows()
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}


async def test_two_senders_at_once_deliver_each_row_once(rig: Rig) -> None:
    chats = [await rig.group(f"村{i}") for i in range(4)]
    markers = [marker for chat in chats for marker in await rig.queue(chat, 8)]
    senders = [rig.sender(name, batch=3) for name in ("left", "right")]

    handled = await asyncio.gather(*(sender.drain() for sender in senders))

    assert sum(handled) == len(markers)                          # no row handled by both
    assert await rig.delivered(*chats) == Counter(markers)
    assert len(await rig.client.calls("sendMessage")) == len(markers)
    rows = await rig.rows()
    assert_all_sent(rows)
    assert {row.attempts for row in rows} == {1}


# --- 6. dedupe ------------------------------------------------------------------------------------------------


async def test_same_dedupe_key_is_sent_once(rig: Rig) -> None:
    chat = await rig.group("村")

    async def queue() -> bool:
        async with rig.sessionmaker.begin() as session:
            return await enqueue_notice(session, chat_id=chat, key="notice-overdue",
                                        args={"number": token(1), "days": 1}, dedupe_key="overdue:1:day-1",
                                        now=rig.clock.now())

    assert await queue() is True
    assert await queue() is False
    sender = rig.sender("one")
    assert await sender.drain() == 1
    assert await queue() is False                                # not even after it was sent
    assert await sender.drain() == 0

    assert await rig.delivered(chat) == Counter([token(1)])
    assert len(await rig.rows()) == 1


# --- long texts -----------------------------------------------------------------------------------------------


async def test_a_split_notice_resends_only_what_did_not_arrive(rig: Rig) -> None:
    chat = await rig.group("村")
    async with rig.sessionmaker.begin() as session:
        await enqueue_notice(session, chat_id=chat, key="notice-sent-back",
                             args={"number": token(1) + "号" * 2000, "reason": "理由" * 1250}, dedupe_key="long",
                             now=rig.clock.now())
    bot = rig.bot()

    async def fail_next_send() -> None:
        await rig.client.add_fault("server_error", method="sendMessage", count=1)

    bot.session.middleware(after_sends(1, fail_next_send))      # part 1 arrives, part 2 gets a 500
    sender = rig.sender("one", bot=bot)

    await sender.drain()
    [row] = await rig.rows()
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    assert len(await rig.texts(chat)) == 1                        # the first part is out
    rig.clock.set(row.next_attempt_at)
    await sender.drain()

    [row] = await rig.rows()
    assert row.status == OutboxStatus.sent
    texts = await rig.texts(chat)
    assert all(len(text) <= 4096 for text in texts)
    assert len(texts) == 2, [text[:40] for text in texts]       # each part once


async def test_a_notice_full_of_emoji_is_split_by_telegrams_measure(rig: Rig) -> None:
    chat = await rig.group("村")
    async with rig.sessionmaker.begin() as session:             # ~4000 characters, ~8000 UTF-16 units
        await enqueue_notice(session, chat_id=chat, key="notice-sent-back",
                             args={"number": token(1) + "😀" * 1500, "reason": "😀" * 2500}, dedupe_key="emoji",
                             now=rig.clock.now())

    await rig.sender("one").drain()

    [row] = await rig.rows()
    assert (row.status, row.last_error) == (OutboxStatus.sent, None)
    texts = await rig.texts(chat)
    assert all(len(text.encode("utf-16-le")) // 2 <= 4096 for text in texts)
    assert "".join(texts).count("😀") == 4000


# --- claims under stress ----------------------------------------------------------------------------------------


async def wait_until(condition: Callable[[], Awaitable[bool]], *, tries: int = 500) -> None:
    for _ in range(tries):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met within 5 s")


async def test_an_unexpected_api_error_in_one_chat_does_not_free_the_others(rig: Rig) -> None:
    migrated, busy = await rig.group("已升级的村"), await rig.group("忙碌的村")
    [lost] = await rig.queue(migrated)
    [slow] = await rig.queue(busy)
    gate, idle, raised = asyncio.Event(), asyncio.Event(), asyncio.Event()
    in_flight = 0
    bot = rig.bot()

    async def middleware(make_request: Any, bot: Bot, method: TelegramMethod[Any]) -> Any:
        nonlocal in_flight
        if not isinstance(method, SendMessage):
            return await make_request(bot, method)
        if method.chat_id == migrated:             # what aiogram raises for an answer with migrate_to_chat_id
            raised.set()
            raise TelegramMigrateToChat(method=method, migrate_to_chat_id=-100_777,
                                        message="Bad Request: group chat was upgraded to a supergroup chat")
        in_flight += 1
        idle.clear()
        try:
            await gate.wait()                      # a send still under way in another chat
            return await make_request(bot, method)
        finally:
            in_flight -= 1
            if in_flight == 0:
                idle.set()

    bot.session.middleware(middleware)
    first = rig.sender("first", bot=bot)
    round_ = asyncio.create_task(first.deliver_due())

    async def migrated_row_handled() -> bool:
        row = await rig.row(lost)
        return row.status != OutboxStatus.pending or row.claimed_by is None

    await asyncio.wait_for(raised.wait(), timeout=5)
    await wait_until(migrated_row_handled)
    await rig.sender("second").drain()                          # must leave the row being sent alone
    gate.set()
    outcome = (await asyncio.gather(round_, return_exceptions=True))[0]
    await asyncio.wait_for(idle.wait(), timeout=5)

    assert not isinstance(outcome, BaseException), repr(outcome)
    assert await rig.delivered(busy) == Counter([slow])
    assert (await rig.row(lost)).status == OutboxStatus.failed


class GatedLimits:
    """Stands in for the rate limiters: the first acquire waits until the gate opens, as a row does behind a busy
    group's 20-a-minute limit."""

    def __init__(self) -> None:
        self.gate, self.waiting = asyncio.Event(), asyncio.Event()

    async def acquire(self, chat_id: int) -> None:
        if not self.gate.is_set():
            self.waiting.set()
            await self.gate.wait()


async def test_a_sender_whose_claim_ran_out_does_not_send_again(rig: Rig) -> None:
    chat = await rig.group("村")
    markers = await rig.queue(chat, 2)
    slow = rig.sender("slow")
    slow.limits = GatedLimits()
    round_ = asyncio.create_task(slow.deliver_due())
    await slow.limits.waiting.wait()

    rig.clock.advance(CLAIM_FOR + timedelta(seconds=1))         # the claim is over: the slow one looks dead
    await rig.sender("other").drain()
    slow.limits.gate.set()
    await round_

    assert await rig.delivered(chat) == Counter(markers)
    assert_all_sent(await rig.rows())
