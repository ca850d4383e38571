"""Escalation to the township and county, acknowledgement, department task lists and the SLA sweep,
through the real router tree and the outbox, with a controllable clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram.methods import AnswerCallbackQuery, SendMessage
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.messaging.callbacks import DepartmentPick
from bot.models import IssueEvent, IssueLevel, IssueStatus, OutboxMessage
from bot.services.sla import sweep
from tests.harness.chat import ChatHarness
from tests.harness.county import COUNTY, DEPARTMENT, TOWNSHIP, VILLAGE, County
from tests.harness.reporter import Reporter, alerts, texts


async def test_escalate_acknowledge_dispatch_resolve_sign_off(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    member_refused = await Reporter(harness, c.reporter, VILLAGE).full("先报一个", photos=())
    assert member_refused
    assert any("只有队长或村书记可以上报" in t for t in alerts(await c.press(c.reporter, VILLAGE, "上报乡镇")))

    issue = await c.report_and_escalate()
    assert (issue.level, issue.status, issue.escalation_reason) == (IssueLevel.township, IssueStatus.open,
                                                                     "需要县农牧局专业支持")
    assert "等待督导确认" in c.text(TOWNSHIP) and "👌 确认接收" in c.buttons(TOWNSHIP)
    assert "等待督导确认" in c.text(VILLAGE) and c.buttons(VILLAGE) == {}

    assert any("只有本乡镇的督导员" in t for t in alerts(await c.press(c.other_supervisor, TOWNSHIP, "确认接收")))
    await c.press(c.supervisor, TOWNSHIP, "确认接收")
    issue = await c.issue()
    assert issue.status == IssueStatus.in_progress and issue.acknowledged_at is not None
    assert "督导负责人" in c.text(TOWNSHIP) and "督导负责人" in c.text(VILLAGE)

    await c.press(c.supervisor, TOWNSHIP, "派发部门")
    agri = harness.buttons(TOWNSHIP)["县农牧水利和科技局"]
    await harness.press(c.supervisor, TOWNSHIP, harness.last_sent(TOWNSHIP).message_id, agri)
    assert "期限" in harness.session.sent[(TOWNSHIP, harness.last_sent(TOWNSHIP).message_id - 1)].text
    for bad, answer in (("2020-01-01", "期限必须在今天之后"), ("下个月吧", "看不懂"), ("2026-13-40", "看不懂")):
        assert answer in texts(await c.reply(c.supervisor, TOWNSHIP, bad))[0]
    done = await c.reply(c.supervisor, TOWNSHIP, "20")
    assert "已派发" in texts(done)[0]
    issue = await c.issue()
    assert issue.department_id is not None and issue.due_at is not None
    assert (issue.due_at - issue.acknowledged_at).days in (19, 20)
    assert "👌 确认任务" in c.buttons(DEPARTMENT)
    liaison_notice = [r for r in done if isinstance(r, SendMessage) and r.chat_id == c.liaison.telegram_id]
    assert liaison_notice and issue.number in liaison_notice[0].text

    assert any("只有承办部门的联络人" in t for t in alerts(await c.press(c.supervisor, DEPARTMENT, "确认任务")))
    await c.press(c.liaison, DEPARTMENT, "确认任务")
    assert "（已确认）" in c.text(DEPARTMENT) and "👌 确认任务" not in c.buttons(DEPARTMENT)
    await c.press(c.liaison, DEPARTMENT, "办结")
    resolved = await c.reply(c.liaison, DEPARTMENT, "已派技术员完成补播")
    assert any("请验收销号" in (r.text or "") for r in resolved if isinstance(r, SendMessage) and r.chat_id == TOWNSHIP)
    assert "🔏 验收销号" in c.buttons(TOWNSHIP)
    await c.press(c.supervisor2, TOWNSHIP, "验收销号")
    issue = await c.issue()
    assert issue.status == IssueStatus.closed
    assert "已销号" in c.text(VILLAGE) and "已销号" in c.text(TOWNSHIP) and "已销号" in c.text(DEPARTMENT)
    kinds = (await session.scalars(select(IssueEvent.kind).where(IssueEvent.issue_id == issue.id)
                                   .order_by(IssueEvent.id))).all()
    assert list(kinds) == ["reported", "escalate", "acknowledge", "dispatch", "task_ack", "task_resolve", "sign_off"]


async def test_unmet_sets_a_new_due_date_and_sends_the_task_back_to_work(harness: ChatHarness,
                                                                        session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    await c.report_and_escalate()
    await c.press(c.supervisor, TOWNSHIP, "派发部门")
    await harness.press(c.supervisor, TOWNSHIP, harness.last_sent(TOWNSHIP).message_id,
                        harness.buttons(TOWNSHIP)["县农牧水利和科技局"])
    await harness.press(c.supervisor, TOWNSHIP, harness.last_sent(TOWNSHIP).message_id,
                        next(d for t, d in harness.buttons(TOWNSHIP).items() if "默认期限" in t))
    await c.press(c.liaison, DEPARTMENT, "办结")
    await c.reply(c.liaison, DEPARTMENT, "做完了")
    await c.press(c.supervisor, TOWNSHIP, "未达标")
    await c.reply(c.supervisor, TOWNSHIP, "补播面积不够")
    await c.reply(c.supervisor, TOWNSHIP, "2026-12-31")
    issue = await c.issue()
    assert issue.status == IssueStatus.in_progress and issue.unmet_reason == "补播面积不够"
    assert issue.due_at is not None and issue.due_at.astimezone(harness_tz()).date().isoformat() == "2026-12-31"
    assert "✅ 办结" in c.buttons(DEPARTMENT)


def harness_tz():
    from bot.config import load_settings

    return load_settings().tz


async def test_send_back_returns_the_item_to_the_village(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    await c.report_and_escalate()
    await c.press(c.supervisor, TOWNSHIP, "退回")
    sent = await c.reply(c.supervisor, TOWNSHIP, "属于村级职责，请村里先处理")
    issue = await c.issue()
    assert (issue.level, issue.status) == (IssueLevel.village, IssueStatus.open)
    assert any("属于村级职责" in (r.text or "") for r in sent if isinstance(r, SendMessage) and r.chat_id == VILLAGE)
    assert "🙋 认领" in c.buttons(VILLAGE) and c.buttons(TOWNSHIP) == {}


async def test_two_supervisors_acknowledge_at_once(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    issue_id = (await c.report_and_escalate()).id
    data = next(d for t, d in c.buttons(TOWNSHIP).items() if "确认接收" in t)
    start = len(harness.session.requests)
    await asyncio.gather(harness.press(c.supervisor, TOWNSHIP, c.card(TOWNSHIP), data),
                         harness.press(c.supervisor2, TOWNSHIP, c.card(TOWNSHIP), data))
    answers = [r.text or "" for r in harness.session.requests[start:] if isinstance(r, AnswerCallbackQuery)]
    assert sum("您是负责人" in a for a in answers) == 1
    assert sum("没有做任何更改" in a for a in answers) == 1
    await session.rollback()
    acks = await session.scalar(select(func.count()).select_from(IssueEvent)
                                .where(IssueEvent.issue_id == issue_id, IssueEvent.kind == "acknowledge"))
    assert acks == 1


async def test_bad_input_changes_nothing(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    issue = await c.report_and_escalate()
    issue_id = issue.id
    await c.press(c.supervisor, TOWNSHIP, "派发部门")
    forged = await harness.press(c.supervisor, TOWNSHIP, harness.last_sent(TOWNSHIP).message_id,
                                 DepartmentPick(department_id=999).pack())
    await harness.press(c.supervisor, TOWNSHIP, harness.last_sent(TOWNSHIP).message_id,
                        next(d for t, d in harness.buttons(TOWNSHIP).items() if "默认期限" in t))
    assert forged is not None
    assert "没有这个部门" in " ".join(texts(harness.session.requests[-3:]))
    await session.rollback()
    assert (await c.issue()).department_id is None
    events = await session.scalar(select(func.count()).select_from(IssueEvent).where(IssueEvent.issue_id == issue_id))

    await c.press(c.supervisor, TOWNSHIP, "确认接收")
    again = await c.press(c.supervisor2, TOWNSHIP, "派发部门")
    assert not alerts(again)
    stale = await harness.press(c.supervisor2, TOWNSHIP, c.card(TOWNSHIP), f"ia:acknowledge:{issue_id}")
    assert any("没有做任何更改" in t for t in alerts(stale))
    await session.rollback()
    after = await session.scalar(select(func.count()).select_from(IssueEvent).where(IssueEvent.issue_id == issue_id))
    assert after == events + 1


async def test_escalating_a_closed_item_is_refused(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    await Reporter(harness, c.reporter, VILLAGE).full("很快解决的", photos=())
    escalate = next(d for t, d in c.buttons(VILLAGE).items() if "上报乡镇" in t)
    await c.press(c.lead, VILLAGE, "撤销")
    await c.reply(c.lead, VILLAGE, "误报")
    refused = await harness.press(c.lead, VILLAGE, c.card(VILLAGE), escalate)
    assert any("已撤销" in t for t in alerts(refused))
    assert (await c.issue()).level == IssueLevel.village


async def test_sla_sweep_escalates_renotifies_climbs_and_reminds(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    c = await County(harness, session).setup()
    deadlines = settings.deadlines
    await Reporter(harness, c.reporter, VILLAGE).full("没人管的问题", photos=())

    async def run_sweep() -> None:
        async with sessionmaker.begin() as s:
            await sweep(s, settings, clock.now())
        await harness.deliver()

    clock.advance(timedelta(days=deadlines.village_days) - timedelta(minutes=1))
    await run_sweep()
    assert (await c.issue()).level == IssueLevel.village
    clock.advance(timedelta(minutes=2))
    await run_sweep()
    issue = await c.issue()
    assert issue.level == IssueLevel.township and "等待督导确认" in c.text(TOWNSHIP)

    notices = []
    clock.advance(timedelta(hours=deadlines.township_ack_hours))
    for _ in range(deadlines.renotify_max):
        await run_sweep()
        await run_sweep()  # a second sweep in the same period posts nothing more
        notices = [r for r in harness.session.requests if isinstance(r, SendMessage) and r.chat_id == TOWNSHIP
                   and "仍未确认" in r.text]
        clock.advance(timedelta(hours=deadlines.renotify_every_hours))
    assert len(notices) == deadlines.renotify_max
    assert (await c.issue()).level == IssueLevel.township
    await run_sweep()
    issue = await c.issue()
    assert issue.level == IssueLevel.county and "👌 确认接收" in c.buttons(COUNTY)

    await c.press(c.admin, COUNTY, "确认接收")
    clock.advance(timedelta(days=deadlines.township_days, hours=1))
    await run_sweep()
    await run_sweep()
    def reminders() -> int:
        return len([r for r in harness.session.requests if isinstance(r, SendMessage) and r.text.startswith("⚠️")])

    assert reminders() == 1
    clock.advance(timedelta(days=1))
    await run_sweep()
    assert reminders() == 2
    kinds = (await session.scalars(select(IssueEvent.kind).where(IssueEvent.issue_id == issue.id)
                                   .order_by(IssueEvent.id))).all()
    assert kinds.count("renotify") == deadlines.renotify_max and "climb" in kinds and "auto_escalate" in kinds
    unsent = await session.scalar(select(func.count()).select_from(OutboxMessage)
                                  .where(OutboxMessage.status != "sent"))
    assert unsent == 0


async def test_tasks_and_overview(harness: ChatHarness, session: AsyncSession) -> None:
    c = await County(harness, session).setup()
    issue = await c.report_and_escalate()
    tasks = texts(await harness.send(c.supervisor, TOWNSHIP, "/tasks"))[0]
    assert issue.number in tasks and "任务清单" in tasks
    assert "只能在乡镇督导群或部门工作群" in texts(await harness.send(c.reporter, VILLAGE, "/tasks"))[0]
    overview = texts(await harness.send(c.admin, COUNTY, "/overview"))[0]
    assert "沙柳河镇" in overview and "待确认 1" in overview and issue.number in overview
    assert "只能在县总督导群" in texts(await harness.send(c.supervisor, TOWNSHIP, "/overview"))[0]
    dept = texts(await harness.send(c.liaison, DEPARTMENT, "/tasks"))[0]
    assert "没有未办结的任务" in dept
