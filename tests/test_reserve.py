"""The reserve-cadre pool: who may put whom in it and see it, and the year-end assessment listing it with each
member's record of the year."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiogram.methods import SendMessage
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.models import Issue, IssueEvent, IssueStatus, ReserveCadre, RoleName, ServiceLog
from bot.scheduler.jobs import job_registry
from bot.scheduler.runner import run_job
from bot.services.reserve import reserve_pool_records
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, members_with, person, unit_id
from tests.harness.reporter import texts

VILLAGE = -100_901
TOWNSHIP, OTHER_TOWNSHIP, COUNTY = -100_902, -100_903, -100_904
JANUARY_5TH = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in the county, after the year-end run at 09:00


async def say(harness: ChatHarness, who: Person, text: str, chat: int | None = None) -> str:
    return "\n".join(texts(await harness.send(who, chat or who.telegram_id, text)))


@dataclass(frozen=True)
class Someone:
    """A member's plain values, still readable after the test's session rolls back."""

    id: int
    code: str
    name: str


async def someone(session: AsyncSession, role: RoleName, **scope: str) -> Someone:
    member = (await members_with(session, role, **scope))[0]
    return Someone(member.id, member.code, member.display_name)


async def pool(session: AsyncSession) -> dict[int, str]:
    await session.rollback()
    return {entry.member_id: entry.note for entry in (await session.scalars(select(ReserveCadre))).all()}


async def test_secretaries_keep_their_villages_part_of_the_pool_and_admins_all_of_it(
        harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    harness.group(VILLAGE, "GC01-02")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    other_secretary = await person(session, RoleName.village_secretary, village="GC01-03")
    admin = await person(session, RoleName.admin)
    plain = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    candidate = await someone(session, RoleName.member, village="GC01-02", kind="welfare")
    outsider = await someone(session, RoleName.member, village="GC01-03", kind="welfare")
    supervisor = await someone(session, RoleName.township_supervisor, township="GC01")

    added = await say(harness, secretary, f"/reserve {candidate.code.lower()} 群众评价好，调解纠纷多", VILLAGE)
    assert f"已把 {candidate.name}（{candidate.code}）列入后备干部库" in added
    assert "已更新" in await say(harness, secretary, f"/reserve {candidate.code} 群众评价好\n多次带头化解纠纷")
    assert await pool(session) == {candidate.id: "群众评价好\n多次带头化解纠纷"}

    assert "不是您所在村的人员" in await say(harness, secretary, f"/reserve {outsider.code} 好")
    assert "不是您所在村的人员" in await say(harness, secretary, f"/reserve {supervisor.code} 好")
    assert "只有村书记" in await say(harness, plain, f"/reserve {candidate.code} 好")
    assert "只有村书记" in await say(harness, plain, "/reserve")
    assert "没有编号为「M9999」的人员" in await say(harness, secretary, "/reserve M9999 好")
    assert "请写下推荐理由" in await say(harness, secretary, f"/reserve {candidate.code}")
    assert "太长" in await say(harness, secretary, f"/reserve {candidate.code} " + "好" * 501)
    assert "用法" in await say(harness, secretary, "/unreserve")

    assert "已把" in await say(harness, admin, f"/reserve {supervisor.code} 督导工作扎实")
    listing = await say(harness, secretary, "/reserve")
    assert "后备干部库（1 人）" in listing and candidate.name in listing and "角什科村" in listing
    assert supervisor.name not in listing
    everyone = await say(harness, admin, "/reserve")
    assert "后备干部库（2 人）" in everyone and supervisor.name in everyone
    assert "还没有您可以查看的人员" in await say(harness, other_secretary, "/reserve")

    assert "不是您所在村的人员" in await say(harness, secretary, f"/unreserve {supervisor.code}")
    assert "移出后备干部库" in await say(harness, secretary, f"/unreserve {candidate.code}")
    assert "不在后备干部库中" in await say(harness, secretary, f"/unreserve {candidate.code}")
    assert set(await pool(session)) == {supervisor.id}


async def test_the_year_end_assessment_lists_the_pool_with_each_ones_record(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    admin = await person(session, RoleName.admin)
    candidate = await someone(session, RoleName.member, village="GC01-02", kind="ecology")
    lead = await someone(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    village = await unit_id(session, "GC01-02")
    await session.commit()
    assert "已把" in await say(harness, admin, f"/reserve {candidate.code} 带头入户走访")

    def issue(number: str, at: datetime, reporter: Someone) -> Issue:
        return Issue(number=number, village_id=village, kind="ecology", reporter_id=reporter.id,
                     description="d", status=IssueStatus.closed, created_at=at, updated_at=at)

    # 23:00 on 31 December in the county: last year's
    last_year, this_year = datetime(2025, 12, 31, 15, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    reported = [issue("R-1", this_year, candidate), issue("R-2", this_year, candidate),
                issue("R-3", last_year, candidate), issue("R-4", this_year, lead)]
    session.add_all(reported)
    await session.flush()
    session.add_all([IssueEvent(issue_id=reported[3].id, at=this_year, actor_id=candidate.id, kind="resolve"),
                     IssueEvent(issue_id=reported[0].id, at=this_year, actor_id=candidate.id, kind="verify"),
                     IssueEvent(issue_id=reported[0].id, at=this_year, actor_id=candidate.id, kind="note"),
                     IssueEvent(issue_id=reported[0].id, at=this_year, actor_id=lead.id, kind="resolve")])
    session.add_all(ServiceLog(member_id=candidate.id, village_id=village, kind="household_visit", note="n",
                               at=at) for at in (this_year, this_year, this_year, last_year))
    await session.commit()

    [record] = await reserve_pool_records(session, 2026, tz=settings.tz)
    assert (record.entry.code, record.entry.villages, record.entry.note) == (candidate.code, ["角什科村"],
                                                                              "带头入户走访")
    assert (record.reports, record.resolutions, record.verifications, record.services) == (2, 1, 1, 3)
    assert [r.reports for r in await reserve_pool_records(session, 2025, tz=settings.tz)] == [1]

    for chat, code in ((TOWNSHIP, "GC01"), (OTHER_TOWNSHIP, "GC02"), (COUNTY, "GC")):
        await bind(session, chat, code)
        harness.group(chat, code)
    harness.dispatcher["translator"].localizer(None)("year-reserve-title")  # see tests/test_ranking.py
    clock.set(JANUARY_5TH)
    outcome = await run_job(sessionmaker, job_registry(), settings, "year_end_assessment", now=JANUARY_5TH,
                            worker="test")
    assert outcome.ran
    await harness.deliver()
    sent = {chat: "\n".join(r.text for r in harness.session.requests
                            if isinstance(r, SendMessage) and r.chat_id == chat)
            for chat in (TOWNSHIP, OTHER_TOWNSHIP, COUNTY)}
    row = f"{candidate.code} {candidate.name}（角什科村）：上报 2 · 办结 1 · 验收 1 · 为民服务 3 — 带头入户走访"
    assert "🌱 后备干部库（1 人）全年工作记录：" in sent[COUNTY] and row in sent[COUNTY]
    assert row in sent[TOWNSHIP]
    assert "后备干部" not in sent[OTHER_TOWNSHIP]
