"""What must hold in the database whatever Telegram sent: no half-written record, nothing addressed to a chat
the bot has no business in."""

from __future__ import annotations

import re

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.handlers.states import ActionInput, MeetingForm, ReportForm, ServiceForm
from bot.models import (
    ChatBinding,
    ChatProblem,
    ChatPurpose,
    FsmRecord,
    Issue,
    IssueCard,
    IssueEvent,
    IssuePhoto,
    JoinRequest,
    Meeting,
    Member,
    NumberCounter,
    OutboxMessage,
    OutboxStatus,
    ReserveCadre,
    ServiceLog,
)

COUNTED = (Issue, IssueEvent, IssuePhoto, IssueCard, OutboxMessage, ChatBinding, JoinRequest, Meeting, ServiceLog,
           ReserveCadre, ChatProblem)
COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(@five_teams_bot)?(\s|$)", re.IGNORECASE)
ANSWER_KEYS = ("description", "place_text", "text", "place")
STATES = {state.state for group in (ReportForm, ActionInput, MeetingForm, ServiceForm) for state in group.__states__}


async def counts(session: AsyncSession) -> dict[str, int]:
    """Rows per table, linked accounts and conversations under way."""
    found = {model.__tablename__: await session.scalar(select(func.count()).select_from(model)) or 0
             for model in COUNTED}
    found["linked members"] = await session.scalar(
        select(func.count()).select_from(Member).where(Member.telegram_id.is_not(None))) or 0
    found["conversations"] = await session.scalar(
        select(func.count()).select_from(FsmRecord).where(FsmRecord.state.is_not(None))) or 0
    return found


async def known_chats(session: AsyncSession) -> set[int]:
    """Where the bot may post: bound groups and members' private chats."""
    bound = (await session.scalars(select(ChatBinding.chat_id))).all()
    private = (await session.scalars(select(Member.telegram_id).where(Member.telegram_id.is_not(None)))).all()
    return {*bound, *(chat for chat in private if chat is not None)}


async def problems(session: AsyncSession) -> list[str]:
    """Every broken promise found, in words; empty when the database is whole."""
    found: list[str] = []
    bare = (await session.scalars(select(Issue.number).where(~select(IssueEvent.id).where(
        IssueEvent.issue_id == Issue.id).exists()))).all()
    found += [f"issue {number} has no event" for number in bare]
    first = select(IssueEvent.issue_id, func.min(IssueEvent.id).label("id")).group_by(IssueEvent.issue_id).subquery()
    firsts = (await session.execute(
        select(Issue.number, IssueEvent.kind).join(first, first.c.issue_id == Issue.id)
        .join(IssueEvent, IssueEvent.id == first.c.id))).all()
    found += [f"issue {number} begins with {kind!r}" for number, kind in firsts if kind != "reported"]
    for counter in (await session.scalars(select(NumberCounter))).all():
        issued = await session.scalar(select(func.count()).select_from(Issue)
                                      .where(Issue.number.like(f"{counter.year}-%"))) or 0
        if issued != counter.value:
            found.append(f"counter {counter.year} at {counter.value} with {issued} issues")
    chats = await known_chats(session)
    for chat_id, status, key in (await session.execute(
            select(OutboxMessage.chat_id, OutboxMessage.status, OutboxMessage.dedupe_key))).all():
        if chat_id not in chats:
            found.append(f"outbox {key} for chat {chat_id}, which is neither bound nor a member's")
        if status == OutboxStatus.failed:
            found.append(f"outbox {key} failed")
    found += [f"card of issue {issue} in chat {chat}" for issue, chat in (await session.execute(
        select(IssueCard.issue_id, IssueCard.chat_id))).all() if chat not in chats]
    for binding in (await session.scalars(select(ChatBinding))).all():
        if (binding.unit_id is None) == (binding.department_id is None) or (
                (binding.purpose == ChatPurpose.department) != (binding.department_id is not None)):
            found.append(f"binding of chat {binding.chat_id} is neither a unit nor a department")
    found += [f"conversation {key} in unknown state {state!r}" for key, state in (await session.execute(
        select(FsmRecord.key, FsmRecord.state).where(FsmRecord.state.is_not(None)))).all() if state not in STATES]
    return found + await _commands_taken_as_answers(session)


async def _commands_taken_as_answers(session: AsyncSession) -> list[str]:
    """A command runs as itself whatever step its sender is at; it is never stored as what they answered."""
    answers = [*(await session.scalars(select(Issue.description))).all(),
               *(await session.scalars(select(Issue.place_text))).all(),
               *(await session.scalars(select(ServiceLog.note))).all(),
               *(await session.scalars(select(ServiceLog.place))).all(),
               *((data or {}).get("text") for data in (await session.scalars(select(IssueEvent.data))).all()),
               *((data or {}).get(key) for data in (await session.scalars(select(FsmRecord.data))).all()
                 for key in ANSWER_KEYS)]
    return [f"the command {answer[:40]!r} was taken as an answer" for answer in answers
            if isinstance(answer, str) and COMMAND.match(answer)]
