"""The roster as .xlsx and .csv: a round trip through a database changes nothing, and bad files are rejected
whole with every problem named by sheet, cell and column, nothing written."""

from __future__ import annotations

import io
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from bot.config import PROJECT_ROOT, Settings
from bot.db import create_sessionmaker
from bot.i18n import Translator
from bot.messaging.workbook import roster_format
from bot.models import DepartmentLiaison, Member, Role
from bot.services.org_import import apply_org, org_counts
from bot.services.org_model import OrgFileError, Problem
from bot.services.roster_export import roster_rows, write_roster_csv, write_roster_xlsx
from bot.services.roster_format import RosterFormat
from bot.services.roster_import import org_structure, roster_from_file
from tests.conftest import SAMPLE_COUNTY

SHEET = "花名册 roster"
M0001_PHONE = "13697714383"


@pytest.fixture
def fmt(settings: Settings) -> RosterFormat:
    return roster_format(Translator("zh"), settings)


async def export(engine: AsyncEngine, fmt: RosterFormat, suffix: str) -> bytes:
    async with create_sessionmaker(engine)() as session:
        rows, structure = await roster_rows(session), await org_structure(session)
    target = io.BytesIO()
    if suffix == ".csv":
        write_roster_csv(rows, target, fmt)
    else:
        write_roster_xlsx(rows, structure, target, fmt)
    return target.getvalue()


async def import_roster(engine: AsyncEngine, raw: bytes, name: str, fmt: RosterFormat, settings: Settings) -> None:
    async with create_sessionmaker(engine).begin() as session:
        await apply_org(session, await roster_from_file(session, raw, name, settings.kind_keys, fmt))


async def forget_members(engine: AsyncEngine) -> None:
    """Leave the sample county's units, teams and departments, without a single member."""
    async with create_sessionmaker(engine).begin() as session:
        for table in (DepartmentLiaison, Role, Member):
            await session.execute(delete(table))
        assert (await org_counts(session)).members == 0


def cells(raw: bytes) -> dict[str, list[tuple[object, ...]]]:
    workbook = load_workbook(io.BytesIO(raw))
    return {sheet.title: list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets}


async def test_xlsx_round_trip_into_a_database_holding_only_the_units(engine: AsyncEngine, fmt: RosterFormat,
                                                                       settings: Settings) -> None:
    first = await export(engine, fmt, ".xlsx")
    await forget_members(engine)
    await import_roster(engine, first, "roster.xlsx", fmt, settings)
    second = await export(engine, fmt, ".xlsx")

    before, after = cells(first), cells(second)
    assert list(before) == [SHEET, "代码说明 codes"]
    assert before == after
    roster = before[SHEET]
    assert roster[0] == ("编号 code", "姓名 name", "角色 roles", "村编码 village", "工作队 team", "乡镇编码 township",
                         "部门编码 department", "Telegram ID", "Telegram 用户名 username", "电话 phone")
    assert len(roster) == 1 + 473
    assert roster[1] == ("M0001", "赵建国", "county_leader, admin", None, None, None, None, 1000002, None, M0001_PHONE)
    async with create_sessionmaker(engine)() as session:
        assert (await org_counts(session)).members == 473


async def test_csv_round_trip_is_byte_for_byte(engine: AsyncEngine, fmt: RosterFormat, settings: Settings) -> None:
    first = await export(engine, fmt, ".csv")
    await forget_members(engine)
    await import_roster(engine, first, "roster.csv", fmt, settings)
    assert await export(engine, fmt, ".csv") == first
    assert first.startswith("\ufeff编号 code,姓名 name".encode())


async def test_reimporting_the_export_changes_nothing(engine: AsyncEngine, fmt: RosterFormat,
                                                      settings: Settings) -> None:
    async def roles() -> list[tuple[object, ...]]:
        async with create_sessionmaker(engine)() as session:
            rows = await session.execute(select(Member.code, Role.role, Role.unit_id, Role.team_id, Role.department_id)
                                         .join(Role, Role.member_id == Member.id).order_by(Member.code, Role.role))
            return [tuple(row) for row in rows]

    first, grants = await export(engine, fmt, ".xlsx"), await roles()
    await import_roster(engine, first, "roster.xlsx", fmt, settings)
    assert await roles() == grants
    assert cells(await export(engine, fmt, ".xlsx")) == cells(first)


def edited(raw: bytes, change: Callable[[Worksheet], None]) -> bytes:
    workbook = load_workbook(io.BytesIO(raw))
    change(workbook.worksheets[0])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def row_of(sheet: Worksheet, code: str) -> int:
    return next(cell.row for cell in sheet["A"] if cell.value == code)


