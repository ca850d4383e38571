"""The outbox sender against the Bot API emulator: every queued message arrives exactly once, through 429s, 5xx,
dropped connections and timeouts; a lost chat fails at once and its admins are told once. The rig, and how time
moves in these tests: tests/harness/delivery.py."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from bot.models import OutboxStatus
from tests.harness.delivery import REQUEST_TIMEOUT, Rig, assert_all_sent

SHORT_TIMEOUT = 0.2         # the first attempt of the timeout test, shorter than the injected delay
INJECTED_DELAY = 0.6
MISSING_CHAT = -4_242_424_242
OWNER = 555_100


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
