"""A village group upgraded to a supergroup: Telegram gives it a new id and says so in both chats, in either order.
The binding, the cards still on their way and the conversations in progress follow it."""

from __future__ import annotations

import pytest
from aiogram.methods import EditMessageCaption, EditMessageText, SendMessage, SendPhoto
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, Issue, IssueCard, OutboxMessage, OutboxStatus, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, texts

OLD = -4_001               # a basic group
NEW = -100_000_004_001     # the supergroup it became
TOWNSHIP = -100_000_009_001


def _to(requests: list, chat_id: int) -> list:
    """Messages sent or edited in one chat."""
    kinds = (SendMessage, SendPhoto, EditMessageText, EditMessageCaption)
    return [r for r in requests if isinstance(r, kinds) and int(r.chat_id or 0) == chat_id]


async def _migrate(harness: ChatHarness, who: Person, order: str) -> None:
    said = {"to": lambda: harness.send(who, OLD, None, migrate_to_chat_id=NEW),
            "from": lambda: harness.send(who, NEW, None, migrate_from_chat_id=OLD)}
    for which in order.split(","):
        await said[which]()


async def _village_with_work(harness: ChatHarness, session: AsyncSession) -> tuple[Person, Reporter]:
    """A bound basic village group with one card posted, one card queued and one report half-way."""
    await bind(session, OLD, "GC01-02")
    member = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    mate = await person(session, RoleName.member, village="GC01-02", kind="ecology", index=1)
    harness.group(OLD, "角什科村", kind="group")
    harness.group(NEW, "角什科村", kind="supergroup")
    await Reporter(harness, member, OLD).full("围栏倒了", photos=())
    queued = Reporter(harness, member, OLD)
    sender, harness.sender = harness.sender, None  # the group is upgraded before the sender gets to this card
    await queued.full("水井干了", photos=())
    harness.sender = sender
    halfway = Reporter(harness, mate, OLD)
    await halfway.say("/report")
    await halfway.press("生态")
    return member, halfway


@pytest.mark.parametrize("order", ["to", "from", "to,from", "from,to", "to,from,to,from"])
async def test_binding_cards_and_conversations_follow_the_upgrade(harness: ChatHarness, session: AsyncSession,
                                                                  order: str) -> None:
    member, halfway = await _village_with_work(harness, session)
    before = len(harness.session.requests)
    await _migrate(harness, member, order)
    moved = harness.session.requests[before:]

    await session.rollback()
    assert (await session.scalars(select(ChatBinding.chat_id))).all() == [NEW]
    # the queued card and the posted one (whose old copy can no longer be edited) both appear in the new chat once
    numbers = sorted((await session.scalars(select(Issue.number))).all())
    cards = texts(_to(moved, NEW))
    assert [sum(number in card for card in cards) for number in numbers] == [1, 1]
    assert _to(moved, OLD) == []
    assert (await session.scalars(select(IssueCard.chat_id).distinct())).all() == [NEW]
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)
                                .where(OutboxMessage.status != OutboxStatus.sent)) == 0

    # the member half-way through a report carries on in the new chat
    halfway.chat = NEW
    step = await halfway.say("水渠堵了")
    assert any("照片" in text for text in texts(_to(step, NEW)))

    # /report in the new supergroup works, and the cards there take button presses
    started = await Reporter(harness, member, NEW).say("/report")
    assert "角什科村" in texts(_to(started, NEW))[0]
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    card_id, _ = max((m, s) for (c, m), s in harness.session.sent.items() if c == NEW and "围栏倒了" in (s.text or ""))
    claimed = await harness.press(lead, NEW, card_id, harness.buttons(NEW, card_id)["🙋 认领"])
    assert _to(claimed, OLD) == [] and len(_to(claimed, NEW)) == 1


async def test_a_second_announcement_moves_nothing_again(harness: ChatHarness, session: AsyncSession) -> None:
    member, _ = await _village_with_work(harness, session)
    await _migrate(harness, member, "to")
    await session.rollback()
    rows = await session.scalar(select(func.count()).select_from(OutboxMessage))
    again = await harness.send(member, NEW, None, migrate_from_chat_id=OLD)
    await session.rollback()
    assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == rows
    assert _to(again, NEW) == [] and _to(again, OLD) == []


async def test_upgrade_onto_a_chat_bound_to_something_else_moves_nothing(harness: ChatHarness,
                                                                        session: AsyncSession) -> None:
    member, _ = await _village_with_work(harness, session)
    await bind(session, NEW, "GC01")
    requests = await harness.send(member, OLD, None, migrate_to_chat_id=NEW)
    await session.rollback()
    bound = dict((await session.execute(select(ChatBinding.chat_id, ChatBinding.purpose))).all())
    assert {chat: purpose.value for chat, purpose in bound.items()} == {OLD: "village", NEW: "township"}
    assert _to(requests, NEW) == []


@pytest.mark.parametrize("where", ["supergroup", "private"])
async def test_an_announcement_in_the_wrong_kind_of_chat_moves_nothing(harness: ChatHarness, session: AsyncSession,
                                                                       where: str) -> None:
    member, _ = await _village_with_work(harness, session)
    chat = member.telegram_id if where == "private" else NEW
    await harness.send(member, chat, None, migrate_to_chat_id=TOWNSHIP)
    await harness.send(member, OLD, None, migrate_from_chat_id=TOWNSHIP)  # OLD is a basic group, not a supergroup
    await session.rollback()
    assert (await session.scalars(select(ChatBinding.chat_id))).all() == [OLD]
