"""What the hostile-input suite (tests/test_hostile_input.py) found, each pinned by one plain example."""

from __future__ import annotations

import itertools

from aiogram.methods import GetChatMember, GetMe
from aiogram.types import Chat, Update, User
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, Issue, IssueStatus, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.hostile_world import ANONYMOUS_ADMIN, CHANNEL, CHANNEL_BOT, OTHER_BOT
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, texts

VILLAGE = -100_801
# a linked channel's posts are forwarded into its discussion group from this placeholder, which is not a bot
TELEGRAM = User(id=777_000, is_bot=False, first_name="Telegram")
UPDATE_IDS = itertools.count(50_000)


def _said(requests: list) -> list:
    return [r for r in requests if not isinstance(r, GetMe | GetChatMember)]


async def _post(harness: ChatHarness, text: str, user: User, sender_chat: Chat | None = None) -> list:
    """What the bot said to a message posted in the village group by someone who is not a person."""
    message = harness.message(Person(1, "x"), VILLAGE, text).model_copy(
        update={"from_user": user, "sender_chat": sender_chat,
                "is_automatic_forward": True if user == TELEGRAM else None})
    return _said(await harness.feed(Update(update_id=next(UPDATE_IDS), message=message)))


async def test_another_bot_or_a_channel_gets_no_answer(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    harness.group(VILLAGE, "角什科村")
    for user, sender_chat in ((OTHER_BOT, None), (CHANNEL_BOT, CHANNEL), (TELEGRAM, CHANNEL)):
        for command in ("/help", "/start", "/whoami", "/issue 2026-0001", "/score", "/open", "/report"):
            assert await _post(harness, command, user, sender_chat) == [], (user.username, command)


async def test_an_anonymous_admin_is_told_to_post_as_themselves(harness: ChatHarness, session: AsyncSession) -> None:
    harness.group(VILLAGE, "角什科村")
    group = harness.chats[VILLAGE]
    told = await _post(harness, "/bind GC01-02", ANONYMOUS_ADMIN, group)
    assert len(told) == 1 and "匿名" in texts(told)[0]
    await session.rollback()
    assert (await session.scalars(select(ChatBinding))).all() == []
    assert await _post(harness, "大家好", ANONYMOUS_ADMIN, group) == []


async def test_a_command_is_never_taken_as_the_answer_to_a_step(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    harness.group(VILLAGE, "角什科村")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    reporter = Reporter(harness, member, VILLAGE)
    await reporter.say("/report")
    await reporter.press("生态")
    listed = texts(await reporter.say("/open"))
    assert len(listed) == 1 and "角什科村" in listed[0]           # the command ran as itself
    assert texts(await reporter.say("/0")) == []                  # a command nobody knows is nobody's answer
    assert any("照片" in text for text in texts(await reporter.say("围栏倒了")))  # still at the description step
    await reporter.press("没有照片")
    await reporter.press("跳过")
    await reporter.press("一般")
    await reporter.press("确认上报")

    card = max(m for (c, m), sent in harness.session.sent.items() if c == VILLAGE and "围栏倒了" in (sent.text or ""))
    withdraw = next(d for label, d in harness.buttons(VILLAGE, card).items() if "撤销" in label)
    await harness.press(lead, VILLAGE, card, withdraw)
    await harness.send(lead, VILLAGE, "/mine")
    await session.rollback()
    issue = await session.scalar(select(Issue))
    assert issue is not None and issue.description == "围栏倒了" and issue.status == IssueStatus.open
    await harness.send(lead, VILLAGE, "重复上报", reply_to=harness.last_sent(VILLAGE).message_id)
    await session.rollback()
    assert await session.scalar(select(Issue.status)) == IssueStatus.withdrawn