async def test_an_edited_roster_updates_members_and_roles(engine: AsyncEngine, fmt: RosterFormat,
                                                          settings: Settings) -> None:
    def change(sheet: Worksheet) -> None:
        sheet["J2"] = 13900000001              # typed as a number in Excel
        row = row_of(sheet, "M0002")
        sheet[f"C{row}"] = "admin、county_leader"  # a list, separated as people write it
        sheet[f"H{row}"] = "2000002"           # an id kept as text

    await import_roster(engine, edited(await export(engine, fmt, ".xlsx"), change), "roster.xlsx", fmt, settings)
    async with create_sessionmaker(engine)() as session:
        member = await session.scalar(select(Member).where(Member.code == "M0002"))
        assert member is not None and member.telegram_id == 2000002
        assert sorted(await session.scalars(select(Role.role).where(Role.member_id == member.id))) == [
            "admin", "county_leader"]
        assert await session.scalar(select(Member.phone).where(Member.code == "M0001")) == "13900000001"


async def test_headers_may_be_chinese_or_english_alone_and_gbk_csv_is_read(engine: AsyncEngine, fmt: RosterFormat,
                                                                           settings: Settings) -> None:
    text = (await export(engine, fmt, ".csv")).decode("utf-8-sig")
    header, rest = text.split("\r\n", 1)
    short = ["编号", "name", "角色", "village", "工作队", "township", "部门编码", "telegram_id", "username", "电话"]
    assert len(header.split(",")) == len(short)
    raw = (",".join(short) + "\r\n" + rest.replace(M0001_PHONE, "13900000002")).encode("gb18030")
    await import_roster(engine, raw, "名单.csv", fmt, settings)
    async with create_sessionmaker(engine)() as session:
        assert await session.scalar(select(Member.phone).where(Member.code == "M0001")) == "13900000002"


def _missing_phone(sheet: Worksheet) -> None:
    sheet.delete_cols(10)


def _merged(sheet: Worksheet) -> None:
    sheet.merge_cells("B3:B4")


def _formula(sheet: Worksheet) -> None:
    sheet["J3"] = "=J2"


def _duplicate(sheet: Worksheet) -> None:
    sheet["A3"] = "M0001"


def _unknown_village(sheet: Worksheet) -> None:
    sheet[f"D{row_of(sheet, 'M0025')}"] = "GC09-01"


def _bad_phone(sheet: Worksheet) -> None:
    sheet["J5"] = "12ab"


BAD_SHEETS = [
    (_missing_phone, f"{SHEET}!1 (header row): '电话 phone': missing column"),
    (_merged, f"{SHEET}!B3:B4: '陈国庆': merged cells: unmerge them and fill in every cell"),
    (_formula, f"{SHEET}!J3 (电话 phone): '=J2': a formula: type the value itself"),
    (_duplicate, f"{SHEET}!A2, A3 (编号 code): 'M0001': duplicate member code: one person, one entry"),
    (_unknown_village, f"{SHEET}!D26 (村编码 village): 'GC09-01': no such village"),
    (_bad_phone, f"{SHEET}!J5 (电话 phone): '12ab': not a phone number"),
]


async def _rejected(engine: AsyncEngine, raw: bytes, name: str, fmt: RosterFormat,
                    settings: Settings) -> list[Problem]:
    with pytest.raises(OrgFileError) as error:
        await import_roster(engine, raw, name, fmt, settings)
    async with create_sessionmaker(engine)() as session:
        # the same file also changed M0001's phone: nothing of it may have been written
        assert await session.scalar(select(Member.phone).where(Member.code == "M0001")) == M0001_PHONE
    return error.value.problems


@pytest.mark.parametrize(("change", "expected"), BAD_SHEETS, ids=[c.__name__.strip("_") for c, _ in BAD_SHEETS])
async def test_a_bad_sheet_is_rejected_whole(engine: AsyncEngine, fmt: RosterFormat, settings: Settings,
                                             change: Callable[[Worksheet], None], expected: str) -> None:
    def both(sheet: Worksheet) -> None:
        sheet["J2"] = "13900000003"
        change(sheet)

    raw = edited(await export(engine, fmt, ".xlsx"), both)
    problems = await _rejected(engine, raw, "roster.xlsx", fmt, settings)
    assert expected in [str(problem) for problem in problems]


