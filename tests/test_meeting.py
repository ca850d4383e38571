"""/meeting: the secretary records the joint meeting and sends chosen items to the township in one step."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.callbacks import MeetingPick
from bot.models import Issue, IssueLevel, Meeting, RoleName
from tests.harness.chat import ChatHarness
from tests.harness.people import bind, members_with, person
from tests.harness.reporter import Reporter, alerts, texts

VILLAGE, TOWNSHIP = -100_501, -100_502


async def setup(harness: ChatHarness, session: AsyncSession):
    await bind(session, VILLAGE, "GC01-02")
    await bind(session, TOWNSHIP, "GC01")
    harness.group(VILLAGE, "角什科村")
    harness.group(TOWNSHIP, "沙柳河镇")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    return secretary, member


def button(harness: ChatHarness, label: str) -> tuple[int, str]:
    message = harness.last_sent(VILLAGE).message_id
    for _ in range(3):
        found = [d for t, d in harness.buttons(VILLAGE, message).items() if label in t]
        if found:
            return message, found[0]
        message -= 1
    raise AssertionError(label)


async def test_secretary_records_the_meeting_and_escalates_chosen_items(harness: ChatHarness,
                                                                       session: AsyncSession) -> None:
    secretary, member = await setup(harness, session)
    for text in ("牧道需要硬化", "小问题"):
        await Reporter(harness, member, VILLAGE).full(text, photos=())
    await harness.send(secretary, VILLAGE, "/meeting")
    await harness.press(secretary, VILLAGE, *button(harness, "今天"))
    attendees = [m.display_name for m in (await members_with(session, RoleName.member, village="GC01-02"))[:2]]
    for name in attendees:
        await harness.press(secretary, VILLAGE, *button(harness, name))
    assert sum("✅" in t for t in harness.buttons(VILLAGE)) == 2
    await harness.press(secretary, VILLAGE, *button(harness, "下一步"))
    await harness.press(secretary, VILLAGE, *button(harness, "牧道需要硬化"))
    done = await harness.press(secretary, VILLAGE, *button(harness, "完成"))
    assert any("参会 2 人" in t and "2026-0001" in t for t in texts(done))
    await session.rollback()
    meeting = await session.scalar(select(Meeting))
    assert meeting is not None and len(meeting.attendees) == 2 and meeting.decisions == {"escalated": ["2026-0001"]}
    levels = dict((await session.execute(select(Issue.number, Issue.level))).all())
    assert levels == {"2026-0001": IssueLevel.township, "2026-0002": IssueLevel.village}
    assert any((sent.text or "").startswith("📋 2026-0001") for (c, _), sent in harness.session.sent.items()
               if c == TOWNSHIP)


async def test_only_the_secretary_and_bad_input(harness: ChatHarness, session: AsyncSession) -> None:
    secretary, member = await setup(harness, session)
    assert "只有本村书记" in texts(await harness.send(member, VILLAGE, "/meeting"))[0]
    await harness.send(secretary, VILLAGE, "/meeting")
    assert "不能晚于今天" in texts(await harness.send(secretary, VILLAGE, "2099-01-01"))[0]
    assert "看不懂" in texts(await harness.send(secretary, VILLAGE, "上周"))[0]
    await harness.send(secretary, VILLAGE, "2026-11-01")
    message = harness.last_sent(VILLAGE).message_id
    outsider = (await members_with(session, RoleName.member, village="GC02-01"))[0]
    forged = await harness.press(secretary, VILLAGE, message, MeetingPick(what="a", id=outsider.id).pack())
    assert any("不属于本村" in t for t in alerts(forged))
    empty = await harness.press(secretary, VILLAGE, *button(harness, "下一步"))
    assert any("至少选择一位" in t for t in alerts(empty))
    other = await harness.press(member, VILLAGE, *button(harness, "下一步"))
    assert any("给别人的" in t for t in alerts(other))
    await session.rollback()
    assert await session.scalar(select(Meeting)) is None
