"""/bind, /unbind, /join with approval, /whoami and /help through the real router tree."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery, GetChatMember, SendMessage
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.messaging.callbacks import JoinDecision
from bot.models import ChatBinding, JoinRequest, Member, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, members_with, person

VILLAGE_CHAT = -100_001
STRANGER = Person(9_999_001, "Stranger", "stranger_one", "en")


def replies(requests: list) -> list[str]:
    return [r.text for r in requests if isinstance(r, SendMessage)]


async def test_admin_who_administers_the_group_binds_it(harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    harness.group(VILLAGE_CHAT, "果洛村工作群", admins={admin.telegram_id})
    requests = await harness.send(admin, VILLAGE_CHAT, "/bind GC01-01")
    assert any(isinstance(r, GetChatMember) for r in requests)
    assert "已绑定" in replies(requests)[0] and "GC01-01" in replies(requests)[0]
    await session.rollback()
    assert await session.scalar(select(ChatBinding.chat_id).where(ChatBinding.chat_id == VILLAGE_CHAT))

    again = await harness.send(admin, VILLAGE_CHAT, "/bind GC01-02")
    assert "已经绑定" in replies(again)[0]
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(ChatBinding)) == 1

    unbound = await harness.send(admin, VILLAGE_CHAT, "/unbind")
    assert "已解除绑定" in replies(unbound)[0]
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(ChatBinding)) == 0


async def test_bind_refusals(harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    secretary = await person(session, RoleName.village_secretary, village="GC01-01")
    harness.group(VILLAGE_CHAT, "group", admins={secretary.telegram_id})
    assert "只有组织管理员" in replies(await harness.send(secretary, VILLAGE_CHAT, "/bind GC01-01"))[0]
    assert "本群的管理员" in replies(await harness.send(admin, VILLAGE_CHAT, "/bind GC01-01"))[0]
    harness.group(VILLAGE_CHAT, "group", admins={admin.telegram_id})
    assert "没有编码为「NOPE」" in replies(await harness.send(admin, VILLAGE_CHAT, "/bind NOPE"))[0]
    assert "用法" in replies(await harness.send(admin, VILLAGE_CHAT, "/bind"))[0]
    assert "用法" in replies(await harness.send(admin, VILLAGE_CHAT, "/bind GC01 extra words"))[0]
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(ChatBinding)) == 0


async def test_a_unit_has_one_group(harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    harness.group(VILLAGE_CHAT, "first", admins={admin.telegram_id})
    harness.group(VILLAGE_CHAT - 1, "second", admins={admin.telegram_id})
    await harness.send(admin, VILLAGE_CHAT, "/bind GC01")
    reply = replies(await harness.send(admin, VILLAGE_CHAT - 1, "/bind GC01"))[0]
    assert "已经绑定了另一个群" in reply


async def test_department_and_county_bind(harness: ChatHarness, session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin, language="en")
    harness.group(-5, "dept", admins={admin.telegram_id})
    harness.group(-6, "county", admins={admin.telegram_id})
    assert "department group" in replies(await harness.send(admin, -5, "/bind AGRI"))[0]
    assert "county supervision group" in replies(await harness.send(admin, -6, "/bind GC"))[0]


async def test_join_with_secretary_approval(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE_CHAT, "GC01-01")
    harness.group(VILLAGE_CHAT, "village")
    newcomer = (await members_with(session, RoleName.member, village="GC01-01"))[0]
    newcomer.telegram_id = None
    newcomer_id = newcomer.id
    await session.commit()

    answer = await harness.send(STRANGER, VILLAGE_CHAT, "/join")
    buttons = harness.buttons(VILLAGE_CHAT)
    assert "Pick your name" in replies(answer)[0]
    assert newcomer.display_name in buttons

    await harness.press(STRANGER, VILLAGE_CHAT, harness.last_sent(VILLAGE_CHAT).message_id,
                        buttons[newcomer.display_name])
    request_message = harness.last_sent(VILLAGE_CHAT)
    decision = harness.buttons(VILLAGE_CHAT)
    assert newcomer.display_name in (request_message.text or "")

    other = await person(session, RoleName.member, village="GC01-01", index=1)
    refused = await harness.press(other, VILLAGE_CHAT, request_message.message_id, decision["✅ Approve"])
    assert any(isinstance(r, AnswerCallbackQuery) and "只有本村书记" in (r.text or "") for r in refused)

    secretary = await person(session, RoleName.village_secretary, village="GC01-01")
    await harness.press(secretary, VILLAGE_CHAT, request_message.message_id, decision["✅ Approve"])
    await session.rollback()
    linked = await session.scalar(select(Member.telegram_id).where(Member.id == newcomer_id))
    assert linked == STRANGER.telegram_id

    whoami = replies(await harness.send(STRANGER, VILLAGE_CHAT, "/whoami"))[0]
    assert "team member" in whoami


async def test_forged_approval_button_changes_nothing(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE_CHAT, "GC01-01")
    await bind(session, VILLAGE_CHAT - 7, "GC02-01")
    harness.group(VILLAGE_CHAT, "village")
    harness.group(VILLAGE_CHAT - 7, "other village")
    target = (await members_with(session, RoleName.member, village="GC01-01"))[0]
    target.telegram_id = None
    target_id, target_name = target.id, target.display_name
    await session.commit()
    await harness.send(STRANGER, VILLAGE_CHAT, "/join")
    await harness.press(STRANGER, VILLAGE_CHAT, harness.last_sent(VILLAGE_CHAT).message_id,
                        harness.buttons(VILLAGE_CHAT)[target_name])
    request_id = await session.scalar(select(JoinRequest.id))
    assert request_id is not None

    other_secretary = await person(session, RoleName.village_secretary, village="GC02-01")
    forged = JoinDecision(request_id=request_id, approve=True).pack()
    answers = await harness.press(other_secretary, VILLAGE_CHAT - 7, 1, forged)
    assert any(isinstance(r, AnswerCallbackQuery) and r.show_alert for r in answers)
    garbage = await harness.press(other_secretary, VILLAGE_CHAT, 1, "jd:abc:maybe")
    assert not [r for r in garbage if isinstance(r, SendMessage)]
    await session.rollback()
    assert (await session.get(Member, target_id)).telegram_id is None


async def test_username_in_roster_links_on_first_message(harness: ChatHarness, session: AsyncSession) -> None:
    member = await session.scalar(select(Member).where(Member.username.is_not(None)).order_by(Member.code))
    assert member is not None
    member.telegram_id = None
    member_id, name, username = member.id, member.display_name, member.username
    await session.commit()
    newcomer = Person(7_777_777, "New phone", username)
    reply = replies(await harness.send(newcomer, 7_777_777, "/whoami"))[0]
    assert name in reply
    await session.rollback()
    assert await session.scalar(select(Member.telegram_id).where(Member.id == member_id)) == 7_777_777


async def test_whoami_for_a_stranger(harness: ChatHarness) -> None:
    assert "/join" in replies(await harness.send(STRANGER, STRANGER.telegram_id, "/whoami"))[0]


async def test_help_in_chinese_and_english(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE_CHAT, "GC01-01")
    harness.group(VILLAGE_CHAT, "village")
    lead = await person(session, RoleName.team_lead, village="GC01-01")
    chinese = replies(await harness.send(lead, VILLAGE_CHAT, "/help"))[0]
    assert "/report" in chinese and "村工作群" in chinese and "验收销号" in chinese
    english_lead = Person(lead.telegram_id, lead.first_name, lead.username, "en-US")
    english = replies(await harness.send(english_lead, VILLAGE_CHAT, "/help"))[0]
    assert "village group" in english and "verify and sign off" in english
    stranger = replies(await harness.send(STRANGER, VILLAGE_CHAT, "/help"))[0]
    assert "/join" in stranger and "verify and sign off" not in stranger
    private = replies(await harness.send(STRANGER, STRANGER.telegram_id, "/start"))[0]
    assert "private chat" in private


async def test_unknown_language_falls_back_to_the_county_default(harness: ChatHarness) -> None:
    tibetan = Person(8_888_001, "ཀུན", None, "bo")
    assert "「一核五队」" in replies(await harness.send(tibetan, tibetan.telegram_id, "/help"))[0]
