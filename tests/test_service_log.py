"""The service log: /service through the real router tree (bad input, outsiders and /cancel included), /services
paged, and the services counting in the score up to the cap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram.methods import EditMessageText, SendMessage
from aiogram.types import ForceReply
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import ManualClock
from bot.config import Settings
from bot.models import RoleName, ServiceLog
from bot.services.scoring import monthly_scores
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, members_with, person, unit_id
from tests.harness.reporter import Reporter, alerts, texts
from tests.harness.scoring import CAP, cast_of

VILLAGE, OTHER_VILLAGE, TOWNSHIP, QUIET_VILLAGE = -100_701, -100_702, -100_703, -100_704


async def setup(harness: ChatHarness, session: AsyncSession) -> tuple[Person, Person]:
    for chat, code in ((VILLAGE, "GC01-02"), (OTHER_VILLAGE, "GC01-03"), (TOWNSHIP, "GC01")):
        await bind(session, chat, code)
        harness.group(chat, code)
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    mate = await person(session, RoleName.member, village="GC01-02", kind="welfare")
    return member, mate


async def logged(session: AsyncSession) -> list[ServiceLog]:
    await session.rollback()
    return list((await session.scalars(select(ServiceLog).order_by(ServiceLog.id))).all())


async def test_a_member_logs_services_with_a_place_a_photo_or_neither(harness: ChatHarness,
                                                                      session: AsyncSession) -> None:
    member, mate = await setup(harness, session)
    me = Reporter(harness, member, VILLAGE)
    first = await me.say("/service")
    assert "角什科村" in texts(first)[0] and me.prompt_with("入户走访") and me.prompt_with("化解纠纷")
    assert "请点上面的按钮" in texts(await me.say("我去了才让家"))[0]
    assert any("给别人的" in text for text in alerts(await me.press("入户走访", who=mate)))
    await me.press("入户走访")
    prompt = [r for r in harness.session.requests if isinstance(r, SendMessage)][-2]  # ForceReply, then Skip
    assert isinstance(prompt.reply_markup, ForceReply) and prompt.reply_markup.selective
    assert "哪户人家" in (prompt.text or "")
    assert "请用文字回复" in texts(await me._feed(harness.send_photo(member, VILLAGE, "p-0")))[0]
    assert "太长" in texts(await me.say("长" * 201))[0]
    await me.say("才让家")
    assert "没有说明" in texts(await me._feed(harness.send_photo(member, VILLAGE, "p-1")))[0]
    done = await me._feed(harness.send_photo(member, VILLAGE, "p-2", caption="帮老人办理了医保续费"))
    assert "已记录：入户走访，住户/地点：才让家，附照片。这是您本月第 1 次为民服务。" in texts(done)[0]

    await me.say("/service")
    await me.press("化解纠纷")
    await me.press("跳过")
    assert "不能为空" in texts(await me.say("   "))[0]
    again = await me.say("调解了两户草场边界纠纷")
    assert "已记录：化解纠纷，住户/地点：-。这是您本月第 2 次" in texts(again)[0]
    assert texts(await me.say("又说了一句")) == []  # the conversation is over: plain chat is left alone

    first_entry, second = await logged(session)
    village = await unit_id(session, "GC01-02")
    assert (first_entry.kind, first_entry.place, first_entry.note, first_entry.photo_file_id,
            first_entry.village_id) == ("household_visit", "才让家", "帮老人办理了医保续费", "p-2", village)
    assert (second.kind, second.place, second.note, second.photo_file_id) == ("dispute_settled", None,
                                                                              "调解了两户草场边界纠纷", None)


async def test_outsiders_are_refused_and_cancel_leaves_nothing(harness: ChatHarness, session: AsyncSession) -> None:
    member, _ = await setup(harness, session)
    outsider = await person(session, RoleName.member, village="GC01-03", kind="ecology")
    assert "只有本村的队员和村书记" in texts(await harness.send(outsider, VILLAGE, "/service"))[0]
    stranger = Person(9_999_001, "路人")
    assert "还不认识您" in texts(await harness.send(stranger, VILLAGE, "/service"))[0]
    assert "本村工作群" in texts(await harness.send(member, TOWNSHIP, "/service"))[0]
    assert "本村工作群" in texts(await harness.send(member, TOWNSHIP, "/services"))[0]

    me = Reporter(harness, member, VILLAGE)
    await me.say("/service")
    await me.press("政策宣传")
    await me.say("村委会")
    assert "已取消" in texts(await me.say("/cancel"))[0]
    assert texts(await me.say("宣讲了草原生态补奖政策")) == []
    forged = await harness.press(member, VILLAGE, harness.last_sent(VILLAGE).message_id, "sv:kind:other")
    assert alerts(forged)  # a button of the finished conversation does nothing but say so
    assert await logged(session) == []


async def test_services_lists_this_months_services_by_kind_and_pages(harness: ChatHarness, session: AsyncSession,
                                                                    clock: ManualClock) -> None:
    member, _ = await setup(harness, session)
    village, other = await unit_id(session, "GC01-02"), await unit_id(session, "GC01-03")
    members = await members_with(session, RoleName.member, village="GC01-02")
    now = clock.now()
    session.add_all(ServiceLog(member_id=members[i % 3].id, village_id=village,
                               kind="household_visit" if i < 9 else "insurance_help", place=f"第{i}户",
                               note=f"服务记录{i}", at=now - timedelta(minutes=i)) for i in range(12))
    session.add(ServiceLog(member_id=members[0].id, village_id=village, kind="other", note="上个月的",
                           at=datetime(2026, 10, 20, tzinfo=UTC)))
    session.add(ServiceLog(member_id=members[0].id, village_id=other, kind="other", note="别的村", at=now))
    await session.commit()

    listing = texts(await harness.send(member, VILLAGE, "/services"))[0]
    assert "角什科村 2026-11 为民服务共 12 次" in listing
    assert "【入户走访】9 次" in listing and "【协助参保】3 次" in listing and "其他" not in listing
    assert "第 1/2 页，共 12 项" in listing and "服务记录0" in listing and "服务记录10" not in listing
    buttons = harness.buttons(VILLAGE)
    edited = await harness.press(member, VILLAGE, harness.last_sent(VILLAGE).message_id, buttons["下一页 ➡️"])
    page_two = next(r.text for r in edited if isinstance(r, EditMessageText))
    assert "第 2/2 页" in page_two and "服务记录11" in page_two and "上个月的" not in page_two
    other_listing = texts(await harness.send(member, OTHER_VILLAGE, "/services"))[0]
    assert "潘保村 2026-11 为民服务共 1 次" in other_listing and "服务记录" not in other_listing
    await bind(session, QUIET_VILLAGE, "GC01-04")
    harness.group(QUIET_VILLAGE, "GC01-04")
    assert "还没有为民服务记录" in texts(await harness.send(member, QUIET_VILLAGE, "/services"))[0]


async def test_services_count_in_the_score_up_to_the_cap(harness: ChatHarness, session: AsyncSession,
                                                         settings: Settings, clock: ManualClock) -> None:
    member, _ = await setup(harness, session)
    c = await cast_of(session)
    clock.set(datetime(2026, 10, 15, 2, 0, tzinfo=UTC))
    me = Reporter(harness, member, VILLAGE)
    for note in ("走访牧户", "宣传医保政策"):
        await me.say("/service")
        await me.press("入户走访")
        await me.press("跳过")
        await me.say(note)
    await session.rollback()
    member_id = (await members_with(session, RoleName.member, village="GC01-02", kind="ecology"))[0].id
    session.add_all(ServiceLog(member_id=member_id, village_id=c.village, kind="other", note="补记",
                               at=datetime(2026, 10, 16, tzinfo=UTC) + timedelta(hours=i)) for i in range(CAP + 2))
    await session.commit()
    scores = await monthly_scores(session, settings, 2026, 10, now=datetime(2026, 11, 2, tzinfo=UTC))
    team = scores.teams[c.team]
    assert team.tally.services == CAP + 4 and team.tally.services_counted == CAP
    activity = next(part for part in team.parts if part.key == "activity")
    assert (activity.done, activity.total) == (CAP, team.tally.members * CAP)
    assert await session.scalar(select(func.count()).select_from(ServiceLog)) == CAP + 4
