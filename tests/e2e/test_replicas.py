"""Two bot processes in webhook mode on one PostgreSQL database and one Redis, behind a round-robin proxy:
30 members in 10 village groups report at once and a teammate claims each card, while the weekly digest's
period fires in both processes. Every update is handled once, every report stored once, every card and digest
posted once, and the two senders never both send an outbox row."""

from __future__ import annotations

import asyncio
import os
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.clock import Clock
from bot.config import load_settings
from bot.i18n import Translator
from bot.models import Issue, IssueStatus, JobRun, OutboxKind, OutboxMessage, OutboxStatus
from bot.scheduler.periods import period_key
from bot.scheduler.runner import resolve_period
from emulator import Emulator, EmulatorClient
from tests.e2e.crowd import UPDATES_PER_REPORT, Crowd, Seat, open_groups, team_seats
from tests.e2e.fleet import Fleet, county_database, drop_database, fleet, forget_bot_keys, random_token
from tests.e2e.support import inspect_database, message_text
from tests.harness.waiting import eventually

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
DATABASE = f"five_teams_replicas_{os.getpid()}"  # runs side by side do not meet
GROUPS, PER_GROUP, REPLICAS = 10, 3, 2
PRESSES_PER_REPORT = 6  # team, no photo, no place, urgency, confirm, the claim
SETTLE_SECONDS = 30.0  # for the last outbox rows (one message a second per chat) and counters
t = Translator("zh").localizer("zh")


