"""Linking a Telegram account to a roster entry through /join and a secretary's approval."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import JoinRequest, JoinStatus, Member, Role, RoleName, Team, utcnow
from bot.services.actors import Actor, link_account
from bot.services.errors import Conflict, NotAllowed, NotFound


async def village_roster(session: AsyncSession, village_id: int, *, unlinked_only: bool = True) -> list[Member]:
    """Members whose team or secretary role is in the village, in roster order."""
    team_member_ids = select(Role.member_id).join(Team, Team.id == Role.team_id).where(Team.village_id == village_id)
    secretary_ids = select(Role.member_id).where(
        Role.role == RoleName.village_secretary, Role.unit_id == village_id
    )
    query = select(Member).where(Member.id.in_(team_member_ids.union(secretary_ids))).order_by(Member.code)
    if unlinked_only:
        query = query.where(Member.telegram_id.is_(None))
    return list((await session.scalars(query)).all())


async def request_join(
    session: AsyncSession,
    *,
    village_id: int,
    chat_id: int,
    telegram_id: int,
    username: str | None,
    member_id: int,
) -> tuple[JoinRequest, Member]:
    roster = {m.id: m for m in await village_roster(session, village_id)}
    member = roster.get(member_id)
    if member is None:
        raise NotFound("join-not-on-roster")
    pending = await session.scalar(
        select(JoinRequest).where(
            JoinRequest.telegram_id == telegram_id, JoinRequest.status == JoinStatus.pending
        )
    )
    if pending is not None:
        raise Conflict("join-already-pending")
    request = JoinRequest(
        chat_id=chat_id, telegram_id=telegram_id, username=username, member_id=member.id
    )
    session.add(request)
    await session.flush()
    return request, member


async def decide_join(
    session: AsyncSession, actor: Actor | None, *, request_id: int, village_id: int, approve: bool
) -> tuple[JoinRequest, Member]:
    request = await session.get(JoinRequest, request_id, with_for_update=True)
    member = await session.get(Member, request.member_id) if request else None
    if request is None or member is None:
        raise NotFound("join-request-gone")
    roster_ids = {m.id for m in await village_roster(session, village_id, unlinked_only=False)}
    if member.id not in roster_ids:
        raise NotFound("join-request-gone")
    if actor is None or not (actor.is_admin or actor.secretary_of(village_id)):
        raise NotAllowed("join-approver-only")
    if request.status != JoinStatus.pending:
        raise Conflict("join-already-decided")
    if member.telegram_id is not None and member.telegram_id != request.telegram_id:
        raise Conflict("join-member-taken", name=member.display_name)
    request.status = JoinStatus.approved if approve else JoinStatus.rejected
    request.decided_by_id = actor.id
    request.decided_at = utcnow()
    if approve:
        await link_account(session, member.id, request.telegram_id, request.username)
    await session.flush()
    return request, member
