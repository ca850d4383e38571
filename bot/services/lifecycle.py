"""The village life cycle of an issue (DESIGN §5): who may do what, in which state, and what it changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import CLOSED_STATUSES, Issue, IssueEvent, IssueLevel, IssuePhoto, IssueStatus, PhotoStage
from bot.services.actors import Actor
from bot.services.errors import Conflict, DomainError, NotAllowed, NotFound

MAX_TEXT = 2000


class Action(enum.StrEnum):
    claim = "claim"
    note = "note"
    resolve = "resolve"
    verify = "verify"
    reopen = "reopen"
    withdraw = "withdraw"
    duplicate = "duplicate"


S = IssueStatus
LIVE = frozenset({S.open, S.in_progress, S.resolved})


@dataclass(frozen=True)
class Rule:
    from_states: frozenset[IssueStatus]
    to_state: IssueStatus | None
    needs_text: bool
    refusal: str


RULES: dict[Action, Rule] = {
    Action.claim: Rule(frozenset({S.open}), S.in_progress, False, "refuse-team-only"),
    Action.note: Rule(LIVE, None, True, "refuse-team-only"),
    Action.resolve: Rule(frozenset({S.in_progress}), S.resolved, True, "refuse-team-only"),
    Action.verify: Rule(frozenset({S.resolved}), S.closed, False, "refuse-verifier-only"),
    Action.reopen: Rule(frozenset({S.resolved}), S.in_progress, True, "refuse-verifier-only"),
    Action.withdraw: Rule(LIVE, S.withdrawn, True, "refuse-lead-only"),
    Action.duplicate: Rule(LIVE, S.duplicate, True, "refuse-lead-only"),
}

# Card buttons per state, in the order shown; whether the presser may use one is checked on press.
BUTTONS: dict[IssueStatus, tuple[Action, ...]] = {
    S.open: (Action.claim, Action.note, Action.withdraw, Action.duplicate),
    S.in_progress: (Action.note, Action.resolve, Action.withdraw, Action.duplicate),
    S.resolved: (Action.verify, Action.reopen, Action.note),
}


def buttons_for(issue: Issue) -> tuple[Action, ...]:
    if issue.level != IssueLevel.village:
        return ()
    return BUTTONS.get(issue.status, ())


def _is_team_worker(actor: Actor, issue: Issue) -> bool:
    return actor.in_team(issue.team_id) or actor.secretary_of(issue.village_id) or issue.holder_id == actor.id


def _is_lead(actor: Actor, issue: Issue) -> bool:
    return actor.leads_team(issue.team_id) or actor.secretary_of(issue.village_id)


def _is_verifier(actor: Actor, issue: Issue) -> bool:
    return issue.reporter_id == actor.id or _is_lead(actor, issue)


ALLOWED = {
    Action.claim: _is_team_worker,
    Action.note: lambda actor, issue: _is_team_worker(actor, issue) or issue.reporter_id == actor.id,
    Action.resolve: _is_team_worker,
    Action.verify: _is_verifier,
    Action.reopen: _is_verifier,
    Action.withdraw: _is_lead,
    Action.duplicate: _is_lead,
}


def check(actor: Actor | None, issue: Issue, action: Action) -> None:
    """Raise the refusal a user should see, or return when the action may go ahead now."""
    if actor is None:
        raise NotAllowed("not-a-member")
    rule = RULES[action]
    if issue.level != IssueLevel.village:
        raise Conflict("refuse-not-at-village", number=issue.number, level=issue.level.value)
    if issue.status not in rule.from_states:
        raise Conflict("refuse-wrong-state", number=issue.number, status=issue.status.value)
    if not ALLOWED[action](actor, issue):
        raise NotAllowed(rule.refusal)
    if action == Action.verify and issue.resolver_id == actor.id:
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


def ensure_in_village(issue: Issue, village_id: int | None) -> None:
    """A button or command used in a village group acts only on that village's items."""
    if village_id is not None and issue.village_id != village_id:
        raise NotFound("issue-not-here", number=issue.number)


def record(session: AsyncSession, issue: Issue, actor_id: int | None, kind: str, now: datetime,
           **data: Any) -> None:
    session.add(IssueEvent(issue_id=issue.id, at=now, actor_id=actor_id, kind=kind, data=data))


def _clean_text(text: str | None) -> str:
    cleaned = (text or "").strip()
    if not cleaned:
        raise DomainError("text-required")
    if len(cleaned) > MAX_TEXT:
        raise DomainError("text-too-long", limit=MAX_TEXT)
    return cleaned


async def perform(
    session: AsyncSession,
    actor: Actor | None,
    issue_id: int,
    action: Action,
    *,
    now: datetime,
    text: str | None = None,
    photo_file_id: str | None = None,
    village_id: int | None = None,
) -> Issue:
    """Apply one action in the caller's transaction, writing its audit event; refuse without a trace."""
    issue = await load_issue(session, issue_id, lock=True)
    ensure_in_village(issue, village_id)
    check(actor, issue, action)
    assert actor is not None
    rule = RULES[action]
    note = _clean_text(text) if rule.needs_text else None
    before = issue.status
    data: dict[str, Any] = {}
    if action == Action.claim:
        issue.holder_id = actor.id
    elif action == Action.resolve:
        issue.resolver_id, issue.resolution_note, issue.resolved_at = actor.id, note, now
        if photo_file_id:
            session.add(IssuePhoto(issue_id=issue.id, file_id=photo_file_id, stage=PhotoStage.resolution))
            data["photo"] = True
    elif action == Action.verify:
        issue.verifier_id, issue.closed_at = actor.id, now
    elif action == Action.reopen:
        issue.unmet_reason, issue.resolved_at = note, None
    elif action == Action.withdraw:
        issue.close_reason, issue.closed_at = note, now
    elif action == Action.duplicate:
        assert note is not None
        original = await _duplicate_target(session, issue, note)
        issue.duplicate_of_id, issue.close_reason, issue.closed_at = original.id, note, now
        data["of"] = original.number
    if rule.to_state is not None:
        issue.status = rule.to_state
        data.update({"from": before.value, "to": rule.to_state.value})
    issue.updated_at = now
    record(session, issue, actor.id, action.value, now, text=note, **data)
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
