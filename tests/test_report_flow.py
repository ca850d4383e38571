"""The guided report in a village group, through the real router tree with the mocked Telegram session."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram.methods import SendMessage, SendPhoto
from aiogram.types import ForceReply, Sticker
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.app import build_dispatcher
from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.models import Issue, IssueCard, IssueEvent, IssuePhoto, IssueStatus, RoleName, Urgency
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, texts

CHAT = -100_101


async def issues(session: AsyncSession) -> list[Issue]:
    await session.rollback()
    return list((await session.scalars(select(Issue).order_by(Issue.id))).all())


async def _village_people(session: AsyncSession) -> tuple[Person, Person, Person, Person]:
    await bind(session, CHAT, "GC01-02")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    mate = await person(session, RoleName.member, village="GC01-02", kind="ecology", index=1)
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    return member, mate, lead, secretary


async def _reporter(harness: ChatHarness, session: AsyncSession) -> Reporter:
    """An ecology team member of GC01-02, reporting in the village's bound group."""
    member, *_ = await _village_people(session)
    harness.group(CHAT, "果洛村")
    return Reporter(harness, member, CHAT)


async def test_full_report_creates_one_issue_and_posts_its_card(harness: ChatHarness, session: AsyncSession,
                                                                settings: Settings) -> None:
    reporter = await _reporter(harness, session)
    first = await reporter.say("/report")
    assert "角什科村" in texts(first)[0]
    assert reporter.prompt_with("✅ 生态文明工作队")  # pre-selected to the member's own team
    await reporter.press("生态")
    prompt = [r for r in harness.session.requests if isinstance(r, SendMessage)][-1]
    assert isinstance(prompt.reply_markup, ForceReply) and prompt.reply_markup.selective
    await reporter.say("草场围栏被风吹倒")
    await reporter.photo("photo-a")
    await reporter.photo("photo-b")
    await reporter.press("完成")
    await reporter._feed(harness.send_location(reporter.who, CHAT, 37.33, 100.13))
    await reporter.press("紧急")
    summary = harness.last_sent(CHAT).text or ""
    assert "草场围栏被风吹倒" in summary and "2 张" in summary and "37.33" in summary
    done = await reporter.confirm()

    [issue] = await issues(session)
    assert issue.number == "2026-0001"
    assert (issue.kind, issue.urgency, issue.status) == ("ecology", Urgency.urgent, IssueStatus.open)
    assert (round(issue.latitude, 2), round(issue.longitude, 2)) == (37.33, 100.13)
    assert issue.due_at is not None
    assert issue.due_at - issue.created_at == timedelta(days=settings.deadlines.village_days)
    photos = (await session.scalars(select(IssuePhoto.file_id).where(IssuePhoto.issue_id == issue.id)
                                    .order_by(IssuePhoto.position))).all()
    assert list(photos) == ["photo-a", "photo-b"]
    card = [r for r in done if isinstance(r, SendPhoto)]
    assert len(card) == 1 and card[0].photo == "photo-a" and issue.number in (card[0].caption or "")
    card_id = next(m for (c, m), sent in harness.session.sent.items() if c == CHAT and sent.photo == "photo-a")
    assert "🙋 认领" in harness.buttons(CHAT, card_id) and "📷 更多照片（1）" in harness.buttons(CHAT, card_id)
    assert await session.scalar(select(func.count()).select_from(IssueCard)) == 1
    assert any(f"编号 {issue.number}" in text for text in texts(done))
    events = (await session.scalars(select(IssueEvent.kind).where(IssueEvent.issue_id == issue.id))).all()
    assert list(events) == ["reported"]


async def test_two_members_report_at_once_in_one_group(harness: ChatHarness, session: AsyncSession) -> None:
    member, mate, *_ = await _village_people(session)
    harness.group(CHAT, "果洛村")
    one, two = Reporter(harness, member, CHAT), Reporter(harness, mate, CHAT)
    await one.say("/report")
    await two.say("/report")
    await one.press("生态")
    await two.press("生态")
    await two.say("第二个人的问题：水井干了")
    await one.say("第一个人的问题：围栏倒了")
    for reporter in (one, two):
        await reporter.to_summary()
    await two.confirm()
    await one.confirm()
    found = await issues(session)
    assert {(i.description, i.number) for i in found} == {("第二个人的问题：水井干了", "2026-0001"),
                                                         ("第一个人的问题：围栏倒了", "2026-0002")}


