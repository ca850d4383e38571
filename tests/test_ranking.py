"""The monthly ranking and the year-end assessment: run as the scheduler runs them, delivered through the outbox
to the township and county groups as a chart and a ranked table, once per period."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime

import pytest
from aiogram.methods import SendMessage, SendPhoto
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging import charts
from bot.messaging.ranking import render_township_ranking
from bot.models import Role, RoleName, Team, Unit
from bot.scheduler.jobs import job_registry
from bot.scheduler.ranking_jobs import monthly_ranking
from bot.scheduler.runner import JobContext, run_job
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, unit_id
from tests.harness.scoring import add_issue, cast_of, local, notes, oct_, verified

TOWNSHIP_CHAT, OTHER_TOWNSHIP_CHAT, COUNTY_CHAT = -100_601, -100_602, -100_603
PNG = b"\x89PNG\r\n\x1a\n"
JANUARY_5TH = datetime(2027, 1, 5, 2, 0, tzinfo=UTC)  # 10:00 in the county, after the year-end run at 09:00


async def arrange(harness: ChatHarness, session: AsyncSession) -> None:
    """October: 角什科村 solved its item, 潘保村 left its item overdue, and a member of each of a dozen teams of
    哈尔盖镇 logged services, so that those teams rank above 沙柳河镇's idle ones."""
    good, poor = await cast_of(session, "GC01-02"), await cast_of(session, "GC01-03")
    issue = verified(session, good, created=oct_(1), due=oct_(8), resolved=oct_(5))
    add_issue(session, poor, created=oct_(1), due=oct_(8))
    villages = select(Unit.id).where(Unit.parent_id == await unit_id(session, "GC02"))
    busy = await session.execute(
        select(Role.team_id, func.min(Role.member_id)).join(Team, Team.id == Role.team_id)
        .where(Team.village_id.in_(villages), Role.role == RoleName.member)
        .group_by(Role.team_id).order_by(Role.team_id).limit(12))
    for _, member in busy.all():
        await notes(session, issue, member, 2, oct_(9))
    await session.commit()
    for chat, code in ((TOWNSHIP_CHAT, "GC01"), (OTHER_TOWNSHIP_CHAT, "GC02"), (COUNTY_CHAT, "GC")):
        await bind(session, chat, code)
        harness.group(chat, code)
    # The sender renders the groups' reports in parallel threads, and a Localizer's first use is not thread-safe
    # (fluent.runtime builds its bundles lazily from one generator): in a running bot the handlers have used it
    # by then; here it is used once first, as they would have.
    harness.dispatcher["translator"].localizer(None)("ranking-gap")


async def teams_in(session: AsyncSession, township: str) -> int:
    villages = select(Unit.id).where(Unit.parent_id == await unit_id(session, township))
    return int(await session.scalar(select(func.count()).select_from(Team).where(Team.village_id.in_(villages)))
               or 0)


def sent_to(harness: ChatHarness, chat: int) -> tuple[list[SendPhoto], str]:
    requests = [r for r in harness.session.requests if getattr(r, "chat_id", None) == chat]
    photos = [r for r in requests if isinstance(r, SendPhoto)]
    return photos, "\n".join(r.text for r in requests if isinstance(r, SendMessage))


