"""The member roster as a spreadsheet (.xlsx or .csv), one row per member, read into the same OrgSpec as the
organisation TOML and written back in the same shape, so an export imported again changes nothing.

The roster carries people only: the county, townships, villages, teams and departments must already be in the
database (from the TOML file), and a row naming a village, team, township or department that is not there is a
problem. Validation is the TOML file's own (`validate_org`), so both ways in obey one set of rules; its problems
are moved from `members[3].phone` to the cell they came from, `花名册 roster!J5 (电话 phone)`. As with the TOML
file, the roster is rejected whole with every problem listed, and nothing is written.

This file checks a roster read by roster_read.py against the database; roster_export.py writes one out.
"""

from __future__ import annotations

import re
from typing import Any

from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Department, Team, Unit, UnitLevel
from bot.services.org_model import OrgFileError, OrgSpec, Problem
from bot.services.org_parse import validate_org
from bot.services.roster_format import RosterFormat
from bot.services.roster_read import REPORTED, RosterTable, read_roster


def roster_org(table: RosterTable, structure: dict[str, Any], kinds: list[str]) -> OrgSpec:
    """The roster's members within the database's units, validated as the TOML file's would be."""
    members = [{key: value for key, value in row.items() if value is not REPORTED} for _, row in table.rows]
    problems = list(table.problems)
    try:
        org = validate_org({**structure, "members": members}, kinds)
    except OrgFileError as error:
        reported = table.reported | {problem.path for problem in problems}
        problems += [p for p in (_locate(table, problem) for problem in error.problems) if p.path not in reported]
    if problems:
        raise OrgFileError(problems)
    return org


MEMBER_PATH = re.compile(r"members\[(\d+)\]\.(\w+)")
DUPLICATE_PATH = re.compile(r"members\.(\w+)")


def _locate(table: RosterTable, problem: Problem) -> Problem:
    """The cell (or cells) a validation problem about `members[i].key` or `members.key` came from."""
    if match := MEMBER_PATH.fullmatch(problem.path):
        number, key = table.rows[int(match[1])][0], match[2]
        if key in table.columns:
            return Problem(table.ref(number, key), problem.value, problem.why)
    if (match := DUPLICATE_PATH.fullmatch(problem.path)) and match[1] in table.columns:
        key = match[1]
        rows = [number for number, row in table.rows if _same(row.get(key), problem.value)]
        cells = ", ".join(f"{get_column_letter(table.columns[key])}{number}" for number in rows)
        return Problem(f"{table.sheet}!{cells} ({table.fmt.labels[key]})", problem.value, problem.why)
    return Problem(f"database {problem.path}", problem.value, problem.why)


def _same(value: Any, wanted: Any) -> bool:
    if isinstance(value, str) and isinstance(wanted, str):
        return value.lstrip("@").lower() == wanted.lstrip("@").lower()
    return value == wanted


async def org_structure(session: AsyncSession) -> dict[str, Any]:
    """The database's units and departments in the organisation file's shape, for the roster to be checked
    against and applied within (the departments' liaisons are left as they are)."""
    units = (await session.execute(select(Unit.id, Unit.code, Unit.name, Unit.level, Unit.parent_id)
                                   .order_by(Unit.code))).all()
    county = next((unit for unit in units if unit.level == UnitLevel.county), None)
    if county is None:
        raise OrgFileError([Problem("database", None, "no organisation yet: import the organisation TOML file "
                                    "first (a roster holds members only)")])
    codes = {unit.id: unit.code for unit in units}
    kinds: dict[int, list[str]] = {}
    for village_id, kind in (await session.execute(select(Team.village_id, Team.kind).order_by(Team.id))).all():
        kinds.setdefault(village_id, []).append(kind)
    departments = (await session.execute(select(Department.code, Department.name).order_by(Department.code))).all()
    return {
        "county": {"code": county.code, "name": county.name},
        "townships": [{"code": u.code, "name": u.name} for u in units if u.level == UnitLevel.township],
        "villages": [{"code": u.code, "name": u.name, "township": codes.get(u.parent_id or 0),
                      "teams": kinds.get(u.id, [])} for u in units if u.level == UnitLevel.village],
        "departments": [{"code": d.code, "name": d.name} for d in departments],
    }


async def roster_from_file(session: AsyncSession, raw: bytes, name: str, kinds: list[str],
                           fmt: RosterFormat) -> OrgSpec:
    table = read_roster(raw, name, fmt)
    return roster_org(table, await org_structure(session), kinds)

