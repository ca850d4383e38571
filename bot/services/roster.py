"""The member roster as a spreadsheet (.xlsx or .csv), one row per member, read into the same OrgSpec as the
organisation TOML and written back in the same shape, so an export imported again changes nothing.

The roster carries people only: the county, townships, villages, teams and departments must already be in the
database (from the TOML file), and a row naming a village, team, township or department that is not there is a
problem. Validation is the TOML file's own (`validate_org`), so both ways in obey one set of rules; its problems
are moved from `members[3].phone` to the cell they came from, `花名册 roster!J5 (电话 phone)`. As with the TOML
file, the roster is rejected whole with every problem listed, and nothing is written.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any, BinaryIO

from openpyxl import Workbook, load_workbook
from openpyxl.cell import MergedCell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.models import Department, Member, Role, RoleName, Team, Unit, UnitLevel
from bot.services.org_model import OrgFileError, OrgSpec, Problem
from bot.services.org_parse import validate_org
from bot.services.spreadsheet import text_cell

# .xls is taken too, to be told plainly that it must be saved as .xlsx (it is not a zip archive).
ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")
# Member keys of the organisation file, in the roster's column order.
COLUMN_KEYS = ("code", "name", "roles", "village", "team", "township", "department", "telegram_id", "username",
               "phone")
ROLE_SEPARATORS = re.compile(r"[\s,，、;；]+")
# A real roster unpacks to well under a megabyte; far more is a zip bomb, not a list of people.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
BOLD = Font(bold=True)
WIDTHS = {"code": 10, "name": 14, "roles": 26, "village": 12, "team": 12, "township": 12, "department": 12,
          "telegram_id": 14, "username": 20, "phone": 16}


@dataclass(frozen=True)
class RosterFormat:
    """The header of each column (bilingual, from the locale files) and what the codes sheet calls things.

    A header cell may hold the whole label (`电话 phone`), its Chinese part (`电话`) or the key (`phone`)."""

    labels: dict[str, str]               # column key -> header label
    sheet: str                           # the roster sheet's name
    codes_sheet: str                     # the reference sheet's name
    codes_headers: tuple[str, str, str, str]
    role_names: dict[str, str]           # role key -> "队长 / team lead"
    kind_names: dict[str, str]           # team kind key -> "生态文明工作队 / ecology"

    def column_of(self, header: str) -> str | None:
        wanted = _normalise(header)
        for key, label in self.labels.items():
            full = _normalise(label)
            chinese = " ".join(word for word in full.split() if word != key)
            if wanted in (full, key, chinese):
                return key
        return None


def _normalise(text: str) -> str:
    return " ".join(text.casefold().split())


@dataclass
class RosterTable:
    """What was read: each non-empty row's values by member key, with where they came from."""

    sheet: str                           # the sheet's name, or the CSV file's, for cell references
    fmt: RosterFormat
    columns: dict[str, int] = field(default_factory=dict)                 # key -> 1-based column
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (row number, key -> value)
    problems: list[Problem] = field(default_factory=list)
    reported: set[str] = field(default_factory=set)  # cells with a problem already (a formula, part of a merge)

    def ref(self, row: int, key: str) -> str:
        return f"{self.sheet}!{get_column_letter(self.columns[key])}{row} ({self.fmt.labels[key]})"

    def cell(self, row: int, column: int) -> str:
        for key, index in self.columns.items():
            if index == column:
                return self.ref(row, key)
        return f"{self.sheet}!{get_column_letter(column)}{row}"


def is_roster_file(name: str) -> bool:
    return PurePath(name).suffix.lower() in ROSTER_SUFFIXES


def read_roster(raw: bytes, name: str, fmt: RosterFormat) -> RosterTable:
    """Read the first sheet of an .xlsx (or a CSV file); problems of the file or its header raise at once, those
    of single cells are collected in the table so that validation can add its own before rejecting."""
    grid = _csv_grid(raw, PurePath(name).name) if PurePath(name).suffix.lower() == ".csv" else _xlsx_grid(raw)
    table = RosterTable(grid.sheet, fmt, problems=list(grid.merged))
    header_ok = _read_header(table, grid.rows[0] if grid.rows else [])
    table.problems += [Problem(table.cell(row, column), formula, "a formula: type the value itself")
                       for row, column, formula in grid.formulas]
    if not header_ok:
        # Without every column in its place no row can be read: the header is what to fix first.
        raise OrgFileError(table.problems)
    for number, values in enumerate(grid.rows[1:], start=2):
        row = _read_row(table, number, values)
        if row:
            table.rows.append((number, row))
    return table


class _Reported:
    """Stands in for a cell already reported (a formula, a date): it keeps the row from looking empty and its
    value out of validation."""


REPORTED = _Reported()


@dataclass
class _Grid:
    sheet: str
    rows: list[list[Any]]
    merged: list[Problem] = field(default_factory=list)
    formulas: list[tuple[int, int, Any]] = field(default_factory=list)  # (row, column, formula)


