"""Reading and validating the organisation TOML file; every problem is collected, none written."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from typing import Any

from bot.models import RoleName
from bot.services.org_model import (
    DepartmentSpec,
    MemberSpec,
    OrgFileError,
    OrgSpec,
    Problem,
    UnitSpec,
    VillageSpec,
)

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
USERNAME_RE = re.compile(r"^@?[A-Za-z][A-Za-z0-9_]{3,31}$")
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
MEMBER_KEYS = {"code", "name", "telegram_id", "username", "phone", "village", "team", "township",
               "department", "roles"}
TEAM_ROLES = {RoleName.member, RoleName.team_lead}


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, value: Any, why: str) -> None:
        self.problems.append(Problem(path, value, why))

    def text(self, table: dict[str, Any], key: str, path: str, *, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None:
            if required:
                self.add(f"{path}.{key}", None, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(f"{path}.{key}", value, "must be non-empty text")
            return None
        return value.strip()

    def code(self, table: dict[str, Any], path: str) -> str | None:
        value = self.text(table, "code", path)
        if value is not None and not CODE_RE.match(value):
            self.add(f"{path}.code", value, "letters, digits, '-' or '_', at most 32")
            return None
        return value

    def tables(self, data: dict[str, Any], key: str) -> list[dict[str, Any]]:
        value = data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            self.add(key, value, f"must be an array of tables ([[{key}]])")
            return []
        return value


def decode_toml(raw: bytes) -> dict[str, Any]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OrgFileError([Problem("file", f"byte {exc.start}", "not UTF-8 text")]) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise OrgFileError([Problem("file", None, f"not valid TOML: {exc}")]) from None


def parse_org(raw: bytes, kinds: list[str]) -> OrgSpec:
    return validate_org(decode_toml(raw), kinds)


def validate_org(data: dict[str, Any], kinds: list[str]) -> OrgSpec:
    c = _Collector()
    county_table = data.get("county")
    if not isinstance(county_table, dict):
        c.add("county", county_table, "missing [county] table")
        county_table = {}
    county = UnitSpec(c.code(county_table, "county") or "", c.text(county_table, "name", "county") or "")

    townships: list[UnitSpec] = []
    for i, table in enumerate(c.tables(data, "townships")):
        path = f"townships[{i}]"
        code, name = c.code(table, path), c.text(table, "name", path)
        if code and name:
            townships.append(UnitSpec(code, name, county.code))
    township_codes = {t.code for t in townships}

    villages: list[VillageSpec] = []
    for i, table in enumerate(c.tables(data, "villages")):
        path = f"villages[{i}]"
        code, name = c.code(table, path), c.text(table, "name", path)
        township = c.text(table, "township", path)
        if township and township not in township_codes:
            c.add(f"{path}.township", township, "no such township")
        teams = table.get("teams", [])
        if not isinstance(teams, list) or not all(isinstance(k, str) for k in teams):
            c.add(f"{path}.teams", teams, "must be a list of team kinds")
            teams = []
        for kind in teams:
            if kind not in kinds:
                c.add(f"{path}.teams", kind, f"unknown team kind (known: {', '.join(kinds)})")
        for kind, count in Counter(teams).items():
            if count > 1:
                c.add(f"{path}.teams", kind, "listed twice")
        if code and name and township:
            villages.append(VillageSpec(code, name, township, [k for k in dict.fromkeys(teams) if k in kinds]))
    village_teams = {v.code: set(v.teams) for v in villages}

    members = _members(c, data, kinds, township_codes, village_teams)
    member_codes = {m.code for m in members}

    departments: list[DepartmentSpec] = []
    for i, table in enumerate(c.tables(data, "departments")):
        path = f"departments[{i}]"
        code, name = c.code(table, path), c.text(table, "name", path)
        liaisons = table.get("liaisons", {})
        if not isinstance(liaisons, dict):
            c.add(f"{path}.liaisons", liaisons, "must be a table of township code = member code")
            liaisons = {}
        for township, member in liaisons.items():
            if township not in township_codes:
                c.add(f"{path}.liaisons.{township}", member, "no such township")
            if member not in member_codes:
                c.add(f"{path}.liaisons.{township}", member, "no such member")
        if code and name:
            departments.append(DepartmentSpec(code, name, {str(k): str(v) for k, v in liaisons.items()}))
    department_codes = {d.code for d in departments}
    for i, member in enumerate(members):
        if member.department and member.department not in department_codes:
            c.add(f"members[{i}].department", member.department, "no such department")

    all_codes = [county.code, *township_codes, *(v.code for v in villages), *department_codes]
    for code, count in Counter(all_codes).items():
        if code and count > 1:
            c.add("code", code, "used by more than one unit or department")
    for code, count in Counter(v.code for v in villages).items():
        if count > 1:
            c.add("villages.code", code, "duplicate village code")
    if c.problems:
        raise OrgFileError(c.problems)
    return OrgSpec(county, townships, villages, departments, members)


def _members(
    c: _Collector,
    data: dict[str, Any],
    kinds: list[str],
    township_codes: set[str],
    village_teams: dict[str, set[str]],
) -> list[MemberSpec]:
    members: list[MemberSpec] = []
    for i, table in enumerate(c.tables(data, "members")):
        path = f"members[{i}]"
        for key in table.keys() - MEMBER_KEYS:
            c.add(f"{path}.{key}", table[key], "unknown key")
        code, name = c.code(table, path), c.text(table, "name", path)
        member = MemberSpec(code or "", name or "", [])
        raw_roles = table.get("roles", [RoleName.member.value])
        if not isinstance(raw_roles, list) or not raw_roles:
            c.add(f"{path}.roles", raw_roles, "must be a non-empty list")
            raw_roles = []
        for role in raw_roles:
            if role in RoleName.__members__:
                member.roles.append(RoleName(role))
            else:
                c.add(f"{path}.roles", role, f"unknown role (known: {', '.join(RoleName.__members__)})")
        telegram_id = table.get("telegram_id")
        if telegram_id is not None and (isinstance(telegram_id, bool) or not isinstance(telegram_id, int)
                                        or telegram_id <= 0):
            c.add(f"{path}.telegram_id", telegram_id, "must be a positive whole number")
        else:
            member.telegram_id = telegram_id
        member.username = c.text(table, "username", path, required=False)
        if member.username and not USERNAME_RE.match(member.username):
            c.add(f"{path}.username", member.username, "not a Telegram username")
        member.username = member.username.lstrip("@") if member.username else None
        phone = table.get("phone")
        if phone is not None:
            phone = str(phone).strip()
            if not PHONE_RE.match(phone):
                c.add(f"{path}.phone", phone, "not a phone number")
            member.phone = phone
        village = table.get("village")
        if isinstance(village, list):
            c.add(f"{path}.village", village, "a member belongs to one village only")
        else:
            member.village = c.text(table, "village", path, required=False)
        member.team = c.text(table, "team", path, required=False)
        member.township = c.text(table, "township", path, required=False)
        member.department = c.text(table, "department", path, required=False)
        _check_scopes(c, path, member, kinds, township_codes, village_teams)
        members.append(member)

    for attr, label in (("code", "member code"), ("telegram_id", "telegram_id"), ("username", "username")):
        values = [getattr(m, attr).lower() if attr == "username" and getattr(m, attr) else getattr(m, attr)
                  for m in members]
        for value, count in Counter(v for v in values if v).items():
            if count > 1:
                c.add(f"members.{attr}", value, f"duplicate {label}: one person, one entry")
    return members


def _check_scopes(
    c: _Collector,
    path: str,
    member: MemberSpec,
    kinds: list[str],
    township_codes: set[str],
    village_teams: dict[str, set[str]],
) -> None:
    if member.village and member.village not in village_teams:
        c.add(f"{path}.village", member.village, "no such village")
    if member.team:
        if member.team not in kinds:
            c.add(f"{path}.team", member.team, "unknown team kind")
        elif not member.village:
            c.add(f"{path}.team", member.team, "a team needs the member's village")
        elif member.village in village_teams and member.team not in village_teams[member.village]:
            c.add(f"{path}.team", member.team, f"village {member.village} has no such team")
    if member.township and member.township not in township_codes:
        c.add(f"{path}.township", member.township, "no such township")
    roles = set(member.roles)
    if roles & TEAM_ROLES and not member.team:
        c.add(f"{path}.roles", sorted(roles & TEAM_ROLES), "team roles need village and team")
    if RoleName.village_secretary in roles and not member.village:
        c.add(f"{path}.roles", "village_secretary", "needs the village")
    if RoleName.township_supervisor in roles and not member.township:
        c.add(f"{path}.roles", "township_supervisor", "needs the township")
    if RoleName.department_liaison in roles and not member.department:
        c.add(f"{path}.roles", "department_liaison", "needs the department")
