from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import PROJECT_ROOT
from bot.db import create_sessionmaker
from bot.models import DepartmentLiaison, Member, Role
from bot.services.org_import import apply_org, org_counts
from bot.services.org_model import OrgFileError
from bot.services.org_parse import parse_org
from tests.conftest import SAMPLE_COUNTY
from tests.harness.org_files import small_org

KINDS = ["ecology", "industry", "welfare", "governance", "culture"]


async def test_sample_county_imported_twice_keeps_the_same_counts(empty_engine: AsyncEngine) -> None:
    org = parse_org(SAMPLE_COUNTY.read_bytes(), KINDS)
    sessions = create_sessionmaker(empty_engine)
    results = []
    for _ in range(2):
        async with sessions.begin() as session:
            results.append(await apply_org(session, org))
            roles = await session.scalar(select(func.count()).select_from(Role))
            liaisons = await session.scalar(select(func.count()).select_from(DepartmentLiaison))
            results.append((roles, liaisons))
    assert results[0] == results[2]
    assert results[1] == results[3]
    first = results[0]
    assert (first.townships, first.villages) == (5, 31)
    assert 125 <= first.teams <= 140
    assert 450 <= first.members <= 490


async def test_reimport_updates_names_and_roles(empty_engine: AsyncEngine) -> None:
    sessions = create_sessionmaker(empty_engine)
    async with sessions.begin() as session:
        await apply_org(session, parse_org(SAMPLE_COUNTY.read_bytes(), KINDS))
    original = SAMPLE_COUNTY.read_text(encoding="utf-8")
    changed = original.replace('code = "M0001"\nname = "', 'code = "M0001"\nname = "新')
    async with sessions.begin() as session:
        await apply_org(session, parse_org(changed.encode(), KINDS))
        member = await session.scalar(select(Member).where(Member.code == "M0001"))
        assert member is not None and member.display_name.startswith("新")
        assert (await org_counts(session)).members == 473


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (small_org(villages='[[villages]]\ncode = "V1"\nname = "again"\ntownship = "T1"'), "duplicate village code"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\nvillage = ["V1", "V2"]\nroles = ["village_secretary"]'),
         "one village only"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\ntelegram_id = 5\nvillage = "V1"\nteam = "ecology"\n'
                  '[[members]]\ncode = "M2"\nname = "A"\ntelegram_id = 5\nvillage = "V2"\nteam = "ecology"'),
         "duplicate telegram_id"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\nvillage = "V9"\nteam = "ecology"'), "no such village"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\nvillage = "V1"\nteam = "fishing"'), "unknown team kind"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\nroles = ["king"]'), "unknown role"),
        (small_org('[[members]]\ncode = "M1"\nname = "A"\nphone = "call me"\nroles = ["admin"]'), "not a phone"),
        (b"county = 3 = 4", "not valid TOML"),
        ("名".encode("gbk"), "not UTF-8"),
    ],
)
def test_invalid_files_are_rejected_with_the_problem_named(content: bytes, expected: str) -> None:
    with pytest.raises(OrgFileError) as error:
        parse_org(content, KINDS)
    assert any(expected in str(problem) for problem in error.value.problems), error.value.problems


def test_every_problem_is_listed_with_its_key_path() -> None:
    content = small_org('[[members]]\ncode = "M1"\nname = "A"\nvillage = "V9"\nteam = "fishing"\nroles = ["king"]')
    with pytest.raises(OrgFileError) as error:
        parse_org(content, KINDS)
    paths = {problem.path for problem in error.value.problems}
    assert {"members[0].village", "members[0].team", "members[0].roles"} <= paths


def test_rejected_file_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_bytes(small_org('[[members]]\ncode = "M1"\nname = "A"\nroles = ["king"]'))
    database = tmp_path / "db.sqlite3"
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    subprocess.run([sys.executable, "main.py", "db", "upgrade"], cwd=PROJECT_ROOT, env=env, check=True,
                   capture_output=True)
    result = subprocess.run([sys.executable, "main.py", "org", "import", str(bad)], cwd=PROJECT_ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "members[0].roles: 'king': unknown role" in result.stderr
    import sqlite3

    with sqlite3.connect(database) as connection:
        assert connection.execute("select count(*) from unit").fetchone() == (0,)