async def test_every_problem_of_a_sheet_is_listed_at_once(engine: AsyncEngine, fmt: RosterFormat,
                                                          settings: Settings) -> None:
    def everything(sheet: Worksheet) -> None:
        sheet["J2"] = "13900000003"
        for change, _ in BAD_SHEETS[1:]:
            change(sheet)

    raw = edited(await export(engine, fmt, ".xlsx"), everything)
    listed = [str(problem) for problem in await _rejected(engine, raw, "roster.xlsx", fmt, settings)]
    assert sorted(listed) == sorted(expected for _, expected in BAD_SHEETS[1:])


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("junk.xlsx", os.urandom(10 * 1024 * 1024), "file: '10,485,760 bytes': not an .xlsx workbook (an .xlsx file "
                                                "is a zip archive)"),
    ("junk.csv", b"\x00\xff" * 1000, "file: None: not a CSV file"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + bytes(508), "file: '512 bytes': not an .xlsx workbook"),
    ("empty.csv", b"", "empty.csv!1 (header row): '编号 code': missing column"),
])
async def test_junk_is_rejected_with_a_clear_message(engine: AsyncEngine, fmt: RosterFormat, settings: Settings,
                                                     name: str, content: bytes, expected: str) -> None:
    problems = await _rejected(engine, content, name, fmt, settings)
    assert any(str(problem).startswith(expected) for problem in problems), problems


async def test_a_roster_needs_the_units_in_the_database(empty_engine: AsyncEngine, fmt: RosterFormat,
                                                        settings: Settings) -> None:
    raw = (",".join(fmt.labels.values()) + "\nM1,Someone,admin,,,,,,,\n").encode()
    with pytest.raises(OrgFileError) as error:
        await import_roster(empty_engine, raw, "roster.csv", fmt, settings)
    assert "no organisation yet" in str(error.value.problems[0])
    async with AsyncSession(empty_engine) as session:
        assert await session.scalar(select(func.count()).select_from(Member)) == 0


async def test_text_that_looks_like_a_formula_stays_text(engine: AsyncEngine, fmt: RosterFormat,
                                                         settings: Settings) -> None:
    async with create_sessionmaker(engine).begin() as session:
        member = await session.scalar(select(Member).where(Member.code == "M0001"))
        assert member is not None
        member.display_name = "=1+1"
    raw = await export(engine, fmt, ".xlsx")
    cell = load_workbook(io.BytesIO(raw)).worksheets[0]["B2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")
    await import_roster(engine, raw, "roster.xlsx", fmt, settings)


def test_command_line_export_import_and_rejection(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite3"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{database}", "LOG_LEVEL": "WARNING"}

    def main(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "main.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True)

    assert main("db", "upgrade").returncode == 0
    assert main("org", "import", str(SAMPLE_COUNTY)).returncode == 0
    roster = tmp_path / "roster.xlsx"
    assert main("org", "export", str(roster)).stdout.strip() == f"exported 473 members to {roster}"
    imported = main("org", "import", str(roster))
    assert imported.returncode == 0 and "473 members" in imported.stdout

    workbook = load_workbook(roster)
    workbook.worksheets[0]["J7"] = "12ab"
    workbook.worksheets[0]["J2"] = "13900000004"
    bad = tmp_path / "bad.xlsx"
    workbook.save(bad)
    rejected = main("org", "import", str(bad))
    assert rejected.returncode == 1
    assert f"{SHEET}!J7 (电话 phone): '12ab': not a phone number" in rejected.stderr
    assert "rejected, nothing imported (1 problems)" in rejected.stderr
    with sqlite3.connect(database) as connection:
        assert connection.execute("select phone from member where code = 'M0001'").fetchone() == (M0001_PHONE,)
    assert main("org", "export", str(tmp_path / "roster.txt")).returncode == 2


def test_a_new_workbook_without_the_columns_says_which_are_missing(fmt: RosterFormat) -> None:
    from bot.services.roster_read import read_roster

    workbook = Workbook()
    workbook.active.append(["姓名", "电话"])
    workbook.active.append(["张三", "13900000000"])
    out = io.BytesIO()
    workbook.save(out)
    with pytest.raises(OrgFileError) as error:
        read_roster(out.getvalue(), "new.xlsx", fmt)
    missing = {problem.value for problem in error.value.problems if problem.why == "missing column"}
    assert missing == {"编号 code", "角色 roles", "村编码 village", "工作队 team", "乡镇编码 township",
                       "部门编码 department", "Telegram ID", "Telegram 用户名 username"}