@pytest.fixture
async def stores() -> AsyncIterator[tuple[str, str]]:
    """A county database of its own on the PostgreSQL server, and the Redis."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: the replica test needs PostgreSQL")
    if not TEST_REDIS_URL:
        pytest.skip("TEST_REDIS_URL is not set: the replica test needs Redis")
    yield await county_database(TEST_DATABASE_URL, DATABASE), TEST_REDIS_URL
    await drop_database(TEST_DATABASE_URL, DATABASE)


@pytest.fixture
async def emulator(stores: tuple[str, str]) -> AsyncIterator[Emulator]:
    emulator = Emulator(random_token(), privacy_mode=True)
    await emulator.start()
    bot_id = int(emulator.token.split(":")[0])
    yield emulator
    await emulator.stop()
    await forget_bot_keys(stores[1], bot_id)


async def _digest_period(database_url: str) -> str:
    """Make the weekly digest's latest period due at start-up: a database that ran the job before (a week
    earlier) catches its latest period up, so both replicas try to run it as they start."""
    settings = load_settings()
    now = Clock().now()
    resolved = resolve_period(settings, "weekly_digest", now, None)
    assert resolved is not None
    period, fire_time = resolved
    async with inspect_database(database_url) as session:
        session.add(JobRun(job="weekly_digest", period=period_key(fire_time - timedelta(days=7), settings.tz),
                           status="done", started_at=now, finished_at=now, worker="test", detail={}))
        await session.commit()
    return period


async def test_two_replicas_handle_each_update_once_and_post_each_message_once(
        stores: tuple[str, str], emulator: Emulator, tmp_path: Path) -> None:
    database_url, redis_url = stores
    async with EmulatorClient(emulator.base_url) as client:
        async with inspect_database(database_url) as session:
            seats = await team_seats(session, GROUPS, PER_GROUP)
            await open_groups(client, session, seats)
        period = await _digest_period(database_url)
        async with fleet(emulator, replicas=REPLICAS, database_url=database_url, redis_url=redis_url,
                         logs=tmp_path) as replicas:
            crowd = Crowd(client, t, within=SETTLE_SECONDS)
            scripted = {f"{seat.village} report {index}": (seat, reporter, claimer)
                        for seat in seats
                        for index, (reporter, claimer) in enumerate(_pairs(seat.member_ids()))}
            numbers = await asyncio.gather(*(crowd.report(seat.chat_id, reporter, claimer, description)
                                             for description, (seat, reporter, claimer) in scripted.items()))
            await _settled(replicas, len(scripted) * UPDATES_PER_REPORT)

            await _each_update_handled_once(replicas, client, len(scripted))
            await _each_report_stored_once(database_url, scripted, numbers)
            await _each_card_and_reply_posted_once(client, seats, dict(zip(scripted, numbers, strict=True)),
                                                   scripted)
            await _each_digest_posted_once(replicas, client, seats, period)
            await _no_outbox_row_sent_twice(replicas, database_url)


def _pairs(members: list[int]) -> list[tuple[int, int]]:
    """Each member reports; the next one in the group claims it."""
    return list(zip(members, members[1:] + members[:1], strict=True))


async def _settled(replicas: Fleet, updates: int) -> None:
    async def quiet() -> bool:
        async with inspect_database(replicas.database_url) as session:
            pending = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                           .where(OutboxMessage.status == OutboxStatus.pending))
        return pending == 0 and await replicas.total("five_teams_updates_total") >= updates

    await eventually(quiet, what="the outbox drained and every update counted", within=SETTLE_SECONDS)


async def _each_update_handled_once(replicas: Fleet, client: EmulatorClient, reports: int) -> None:
    delivered = Counter(update_id for update_id, _, _ in replicas.proxy.forwarded)
    assert [status for _, _, status in replicas.proxy.forwarded if status != 200] == [], "nothing was retried"
    assert len(delivered) == reports * UPDATES_PER_REPORT
    assert max(delivered.values()) == 1, "the proxy passed each update on once"
    assert await client.pending_updates() == []
    handled = await replicas.total("five_teams_updates_total")
    assert handled == len(delivered), "one replica handled each update, and only one"
    per_replica = Counter(index for _, index, _ in replicas.proxy.forwarded)
    assert sorted(per_replica) == list(range(REPLICAS)), "both replicas took a share"
    answers = Counter(answer["callback_query_id"] for answer in await client.callback_answers())
    assert len(answers) == reports * PRESSES_PER_REPORT and max(answers.values()) == 1, "each press answered once"


async def _each_report_stored_once(database_url: str, scripted: dict[str, tuple[Seat, int, int]],
                                   numbers: list[str]) -> None:
    async with inspect_database(database_url) as session:
        issues = (await session.scalars(select(Issue))).all()
    assert sorted(issue.description for issue in issues) == sorted(scripted)
    assert sorted(issue.number for issue in issues) == sorted(numbers)
    assert {issue.status for issue in issues} == {IssueStatus.in_progress}, "every card was claimed"


async def _each_card_and_reply_posted_once(client: EmulatorClient, seats: list[Seat], numbers: dict[str, str],
                                           scripted: dict[str, tuple[Seat, int, int]]) -> None:
    for seat in seats:
        said = [message_text(message) for message in await client.messages(seat.chat_id) if message["from_bot"]]
        replies = Counter((message_text(message), (message.get("reply_to_message") or {}).get("message_id"))
                          for message in await client.messages(seat.chat_id) if message["from_bot"])
        assert max(replies.values()) == 1, f"a reply the bot sent twice in {seat.village}: {replies.most_common(1)}"
        for description, number in numbers.items():
            if scripted[description][0] != seat:
                continue
            mentions = [text for text in said if number in text]
            assert mentions.count(t("report-created", number=number)) == 1, f"{number}: 'reported' said once"
            assert len(mentions) == 2, f"{number}: its card and the 'reported' line, once each: {mentions}"


async def _each_digest_posted_once(replicas: Fleet, client: EmulatorClient, seats: list[Seat], period: str) -> None:
    assert await replicas.total("five_teams_job_runs_total", job="weekly_digest", outcome="ran") == 1
    assert await replicas.total("five_teams_job_runs_total", job="weekly_digest", outcome="skipped") == REPLICAS - 1, \
        "the period fired in every replica; all but one found it done"
    async with inspect_database(replicas.database_url) as session:
        runs = (await session.scalars(select(JobRun).where(JobRun.job == "weekly_digest",
                                                           JobRun.period == period))).all()
        digests = (await session.scalars(select(OutboxMessage).where(
            OutboxMessage.dedupe_key.like(f"weekly:{period}:%")))).all()
    assert [run.status for run in runs] == ["done"]
    assert sorted(row.chat_id for row in digests) == sorted(seat.chat_id for seat in seats)
    for row in digests:
        assert row.status == OutboxStatus.sent
        said = [message_text(m) for m in await client.messages(row.chat_id) if m["from_bot"]]
        [posted] = [m for m in await client.messages(row.chat_id) if m["message_id"] == row.message_id]
        assert said.count(message_text(posted)) == 1, f"the digest of {row.chat_id} posted once"


async def _no_outbox_row_sent_twice(replicas: Fleet, database_url: str) -> None:
    async with inspect_database(database_url) as session:
        sent = Counter((await session.scalars(select(OutboxMessage.kind)
                                              .where(OutboxMessage.status == OutboxStatus.sent))).all())
        unsent = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                      .where(OutboxMessage.status != OutboxStatus.sent))
    assert unsent == 0
    for kind in OutboxKind:
        assert await replicas.total("five_teams_outbox_sent_total", kind=kind.value) == sent[kind], \
            f"{kind.value}: the senders together sent each row once"
    assert await replicas.total("five_teams_outbox_failed_total") == 0
