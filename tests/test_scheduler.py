"""Scheduled jobs: the right period in the county's time zone, exactly once across restarts and replicas,
missed runs caught up once, and what the weekly digest says."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from aiogram.methods import SendMessage
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import ConfigError, Settings, load_settings
from bot.models import JobRun, OutboxMessage, RoleName
from bot.scheduler.jobs import job_registry
from bot.scheduler.periods import latest_fire_time, period_key, trigger_for
from bot.scheduler.runner import run_job
from bot.scheduler.service import JobScheduler, check_jobs
from tests.harness.chat import ChatHarness
from tests.harness.jobs import registry_settings
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter

VILLAGE, QUIET_VILLAGE, TOWNSHIP = -100_401, -100_402, -100_403
FRIDAY_EVENING_SHANGHAI = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)  # 18:00 in Asia/Shanghai


def scheduler(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
              worker: str = "test") -> JobScheduler:
    return JobScheduler(sessionmaker, registry_settings(settings), job_registry(), clock, worker=worker)


@pytest.mark.parametrize(
    ("cron", "now", "expected"),
    [
        ("0 18 * * fri", datetime(2026, 11, 27, 9, 59, tzinfo=UTC), "2026-11-20T18:00"),
        ("0 18 * * fri", datetime(2026, 11, 27, 10, 0, tzinfo=UTC), "2026-11-27T18:00"),
        ("0 9 1 * *", datetime(2026, 12, 1, 1, 5, tzinfo=UTC), "2026-12-01T09:00"),  # 09:05 in China, 01:05 UTC
        ("0 9 13 3,6,9,12 *", datetime(2026, 11, 28, tzinfo=UTC), "2026-09-13T09:00"),
        ("*/5 * * * *", datetime(2026, 11, 28, 3, 7, tzinfo=UTC), "2026-11-28T11:05"),
    ],
)
def test_periods_follow_the_county_time_zone(cron: str, now: datetime, expected: str, settings: Settings) -> None:
    fire = latest_fire_time(trigger_for(cron, settings.tz), now)
    assert fire is not None and period_key(fire, settings.tz) == expected


@pytest.mark.parametrize(
    ("name", "value", "why"),
    [("JOBS__WEEKLY_DIGEST__CRON", "0 18 * *", "not a cron expression"),
     ("JOBS__WEEKLY_DIGEST__CRON", "0 18 * * 5", "weekday as a name"),
     ("JOBS__WEEKLY_DIGEST__CRON", "61 * * * mon", "not a cron expression")],
)
def test_bad_cron_refuses_start_naming_the_key(monkeypatch: pytest.MonkeyPatch, name: str, value: str,
                                               why: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as error:
        load_settings()
    assert str(error.value).startswith("config error: jobs.weekly_digest.cron:") and why in str(error.value)


def test_unknown_job_in_config_is_refused(settings: Settings) -> None:
    job = settings.jobs["weekly_digest"]
    with pytest.raises(ConfigError, match=r"jobs\.fortnightly: no such job"):
        check_jobs(settings.model_copy(update={"jobs": {"fortnightly": job}}), job_registry())


async def test_a_period_runs_once_even_with_two_schedulers(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    clock.set(FRIDAY_EVENING_SHANGHAI + timedelta(minutes=1))
    one, two = scheduler(sessionmaker, settings, clock, "a"), scheduler(sessionmaker, settings, clock, "b")
    outcomes = await asyncio.gather(one.run("weekly_digest"), two.run("weekly_digest"), one.run("weekly_digest"))
    assert sorted(o.ran for o in outcomes) == [False, False, True]
    assert {o.period for o in outcomes} == {"2026-11-27T18:00"}
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


async def test_missed_run_is_caught_up_once_and_a_fresh_install_posts_nothing_old(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    clock.set(FRIDAY_EVENING_SHANGHAI - timedelta(days=2))
    first = await scheduler(sessionmaker, settings, clock).catch_up()
    ran = {o.job for o in first if o.ran}
    assert ran == {"sla_sweep", "purge_conversations"}  # the rest only note where they stand
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0

    clock.set(FRIDAY_EVENING_SHANGHAI + timedelta(hours=30))  # the bot was down over Friday evening
    again = await scheduler(sessionmaker, settings, clock).catch_up()
    assert [o.period for o in again if o.job == "weekly_digest" and o.ran] == ["2026-11-27T18:00"]
    third = await scheduler(sessionmaker, settings, clock).catch_up()
    assert not [o for o in third if o.job == "weekly_digest" and o.ran]
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.dedupe_key.like("weekly:%"))) == 1


async def test_a_crash_before_commit_leaves_the_period_to_run_again(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    clock.set(FRIDAY_EVENING_SHANGHAI)
    registry = job_registry()
    real = registry["weekly_digest"]

    async def crashes(s: AsyncSession, ctx: object) -> dict[str, int]:
        await real(s, ctx)  # type: ignore[arg-type]
        raise RuntimeError("power cut")

    with pytest.raises(RuntimeError):
        await run_job(sessionmaker, {**registry, "weekly_digest": crashes}, registry_settings(settings),
                      "weekly_digest", now=clock.now(), worker="a")
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(JobRun)) == 0
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == 0
    outcome = await run_job(sessionmaker, registry, registry_settings(settings), "weekly_digest", now=clock.now(),
                            worker="b")
    assert outcome.ran and outcome.detail == {"posted": 1}


async def test_a_job_failing_at_catch_up_is_logged_once_and_the_others_still_run(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    async def crashes(s: AsyncSession, ctx: object) -> dict[str, int]:
        raise RuntimeError("disk full")

    clock.set(FRIDAY_EVENING_SHANGHAI)
    jobs = JobScheduler(sessionmaker, registry_settings(settings), {**job_registry(), "sla_sweep": crashes}, clock,
                        worker="test")
    outcomes = await jobs.catch_up()
    assert {o.job for o in outcomes if o.ran} == {"purge_conversations"}
    assert len([r for r in caplog.records if "sla_sweep" in r.getMessage()]) == 1


async def test_weekly_digest_counts_per_team_and_says_when_there_is_nothing(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    for chat, code in ((VILLAGE, "GC01-02"), (QUIET_VILLAGE, "GC01-03"), (TOWNSHIP, "GC01")):
        await bind(session, chat, code)
        harness.group(chat, code)
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    clock.set(FRIDAY_EVENING_SHANGHAI - timedelta(days=2))
    for text in ("水渠堵塞", "路灯坏了"):
        await Reporter(harness, member, VILLAGE).full(text, photos=())
    card = next(m for (c, m), sent in harness.session.sent.items()
                if c == VILLAGE and (sent.text or "").startswith("📋") and "水渠堵塞" in (sent.text or ""))
    await harness.press(lead, VILLAGE, card, harness.buttons(VILLAGE, card)["🗑 撤销"])
    await harness.send(lead, VILLAGE, "重复上报", reply_to=harness.last_sent(VILLAGE).message_id)
    clock.set(FRIDAY_EVENING_SHANGHAI)
    await scheduler(sessionmaker, settings, clock).run("weekly_digest")
    await harness.deliver()
    posted = {r.chat_id: r.text for r in harness.session.requests if isinstance(r, SendMessage)
              and r.text.startswith("📊")}
    assert "【生态文明工作队】新增 2 · 未办结 1 · 超期 0" in posted[VILLAGE] and "路灯坏了" in posted[VILLAGE]
    assert "本周没有新问题" in posted[QUIET_VILLAGE]
    assert "合计：新增 2 · 未办结 1" in posted[TOWNSHIP]


async def fire_now(jobs: JobScheduler, name: str, done: asyncio.Event) -> None:
    """Let APScheduler run the job `name` now, as at its time, until `done`."""
    jobs.start()
    try:
        jobs.scheduler.get_job(name).modify(next_run_time=datetime.now(UTC))
        await asyncio.wait_for(done.wait(), timeout=10)
        await asyncio.sleep(0.1)  # APScheduler logs a job's exception as the job's task ends
    finally:
        jobs.shutdown()


def errors_naming(caplog: pytest.LogCaptureFixture, name: str) -> int:
    return len([r for r in caplog.records if r.levelname == "ERROR" and name in r.getMessage()])


async def test_a_scheduled_run_that_fails_is_logged_once(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    failed = asyncio.Event()

    async def crashes(s: AsyncSession, ctx: object) -> dict[str, int]:
        failed.set()
        raise RuntimeError("disk full")

    clock.set(FRIDAY_EVENING_SHANGHAI)
    jobs = JobScheduler(sessionmaker, registry_settings(settings), {**job_registry(), "sla_sweep": crashes}, clock,
                        worker="test")
    await fire_now(jobs, "sla_sweep", failed)
    assert errors_naming(caplog, "sla_sweep") == 1


async def test_a_scheduled_run_failing_after_its_work_is_logged(
        sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, clock: ManualClock,
        caplog: pytest.LogCaptureFixture) -> None:
    after = asyncio.Event()

    def wake_fails() -> None:   # what runs after a job's work: waking the sender
        after.set()
        raise RuntimeError("sender gone")

    clock.set(FRIDAY_EVENING_SHANGHAI)
    jobs = JobScheduler(sessionmaker, registry_settings(settings), job_registry(), clock, worker="test",
                        after_run=wake_fails)
    await fire_now(jobs, "purge_conversations", after)
    assert errors_naming(caplog, "purge_conversations") == 1