async def test_someone_elses_buttons_do_nothing(harness: ChatHarness, session: AsyncSession) -> None:
    member, mate, *_ = await _village_people(session)
    harness.group(CHAT, "果洛村")
    one = Reporter(harness, member, CHAT)
    await one.say("/report")
    answer = await one.press("生态", who=mate)
    assert any("别人的上报" in text for text in texts(answer))
    await one.press("生态")
    await one.say("描述")
    answer = await one.press("没有照片", who=mate)
    assert any("别人的上报" in text for text in texts(answer))
    assert await issues(session) == []


async def test_bad_input_at_every_step(harness: ChatHarness, session: AsyncSession) -> None:
    r = await _reporter(harness, session)
    member = r.who
    await r.say("/report")
    assert "请点上面的按钮" in texts(await r.say("随便打字"))[0]
    await r.press("生态")
    assert "请用文字描述" in texts(await harness.send_photo(member, CHAT, "early-photo"))[0]
    sticker = Sticker(file_id="s", file_unique_id="s", type="regular", width=1, height=1, is_animated=False,
                      is_video=False)
    assert "请用文字描述" in texts(await harness.send(member, CHAT, None, sticker=sticker))[0]
    assert "不能为空" in texts(await r.say("   "))[0]
    await r.say("🐑 ཀུན་ཁྱབ། 羊圈漏雨")  # emoji and Tibetan script are fine
    assert "需要照片" in texts(await r.say("这里没有照片"))[0]
    assert "需要照片" in texts(await harness.send(member, CHAT, None, sticker=sticker))[0]
    await r.press("没有照片")
    assert "请发送位置" in texts(await harness.send(member, CHAT, None, sticker=sticker))[0]
    assert "太长" in texts(await r.say("地" * 500))[0]
    await r.press("跳过")
    await r.press("一般")
    await r.confirm()
    [issue] = await issues(session)
    assert issue.description == "🐑 ཀུན་ཁྱབ། 羊圈漏雨" and issue.place_text is None


async def test_long_description_is_kept_and_the_card_fits(harness: ChatHarness, session: AsyncSession) -> None:
    reporter = await _reporter(harness, session)
    long_text = "牧" * 5000
    done = await reporter.full(long_text, photos=())
    [issue] = await issues(session)
    assert issue.description == long_text
    card = next(r for r in done if isinstance(r, SendMessage) and r.text.startswith("📋"))
    assert len(card.text) <= 4096 and f"/issue {issue.number}" in card.text
    form = [r.text for r in await reporter.say(f"/issue {issue.number}") if isinstance(r, SendMessage)]
    assert all(len(part) <= 4096 for part in form) and sum(part.count("牧") for part in form) >= 5000


async def test_photo_card_caption_fits(harness: ChatHarness, session: AsyncSession) -> None:
    done = await (await _reporter(harness, session)).full("羊" * 3000, photos=("p1", "p2", "p3"))
    card = next(r for r in done if isinstance(r, SendPhoto))
    assert len(card.caption or "") <= 1024 and "/issue 2026-0001" in (card.caption or "")
    assert "📷 更多照片（2）" in (card.reply_markup.inline_keyboard[-1][-1].text if card.reply_markup else "")


async def test_cancel_at_every_step_saves_nothing(harness: ChatHarness, session: AsyncSession) -> None:
    r = await _reporter(harness, session)
    steps = [lambda: r.press("生态"), lambda: r.say("描述"), lambda: r.press("没有照片"), lambda: r.press("跳过"),
             lambda: r.press("一般")]
    for depth in range(len(steps) + 1):
        await r.say("/report")
        for step in steps[:depth]:
            await step()
        assert "已取消" in texts(await r.say("/cancel"))[0]
    assert "没有进行中" in texts(await r.say("/cancel"))[0]
    await r.say("/report")
    for step in steps:
        await step()
    await r.press("❌ 取消")
    assert await issues(session) == []


