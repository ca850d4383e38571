"""Ranking scored units: best first, equal shown scores sharing a rank."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar


class Scored(Protocol):
    @property
    def code(self) -> str: ...

    @property
    def shown(self) -> float | None: ...


S = TypeVar("S", bound=Scored)


@dataclass(frozen=True)
class Ranked(Generic[S]):
    rank: int | None     # None: no score; equal shown scores share a rank (1, 2, 2, 4)
    position: int        # 0-based place in the full table, to tell where rows were left out
    unit: S


def ranked(units: Iterable[S]) -> list[Ranked[S]]:
    order = sorted(units, key=lambda u: (u.shown is None, -(u.shown or 0.0), u.code))
    result: list[Ranked[S]] = []
    for position, unit in enumerate(order):
        if unit.shown is None:
            rank = None
        elif result and result[-1].unit.shown == unit.shown:
            rank = result[-1].rank
        else:
            rank = position + 1
        result.append(Ranked(rank, position, unit))
    return result