def _csv_grid(raw: bytes, name: str) -> _Grid:
    # Excel saves "CSV UTF-8" with a byte order mark and plain "CSV" in the system's code page, which on a
    # Chinese Windows is GBK (a subset of GB 18030).
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise OrgFileError([Problem("file", None, "not a CSV file: neither UTF-8 nor GB 18030 text")])
    try:
        return _Grid(name, [list(row) for row in csv.reader(io.StringIO(text, newline=""))])
    except csv.Error as exc:
        raise OrgFileError([Problem("file", None, f"not a CSV file: {exc}")]) from None


def _xlsx_grid(raw: bytes) -> _Grid:
    if not zipfile.is_zipfile(io.BytesIO(raw)):
        raise OrgFileError([Problem("file", f"{len(raw):,} bytes", "not an .xlsx workbook (an .xlsx file is a zip "
                                    "archive); in Excel use Save As 'Excel Workbook (.xlsx)' or 'CSV UTF-8'")])
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise OrgFileError([Problem("file", None, "unpacks to more than 100 MB: not a roster")])
    try:
        # Not read-only: merged cells are known only to a fully loaded sheet. Not data_only: formulas must show.
        workbook = load_workbook(io.BytesIO(raw), data_only=False)
    except Exception as exc:  # openpyxl raises many kinds (KeyError, InvalidFileException, XML errors)
        raise OrgFileError([Problem("file", None, f"not a readable .xlsx workbook: {exc}")]) from None
    sheet = workbook.worksheets[0]
    grid = _Grid(sheet.title, [], [Problem(f"{sheet.title}!{merged.coord}",
                                           sheet.cell(merged.min_row, merged.min_col).value,
                                           "merged cells: unmerge them and fill in every cell")
                                   for merged in sheet.merged_cells.ranges])
    for row in sheet.iter_rows():
        values = []
        for cell in row:
            if isinstance(cell, MergedCell):
                values.append(REPORTED)  # the merge is reported; its hidden cells are not each "missing"
            elif cell.data_type == "f":
                grid.formulas.append((cell.row, cell.column, cell.value))
                values.append(REPORTED)
            else:
                values.append(cell.value)
        grid.rows.append(values)
    return grid


def _read_header(table: RosterTable, header: Sequence[Any]) -> bool:
    fmt = table.fmt
    problems = []
    for column, value in enumerate(header, start=1):
        if value is None or value is REPORTED or not str(value).strip():
            continue
        key = fmt.column_of(str(value))
        if key is None:
            problems.append(Problem(f"{table.sheet}!{get_column_letter(column)}1", value,
                                    f"unknown column (the columns are: {', '.join(fmt.labels.values())})"))
        elif key in table.columns:
            problems.append(Problem(f"{table.sheet}!{get_column_letter(column)}1", value, "column given twice"))
        else:
            table.columns[key] = column
    problems += [Problem(f"{table.sheet}!1 (header row)", fmt.labels[key], "missing column")
                 for key in COLUMN_KEYS if key not in table.columns]
    table.problems += problems
    return not problems


def _read_row(table: RosterTable, number: int, values: Sequence[Any]) -> dict[str, Any]:
    row: dict[str, Any] = {}
    used = set(table.columns.values())
    for column, value in enumerate(values, start=1):
        if column not in used and value is not None and value is not REPORTED and str(value).strip():
            table.problems.append(Problem(f"{table.sheet}!{get_column_letter(column)}{number}", value,
                                          "a value in a column without a header"))
    for key, column in table.columns.items():
        value = values[column - 1] if column <= len(values) else None
        if isinstance(value, str):
            value = value.strip() or None
        if isinstance(value, bool | datetime | date | time):
            table.problems.append(Problem(table.ref(number, key), value, "not text or a number"))
            value = REPORTED
        if value is REPORTED:
            row[key] = value
            table.reported.add(table.ref(number, key))
        if value is None or value is REPORTED:
            continue
        row[key] = _cell_value(key, value)
    return row


def _cell_value(key: str, value: str | int | float) -> Any:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # Excel keeps every number as a float: 13800000000.0 is the phone 13800000000
    if key == "telegram_id":
        return int(value) if isinstance(value, str) and value.isdigit() else value
    if key == "roles":
        return [role for role in ROLE_SEPARATORS.split(str(value)) if role]
    return str(value)


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
    sheet = _sheet(workbook, fmt.sheet, [fmt.labels[key] for key in COLUMN_KEYS],
                   [WIDTHS[key] for key in COLUMN_KEYS])
    for row in rows:
        sheet.append([text_cell(sheet, value) if isinstance(value, str) else value for value in row.values()])
    codes = _sheet(workbook, fmt.codes_sheet, list(fmt.codes_headers), [16, 16, 28, 12])
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


def _sheet(workbook: Workbook, title: str, headers: list[str], widths: list[int]) -> WriteOnlyWorksheet:
    sheet = workbook.create_sheet(title)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = BOLD
        cells.append(cell)
    sheet.append(cells)
    return sheet
