"""`db copy`: the sample county with issues, SQLite to PostgreSQL and back, row for row; refusals in one line."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cli import main
from bot.config import Settings, load_settings
from bot.db import create_engine, create_sessionmaker
from bot.dbcopy import CopyRefused, TableCount, copy_database, run_copy
from bot.models import (
    Base,
    ChatBinding,
    ChatProblem,
    ChatPurpose,
    FsmRecord,
    Issue,
    IssueCard,
    JobRun,
    JoinRequest,
    Meeting,
    MeetingKind,
    ReserveCadre,
    RoleName,
    ServiceLog,
    Unit,
    UnitLevel,
    Urgency,
)
from bot.services.actors import Actor, load_actor
from bot.services.lifecycle import Action, Change, perform
from bot.services.outbox import enqueue_card
from bot.services.reports import ReportDraft, create_issue
from tests.conftest import TEST_DATABASE_URL, _admin, _database_url
from tests.harness.people import members_with, unit_id

NOW = datetime(2026, 11, 2, 2, 0, 0, 123456, tzinfo=UTC)   # microseconds must survive the trip too
VILLAGE = "GC01-02"
CHAT = -100_200_300
COPY_DATABASE = f"five_teams_copy_{os.getpid()}"  # test runs side by side on one server must not meet


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


async def _fill(session: AsyncSession, settings: Settings) -> None:
    """Issues through the services (a closed one with photos, a duplicate, an escalation) and a row in every
    other table, so each column type makes the trip."""
    async def actor(role: RoleName, index: int = 0, **scope: str) -> Actor:
        return await load_actor(session, (await members_with(session, role, **scope))[index])

    reporter = await actor(RoleName.member, village=VILLAGE, kind="ecology")
    mate = await actor(RoleName.member, 1, village=VILLAGE, kind="ecology")
    lead = await actor(RoleName.team_lead, village=VILLAGE, kind="ecology")
    village_id = await unit_id(session, VILLAGE)

    async def report(description: str, **draft: Any) -> Issue:
        issue, _ = await create_issue(session, reporter, village_id=village_id,
                                      draft=ReportDraft(kind="ecology", description=description, **draft),
                                      draft_key=uuid.uuid4().hex, settings=settings, now=NOW)
        return issue

    async def act(who: Actor, issue: Issue, action: Action, note: str | None = None) -> None:
        await perform(session, who, issue.id, action, Change(now=NOW + timedelta(hours=1), settings=settings,
                                                             text=note))

    closed = await report("围栏倒了", photos=["photo-a", "photo-b"], place_text="村东头草场",
                          latitude=37.331234567891, longitude=100.139876543219, urgency=Urgency.urgent)
    await act(mate, closed, Action.claim)
    await act(mate, closed, Action.resolve, "修好了")
    await act(reporter, closed, Action.verify)
    duplicate = await report("水渠堵了")
    original = await report("水渠堵塞")
    # the older issue points at a newer one: the copy cannot rely on id order for self-references
    await act(lead, duplicate, Action.duplicate, f"{original.number} 同一处")
    escalated = await report("草场边界纠纷")
    await act(lead, escalated, Action.escalate, "村里解决不了")
    await enqueue_card(session, issue_id=escalated.id, chat_id=CHAT, now=NOW)

    # likewise a village created before the township it was later moved under
    moved = Unit(code="GC99-01", name="新村", level=UnitLevel.village)
    session.add(moved)
    await session.flush()
    township = Unit(code="GC99", name="新乡", level=UnitLevel.township)
    session.add(township)
    await session.flush()
    moved.parent_id = township.id

    session.add_all([
        ChatBinding(chat_id=CHAT, purpose=ChatPurpose.village, unit_id=village_id, title="刚察一村", bound_at=NOW),
        IssueCard(issue_id=escalated.id, chat_id=CHAT, message_id=4242, with_photo=True),
        FsmRecord(key=f"bot:{CHAT}:555", state="ReportFlow:description", chat_id=CHAT, user_id=555,
                  data={"kind": "ecology", "photos": ["x"], "说明": "草场"}, updated_at=NOW),
        JobRun(job="weekly_digest", period="2026-10-30T18:00", started_at=NOW, finished_at=NOW + timedelta(seconds=3),
               worker="test", detail={"posted": 3}),
        JoinRequest(chat_id=CHAT, telegram_id=9_000_000_001, username="newcomer", member_id=reporter.id,
                    created_at=NOW),
        Meeting(unit_id=village_id, kind=MeetingKind.joint, held_on=date(2026, 9, 20),
                attendees=[reporter.id, lead.id], decisions={"escalated": [escalated.id]}, recorded_by_id=lead.id,
                created_at=NOW),
        ChatProblem(chat_id=-100_999, error="Forbidden: bot was kicked from the group chat", first_seen_at=NOW),
        ServiceLog(member_id=mate.id, village_id=village_id, kind="visit", place="才让家", note="入户走访",
                   at=NOW - timedelta(days=1), created_at=NOW),
        ReserveCadre(member_id=mate.id, note="肯干", added_by_id=lead.id, added_at=NOW),
    ])


@pytest.fixture
async def county_with_issues(sqlite_templates: dict[str, Path], tmp_path: Path) -> str:
    """A SQLite file of the sample county after some work, every table holding rows."""
    path = tmp_path / "county.sqlite3"
    shutil.copy(sqlite_templates["county"], path)
    engine = create_engine(sqlite_url(path))
    try:
        async with create_sessionmaker(engine).begin() as session:
            await _fill(session, load_settings())
        async with engine.connect() as connection:
            empty = [table.name for table in Base.metadata.sorted_tables
                     if not await connection.scalar(select(func.count()).select_from(table))]
    finally:
        await engine.dispose()
    assert not empty, f"give these tables a row in _fill: {empty}"
    return sqlite_url(path)


@pytest.fixture
async def postgres_url() -> AsyncIterator[str]:
    """An empty database of its own on the test server, dropped afterwards."""
    if not TEST_DATABASE_URL:
        pytest.skip("TEST_DATABASE_URL is not set: the PostgreSQL leg of db copy is skipped")
    await _admin(f"DROP DATABASE IF EXISTS {COPY_DATABASE} WITH (FORCE)", f"CREATE DATABASE {COPY_DATABASE}")
    yield _database_url(COPY_DATABASE)
    await _admin(f"DROP DATABASE IF EXISTS {COPY_DATABASE} WITH (FORCE)")


async def rows_by_key(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows sorted by primary key in Python (the two databases collate text differently).
    Timestamps come back as aware UTC datetimes on both, so equal means the same instant."""
    engine = create_engine(url, write_lock_upfront=False)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                key = [column.name for column in table.primary_key.columns]
                rows = (await connection.execute(select(table))).mappings().all()
                ordered = sorted(rows, key=lambda row, key=key: tuple(row[name] for name in key))
                tables[table.name] = [tuple(row.values()) for row in ordered]
    finally:
        await engine.dispose()
    return tables


