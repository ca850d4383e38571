"""Applying the life cycle (DESIGN §5): `perform` checks an action against the rule table
(bot/services/lifecycle_rules.py) and the permission matrix (bot/services/permissions.py), applies it in the
caller's transaction and writes its audit event, or refuses without leaving a trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import (
    CLOSED_STATUSES,
    Department,
    Issue,
    IssueEvent,
    IssueLevel,
    IssuePhoto,
    IssueStatus,
    PhotoStage,
    Unit,
)
from bot.services.actors import Actor
from bot.services.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.services.lifecycle_rules import RULES, Action, Where
from bot.services.lifecycle_rules import buttons_for as buttons_for  # re-exported: callers import it from here
from bot.services.permissions import ITEM_PERMISSIONS, VIEW_ITEM, item_place, ties

MAX_TEXT = 2000
S = IssueStatus
L = IssueLevel


@dataclass(frozen=True)
class ChatScope:
    """The chat an action comes from: a button in a village group acts only on that village's items, and so on.
    `purpose` None is a private chat, where the role checks alone decide."""

    purpose: str | None = None
    unit_id: int | None = None
    department_id: int | None = None


def ensure_visible(issue: Issue, where: Where, scope: ChatScope) -> None:
    visible = {
        None: True,
        "village": issue.village_id == scope.unit_id,
        "township": where.township_id == scope.unit_id,
        "county": True,
        "department": issue.department_id is not None and issue.department_id == scope.department_id,
    }.get(scope.purpose, False)
    if not visible:
        raise NotFound("issue-not-here", number=issue.number)


def ensure_readable(actor: Actor | None, issue: Issue, where: Where, scope: ChatScope) -> None:
    """Whether the chat may be shown the item's full form and photos: a bound group its own items (their cards are
    posted there anyway), a private chat only what the matrix's view_item row lets the reader see."""
    if scope.purpose is not None:
        ensure_visible(issue, where, scope)
    elif actor is None or not VIEW_ITEM.allows(actor, item_place(issue, where), ties(actor.id, issue)):
        raise NotAllowed(VIEW_ITEM.refusal)


async def where_of(session: AsyncSession, issue: Issue) -> Where:
    village = await session.get(Unit, issue.village_id)
    return Where(issue.village_id, village.parent_id if village else None)


def check(actor: Actor | None, issue: Issue, action: Action, where: Where) -> None:
    """Raise the refusal a user should see, or return when the action may go ahead now."""
    if actor is None:
        raise NotAllowed("not-a-member")
    rule = RULES[action]
    if issue.level not in rule.levels:
        if issue.status in CLOSED_STATUSES:
            raise Conflict("refuse-wrong-state", number=issue.number, status=issue.status.value)
        raise Conflict("refuse-wrong-level", number=issue.number, level=issue.level.value)
    if issue.status not in rule.from_states:
        raise Conflict("refuse-wrong-state", number=issue.number, status=issue.status.value)
    permission = ITEM_PERMISSIONS[action, issue.level]
    tied = ties(actor.id, issue)
    if not permission.allows(actor, item_place(issue, where), tied):
        raise NotAllowed(permission.refusal)
    if action == Action.acknowledge and issue.acknowledged_at is not None:
        raise Conflict("refuse-already-acknowledged", number=issue.number)
    if action == Action.task_ack and issue.department_acknowledged_at is not None:
        raise Conflict("refuse-already-acknowledged", number=issue.number)
    barred = permission.barred(tied)
    if barred is not None:
        raise NotAllowed(barred)


async def load_issue(session: AsyncSession, issue_id: int, *, lock: bool = False) -> Issue:
    issue = await session.get(Issue, issue_id, with_for_update=lock or None, populate_existing=lock)
    if issue is None:
        raise NotFound("issue-not-found")
    return issue


async def find_issue(session: AsyncSession, number: str) -> Issue:
    issue = await session.scalar(select(Issue).where(Issue.number == number.strip()))
    if issue is None:
        raise NotFound("issue-number-unknown", number=number.strip()[:20])
    return issue


def record(session: AsyncSession, issue: Issue, actor_id: int | None, kind: str, now: datetime,
           **data: Any) -> None:
    session.add(IssueEvent(issue_id=issue.id, at=now, actor_id=actor_id, kind=kind, data=data))


def clean_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("text-required")
    if len(cleaned) > MAX_TEXT:
        raise DomainError("text-too-long", limit=MAX_TEXT)
    return cleaned


@dataclass
class Change:
    """What an action needs beyond the actor: its text, photo, department and due date."""

    now: datetime
    settings: Settings
    text: str | None = None
    photo_file_id: str | None = None
    department_id: int | None = None
    due_at: datetime | None = None
    data: dict[str, Any] | None = None


