"""A village group that is a forum: bound with /bind in one topic, everything the bot posts on its own (cards,
notices) goes to that topic, a conversation answers in the topic the member wrote in, and a card's further photos
go beside the card. When that topic is deleted or closed, the bot's posts go to the group's General topic and the
county admins are told once (against the Bot API emulator)."""

from __future__ import annotations

from collections import Counter

import pytest
from aiogram.exceptions import TelegramBadRequest
from aiogram.methods import SendMediaGroup, SendMessage, SendPhoto
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.models import ChatBinding, ChatProblem, Issue, OutboxMessage, OutboxStatus, RoleName
from bot.services.outbox import enqueue_notice
from tests.harness.chat import ChatHarness
from tests.harness.delivery import Rig
from tests.harness.people import Person, bind, person
from tests.harness.reporter import Reporter

CHAT = -100_201
BOUND_TOPIC = 5      # the topic /bind was sent in: the bot's own posts
WRITTEN_IN = 9       # another topic, where a member starts a report


def _posted(requests: list, chat_id: int) -> list[SendMessage | SendPhoto]:
    return [r for r in requests if isinstance(r, SendMessage | SendPhoto) and r.chat_id == chat_id]


def _is_card(request: SendMessage | SendPhoto) -> bool:
    markup = request.reply_markup
    return isinstance(markup, InlineKeyboardMarkup) and any(
        "认领" in button.text for row in markup.inline_keyboard for button in row)


async def test_cards_and_notices_go_to_the_bound_topic_and_prompts_to_the_members(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        clock: ManualClock) -> None:
    admin = await person(session, RoleName.admin)
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    harness.group(CHAT, "角什科村", admins={admin.telegram_id})
    bound = await harness.send(admin, CHAT, "/bind GC01-02", message_thread_id=BOUND_TOPIC, is_topic_message=True)
    assert [r.message_thread_id for r in _posted(bound, CHAT)] == [BOUND_TOPIC]
    await session.rollback()
    assert await session.scalar(select(ChatBinding.forum_topic_id).where(ChatBinding.chat_id == CHAT)) == BOUND_TOPIC

    reporter = Reporter(harness, member, CHAT, topic=WRITTEN_IN)
    before = len(harness.session.requests)
    await reporter.full("水渠堵了", photos=("photo-1",))
    posted = _posted(harness.session.requests[before:], CHAT)

    [card] = [r for r in posted if _is_card(r)]
    assert isinstance(card, SendPhoto) and card.message_thread_id == BOUND_TOPIC
    conversation = [r for r in posted if not _is_card(r)]
    assert len(conversation) >= 6            # prompts, their button follow-ups, the summary and the confirmation
    assert {r.message_thread_id for r in conversation} == {WRITTEN_IN}
    await session.rollback()
    [number] = (await session.scalars(select(Issue.number))).all()
    assert number in (card.caption or "") and any(number in (r.text or "") for r in conversation)

    async with sessionmaker.begin() as writing:     # a notice (digests and reminders go the same way)
        for chat_id in (CHAT, member.telegram_id):
            await enqueue_notice(writing, chat_id=chat_id, key="notice-overdue", args={"number": number, "days": 3},
                                 dedupe_key=f"test:{chat_id}", now=clock.now())
    before = len(harness.session.requests)
    await harness.deliver()
    notices = harness.session.requests[before:]
    assert [r.message_thread_id for r in _posted(notices, CHAT)] == [BOUND_TOPIC]
    assert [r.message_thread_id for r in _posted(notices, member.telegram_id)] == [None]   # a private chat: none


async def test_a_meeting_is_recorded_in_the_topic_the_secretary_wrote_in(harness: ChatHarness,
                                                                         session: AsyncSession) -> None:
    admin = await person(session, RoleName.admin)
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    harness.group(CHAT, "角什科村", admins={admin.telegram_id})
    await harness.send(admin, CHAT, "/bind GC01-02", message_thread_id=BOUND_TOPIC, is_topic_message=True)

    meeting = Reporter(harness, secretary, CHAT, topic=WRITTEN_IN)
    before = len(harness.session.requests)
    await meeting.say("/meeting")
    await meeting.press("今天")
    await meeting.press("▫️")           # the first attendee on the roster
    await meeting.press("下一步")
    await meeting.press("完成")
    posted = _posted(harness.session.requests[before:], CHAT)

    assert "已记录" in (posted[-1].text or "")
    assert len(posted) >= 4             # the date prompt and its buttons, the roster, the agenda, the record
    assert {r.message_thread_id for r in posted} == {WRITTEN_IN}


async def _forum_village(harness: ChatHarness, session: AsyncSession) -> tuple[Person, Person]:
    """The village group bound in BOUND_TOPIC by an admin: (the admin, a member of the village)."""
    admin = await person(session, RoleName.admin)
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    harness.group(CHAT, "角什科村", admins={admin.telegram_id})
    await harness.send(admin, CHAT, "/bind GC01-02", message_thread_id=BOUND_TOPIC, is_topic_message=True)
    return admin, member


@pytest.mark.parametrize("photos", [2, 3], ids=["one-more", "an-album"])
async def test_more_photos_go_to_the_topic_of_the_card_the_button_is_on(harness: ChatHarness, session: AsyncSession,
                                                                        photos: int) -> None:
    _, member = await _forum_village(harness, session)
    await Reporter(harness, member, CHAT, topic=WRITTEN_IN).full(photos=tuple(f"photo-{n}" for n in range(photos)))
    [(card, data)] = [(message_id, data) for (chat_id, message_id) in harness.session.sent if chat_id == CHAT
                      for text, data in harness.buttons(CHAT, message_id).items() if "更多照片" in text]

    shown = await harness.press(member, CHAT, card, data)

    [more] = [r for r in shown if isinstance(r, SendPhoto | SendMediaGroup)]
    assert isinstance(more, SendPhoto if photos == 2 else SendMediaGroup)
    assert more.message_thread_id == BOUND_TOPIC


