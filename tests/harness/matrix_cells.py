"""The cells of the permission matrix a test tries: each role at each scope it can hold relative to what an
action touches, the ties (reporter, holder, resolver) on their own, and a tie that bars an otherwise allowed role;
with what each cell must end in. `sample` picks the cells a second database must see at the least."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from bot.models import IssueLevel, IssueStatus, RoleName
from bot.services.lifecycle import Action
from bot.services.permissions import ITEM_LEVELS, MATRIX, Guarded, On, Permission, Relation, Scope
from tests.harness.matrix import Stage

S, L = IssueStatus, IssueLevel

ROLE_SCOPES = {
    RoleName.member: (Scope.team, Scope.village, Scope.township, Scope.county),
    RoleName.team_lead: (Scope.team, Scope.village, Scope.township, Scope.county),
    RoleName.village_secretary: (Scope.village, Scope.township, Scope.county),
    RoleName.township_supervisor: (Scope.township, Scope.county),
    RoleName.department_liaison: (Scope.department, Scope.county),
    RoleName.county_leader: (Scope.county,),
    RoleName.admin: (Scope.county,),
}
ITEM_SCOPES = (Scope.team, Scope.village, Scope.township, Scope.department, Scope.county)
TARGET_SCOPES = {On.village_item: ITEM_SCOPES, On.township_item: ITEM_SCOPES, On.county_item: ITEM_SCOPES,
                 On.village: (Scope.village, Scope.township, Scope.county), On.township: (Scope.township, Scope.county),
                 On.county: (Scope.county,), On.member: (Scope.team, Scope.village, Scope.township, Scope.county),
                 On.unit: (Scope.village, Scope.township, Scope.county)}


def stage(action: str, level: IssueLevel) -> Stage:
    if action == Guarded.view_item:  # held, and sent to a department above the village, so every tie can be tried
        return Stage(level, S.in_progress, True, department=level != L.village)
    if level == L.village:
        if action in (Action.claim, Action.withdraw, Action.duplicate):
            return Stage(level, S.open)
        if action in (Action.verify, Action.reopen):
            return Stage(level, S.resolved, True, resolved=True)
        return Stage(level, S.in_progress, True)
    if action == Action.acknowledge:
        return Stage(level, S.open, True)
    if action in (Action.sign_off, Action.unmet):
        return Stage(level, S.resolved, True, department=True, resolved=True)
    return Stage(level, S.in_progress, True, department=True)


@dataclass(frozen=True)
class Cell:
    permission: Permission
    on: On
    role: RoleName
    scope: Scope
    tie: Relation | None = None

    @property
    def allowed(self) -> bool:
        if self.tie in self.permission.never:
            return False
        return self.permission.may(self.role, self.scope) or self.tie in self.permission.also

    @property
    def refusal(self) -> str:
        if self.tie in self.permission.never and self.permission.may(self.role, self.scope):
            return self.permission.never[self.tie]
        if self.role in self.permission.who and self.permission.elsewhere:
            return self.permission.elsewhere
        return self.permission.refusal

    @property
    def id(self) -> str:
        who = self.tie.value if self.tie and not self.permission.may(self.role, self.scope) else (
            f"{self.role.value}@{self.scope.value}" + (f"+{self.tie.value}" if self.tie else ""))
        return f"{self.permission.action}-{self.on.name}-{who}"


def cells() -> Iterator[Cell]:
    for p in MATRIX:
        for on in p.on:
            st = stage(p.action, ITEM_LEVELS[on]) if on in ITEM_LEVELS else None
            scopes = [s for s in TARGET_SCOPES[on] if s != Scope.department or (st and st.department)]
            yield from (Cell(p, on, role, scope) for role, own in ROLE_SCOPES.items() for scope in own
                        if scope in scopes)
            if st is None:
                continue
            ties = [Relation.reporter, *([Relation.holder] if st.holder else []),
                    *([Relation.resolver] if st.resolved else [])]
            yield from (Cell(p, on, RoleName.member, Scope.county, tie) for tie in ties)
            allowed = [(role, scope) for role, own in ROLE_SCOPES.items() for scope in own if p.may(role, scope)]
            yield from (Cell(p, on, *allowed[0], tie) for tie in p.never)


def sample(all_cells: list[Cell]) -> list[Cell]:
    """Every allowed cell (the ones that write), and in each row one refused cell for each refusal the row can
    give (outside the role, elsewhere, barred by a tie); in matrix order. Every row and every role is in it."""
    refusals: set[tuple[str, On, str]] = set()
    chosen: list[Cell] = []
    for cell in all_cells:
        if not cell.allowed:
            refusal = (cell.permission.action, cell.on, cell.refusal)
            if refusal in refusals:
                continue
            refusals.add(refusal)
        chosen.append(cell)
    return chosen
