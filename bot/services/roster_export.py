"""Writing the roster out: every member, one row each, in the columns an import reads back unchanged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, BinaryIO

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import Department, Member, Role, RoleName, Team, Unit, UnitLevel
from bot.services.roster_format import COLUMN_KEYS, RosterFormat
from bot.services.spreadsheet import header_sheet, text_cell

WIDTHS = {"code": 10, "name": 14, "roles": 26, "village": 12, "team": 12, "township": 12, "department": 12,
          "telegram_id": 14, "username": 20, "phone": 16}


@dataclass(frozen=True)
class RosterRow:
    code: str
    name: str
    roles: list[RoleName]
    village: str | None
    team: str | None
    township: str | None
    department: str | None
    telegram_id: int | None
    username: str | None
    phone: str | None

    def values(self) -> list[Any]:
        return [self.code, self.name, ", ".join(self.roles), self.village, self.team, self.township,
                self.department, self.telegram_id, self.username, self.phone]


async def roster_rows(session: AsyncSession) -> list[RosterRow]:
    """Every member with their roles and where those roles put them, ordered by code."""
    team_village = aliased(Unit)
    grants = (await session.execute(
        select(Role.member_id, Role.role, Team.kind, team_village.code, Unit.code, Unit.level, Department.code)
        .outerjoin(Team, Team.id == Role.team_id)
        .outerjoin(team_village, team_village.id == Team.village_id)
        .outerjoin(Unit, Unit.id == Role.unit_id)
        .outerjoin(Department, Department.id == Role.department_id)
        .order_by(Role.id))).all()
    placed: dict[int, dict[str, Any]] = {}
    for member_id, role, kind, team_village_code, unit_code, unit_level, department_code in grants:
        place = placed.setdefault(member_id, {"roles": set()})
        place["roles"].add(role)
        if kind is not None:
            place.setdefault("village", team_village_code)
            place.setdefault("team", kind)
        elif unit_level == UnitLevel.village:
            place.setdefault("village", unit_code)
        elif unit_level == UnitLevel.township and role == RoleName.township_supervisor:
            place.setdefault("township", unit_code)
        if department_code is not None:
            place.setdefault("department", department_code)
    members = (await session.scalars(select(Member).order_by(Member.code))).all()
    rows = []
    for member in members:
        place = placed.get(member.id, {"roles": set()})
        rows.append(RosterRow(member.code, member.display_name, [r for r in RoleName if r in place["roles"]],
                              place.get("village"), place.get("team"), place.get("township"),
                              place.get("department"), member.telegram_id, member.username, member.phone))
    return rows


def write_roster_csv(rows: Iterable[RosterRow], target: BinaryIO, fmt: RosterFormat) -> None:
    # A byte order mark, so that Excel opens the Chinese names as UTF-8.
    text = io.TextIOWrapper(target, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([fmt.labels[key] for key in COLUMN_KEYS])
    for row in rows:
        writer.writerow(["" if value is None else value for value in row.values()])
    text.detach()


def write_roster_xlsx(rows: Iterable[RosterRow], structure: dict[str, Any], target: BinaryIO | str,
                      fmt: RosterFormat) -> None:
    """The roster sheet, then a sheet of the codes it may use (read by people, ignored on import)."""
    workbook = Workbook(write_only=True)
    sheet = header_sheet(workbook, fmt.sheet, [fmt.labels[key] for key in COLUMN_KEYS],
                         [WIDTHS[key] for key in COLUMN_KEYS])
    for row in rows:
        sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in row.values()])
    codes = header_sheet(workbook, fmt.codes_sheet, list(fmt.codes_headers), [16, 16, 28, 12])
    references: list[tuple[str, str, str, str | None]] = [
        *((fmt.labels["roles"], key, name, None) for key, name in fmt.role_names.items()),
        *((fmt.labels["team"], key, name, None) for key, name in fmt.kind_names.items()),
        *((fmt.labels["township"], t["code"], t["name"], structure["county"]["code"]) for t in structure["townships"]),
        *((fmt.labels["village"], v["code"], v["name"], v["township"]) for v in structure["villages"]),
        *((fmt.labels["department"], d["code"], d["name"], None) for d in structure["departments"]),
    ]
    for reference in references:
        codes.append([text_cell(codes, value) if isinstance(value, str) else value for value in reference])
    workbook.save(target)

