"""Waiting for work that a stop request may cut short (the poller's fetches and pauses, the sender's pacing)."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def until_stopped(stop: asyncio.Event, work: Any, *, timeout: float | None = None) -> bool:
    """Wait for `work` until it is done, `stop` is set or the time is up; True when it is done. Work left undone
    is cancelled (an `asyncio.wait` over tasks so cancelled leaves the tasks themselves running)."""
    work = asyncio.ensure_future(work)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait([work, stopping], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if work.done():
        return True
    work.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await work
    return False
