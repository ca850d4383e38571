"""Domain errors carry a locale key and its arguments; the front end turns them into words."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    def __init__(self, key: str, **args: Any) -> None:
        super().__init__(key)
        self.key = key
        self.args_ = args


class NotAllowed(DomainError):
    """The actor's roles or scope do not cover this action."""


class NotFound(DomainError):
    """The thing named does not exist (or is not visible from here)."""


class Conflict(DomainError):
    """The action no longer fits the current state: someone else got there first, or it was already done."""
