"""The domain must stay free of Telegram types so a second front end can be added without touching it."""

from __future__ import annotations

import ast
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


def test_handlers_hold_no_sql() -> None:
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in (PROJECT_ROOT / "bot/handlers").rglob("*.py")
        if "sqlalchemy" in _imports(path) - {"sqlalchemy.ext"}
        and any(word in path.read_text(encoding="utf-8") for word in ("select(", "update(", "delete(", "insert("))
    ]
    assert offenders == []
