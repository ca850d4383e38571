"""Waiting for what no event announces, such as a row another task commits."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

POLL_SECONDS = 0.02


async def eventually(condition: Callable[[], Awaitable[bool]], *, what: str, within: float = 20.0) -> None:
    """Poll `condition` until it holds; a test that waits longer than `within` fails naming `what`."""
    try:
        async with asyncio.timeout(within):
            while not await condition():  # noqa: ASYNC110 - the database's state, which no event announces
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {within}s") from None
