"""A group upgraded to a supergroup gets a new chat id; what was keyed by the old id follows it.

Telegram tells both chats — the old group (`migrate_to_chat_id`) and the new supergroup (`migrate_from_chat_id`)
— in either order, or only one of them: the first message moves everything and the second finds nothing left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import (
    CLOSED_STATUSES,
    ChatBinding,
    FsmRecord,
    Issue,
    IssueCard,
    JoinRequest,
    JoinStatus,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)
from bot.services.outbox import enqueue_card

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migrated:
    binding: bool = False
    queued: int = 0          # outbox rows still to be delivered, now addressed to the new id
    conversations: int = 0
    cards: int = 0           # cards posted again in the new chat


async def migrate_chat(session: AsyncSession, *, old_chat_id: int, new_chat_id: int, now: datetime) -> Migrated:
    """Move the binding, the undelivered outbox rows, the conversations in progress and pending join requests
    from the old group to the new supergroup, and post again the cards of items still being worked on: Telegram
    refuses every edit of the old group's messages, so their copies there can no longer follow the item."""
    if old_chat_id >= 0 or new_chat_id >= 0 or old_chat_id == new_chat_id:
        return Migrated()  # only groups migrate; a private chat never does
    old_binding = await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == old_chat_id))
    new_binding = await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == new_chat_id))
    if old_binding is not None and new_binding is not None:
        # two bound chats cannot be one group: keep both rather than send one unit's items to another
        log.warning("chat %s migrated to %s, which is bound already: nothing moved", old_chat_id, new_chat_id)
        return Migrated()
    if old_binding is not None:
        old_binding.chat_id = new_chat_id
    queued = (await session.execute(
        update(OutboxMessage).where(OutboxMessage.chat_id == old_chat_id,
                                    OutboxMessage.status == OutboxStatus.pending)
        .values(chat_id=new_chat_id))).rowcount or 0
    await session.execute(
        update(JoinRequest).where(JoinRequest.chat_id == old_chat_id, JoinRequest.status == JoinStatus.pending)
        .values(chat_id=new_chat_id))
    conversations = await _move_conversations(session, old_chat_id, new_chat_id)
    cards = await post_cards_again(session, old_chat_id=old_chat_id, new_chat_id=new_chat_id, now=now)
    await session.flush()
    return Migrated(old_binding is not None, queued, conversations, cards)


async def _move_conversations(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> int:
    """Conversation keys read `prefix:chat:user:destiny` (a basic group has no topics); where the member already
    started one in the new chat, that newer one stays."""
    moved = 0
    for record in (await session.scalars(select(FsmRecord).where(FsmRecord.chat_id == old_chat_id))).all():
        key = record.key.replace(f":{old_chat_id}:", f":{new_chat_id}:", 1)
        if key == record.key or await session.get(FsmRecord, key) is not None:
            await session.delete(record)
            continue
        await session.execute(update(FsmRecord).where(FsmRecord.key == record.key)
                              .values(key=key, chat_id=new_chat_id))
        moved += 1
    return moved


async def post_cards_again(session: AsyncSession, *, old_chat_id: int, new_chat_id: int, now: datetime,
                           round_: int | str = 0) -> int:
    """The cards of items still being worked on, shown in `old_chat_id` where they can no longer be edited, posted
    afresh in `new_chat_id` (the same chat, when a forum topic they were in was lost: then a `round_` of its own)."""
    live = (await session.scalars(
        select(IssueCard.issue_id).join(Issue, Issue.id == IssueCard.issue_id)
        .where(IssueCard.chat_id == old_chat_id, Issue.status.not_in(CLOSED_STATUSES)).distinct())).all()
    await session.execute(delete(IssueCard).where(IssueCard.chat_id == old_chat_id))
    on_the_way = set((await session.scalars(
        select(OutboxMessage.issue_id).where(OutboxMessage.chat_id == new_chat_id,
                                             OutboxMessage.kind == OutboxKind.card,
                                             OutboxMessage.status == OutboxStatus.pending))).all())
    posted = 0
    for issue_id in sorted(set(live) - on_the_way):
        posted += await enqueue_card(session, issue_id=issue_id, chat_id=new_chat_id, now=now, round_=round_)
    return posted
