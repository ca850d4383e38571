"""The life cycle's rule table (DESIGN §5): each action, the levels and states it applies to, the state it leads
to, whether it needs a text, and the buttons a card shows. Who may do each is in bot/services/permissions.py;
applying an action is bot/services/lifecycle.py."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.models import Issue, IssueLevel, IssueStatus

S = IssueStatus
L = IssueLevel
LIVE = frozenset({S.open, S.in_progress, S.resolved})
WORKING = frozenset({S.open, S.in_progress})
UPPER = frozenset({L.township, L.county})
VILLAGE = frozenset({L.village})


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


# an issue event's kind is the action's value: the events that mark an issue resolved, and those that close it
# (the digest and the reserve record count both, a member's file the resolutions)
RESOLVE_EVENTS = (Action.resolve.value, Action.task_resolve.value)
CLOSE_EVENTS = (Action.verify.value, Action.sign_off.value)


@dataclass(frozen=True)
class Where:
    """What the permission rules need to know about an issue's place in the organisation."""

    village_id: int
    township_id: int | None


@dataclass(frozen=True)
class Rule:
    levels: frozenset[IssueLevel]
    from_states: frozenset[IssueStatus]
    to_state: IssueStatus | None
    needs_text: bool


RULES: dict[Action, Rule] = {
    Action.claim: Rule(VILLAGE, frozenset({S.open}), S.in_progress, False),
    Action.note: Rule(VILLAGE, LIVE, None, True),
    Action.resolve: Rule(VILLAGE, frozenset({S.in_progress}), S.resolved, True),
    Action.verify: Rule(VILLAGE, frozenset({S.resolved}), S.closed, False),
    Action.reopen: Rule(VILLAGE, frozenset({S.resolved}), S.in_progress, True),
    Action.withdraw: Rule(VILLAGE, LIVE, S.withdrawn, True),
    Action.duplicate: Rule(VILLAGE, LIVE, S.duplicate, True),
    Action.escalate: Rule(VILLAGE, WORKING, S.open, True),
    Action.acknowledge: Rule(UPPER, frozenset({S.open}), S.in_progress, False),
    Action.dispatch: Rule(UPPER, WORKING, S.in_progress, False),
    Action.send_back: Rule(UPPER, LIVE, None, True),
    Action.sign_off: Rule(UPPER, frozenset({S.resolved}), S.closed, False),
    Action.unmet: Rule(UPPER, frozenset({S.resolved}), S.in_progress, True),
    Action.task_ack: Rule(UPPER, frozenset({S.in_progress}), None, False),
    Action.task_note: Rule(UPPER, frozenset({S.in_progress}), None, True),
    Action.task_resolve: Rule(UPPER, frozenset({S.in_progress}), S.resolved, True),
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
