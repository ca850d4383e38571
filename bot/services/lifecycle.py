"""The life cycle of an issue (DESIGN §5): who may do what, at which level and state, and what it changes.

One table (RULES) holds every action; `perform` applies one in the caller's transaction, writes its audit
event and queues the card edits and notices it causes, or refuses without leaving a trace.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
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

MAX_TEXT = 2000
S = IssueStatus
L = IssueLevel
LIVE = frozenset({S.open, S.in_progress, S.resolved})
WORKING = frozenset({S.open, S.in_progress})
UPPER = frozenset({L.township, L.county})


class Action(enum.StrEnum):
    # village
    claim = "claim"
    note = "note"
    resolve = "resolve"
    verify = "verify"
    reopen = "reopen"
    withdraw = "withdraw"
    duplicate = "duplicate"
    escalate = "escalate"
    # township and county supervision
    acknowledge = "acknowledge"
    dispatch = "dispatch"
    send_back = "send_back"
    sign_off = "sign_off"
    unmet = "unmet"
    # county department
    task_ack = "task_ack"
    task_note = "task_note"
    task_resolve = "task_resolve"


@dataclass(frozen=True)
class Where:
    """What the permission rules need to know about an issue's place in the organisation."""

    village_id: int
    township_id: int | None


Allowed = Callable[[Actor, Issue, Where], bool]


def _team_worker(actor: Actor, issue: Issue, where: Where) -> bool:
    return actor.in_team(issue.team_id) or actor.secretary_of(issue.village_id) or issue.holder_id == actor.id


def _lead(actor: Actor, issue: Issue, where: Where) -> bool:
    return actor.leads_team(issue.team_id) or actor.secretary_of(issue.village_id)


def _verifier(actor: Actor, issue: Issue, where: Where) -> bool:
    return issue.reporter_id == actor.id or _lead(actor, issue, where)


def _note_taker(actor: Actor, issue: Issue, where: Where) -> bool:
    return _team_worker(actor, issue, where) or issue.reporter_id == actor.id


def _supervisor(actor: Actor, issue: Issue, where: Where) -> bool:
    if issue.level == L.county:
        return actor.is_county
    return where.township_id is not None and actor.supervises(where.township_id)


def _liaison(actor: Actor, issue: Issue, where: Where) -> bool:
    return issue.department_id is not None and issue.department_id in actor.liaison_departments()


@dataclass(frozen=True)
class Rule:
    levels: frozenset[IssueLevel]
    from_states: frozenset[IssueStatus]
    to_state: IssueStatus | None
    needs_text: bool
    refusal: str
    allowed: Allowed


VILLAGE = frozenset({L.village})
RULES: dict[Action, Rule] = {
    Action.claim: Rule(VILLAGE, frozenset({S.open}), S.in_progress, False, "refuse-team-only", _team_worker),
    Action.note: Rule(VILLAGE, LIVE, None, True, "refuse-team-only", _note_taker),
    Action.resolve: Rule(VILLAGE, frozenset({S.in_progress}), S.resolved, True, "refuse-team-only", _team_worker),
    Action.verify: Rule(VILLAGE, frozenset({S.resolved}), S.closed, False, "refuse-verifier-only", _verifier),
    Action.reopen: Rule(VILLAGE, frozenset({S.resolved}), S.in_progress, True, "refuse-verifier-only", _verifier),
    Action.withdraw: Rule(VILLAGE, LIVE, S.withdrawn, True, "refuse-lead-only", _lead),
    Action.duplicate: Rule(VILLAGE, LIVE, S.duplicate, True, "refuse-lead-only", _lead),
    Action.escalate: Rule(VILLAGE, WORKING, S.open, True, "refuse-escalate-lead-only", _lead),
    Action.acknowledge: Rule(UPPER, frozenset({S.open}), S.in_progress, False, "refuse-supervisor-only",
                             _supervisor),
    Action.dispatch: Rule(UPPER, WORKING, S.in_progress, False, "refuse-supervisor-only", _supervisor),
    Action.send_back: Rule(UPPER, LIVE, None, True, "refuse-supervisor-only", _supervisor),
    Action.sign_off: Rule(UPPER, frozenset({S.resolved}), S.closed, False, "refuse-supervisor-only", _supervisor),
    Action.unmet: Rule(UPPER, frozenset({S.resolved}), S.in_progress, True, "refuse-supervisor-only", _supervisor),
    Action.task_ack: Rule(UPPER, frozenset({S.in_progress}), None, False, "refuse-liaison-only", _liaison),
    Action.task_note: Rule(UPPER, frozenset({S.in_progress}), None, True, "refuse-liaison-only", _liaison),
    Action.task_resolve: Rule(UPPER, frozenset({S.in_progress}), S.resolved, True, "refuse-liaison-only",
                              _liaison),
}

# Card buttons per chat purpose and state, in the order shown; whether the presser may use one is checked on press.
VILLAGE_BUTTONS: dict[IssueStatus, tuple[Action, ...]] = {
    S.open: (Action.claim, Action.note, Action.escalate, Action.withdraw, Action.duplicate),
    S.in_progress: (Action.note, Action.resolve, Action.escalate, Action.withdraw, Action.duplicate),
    S.resolved: (Action.verify, Action.reopen, Action.note),
}
SUPERVISION_BUTTONS: dict[IssueStatus, tuple[Action, ...]] = {
    S.open: (Action.acknowledge, Action.dispatch, Action.send_back),
    S.in_progress: (Action.dispatch, Action.send_back),
    S.resolved: (Action.sign_off, Action.unmet),
}
DEPARTMENT_BUTTONS: dict[IssueStatus, tuple[Action, ...]] = {
    S.in_progress: (Action.task_ack, Action.task_note, Action.task_resolve),
}
LEVEL_OF_PURPOSE = {"village": L.village, "township": L.township, "county": L.county}


def buttons_for(issue: Issue, purpose: str) -> tuple[Action, ...]:
    """The actions a card shows in a chat of this purpose ("village", "township", "county", "department")."""
    if purpose == "department":
        if issue.level not in UPPER or issue.department_id is None:
            return ()
        actions = DEPARTMENT_BUTTONS.get(issue.status, ())
        return tuple(a for a in actions if a != Action.task_ack or issue.department_acknowledged_at is None)
    if LEVEL_OF_PURPOSE.get(purpose) != issue.level:
        return ()
    table = VILLAGE_BUTTONS if issue.level == L.village else SUPERVISION_BUTTONS
    return table.get(issue.status, ())


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
    if not rule.allowed(actor, issue, where):
        raise NotAllowed(rule.refusal)
    if action == Action.acknowledge and issue.acknowledged_at is not None:
        raise Conflict("refuse-already-acknowledged", number=issue.number)
    if action == Action.task_ack and issue.department_acknowledged_at is not None:
        raise Conflict("refuse-already-acknowledged", number=issue.number)
    if action in (Action.verify, Action.sign_off) and issue.resolver_id == actor.id:
        raise NotAllowed("refuse-self-verify")


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