async def test_more_photos_of_a_card_in_a_closed_topic_go_to_general(harness: ChatHarness,
                                                                      session: AsyncSession) -> None:
    _, member = await _forum_village(harness, session)
    await Reporter(harness, member, CHAT, topic=WRITTEN_IN).full(photos=("photo-0", "photo-1"))
    [(card, data)] = [(message_id, data) for (chat_id, message_id) in harness.session.sent if chat_id == CHAT
                      for text, data in harness.buttons(CHAT, message_id).items() if "更多照片" in text]
    harness.session.fail_topics[(CHAT, BOUND_TOPIC)] = TelegramBadRequest(
        SendPhoto(chat_id=CHAT, photo="-"), "Bad Request: TOPIC_CLOSED")

    shown = await harness.press(member, CHAT, card, data)

    assert [r.message_thread_id for r in shown if isinstance(r, SendPhoto)] == [BOUND_TOPIC, None]
    assert not [r for r in shown if isinstance(r, SendMessage)], "no apology: the photos were shown"


@pytest.mark.parametrize("fate", ["deleted", "closed"])
async def test_a_lost_topic_sends_to_general_and_tells_the_admins_once(rig: Rig, session: AsyncSession,
                                                                       fate: str) -> None:
    admins = await rig.admins()
    await rig.client.upsert_users([{"id": admin, "first_name": f"admin{admin}"} for admin in admins])
    forum = (await rig.client.create_chat("角什科村", chat_type="supergroup", is_forum=True))["id"]
    await bind(session, forum, "GC01-02", forum_topic_id=BOUND_TOPIC)
    sender = rig.sender("one")
    [before] = await rig.queue(forum)
    await sender.drain()
    assert [m["message_thread_id"] for m in await rig.client.messages(forum)] == [BOUND_TOPIC]

    await rig.client.set_topic(forum, BOUND_TOPIC, fate)
    markers = await rig.queue(forum, 3)
    await sender.drain()

    kept = [before] if fate == "closed" else []             # a deleted topic took its messages with it
    assert await rig.delivered(forum) == Counter([*kept, *markers])
    assert [m.get("message_thread_id") for m in await rig.client.messages(forum)][len(kept):] == [None] * 3
    assert len(await rig.send_calls(forum)) == 1 + 1 + 3   # the topic found lost once, not once for each row
    assert {row.status for row in await rig.rows()} == {OutboxStatus.sent}
    assert await rig.chat_problems(forum) == 0
    await session.rollback()
    assert await session.scalar(select(ChatBinding.forum_topic_id).where(ChatBinding.chat_id == forum)) is None
    told = [await rig.texts(admin) for admin in admins]
    assert all(len(texts) == 1 and "GC01-02" in texts[0] and "General" in texts[0] for texts in told), told

    later = await rig.queue(forum, 2)
    await sender.drain()
    assert await rig.delivered(forum) == Counter([*kept, *markers, *later])
    assert len(await rig.send_calls(forum)) == 1 + 1 + 3 + 2
    assert [await rig.texts(admin) for admin in admins] == told


async def test_with_general_closed_too_the_message_fails_and_the_admins_are_told(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        clock: ManualClock) -> None:
    admin, _ = await _forum_village(harness, session)
    harness.session.fail_chats[CHAT] = TelegramBadRequest(SendMessage(chat_id=CHAT, text="-"),
                                                          "Bad Request: TOPIC_CLOSED")
    async with sessionmaker.begin() as writing:
        await enqueue_notice(writing, chat_id=CHAT, key="notice-overdue", args={"number": "2026-0001", "days": 3},
                             dedupe_key="test:closed", now=clock.now())
    before = len(harness.session.requests)

    await harness.deliver()

    sent = harness.session.requests[before:]
    assert [r.message_thread_id for r in _posted(sent, CHAT)] == [BOUND_TOPIC, None]   # the topic, then General
    await session.rollback()
    status = await session.scalar(select(OutboxMessage.status).where(OutboxMessage.dedupe_key == "test:closed"))
    assert status == OutboxStatus.failed
    assert await session.scalar(select(ChatProblem.chat_id)) == CHAT
    told = [r.text or "" for r in _posted(sent, admin.telegram_id)]
    assert len(told) == 2 and any("General" in text for text in told) and any("TOPIC_CLOSED" in text for text in told)


async def test_the_cards_of_a_deleted_topic_are_posted_again_in_general(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        clock: ManualClock) -> None:
    _, member = await _forum_village(harness, session)
    await Reporter(harness, member, CHAT, topic=WRITTEN_IN).full(photos=())
    [card] = [r for r in _posted(harness.session.requests, CHAT) if _is_card(r)]
    assert card.message_thread_id == BOUND_TOPIC
    harness.session.fail_topics[(CHAT, BOUND_TOPIC)] = TelegramBadRequest(
        SendMessage(chat_id=CHAT, text="-"), "Bad Request: message thread not found")
    async with sessionmaker.begin() as writing:
        await enqueue_notice(writing, chat_id=CHAT, key="notice-overdue", args={"number": "2026-0001", "days": 3},
                             dedupe_key="test:deleted", now=clock.now())
    before = len(harness.session.requests)

    await harness.deliver()

    again = [r for r in _posted(harness.session.requests[before:], CHAT) if _is_card(r)]
    assert [(r.text, r.message_thread_id) for r in again] == [(card.text, None)]