async def copy(source: str, target: str) -> tuple[list[TableCount], list[str]]:
    """copy_database runs its own event loops (Alembic has one too): off the test's loop, in a thread."""
    lines: list[str] = []
    counts = await asyncio.to_thread(copy_database, source, target, batch=50, say=lines.append)
    return counts, lines


def assert_counts_equal(counts: list[TableCount]) -> None:
    assert [count.table for count in counts] == [table.name for table in Base.metadata.sorted_tables]
    assert all(count.source == count.target > 0 for count in counts), counts


async def test_copy_to_sqlite(county_with_issues: str, tmp_path: Path) -> None:
    target = sqlite_url(tmp_path / "new" / "copy.sqlite3")
    counts, lines = await copy(county_with_issues, target)
    assert_counts_equal(counts)
    assert [line.split(":")[0] for line in lines] == [f"copied {t.name}" for t in Base.metadata.sorted_tables]
    assert await rows_by_key(target) == await rows_by_key(county_with_issues)


async def test_copy_to_postgresql_and_back(county_with_issues: str, postgres_url: str, tmp_path: Path) -> None:
    counts, _ = await copy(county_with_issues, postgres_url)
    assert_counts_equal(counts)
    original = await rows_by_key(county_with_issues)
    assert await rows_by_key(postgres_url) == original

    # the sequences follow the copied ids: the next row of every table gets the id after the largest
    engine = create_engine(postgres_url)
    try:
        async with engine.connect() as connection:
            for table in Base.metadata.sorted_tables:
                column = table.autoincrement_column
                if column is None:
                    continue
                largest = await connection.scalar(select(func.max(column)))
                following = await connection.scalar(
                    text(f"SELECT nextval(pg_get_serial_sequence('{table.name}', '{column.name}'))"))
                assert following == largest + 1, table.name
    finally:
        await engine.dispose()

    with pytest.raises(CopyRefused, match=r"^target: not empty \(\w+ has \d+ rows?\); "):
        await copy(county_with_issues, postgres_url)

    back = sqlite_url(tmp_path / "back.sqlite3")
    counts, _ = await copy(postgres_url, back)
    assert_counts_equal(counts)
    assert await rows_by_key(back) == original


async def test_non_empty_target_is_refused(county_with_issues: str, sqlite_templates: dict[str, Path],
                                           tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "in_use.sqlite3"
    shutil.copy(sqlite_templates["county"], target)
    before = await rows_by_key(sqlite_url(target))
    assert await asyncio.to_thread(run_copy, county_with_issues, sqlite_url(target)) == 1
    out, err = capsys.readouterr()
    assert re.fullmatch(r"db copy: target: not empty \(\w+ has \d+ rows?\); "
                        r"db copy writes only into an empty database\n", err)
    assert out == ""
    assert await rows_by_key(sqlite_url(target)) == before


@pytest.mark.parametrize(("source", "message"), [
    ("not a url", "db copy: source: not a database URL (expected sqlite+aiosqlite:///FILE or "
                  "postgresql+asyncpg://USER@HOST/DATABASE)"),
    ("mysql://root@localhost/county", "db copy: source: mysql:// is not supported "
                                      "(use sqlite+aiosqlite or postgresql+asyncpg)"),
    ("sqlite+aiosqlite:////nowhere/county.sqlite3", "db copy: source: no such SQLite file: /nowhere/county.sqlite3"),
    ("postgresql+asyncpg://postgres@127.0.0.1:1/county", "db copy: source: cannot connect: "),
])
def test_bad_url_is_refused_in_one_line(source: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.cli.setup_logging", lambda *args: None)   # keep the root logger as pytest set it
    target = tmp_path / "target.sqlite3"
    assert main(["db", "copy", "--from", source, "--to", sqlite_url(target)]) == 1
    out, err = capsys.readouterr()
    assert err.startswith(message)
    assert err.count("\n") == 1
    assert out == ""
    assert not target.exists()


def test_a_count_mismatch_exits_non_zero(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    counts = [TableCount("unit", 37, 37), TableCount("issue", 5, 4)]
    monkeypatch.setattr("bot.dbcopy.copy_database", lambda source, target: counts)
    assert run_copy("sqlite+aiosqlite:///a.sqlite3", "sqlite+aiosqlite:///b.sqlite3") == 1
    out, err = capsys.readouterr()
    assert "issue          5          4  MISMATCH" in out
    assert err == "db copy: counts differ: issue source 5 target 4\n"
