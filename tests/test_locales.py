"""Every string the code asks for exists in both languages, and both files hold the same keys."""

from __future__ import annotations

import ast as ast_module
import re
from pathlib import Path

from fluent.syntax import FluentParser, ast

from bot.app import COMMANDS
from bot.config import PROJECT_ROOT
from bot.handlers.states import ReportForm  # noqa: F401 - the states module must import cleanly
from bot.models import IssueLevel, IssueStatus, RoleName
from bot.services.lifecycle import RULES, Action

LOCALES = PROJECT_ROOT / "bot" / "locales"
LITERAL = re.compile(r"""(?:\bt|card_t|conv\.t|self\.t)\(\s*["']([a-z0-9-]+)["']""")
DOMAIN = re.compile(r"""(?:DomainError|NotAllowed|NotFound|Conflict|Rule\([^)]*?)\(?\s*["']([a-z][a-z0-9-]+)["']""")


def _names(language: str) -> list[str]:
    names: list[str] = []
    for path in sorted((LOCALES / language).glob("*.ftl")):
        resource = FluentParser().parse(path.read_text(encoding="utf-8"))
        junk = [entry for entry in resource.body if isinstance(entry, ast.Junk)]
        assert not junk, f"{path}: syntax errors {[j.content[:60] for j in junk]}"
        names += [entry.id.name for entry in resource.body if isinstance(entry, ast.Message)]
    return names


def _keys(language: str) -> set[str]:
    return set(_names(language))


def _used() -> set[str]:
    keys: set[str] = set()
    for path in (PROJECT_ROOT / "bot").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        keys.update(LITERAL.findall(source))
        keys.update(key for key in DOMAIN.findall(source) if "-" in key)
    keys.update(f"role-{role.value}" for role in RoleName)
    keys.update(f"status-{status.value}" for status in IssueStatus)
    keys.update(f"level-{level.value}" for level in IssueLevel)
    keys.update(f"action-{action.value}" for action in Action)
    keys.update(f"done-{action.value}" for action in Action)
    keys.update(f"ask-{action.value}" for action, rule in RULES.items() if rule.needs_text)
    keys.update(f"event-{action.value}" for action in Action)
    keys.update(f"event-{kind}" for kind in ("reported", "auto_escalate", "climb", "renotify", "reminder"))
    keys.update(f"command-{name}" for name in COMMANDS)
    keys.update(f"purpose-{purpose}" for purpose in ("village", "township", "county", "department"))
    return keys


def test_no_key_is_defined_twice() -> None:
    for language in ("zh", "en"):
        names = _names(language)
        assert sorted({n for n in names if names.count(n) > 1}) == [], language


def test_both_languages_have_the_same_keys() -> None:
    assert _keys("zh") == _keys("en")
    files = {language: sorted(p.name for p in (LOCALES / language).glob("*.ftl")) for language in ("zh", "en")}
    assert files["zh"] == files["en"]


def test_every_key_the_code_uses_exists() -> None:
    missing = sorted(_used() - _keys("zh"))
    assert missing == []


# Reading what people type (年/月/日/天 in a due date) is parsing, not a user-facing string.
PARSERS = {"bot/services/dates.py"}
CJK = re.compile(r"[\u4e00-\u9fff]")


def _string_literals(path: Path) -> list[str]:
    """String constants that are not docstrings (comments and docstrings may name things in Chinese)."""
    tree = ast_module.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast_module.walk(tree)
                  if isinstance(node, ast_module.Module | ast_module.ClassDef | ast_module.FunctionDef
                                | ast_module.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast_module.Expr)
                  and isinstance(node.body[0].value, ast_module.Constant)}
    return [node.value for node in ast_module.walk(tree)
            if isinstance(node, ast_module.Constant) and isinstance(node.value, str) and id(node) not in docstrings]


def test_no_chinese_text_in_python_code() -> None:
    offenders = [
        str(path.relative_to(PROJECT_ROOT))
        for path in Path(PROJECT_ROOT / "bot").rglob("*.py")
        if str(path.relative_to(PROJECT_ROOT)) not in PARSERS
        and any(CJK.search(text) for text in _string_literals(path))
    ]
    assert offenders == []
