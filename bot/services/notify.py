"""Who must hear about a change: cards posted where an item arrives, edited everywhere it is shown."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, ChatPurpose, DepartmentLiaison, Issue, IssueLevel, Member
from bot.services.chats import chat_for_department, chat_for_unit
from bot.services.lifecycle import Action, where_of
from bot.services.outbox import enqueue_card, enqueue_card_edits, enqueue_notice

REASON_SHOWN = 500  # Fluent refuses longer arguments; the full text stays on the card and in /issue


async def county_chat(session: AsyncSession) -> int | None:
    return await session.scalar(select(ChatBinding.chat_id).where(ChatBinding.purpose == ChatPurpose.county))


async def level_chat(session: AsyncSession, issue: Issue) -> int | None:
    """The group that owns the item at its current level."""
    if issue.level == IssueLevel.village:
        return await chat_for_unit(session, issue.village_id)
    if issue.level == IssueLevel.township:
        where = await where_of(session, issue)
        return await chat_for_unit(session, where.township_id) if where.township_id else None
    return await county_chat(session)


async def liaison_chat(session: AsyncSession, issue: Issue) -> int | None:
    """The private chat of the department's liaison for the item's township, when they have linked Telegram."""
    where = await where_of(session, issue)
    return await session.scalar(
        select(Member.telegram_id)
        .join(DepartmentLiaison, DepartmentLiaison.member_id == Member.id)
        .where(DepartmentLiaison.department_id == issue.department_id,
               DepartmentLiaison.township_id == where.township_id)
    )


async def announce(session: AsyncSession, issue: Issue, action: Action | str, now: datetime) -> None:
    """Queue what an action (or the SLA sweep) must tell: in the same transaction as the change."""
    await enqueue_card_edits(session, issue_id=issue.id, now=now)
    event = f"{issue.id}:{action}:{now.isoformat()}"
    if action in (Action.escalate, "auto_escalate", "climb"):
        chat = await level_chat(session, issue)
        if chat is not None:
            await enqueue_card(session, issue_id=issue.id, chat_id=chat, now=now, round_=_round(issue))
    elif action == Action.dispatch and issue.department_id is not None:
        chat = await chat_for_department(session, issue.department_id)
        if chat is not None:
            await enqueue_card(session, issue_id=issue.id, chat_id=chat, now=now, round_=_round(issue))
        private = await liaison_chat(session, issue)
        if private is not None:
            await enqueue_notice(session, chat_id=private, key="notice-task-assigned", args={"number": issue.number},
                                 dedupe_key=f"liaison:{event}", now=now, issue_id=issue.id)
    elif action == Action.send_back:
        chat = await level_chat(session, issue)
        if chat is not None:
            await enqueue_notice(session, chat_id=chat, key="notice-sent-back",
                                 args={"number": issue.number, "reason": (issue.unmet_reason or "")[:REASON_SHOWN]},
                                 dedupe_key=f"back:{event}", now=now, issue_id=issue.id)
    elif action == Action.task_resolve:
        chat = await level_chat(session, issue)
        if chat is not None:
            await enqueue_notice(session, chat_id=chat, key="notice-task-resolved", args={"number": issue.number},
                                 dedupe_key=f"resolved:{event}", now=now, issue_id=issue.id)


def _round(issue: Issue) -> str:
    """Cards are posted once per level and dispatch; a new escalation or dispatch is a new round."""
    moment = issue.escalated_at.isoformat() if issue.escalated_at else "0"
    return f"{issue.level.value}:{issue.department_id or 0}:{moment}"
