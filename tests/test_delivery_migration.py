"""A bound group upgraded to a supergroup before the bot read the service message that says so: Telegram answers
every request to the old id with `migrate_to_chat_id`. The sender carries the chat over (binding, queued rows, live
cards) and delivers at the new id at once; nothing queued in between is lost."""

from __future__ import annotations

import uuid
from collections import Counter

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, IssueCard, OutboxStatus, RoleName
from bot.services.actors import load_actor
from bot.services.chat_migration import Migrated, migrate_chat
from bot.services.outbox import enqueue_card, enqueue_card_edits
from bot.services.reports import ReportDraft, create_issue
from tests.harness.delivery import Rig
from tests.harness.people import bind, members_with, unit_id

VILLAGE = "GC01-02"


async def _upgraded_village(rig: Rig, session: AsyncSession) -> tuple[int, int, str]:
    """A bound village group with an item's card posted in it, then upgraded: (old id, new id, item number)."""
    old = await rig.group("角什科村")
    new = (await rig.client.create_chat("角什科村", chat_type="supergroup", bot_status="member"))["id"]
    await bind(session, old, VILLAGE)
    reporter = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[0]
    village_id = await unit_id(session, VILLAGE)
    async with rig.sessionmaker.begin() as writing:
        issue, _ = await create_issue(writing, await load_actor(writing, reporter), village_id=village_id,
                                      draft=ReportDraft(kind="ecology", description="围栏倒了"),
                                      draft_key=uuid.uuid4().hex, settings=rig.settings, now=rig.clock.now())
        await enqueue_card(writing, issue_id=issue.id, chat_id=old, now=rig.clock.now())
        number = issue.number
    await rig.sender("before").drain()
    assert any(number in text for text in await rig.texts(old))
    await rig.client.add_fault("migrated", chat_id=old, migrate_to_chat_id=new, count=None)
    return old, new, number


async def test_what_was_queued_for_the_old_group_arrives_once_in_the_supergroup(rig: Rig,
                                                                                session: AsyncSession) -> None:
    old, new, number = await _upgraded_village(rig, session)
    before = len(await rig.texts(old))
    markers = await rig.queue(old, 3)
    async with rig.sessionmaker.begin() as writing:   # a change to the item: its card in the old group to edit
        [issue_id] = (await writing.scalars(select(IssueCard.issue_id).where(IssueCard.chat_id == old))).all()
        assert await enqueue_card_edits(writing, issue_id=issue_id, now=rig.clock.now()) == 1

    await rig.sender("after").drain()

    assert await rig.delivered(new) == Counter(markers)
    assert len(await rig.texts(old)) == before                 # nothing more in the old group
    assert [text for text in await rig.texts(new) if number in text] != []   # the card, posted again
    assert sum(number in text for text in await rig.texts(new)) == 1
    assert [(row.kind, row.status) for row in await rig.rows() if row.status != OutboxStatus.sent
            or row.claimed_until is not None] == []
    assert await rig.chat_problems(old) == await rig.chat_problems(new) == 0
    await session.rollback()
    assert (await session.scalars(select(ChatBinding.chat_id))).all().count(new) == 1
    assert await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == old)) is None
    assert set((await session.scalars(select(IssueCard.chat_id))).all()) == {new}
    async with rig.sessionmaker.begin() as writing:            # the service message, read late, finds it all done
        assert await migrate_chat(writing, old_chat_id=old, new_chat_id=new, now=rig.clock.now()) == Migrated()


async def test_a_supergroup_bound_to_another_unit_gets_nothing_of_the_old_group(rig: Rig,
                                                                               session: AsyncSession) -> None:
    old, new, _ = await _upgraded_village(rig, session)
    await bind(session, new, "GC01-03")
    [marker] = await rig.queue(old)

    await rig.sender("after").drain()

    assert await rig.delivered(old, new) == Counter()
    assert (await rig.row(marker)).status == OutboxStatus.failed
    assert await rig.chat_problems(old) == 1                    # the county admins are told
    await session.rollback()
    bound = {chat_id: unit for chat_id, unit in await session.execute(select(ChatBinding.chat_id, ChatBinding.unit_id))}
    assert bound[old] == await unit_id(session, VILLAGE) and bound[new] == await unit_id(session, "GC01-03")
