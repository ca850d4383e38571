"""The organisation as read from a file, validated, before anything touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.models import RoleName


@dataclass(frozen=True)
class Problem:
    path: str
    value: Any
    why: str

    def __str__(self) -> str:
        return f"{self.path}: {self.value!r}: {self.why}"


class OrgFileError(Exception):
    """The file is rejected whole; every problem found is listed."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


@dataclass
class UnitSpec:
    code: str
    name: str
    parent: str | None = None


@dataclass
class VillageSpec(UnitSpec):
    teams: list[str] = field(default_factory=list)


@dataclass
class DepartmentSpec:
    code: str
    name: str
    liaisons: dict[str, str] = field(default_factory=dict)  # township code -> member code


@dataclass
class MemberSpec:
    code: str
    name: str
    roles: list[RoleName]
    telegram_id: int | None = None
    username: str | None = None
    phone: str | None = None
    village: str | None = None
    team: str | None = None
    township: str | None = None
    department: str | None = None


@dataclass
class OrgSpec:
    county: UnitSpec
    townships: list[UnitSpec]
    villages: list[VillageSpec]
    departments: list[DepartmentSpec]
    members: list[MemberSpec]
