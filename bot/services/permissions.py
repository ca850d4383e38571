"""Who may do what: one table, MATRIX, of every guarded action × role × scope.

A role is held somewhere (a team, a village, a township, a department, or the whole county), and its scope for an
action is the narrowest part of the organisation that place shares with what the action touches: the item's (or
member's) own team, own village, own township, own department, or only the county. A row says at which scopes
each role may act; some actions are also open to whoever is tied to the item (its reporter or holder), and a tie
can bar someone the row would let in (whoever resolved an item never signs it off).

The life cycle's checks read this table (bot/services/lifecycle.py), so the two cannot differ. The other commands
check in their own services, and tests/test_permission_matrix.py drives every cell of every row through the real
handlers, so those cannot differ from it either. The README's table is `render_markdown()`
(`python main.py permissions`).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.models import Issue, IssueLevel, RoleName
from bot.services.actors import Actor, RoleGrant
from bot.services.lifecycle_rules import Action, Where


class Scope(enum.StrEnum):
    team = "team"
    village = "village"
    township = "township"
    department = "department"
    county = "county"


class Relation(enum.StrEnum):
    """A member's tie to an item, whatever their roles."""

    reporter = "reporter"
    holder = "holder"
    resolver = "resolver"


class On(enum.StrEnum):
    """What an action touches; scopes are measured against it."""

    village_item = "village item"
    township_item = "township item"
    county_item = "county item"
    village = "village group"
    township = "township group"
    county = "county group"
    member = "member"
    unit = "unit bound"


class Guarded(enum.StrEnum):
    """The guarded actions that are commands rather than buttons on an issue card."""

    report = "report"
    service = "service"
    meeting = "meeting"
    join_approve = "join_approve"
    reserve = "reserve"
    view_item = "view_item"
    export = "export"
    see_phones = "see_phones"
    bind = "bind"
    unbind = "unbind"


ITEM_LEVELS = {On.village_item: IssueLevel.village, On.township_item: IssueLevel.township,
               On.county_item: IssueLevel.county}


def who(**scopes: str) -> Mapping[RoleName, frozenset[Scope]]:
    """`who(team_lead="team", admin="county")`: each role and the scopes (space-separated) it may act at."""
    return {RoleName(role): frozenset(Scope(name) for name in names.split()) for role, names in scopes.items()}


@dataclass(frozen=True)
class Permission:
    action: str
    on: tuple[On, ...]
    who: Mapping[RoleName, frozenset[Scope]]
    refusal: str                              # the locale key of the one-line refusal
    also: frozenset[Relation] = frozenset()   # ties that allow whatever the roles
    never: Mapping[Relation, str] = field(default_factory=dict)  # ties that refuse (with this key) whatever the roles
    elsewhere: str | None = None              # the refusal when a role fits but not at this scope, if it differs
    note: str = ""

    def may(self, role: RoleName, scope: Scope) -> bool:
        return scope in self.who.get(role, frozenset())

    def allows(self, actor: Actor, place: Place, ties: frozenset[Relation] = frozenset()) -> bool:
        return bool(ties & self.also) or any(self.may(g.role, scope_of(actor, g, place)) for g in actor.grants)

    def barred(self, ties: frozenset[Relation]) -> str | None:
        return next((key for tie, key in self.never.items() if tie in ties), None)


@dataclass(frozen=True)
class Place:
    """Where what an action touches sits in the organisation."""

    team_id: int | None = None
    village_id: int | None = None
    township_id: int | None = None
    department_id: int | None = None


def _seat(actor: Actor, grant: RoleGrant) -> tuple[int | None, int | None]:
    """The village and township a grant sits in (None where it sits above them)."""
    if grant.team_id is not None:
        village = actor.team_villages.get(grant.team_id)
    elif grant.role == RoleName.village_secretary:
        village = grant.unit_id
    else:
        return None, grant.unit_id if grant.role == RoleName.township_supervisor else None
    return village, actor.village_townships.get(village) if village is not None else None


def scope_of(actor: Actor, grant: RoleGrant, place: Place) -> Scope:
    """The narrowest part of the organisation the grant's seat shares with `place`."""
    if grant.team_id is not None and grant.team_id == place.team_id:
        return Scope.team
    if grant.department_id is not None and grant.department_id == place.department_id:
        return Scope.department
    village, township = _seat(actor, grant)
    if village is not None and village == place.village_id:
        return Scope.village
    if township is not None and township == place.township_id:
        return Scope.township
    return Scope.county


TEAM_WORK = who(member="team", team_lead="team", village_secretary="village")
LEADS = who(team_lead="team", village_secretary="village")
SUPERVISORS = who(township_supervisor="township")
COUNTY = who(county_leader="county", admin="county")
LIAISONS = who(department_liaison="department")
VILLAGERS = who(member="village", team_lead="village", village_secretary="village")
SECRETARY_OR_ADMIN = who(village_secretary="village", admin="county")
SELF_VERIFY = {Relation.resolver: "refuse-self-verify"}
R = Relation
VILLAGE_ITEM, TOWNSHIP_ITEM, COUNTY_ITEM = (On.village_item,), (On.township_item,), (On.county_item,)


def _supervision(action: Action, **extra: dict[Relation, str]) -> tuple[Permission, Permission]:
    return (Permission(action, TOWNSHIP_ITEM, SUPERVISORS, "refuse-supervisor-only", **extra),
            Permission(action, COUNTY_ITEM, COUNTY, "refuse-supervisor-only", **extra))


