"""The domain must stay free of Telegram types so a second front end can be added without touching it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from bot.config import PROJECT_ROOT

FORBIDDEN = ("aiogram", "telegram")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_services_and_models_do_not_import_telegram_libraries() -> None:
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for folder in ("bot/services", "bot/models")
        for path in (PROJECT_ROOT / folder).rglob("*.py")
        if _imports(path) & set(FORBIDDEN)
    ]
    assert offenders == []


def test_services_do_not_reach_telegram_through_other_modules() -> None:
    """The check above reads each file's own imports; a service importing a module that imports aiogram passes it."""
    loads = ("import importlib, pkgutil, sys, bot.services\n"
             "for found in pkgutil.iter_modules(bot.services.__path__):\n"
             "    importlib.import_module(f'bot.services.{found.name}')\n"
             "print(sorted({name.split('.')[0] for name in sys.modules} & set(sys.argv[1:])))")
    loaded = subprocess.run([sys.executable, "-c", loads, *FORBIDDEN], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, check=True).stdout.strip()
    assert loaded == "[]"


SESSION_TYPES = "sqlalchemy.ext.asyncio"   # what a handler may take from SQLAlchemy: the session, to pass on
QUERIES = {"execute", "scalar", "scalars", "get", "get_one", "add", "add_all", "delete", "merge", "flush", "stream"}


def _sql_in_handler(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy") \
                and node.module != SESSION_TYPES:
            found.append(f"line {node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Import):
            found += [f"line {node.lineno}: import {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
        elif isinstance(node, ast.Attribute) and node.attr in QUERIES and isinstance(node.value, ast.Name) \
                and node.value.id == "session":
            found.append(f"line {node.lineno}: session.{node.attr}")
    return found


def test_handlers_hold_no_sql() -> None:
    offenders = {
        str(path.relative_to(PROJECT_ROOT)): found
        for path in (PROJECT_ROOT / "bot/handlers").rglob("*.py")
        if (found := _sql_in_handler(path))
    }
    assert offenders == {}