async def test_monthly_ranking_posts_a_chart_and_a_ranked_table_once(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    await arrange(harness, session)
    outcome = await run_job(sessionmaker, job_registry(), settings, "monthly_ranking", now=clock.now(), worker="test")
    assert outcome.ran and outcome.period == "2026-11-01T09:00"
    assert outcome.detail == {"posted": 3, "teams": 132, "villages": 31, "townships": 5}
    await harness.deliver()

    photos, text = sent_to(harness, TOWNSHIP_CHAT)
    assert len(photos) == 1 and photos[0].photo.data.startswith(PNG)  # type: ignore[union-attr]
    assert photos[0].caption == "📊 沙柳河镇 2026-10 百分制得分，按考核项分段。"
    assert harness.session.requests.index(photos[0]) < harness.session.requests.index(
        next(r for r in harness.session.requests if isinstance(r, SendMessage) and r.chat_id == TOWNSHIP_CHAT))
    assert text.startswith("🏆 沙柳河镇 2026-10 月度排名（百分制）\n本乡镇")
    assert "全县乡镇第 1 / 5 名" in text
    assert text.index("1. 角什科村") < text.index("潘保村")
    assert "全县工作队前 10 名（共 132 支）" in text
    assert "1. 角什科村 生态文明工作队" in text and "👉" in text and "……" in text
    own = [line for line in text.splitlines() if line.startswith("👉")]
    assert len(own) == await teams_in(session, "GC01")

    photos, text = sent_to(harness, OTHER_TOWNSHIP_CHAT)
    assert len(photos) == 1 and "🏆 哈尔盖镇 2026-10 月度排名" in text

    photos, text = sent_to(harness, COUNTY_CHAT)
    assert len(photos) == 1 and photos[0].photo.data.startswith(PNG)  # type: ignore[union-attr]
    assert "🏆 刚察县 2026-10 月度排名" in text and "各乡镇：" in text and "1. 沙柳河镇" in text
    assert "各村前 10 名和后 10 名（共 31 个村）：" in text and text.count("……") == 1

    before = len(harness.session.requests)
    again = await run_job(sessionmaker, job_registry(), settings, "monthly_ranking", now=clock.now(), worker="other")
    assert not again.ran
    async with sessionmaker.begin() as session_:  # even run by hand, the outbox keeps one message per chat
        context = JobContext("monthly_ranking", outcome.period or "", datetime(2026, 11, 1, 1, tzinfo=UTC),
                             clock.now(), settings)
        assert (await monthly_ranking(session_, context))["posted"] == 0
    await harness.deliver()
    assert len(harness.session.requests) == before


async def test_year_end_assessment_sums_up_the_months(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    await arrange(harness, session)
    good = await cast_of(session, "GC01-02")
    add_issue(session, good, created=local(3, 2), due=local(3, 9))  # March 2026: an overdue item
    await session.commit()
    clock.set(JANUARY_5TH)
    outcome = await run_job(sessionmaker, job_registry(), settings, "year_end_assessment", now=clock.now(),
                            worker="test")
    assert outcome.ran and outcome.period == "2027-01-05T09:00" and outcome.detail["posted"] == 3
    await harness.deliver()

    photos, text = sent_to(harness, COUNTY_CHAT)
    assert len(photos) == 1 and photos[0].photo.data.startswith(PNG)  # type: ignore[union-attr]
    assert text.startswith("🏅 刚察县 2026 年度考核") and "各乡镇（各月平均分）：" in text
    photos, text = sent_to(harness, TOWNSHIP_CHAT)
    assert len(photos) == 1 and "🏅 沙柳河镇 2026 年度考核" in text
    village = next(line for line in text.splitlines() if "角什科村" in line)
    # From March its overdue item is due and not done every month; in October one of two problems is done, on
    # time: (40 × 1/2 + 25 × 1/2) × 100 ÷ 85. No services logged, so every other month scores 0.
    october = 100 * (40 * 0.5 + 25 * 0.5) / 85
    assert (f"平均 {october / 12:.1f} 分（12 个月有得分；最好 2026-10 {october:.1f}，最差 2026-01 0.0）"
            in village)


def test_charts_fall_back_to_codes_without_a_chinese_font(monkeypatch: pytest.MonkeyPatch,
                                                          settings: Settings) -> None:
    monkeypatch.setattr(charts, "cjk_family", lambda: None)
    row = {"rank": 1, "pos": 0, "code": "GC01-02", "name": "角什科村", "kind": None, "score": 50.0,
           "points": [20.0, 10.0, 20.0, 0.0], "own": False}
    data = {"month": "2026-10", "name": "沙柳河镇", "score": 50.0, "rank": 1, "of": 5, "villages_of": 31,
            "teams_of": 132, "top": 10, "villages": [row], "teams": [{**row, "kind": "ecology", "own": True}]}
    t = Translator("zh").localizer("zh")
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Glyph .* missing")  # what a name drawn without the font gives
        rendered = render_township_ranking(data, t, settings)
    assert rendered.photo is not None and rendered.photo.startswith(PNG)
    assert "1. 角什科村 50.0（第 1）" in rendered.texts[0] and "👉 1. 角什科村 生态文明工作队 50.0" in rendered.texts[0]
