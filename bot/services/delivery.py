"""Delivery problems the admins must hear about: once per chat (or per lost forum topic), never as a flood."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, ChatProblem, Member, Role, RoleName
from bot.services.chat_migration import post_cards_again
from bot.services.outbox import enqueue_notice


async def admin_chats(session: AsyncSession) -> list[int]:
    """The private chats of the county's admins (those linked to Telegram)."""
    return list((await session.scalars(
        select(Member.telegram_id).join(Role, Role.member_id == Member.id)
        .where(Role.role == RoleName.admin, Member.telegram_id.is_not(None)).distinct()
        .order_by(Member.telegram_id))).all())


async def report_chat_problem(session: AsyncSession, *, chat_id: int, error: str, now: datetime) -> bool:
    """Record that the bot cannot post to a chat and tell the county admins: the first time, and again only after
    the chat was reachable in between (`chat_reachable`). A private chat is a person who never started the bot or
    blocked it: the admins are told who, so they can ask them to."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    statement = insert(ChatProblem).values(chat_id=chat_id, error=error[:1000], first_seen_at=now)
    reported = await session.scalar(statement.on_conflict_do_update(
        index_elements=[ChatProblem.chat_id], where=ChatProblem.resolved_at.is_not(None),
        set_={"error": statement.excluded.error, "first_seen_at": now, "resolved_at": None},
    ).returning(ChatProblem.id))
    if reported is None:   # known and not resolved since: told already
        return False
    if chat_id > 0:
        name = await session.scalar(select(Member.display_name).where(Member.telegram_id == chat_id))
        key, args = "notice-person-unreachable", {"name": name or str(chat_id)}
    else:
        key, args = "notice-chat-problem", {"title": await _title(session, chat_id)}
    await _tell_admins(session, chat_id=chat_id, key=key, args={**args, "error": error[:200]},
                       dedupe_key=f"chat-problem:{chat_id}:{now.isoformat()}", now=now)
    return True


async def chat_reachable(session: AsyncSession, chat_id: int, now: datetime) -> None:
    """The bot may post to the chat again (a person pressed Start, the bot was added back to a group): should that
    stop again, the admins are told again."""
    await session.execute(update(ChatProblem).where(ChatProblem.chat_id == chat_id, ChatProblem.resolved_at.is_(None))
                          .values(resolved_at=now))


async def forget_topic(session: AsyncSession, *, chat_id: int, topic_id: int, error: str, now: datetime) -> bool:
    """The forum topic a chat was bound in was deleted or closed: the bot's posts, and the live cards again, go to
    the chat's General topic from now on, and the county admins are told. Only the first sender to find the topic
    gone forgets it, so they are told once; a chat bound again in another topic meanwhile keeps that one."""
    binding_id = await session.scalar(
        update(ChatBinding).where(ChatBinding.chat_id == chat_id, ChatBinding.forum_topic_id == topic_id)
        .values(forum_topic_id=None).returning(ChatBinding.id))
    if binding_id is None:
        return False
    # the cards were in the lost topic: posted again in General, so they can be edited and pressed
    await post_cards_again(session, old_chat_id=chat_id, new_chat_id=chat_id, now=now, round_=f"topic-{topic_id}")
    # per binding: a chat bound again in a topic that is then lost again is told of again
    await _tell_admins(session, chat_id=chat_id, key="notice-topic-gone",
                       args={"title": await _title(session, chat_id), "error": error[:200]},
                       dedupe_key=f"topic-gone:{binding_id}:{topic_id}", now=now)
    return True


async def _title(session: AsyncSession, chat_id: int) -> str:
    binding = await session.scalar(select(ChatBinding).where(ChatBinding.chat_id == chat_id))
    return binding.title if binding and binding.title else str(chat_id)


async def _tell_admins(session: AsyncSession, *, chat_id: int, key: str, args: dict[str, str], dedupe_key: str,
                       now: datetime) -> None:
    for admin_chat in await admin_chats(session):
        if admin_chat != chat_id:
            await enqueue_notice(session, chat_id=admin_chat, key=key, args=args,
                                 dedupe_key=f"{dedupe_key}:{admin_chat}", now=now)
