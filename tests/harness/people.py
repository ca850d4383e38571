"""Finding sample-county members by role, as Telegram users the harness can act as."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Member, Role, RoleName, Team, Unit
from bot.services.actors import load_actor
from bot.services.chats import bind_chat
from tests.harness.chat import Person


def as_person(member: Member, language: str = "zh") -> Person:
    assert member.telegram_id is not None
    return Person(member.telegram_id, member.display_name, member.username, language)


async def members_with(
    session: AsyncSession, role: RoleName, *, village: str | None = None, kind: str | None = None,
    township: str | None = None,
) -> list[Member]:
    query = select(Member).join(Role, Role.member_id == Member.id).where(Role.role == role).order_by(Member.code)
    if kind is not None or (village is not None and role in (RoleName.member, RoleName.team_lead)):
        query = query.join(Team, Team.id == Role.team_id).join(Unit, Unit.id == Team.village_id)
        if village is not None:
            query = query.where(Unit.code == village)
        if kind is not None:
            query = query.where(Team.kind == kind)
    elif village is not None or township is not None:
        query = query.join(Unit, Unit.id == Role.unit_id).where(Unit.code == (village or township))
    return list((await session.scalars(query)).all())


async def person(session: AsyncSession, role: RoleName, index: int = 0, language: str = "zh", **scope: str) -> Person:
    return as_person((await members_with(session, role, **scope))[index], language)


async def unit_id(session: AsyncSession, code: str) -> int:
    unit = await session.scalar(select(Unit).where(Unit.code == code))
    assert unit is not None
    return unit.id


async def bind(session: AsyncSession, chat_id: int, code: str, *, forum_topic_id: int | None = None) -> None:
    """Bind a chat directly through the service (for tests that are not about binding)."""
    await session.commit()  # a fresh transaction: an old read snapshot cannot be upgraded to a write
    admin = (await members_with(session, RoleName.admin))[0]
    await bind_chat(session, await load_actor(session, admin), chat_id=chat_id, code=code, title=code,
                    is_chat_admin=True, forum_topic_id=forum_topic_id)
    await session.commit()