async def test_edit_before_confirm(harness: ChatHarness, session: AsyncSession) -> None:
    r = await _reporter(harness, session)
    await r.start("旧描述")
    await r.to_summary(place="旧地点")
    await r.press("修改")
    await r.press("问题描述")
    summary = await r.say("新描述")
    assert "新描述" in texts(summary)[-1]
    await r.press("修改")
    await r.press("工作队")
    await r.press("产业")
    await r.press("修改")
    await r.press("紧急程度")
    await r.press("紧急")
    await r.confirm()
    [issue] = await issues(session)
    assert (issue.description, issue.kind, issue.urgency, issue.place_text) == (
        "新描述", "industry", Urgency.urgent, "旧地点")


async def test_restart_between_steps_resumes(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession],
                                             session: AsyncSession, clock: ManualClock) -> None:
    member, *_ = await _village_people(session)
    first = ChatHarness(build_dispatcher(settings, sessionmaker, Translator("zh"), clock))
    first.group(CHAT, "果洛村")
    r = Reporter(first, member, CHAT)
    await r.start("重启前写的描述")

    second = ChatHarness(build_dispatcher(settings, sessionmaker, Translator("zh"), clock))
    second.group(CHAT, "果洛村")
    second.session.sent.update(first.session.sent)
    second.session._ids = first.session._ids
    second._update_ids = first._update_ids   # one Telegram: its update numbers go on across the restart
    r.h = second
    await r.to_summary()
    await r.confirm()
    [issue] = await issues(session)
    assert issue.description == "重启前写的描述"


async def test_report_again_resumes_the_unfinished_one(harness: ChatHarness, session: AsyncSession) -> None:
    r = await _reporter(harness, session)
    await r.start()
    again = texts(await r.say("/report"))
    assert "接着来" in again[0] and "请描述问题" in again[1]


async def test_idle_step_expires(harness: ChatHarness, session: AsyncSession, clock: ManualClock,
                                 settings: Settings) -> None:
    r = await _reporter(harness, session)
    await r.start()
    clock.advance(timedelta(minutes=settings.conversation.idle_minutes + 1))
    assert "已自动取消" in texts(await r.say("迟到的描述"))[0]
    assert "没有进行中" in texts(await r.say("/cancel"))[0]


async def test_confirm_pressed_twice_creates_one_issue(harness: ChatHarness, session: AsyncSession) -> None:
    r = await _reporter(harness, session)
    await r.start("只报一次")
    await r.to_summary()
    message_id, data = r.prompt_with("确认上报")
    await asyncio.gather(harness.press(r.who, CHAT, message_id, data), harness.press(r.who, CHAT, message_id, data))
    assert len(await issues(session)) == 1


async def test_report_where_it_does_not_belong(harness: ChatHarness, session: AsyncSession) -> None:
    member, *_ = await _village_people(session)
    harness.group(CHAT, "角什科村")
    await bind(session, -300, "GC01")
    harness.group(-300, "township")
    harness.group(-301, "unbound")
    assert "只能在已绑定的村工作群" in texts(await harness.send(member, -300, "/report"))[0]
    assert "只能在已绑定的村工作群" in texts(await harness.send(member, -301, "/report"))[0]
    stranger = Person(5_000_001, "路人")
    assert "/join" in texts(await harness.send(stranger, CHAT, "/report"))[0]
    other_village = await person(session, RoleName.member, village="GC02-01")
    assert "不是本村的成员" in texts(await harness.send(other_village, CHAT, "/report"))[0]


async def test_report_in_private_chat(harness: ChatHarness, session: AsyncSession) -> None:
    member, *_ = await _village_people(session)
    harness.group(CHAT, "果洛村")
    r = Reporter(harness, member, chat_id=member.telegram_id)
    await r.start("私聊上报的问题", command="/start report")
    await r.to_summary()
    await r.confirm()
    [issue] = await issues(session)
    cards = (await session.scalars(select(IssueCard.chat_id).where(IssueCard.issue_id == issue.id))).all()
    assert sorted(cards) == sorted([CHAT, member.telegram_id])