def escalate_up(issue: Issue, change: Change, reason: str | None) -> None:
    """Move one level up and wait for acknowledgement there (shared by the button and the SLA sweep)."""
    deadlines = change.settings.deadlines
    issue.level = L.township if issue.level == L.village else L.county
    issue.status = S.open
    issue.escalated_at = change.now
    issue.escalation_reason = reason
    issue.acknowledged_at = None
    issue.owner_id = None
    issue.renotify_count = 0
    issue.notify_at = change.now + timedelta(hours=deadlines.township_ack_hours)


def _validate_due(change: Change) -> datetime:
    if change.due_at is None:
        return change.now + timedelta(days=change.settings.deadlines.department_days)
    if change.due_at <= change.now:
        raise DomainError("due-in-past")
    return change.due_at


async def _apply(session: AsyncSession, actor: Actor, issue: Issue, action: Action, change: Change,
                 note: str | None, data: dict[str, Any]) -> None:
    deadlines = change.settings.deadlines
    now = change.now
    if action == Action.claim:
        issue.holder_id = actor.id
    elif action in (Action.resolve, Action.task_resolve):
        issue.resolver_id, issue.resolution_note, issue.resolved_at = actor.id, note, now
        if change.photo_file_id:
            session.add(IssuePhoto(issue_id=issue.id, file_id=change.photo_file_id, stage=PhotoStage.resolution))
            data["photo"] = True
    elif action in (Action.verify, Action.sign_off):
        issue.verifier_id, issue.closed_at = actor.id, now
    elif action in (Action.reopen, Action.unmet):
        issue.unmet_reason, issue.resolved_at, issue.resolver_id = note, None, None
        if action == Action.unmet:
            issue.due_at = _validate_due(change)
            data["due"] = issue.due_at.isoformat()
    elif action == Action.withdraw:
        issue.close_reason, issue.closed_at = note, now
    elif action == Action.duplicate:
        assert note is not None
        original = await _duplicate_target(session, issue, note)
        issue.duplicate_of_id, issue.close_reason, issue.closed_at = original.id, note, now
        data["of"] = original.number
    elif action == Action.escalate:
        escalate_up(issue, change, note)
        data["level"] = issue.level.value
    elif action == Action.acknowledge:
        issue.owner_id, issue.acknowledged_at, issue.notify_at = actor.id, now, None
        issue.due_at = now + timedelta(days=deadlines.township_days)
    elif action == Action.dispatch:
        department = await session.get(Department, change.department_id) if change.department_id else None
        if department is None:
            raise NotFound("dispatch-unknown-department")
        if issue.acknowledged_at is None:
            issue.owner_id, issue.acknowledged_at, issue.notify_at = actor.id, now, None
        issue.department_id, issue.department_acknowledged_at = department.id, None
        issue.due_at = _validate_due(change)
        data.update(department=department.name, due=issue.due_at.isoformat())
    elif action == Action.send_back:
        _send_back(issue, change, note)
        data["level"] = issue.level.value
    elif action == Action.task_ack:
        issue.department_acknowledged_at = now


def _send_back(issue: Issue, change: Change, reason: str | None) -> None:
    deadlines = change.settings.deadlines
    issue.unmet_reason = reason
    issue.department_id = None
    issue.department_acknowledged_at = None
    issue.resolved_at = issue.resolver_id = None
    if issue.level == L.county:
        issue.level = L.township
        issue.status = S.in_progress if issue.acknowledged_at else S.open
        issue.due_at = change.now + timedelta(days=deadlines.township_days)
    else:
        issue.level = L.village
        issue.status = S.in_progress if issue.holder_id else S.open
        issue.acknowledged_at = issue.owner_id = issue.notify_at = None
        issue.due_at = change.now + timedelta(days=deadlines.village_days)


async def perform(session: AsyncSession, actor: Actor | None, issue_id: int, action: Action,
                  change: Change, scope: ChatScope = ChatScope()) -> Issue:
    """Apply one action in the caller's transaction, writing its audit event; refuse without a trace."""
    issue = await load_issue(session, issue_id, lock=True)
    where = await where_of(session, issue)
    ensure_visible(issue, where, scope)
    check(actor, issue, action, where)
    assert actor is not None
    rule = RULES[action]
    note = clean_text(change.text) if rule.needs_text else None
    before = issue.status
    data: dict[str, Any] = dict(change.data or {})
    await _apply(session, actor, issue, action, change, note, data)
    if rule.to_state is not None:
        issue.status = rule.to_state
    if issue.status != before:
        data.update({"from": before.value, "to": issue.status.value})
    issue.updated_at = change.now
    record(session, issue, actor.id, action.value, change.now, text=note, **data)
    await session.flush()
    return issue


async def _duplicate_target(session: AsyncSession, issue: Issue, text: str) -> Issue:
    number = text.split()[0]
    original = await session.scalar(select(Issue).where(Issue.number == number))
    if original is None or original.village_id != issue.village_id:
        raise NotFound("duplicate-unknown", number=number[:20])
    if original.id == issue.id:
        raise DomainError("duplicate-self")
    if original.status in CLOSED_STATUSES - {S.closed}:
        raise DomainError("duplicate-of-closed", number=original.number)
    return original