MATRIX: tuple[Permission, ...] = (
    Permission(Action.claim, VILLAGE_ITEM, TEAM_WORK, "refuse-team-only"),
    Permission(Action.note, VILLAGE_ITEM, TEAM_WORK, "refuse-team-only", also=frozenset({R.reporter, R.holder})),
    Permission(Action.resolve, VILLAGE_ITEM, TEAM_WORK, "refuse-team-only", also=frozenset({R.holder})),
    Permission(Action.verify, VILLAGE_ITEM, LEADS, "refuse-verifier-only", also=frozenset({R.reporter}),
               never=SELF_VERIFY),
    Permission(Action.reopen, VILLAGE_ITEM, LEADS, "refuse-verifier-only", also=frozenset({R.reporter})),
    Permission(Action.withdraw, VILLAGE_ITEM, LEADS, "refuse-lead-only"),
    Permission(Action.duplicate, VILLAGE_ITEM, LEADS, "refuse-lead-only"),
    Permission(Action.escalate, VILLAGE_ITEM, LEADS, "refuse-escalate-lead-only",
               note="also the SLA sweep, when overdue"),
    *_supervision(Action.acknowledge),
    *_supervision(Action.dispatch),
    *_supervision(Action.send_back),
    *_supervision(Action.sign_off, never=SELF_VERIFY),
    *_supervision(Action.unmet),
    *(Permission(action, TOWNSHIP_ITEM + COUNTY_ITEM, LIAISONS, "refuse-liaison-only")
      for action in (Action.task_ack, Action.task_note, Action.task_resolve)),
    # Descriptions are free text (a typed phone number, a household's trouble) and numbers are sequential, so a
    # private chat shows an item only to those who work or oversee it: its village, its township's supervisors, the
    # department it was sent to, the county. Villagers keep seeing an item sent up: their group's card follows it.
    Permission(Guarded.view_item, VILLAGE_ITEM + TOWNSHIP_ITEM + COUNTY_ITEM,
               {**who(member="team village", team_lead="team village", village_secretary="village"),
                **SUPERVISORS, **LIAISONS, **COUNTY}, "issue-private-not-allowed",
               also=frozenset({R.reporter, R.holder}),
               note="/issue NUMBER and a card's more photos in a private chat; a bound group sees its own items"),
    Permission(Guarded.report, (On.village,), {**VILLAGERS, **who(admin="county")}, "report-not-your-village",
               note="/report in the village group"),
    Permission(Guarded.service, (On.village,), VILLAGERS, "service-not-your-village",
               note="/service in the village group"),
    Permission(Guarded.meeting, (On.village,), SECRETARY_OR_ADMIN, "meeting-secretary-only",
               note="/meeting in the village group"),
    Permission(Guarded.join_approve, (On.village,), SECRETARY_OR_ADMIN, "join-approver-only",
               note="approve or reject a /join request in the village group"),
    Permission(Guarded.reserve, (On.member,), SECRETARY_OR_ADMIN, "reserve-not-allowed",
               elsewhere="reserve-not-your-member", note="/reserve CODE reason, /unreserve CODE"),
    Permission(Guarded.export, (On.township,), {**SUPERVISORS, **COUNTY}, "export-not-allowed",
               note="/export [CODE] in the township group; the workbook goes to the asker's private chat"),
    Permission(Guarded.export, (On.county,), COUNTY, "export-not-allowed",
               note="/export [CODE] in the county group; the workbook goes to the asker's private chat"),
    Permission(Guarded.see_phones, (On.member,), {**SUPERVISORS, **COUNTY}, "export-not-allowed",
               note="members' phone numbers: only in the /export workbook, sent privately; nowhere else in Telegram"),
    Permission(Guarded.bind, (On.unit,), who(admin="county"), "bind-not-org-admin",
               note="/bind CODE, as an administrator of the group too"),
    Permission(Guarded.unbind, (On.unit,), who(admin="county"), "bind-not-org-admin",
               note="/unbind, as an administrator of the group too"),
)

ITEM_PERMISSIONS: dict[tuple[Action, IssueLevel], Permission] = {
    (p.action, ITEM_LEVELS[on]): p for p in MATRIX for on in p.on if on in ITEM_LEVELS and isinstance(p.action, Action)}
VIEW_ITEM = next(p for p in MATRIX if p.action == Guarded.view_item)


def item_place(issue: Issue, where: Where) -> Place:
    return Place(issue.team_id, issue.village_id, where.township_id, issue.department_id)


def ties(member_id: int, issue: Issue) -> frozenset[Relation]:
    found = {Relation.reporter: issue.reporter_id, Relation.holder: issue.holder_id,
             Relation.resolver: issue.resolver_id}
    return frozenset(tie for tie, holder in found.items() if holder == member_id)


SCOPE_WORDS = {Scope.team: "own team", Scope.village: "own village", Scope.township: "own township",
               Scope.department: "own department", Scope.county: "county"}


def render_markdown() -> str:
    """The matrix as the Markdown table the README holds: a row per action and what it touches, a column per
    role listing the scopes at which it may act."""
    roles = list(RoleName)
    header = ["action", "on", *(f"`{role.value}`" for role in roles), "also", "never", "note"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for p in MATRIX:
        cells = [f"`{p.action}`", ", ".join(on.value for on in p.on),
                 *(", ".join(SCOPE_WORDS[s] for s in Scope if p.may(role, s)) or "—" for role in roles),
                 ", ".join(tie.value for tie in Relation if tie in p.also),
                 ", ".join(tie.value for tie in Relation if tie in p.never), p.note]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
