"""The monthly public digest (公示): run as the scheduler runs it, delivered to every village group, and no text
it posts holds a phone number or the name of anyone in the sample county."""

from __future__ import annotations

import itertools
import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiogram.methods import SendMessage, SendPhoto
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.disclosure import render_disclosure
from bot.models import Issue, IssueLevel, IssueStatus, Member, RoleName, Team, Unit, UnitLevel
from bot.scheduler.jobs import job_registry
from bot.scheduler.runner import run_job
from bot.services.disclosure import Scrubber
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, members_with

TZ = ZoneInfo("Asia/Shanghai")
AFTER_RUN = datetime(2026, 11, 2, 2, 5, tzinfo=UTC)  # 10:05 in the county, after the 10:00 run on the 2nd
CHAT_BASE = -100_800
PHONE_LIKE = re.compile(r"\d(?:[ \-－]?\d){6,}")
ISSUE_OR_DATE = re.compile(r"(?:19|20)\d{2}-\d{4}|(?:19|20)\d{2}-\d{1,2}-\d{1,2}")


def oct_(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=TZ).astimezone(UTC)


def nov(day: int) -> datetime:
    return datetime(2026, 11, day, 10, tzinfo=TZ).astimezone(UTC)


class October:
    """October 2026 in a few villages, with descriptions that name people and give their phone numbers."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.numbers = itertools.count(101)
        self.names: list[str] = []
        self.phones: list[str] = []
        self.chats: dict[str, int] = {}

    async def issue(self, village: str, description: str, *, status: IssueStatus = IssueStatus.open,
                    created: datetime, due: datetime, closed: datetime | None = None, kind: str = "ecology",
                    place: str | None = None, level: IssueLevel = IssueLevel.village) -> None:
        team = await self.session.scalar(select(Team).join(Unit, Unit.id == Team.village_id)
                                         .where(Unit.code == village, Team.kind == kind))
        assert team is not None
        people = await members_with(self.session, RoleName.member, village=village, kind=kind)
        lead = (await members_with(self.session, RoleName.team_lead, village=village, kind=kind))[0]
        signed = status == IssueStatus.closed
        self.session.add(Issue(
            number=f"2026-{next(self.numbers):04d}", village_id=team.village_id, team_id=team.id, kind=kind,
            reporter_id=people[0].id, description=description, place_text=place, status=status, level=level,
            due_at=due, created_at=created, updated_at=created, resolver_id=people[1].id if signed else None,
            resolved_at=closed if signed else None, verifier_id=lead.id if signed else None, closed_at=closed))


async def first(session: AsyncSession, role: RoleName, **scope: str) -> Member:
    return next(m for m in await members_with(session, role, **scope) if m.username and m.phone)


async def arrange(harness: ChatHarness, session: AsyncSession, clock: ManualClock) -> October:
    clock.set(AFTER_RUN)  # the sender delivers what the run queued "now"
    month = October(session)
    secretary = await first(session, RoleName.village_secretary, village="GC01-02")
    member = await first(session, RoleName.member, village="GC01-02", kind="welfare")
    supervisor = await first(session, RoleName.township_supervisor, township="GC01")
    assert secretary.phone and member.phone and member.username
    phone = secretary.phone
    spaced = f"{phone[:3]} {phone[3:7]} {phone[7:]}"
    dashed = f"{member.phone[:3]}-{member.phone[3:7]}-{member.phone[7:]}"
    # 角什科村: two items signed off in October, one left overdue, one escalated and not yet due.
    await month.issue("GC01-02", f"{secretary.display_name}反映草场围栏倒了，联系电话{phone}",
                      status=IssueStatus.closed, created=oct_(1), due=oct_(8), closed=oct_(6),
                      place=f"{member.display_name}家夏季草场 {dashed}")
    await month.issue("GC01-02", f"低保申请材料已交，找{member.display_name}（{dashed}）核对，见 2026-0003，10月5日",
                      status=IssueStatus.closed, created=oct_(2), due=oct_(9), closed=oct_(9), kind="welfare")
    await month.issue("GC01-02", f"路灯坏了，@{member.username.upper()} 说请打 +86 {spaced} "
                      f"或座机 0970-8651234，督导 {supervisor.display_name} 已知悉",
                      created=oct_(20), due=oct_(27), place=f"村委会东侧{member.display_name}家 {phone}")
    await month.issue("GC01-02", "水渠清淤" + "，很长的说明" * 30, created=oct_(28), due=nov(4),
                      status=IssueStatus.in_progress, level=IssueLevel.township)
    # 潘保村: two items due, one signed off.
    other = await first(session, RoleName.member, village="GC01-03", kind="ecology")
    await month.issue("GC01-03", f"{other.display_name}家的牛跑进禁牧区 13900001111",
                      status=IssueStatus.closed, created=oct_(3), due=oct_(10), closed=oct_(10))
    await month.issue("GC01-03", "垃圾点满了", created=oct_(4), due=oct_(11))
    # 哈尔盖镇: signed off in September, so not last month's news.
    await month.issue("GC02-01", "九月的事", status=IssueStatus.closed, created=datetime(2026, 9, 1, tzinfo=UTC),
                      due=datetime(2026, 9, 8, tzinfo=UTC), closed=datetime(2026, 9, 5, tzinfo=UTC))
    rows = (await session.execute(select(Member.display_name, Member.phone))).all()
    month.names = [name for name, _ in rows]
    month.phones = [phone for _, phone in rows if phone]
    await session.commit()
    villages = (await session.scalars(select(Unit.code).where(Unit.level == UnitLevel.village)
                                      .order_by(Unit.code))).all()
    for index, code in enumerate(villages):
        month.chats[code] = CHAT_BASE - index
        await bind(session, CHAT_BASE - index, code)
        harness.group(CHAT_BASE - index, code)
    # The sender renders the groups' reports in parallel threads and a Localizer's first use is not thread-safe
    # (see tests/test_ranking.py); in a running bot the handlers have used it by then.
    harness.dispatcher["translator"].localizer(None)("disclosure-footer")
    return month


def posted(harness: ChatHarness) -> dict[int, str]:
    """Every text and caption sent, per chat."""
    out: dict[int, list[str]] = {}
    for request in harness.session.requests:
        if isinstance(request, SendMessage):
            out.setdefault(int(request.chat_id), []).append(request.text)
        elif isinstance(request, SendPhoto):
            out.setdefault(int(request.chat_id), []).append(request.caption or "")
    return {chat: "\n".join(parts) for chat, parts in out.items()}


async def test_no_public_digest_holds_a_phone_number_or_a_members_name(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    month = await arrange(harness, session, clock)
    for period, show_places in (("2026-11-02T10:00", False), ("2026-12-02T10:00", True)):
        # places made public are scrubbed as descriptions are (December's digest lists the same pending items)
        public = settings.model_copy(update={"disclosure": settings.disclosure.model_copy(
            update={"show_places": show_places})})
        harness.session.requests.clear()
        outcome = await run_job(sessionmaker, job_registry(), public, "monthly_disclosure", now=AFTER_RUN,
                                period=period, worker="test")
        assert outcome.ran and outcome.detail == {"posted": 31}
        await harness.deliver()
        texts = posted(harness)
        assert len(texts) == 31
        assert ("村委会东侧" in texts[month.chats["GC01-02"]]) is show_places
        for chat, text in texts.items():
            for line in text.splitlines():
                assert all(ISSUE_OR_DATE.fullmatch(run) for run in PHONE_LIKE.findall(line)), (chat, line)
                digits = re.sub(r"\D", "", line)
                assert not [phone for phone in month.phones if phone in digits], (chat, line)
            assert not [name for name in month.names if name in text], (chat, text)
            assert not re.search(r"gc_user\d+", text, re.IGNORECASE), (chat, text)


async def test_the_digest_says_what_was_signed_off_what_is_pending_and_where_the_village_ranks(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    month = await arrange(harness, session, clock)
    outcome = await run_job(sessionmaker, job_registry(), settings, "monthly_disclosure", now=AFTER_RUN,
                            worker="test")
    assert outcome.ran and outcome.period == "2026-11-02T10:00"
    await harness.deliver()
    texts = posted(harness)
    text = texts[month.chats["GC01-02"]]
    assert text.startswith("📢 角什科村 2026-10 工作公示\n上月销号 2 项；目前未办结 2 项，其中超期 1 项。")
    assert "某某反映草场围栏倒了，联系电话[号码已隐去]" in text
    assert "找某某（[号码已隐去]）核对，见 2026-0003，10月5日" in text   # issue numbers and dates are kept
    assert "路灯坏了，@某某 说请打 [号码已隐去] 或座机 [号码已隐去]，督导 某某 已知悉" in text
    assert "夏季草场" not in text and "村委会东侧" not in text            # places are private by default
    assert "2026-0101【生态文明工作队】" in text and "2026-0102【社会保障工作队】" in text  # reporters by team
    assert "⚠️ 超期 2026-0103【生态文明工作队】" in text
    assert "水渠清淤，很长的说明" in text and "…（处理中 · 乡镇）" in text
    assert "🏅 沙柳河镇 各村 2026-10 到期事项销号率：" in text
    # due: the two signed off and the one left overdue; the escalated item is not due until November
    assert "👉 1. 角什科村 销号 2/3，66.7%" in text
    assert "2. 潘保村 销号 1/2，50.0%" in text
    assert "· 新泉村 无到期事项" in text
    assert "👉 2. 潘保村" in texts[month.chats["GC01-03"]]
    assert "九月的事" not in texts[month.chats["GC02-01"]]
    assert "上月销号 0 项；目前未办结 0 项" in texts[month.chats["GC02-01"]]
    again = await run_job(sessionmaker, job_registry(), settings, "monthly_disclosure", now=AFTER_RUN, worker="b")
    assert not again.ran


async def test_long_lists_are_capped_and_counted(harness: ChatHarness, session: AsyncSession,
                                                 sessionmaker: async_sessionmaker[AsyncSession],
                                                 settings: Settings, clock: ManualClock) -> None:
    month = await arrange(harness, session, clock)
    for day in range(1, 6):
        await month.issue("GC01-04", f"第{day}件", created=oct_(day), due=oct_(day + 7))
    await session.commit()
    capped = settings.model_copy(update={"disclosure": settings.disclosure.model_copy(
        update={"max_items": 3, "show_descriptions": False})})
    await run_job(sessionmaker, job_registry(), capped, "monthly_disclosure", now=AFTER_RUN, worker="test")
    await harness.deliver()
    text = posted(harness)[month.chats["GC01-04"]]
    assert text.count("⚠️ 超期") == 3 and "……另有 2 项" in text and "第1件" not in text


def test_the_scrubber_masks_phone_numbers_however_typed_and_keeps_issue_numbers_and_dates(settings: Settings) -> None:
    scrub = Scrubber(["才让东智", "王"], ["gc_user0001"])
    t = Translator("zh").localizer("zh")

    def shown(text: str, limit: int = 200) -> str:
        data = {"name": "v", "month": "2026-10", "township": "t", "solved_count": 0, "pending_count": 1,
                "overdue_count": 0, "solved": [], "ranking": [],
                "pending": [{"number": "2026-0001", "kind": "ecology", "overdue": False, "status": "open",
                             "level": "village", "place": None, "description": scrub.segments(text, limit)}]}
        return next(line for line in render_disclosure(data, t, settings).texts[0].splitlines()
                    if "2026-0001" in line)

    assert "电话[号码已隐去]，某某家" in shown("电话13812345678，才让东智家")
    assert "打[号码已隐去]" in shown("打１３８１２３４５６７８")                 # full-width digits
    assert "[号码已隐去]" in shown("138 1234\n5678") and "1234" not in shown("138 1234\n5678")
    assert "王大妈" in shown("王大妈")                                         # one-character names stay
    assert "2026-10-05 见 2026-0003，编号 123456" in shown("2026-10-05 见 2026-0003，编号 123456")
    assert "@某某" in shown("@GC_USER0001")
    assert "某某…" in shown("才让东智13812345678", limit=3)                   # cut after masking, never inside
