"""What a report renderer produces."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rendered:
    texts: list[str]
    photo: bytes | None = None  # a chart sent first, with a short caption
    caption: str | None = None
