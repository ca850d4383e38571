"""Every cell of the permission matrix (bot/services/permissions.py) tried through the real handlers: a fresh member
holding one role at one scope relative to what the action touches (plus the reporter, holder and resolver ties)
presses the button or sends the command. An allowed cell does what it says and writes its audit event; any
other gets the refusal from the locale files and leaves every table exactly as it was.

The whole matrix runs in one database per backend (a fresh member and item per cell), so it takes seconds.
SQLite gets every cell. PostgreSQL gets a deterministic sample by default (`matrix_cells.sample`: every allowed
cell, and in each row one refused cell per refusal it can give, so every row and every role at least once);
FULL_MATRIX=1 gives it every cell too. The decisions are the same Python on both; the second database is here
for the writes, which every allowed cell makes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
import pytest_asyncio

from bot.cli import main as cli_main
from bot.clock import ManualClock
from bot.config import PROJECT_ROOT, load_settings
from bot.db import create_sessionmaker
from bot.i18n import Translator
from bot.services.lifecycle import RULES, Action
from bot.services.permissions import (
    ITEM_PERMISSIONS,
    MATRIX,
    Guarded,
    On,
    Permission,
    render_markdown,
)
from tests.conftest import _engine_for, make_harness
from tests.harness.matrix import (
    COUNTY_CHAT,
    DEPARTMENT_CHAT,
    HOME_DEPARTMENT,
    HOME_TOWNSHIP,
    HOME_VILLAGE,
    TOWNSHIP_CHAT,
    VILLAGE_CHAT,
    World,
)
from tests.harness.matrix_cells import Cell, cells, sample
from tests.harness.matrix_drivers import DRIVERS, UNBIND_CHAT, UNBIND_VILLAGE, rebind, try_item

README_START, README_END = "<!-- permission matrix: start -->", "<!-- permission matrix: end -->"
CELLS = list(cells())
POSTGRESQL_CELLS = CELLS if os.environ.get("FULL_MATRIX") == "1" else sample(CELLS)
BACKEND_CELLS = [
    *(pytest.param("sqlite", cell, id=f"sqlite-{cell.id}") for cell in CELLS),
    *(pytest.param("postgresql", cell, id=f"postgresql-{cell.id}", marks=pytest.mark.postgresql)
      for cell in POSTGRESQL_CELLS),
]


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    engine = await _engine_for(request.param, request, tmp_path_factory.mktemp("matrix"), "county")
    settings, sessionmaker = load_settings(), create_sessionmaker(engine)
    clock = ManualClock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    harness = make_harness(settings, sessionmaker, clock)
    w = await World(harness, sessionmaker, settings, clock, Translator("zh").localizer("zh")).load()
    for chat, code in ((VILLAGE_CHAT, HOME_VILLAGE), (TOWNSHIP_CHAT, HOME_TOWNSHIP), (COUNTY_CHAT, "GC"),
                       (DEPARTMENT_CHAT, HOME_DEPARTMENT), (UNBIND_CHAT, UNBIND_VILLAGE)):
        await rebind(w, chat, code)
        harness.group(chat, code)
    yield w
    await engine.dispose()


@pytest.mark.asyncio(loop_scope="module")
# module scope: one world per database for all its cells (at function scope it would be built for each cell)
@pytest.mark.parametrize(("world", "cell"), BACKEND_CELLS, indirect=["world"], scope="module")
async def test_cell(world: World, cell: Cell) -> None:
    if isinstance(cell.permission.action, Guarded):
        await DRIVERS[cell.permission.action](world, cell)
    else:
        await try_item(world, cell)


def test_the_life_cycle_and_the_matrix_cover_the_same_actions() -> None:
    assert set(ITEM_PERMISSIONS) == {(action, level) for action, rule in RULES.items() for level in rule.levels}
    assert {p.action for p in MATRIX} == {*Action, *Guarded}
    assert len(CELLS) == len({cell.id for cell in CELLS})


def test_the_postgresql_sample_tries_every_row_every_role_and_every_allowed_cell() -> None:
    chosen = sample(CELLS)
    assert {(c.permission.action, c.on) for c in chosen} == {(c.permission.action, c.on) for c in CELLS}
    assert {c.role for c in chosen} == {c.role for c in CELLS}
    assert {(c.permission.action, c.on, c.refusal) for c in chosen if not c.allowed} == \
        {(c.permission.action, c.on, c.refusal) for c in CELLS if not c.allowed}
    assert [c for c in CELLS if c.allowed] == [c for c in chosen if c.allowed]


def test_every_refusal_is_worded_in_both_languages() -> None:
    keys = {key for p in MATRIX for key in (p.refusal, p.elsewhere, *p.never.values()) if key}
    for language in ("zh", "en"):
        words = Translator(language).localizer(language)
        assert [key for key in keys if words(key, name="x") == key] == []


def permission(action: str, on: On) -> Permission:
    return next(p for p in MATRIX if p.action == action and on in p.on)


def test_phones_go_no_further_than_see_phones() -> None:
    """/export carries phone numbers, so whoever may export may see them; widening one alone fails here."""
    phones = permission(Guarded.see_phones, On.member)
    for on in (On.township, On.county):
        export = permission(Guarded.export, on)
        assert all(phones.may(role, scope) for role, scopes in export.who.items() for scope in scopes)


def readme_table() -> str:
    text = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = text.index(README_START) + len(README_START), text.index(README_END)
    return text[start:end].strip("\n") + "\n"


def test_the_readme_holds_the_rendered_matrix() -> None:
    assert readme_table() == render_markdown()


def test_the_command_line_prints_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["permissions"]) == 0
    assert capsys.readouterr().out == render_markdown()

