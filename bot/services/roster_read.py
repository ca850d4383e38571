"""Reading a roster file (.xlsx or .csv) into a table of each row's values by member key, with where each came
from; problems of the file or its header raise at once, those of single cells are collected in the table."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import PurePath
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell import MergedCell
from openpyxl.utils import get_column_letter

from bot.services.org_model import OrgFileError, Problem
from bot.services.roster_format import COLUMN_KEYS, RosterFormat

# .xls is taken too, to be told plainly that it must be saved as .xlsx (it is not a zip archive).
ROSTER_SUFFIXES = (".xlsx", ".xls", ".csv")
ROLE_SEPARATORS = re.compile(r"[\s,，、;；]+")
# A real roster unpacks to well under a megabyte; far more is a zip bomb, not a list of people.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024


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

