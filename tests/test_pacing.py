"""The sender's overall pace: evenly spaced requests, never more than the limit in any one-second window."""

from __future__ import annotations

import asyncio
from bisect import bisect_left

from bot.messaging.pacing import Pacer


async def test_no_second_holds_more_than_the_limit_even_when_requests_race() -> None:
    limit = 100
    pacer = Pacer(limit * 0.98, tolerance=0.005)
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def request() -> None:
        await pacer.acquire()
        granted.append(loop.time())

    await asyncio.gather(*(request() for _ in range(limit + 30)))

    granted.sort()
    busiest = max(bisect_left(granted, start + 1.0) - index for index, start in enumerate(granted))
    assert busiest <= limit

