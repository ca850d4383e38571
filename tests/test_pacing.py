"""The sender's pace: never more than the overall, per-group or per-chat limit in any window."""

from __future__ import annotations

import asyncio
from bisect import bisect_left

from bot.config import Settings
from bot.messaging.pacing import Limits, Pacer


def busiest_window(granted: list[float], seconds: float) -> int:
    """The most grants in any half-open window of `seconds`."""
    granted = sorted(granted)
    return max(bisect_left(granted, start + seconds) - index for index, start in enumerate(granted))


async def grant_times(limits: Limits, chat_id: int, requests: int) -> list[float]:
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def request() -> None:
        await limits.acquire(chat_id)
        granted.append(loop.time())

    await asyncio.gather(*(request() for _ in range(requests)))
    return granted


def quick_limits(settings: Settings) -> Limits:
    """Limits small enough to exceed in a couple of seconds: 120 per minute per group (one every 0.5 s) and
    4 per second per chat."""
    delivery = settings.delivery.model_copy(update={"group_per_minute": 120, "chat_per_second": 4})
    return Limits(settings.model_copy(update={"delivery": delivery}))


async def test_no_second_holds_more_than_the_limit_even_when_requests_race() -> None:
    limit = 100
    pacer = Pacer(limit * 0.98, tolerance=0.005)
    loop = asyncio.get_running_loop()
    granted: list[float] = []

    async def request() -> None:
        await pacer.acquire()
        granted.append(loop.time())

    await asyncio.gather(*(request() for _ in range(limit + 30)))

    assert busiest_window(granted, 1.0) <= limit


async def test_a_group_never_gets_more_than_its_per_minute_limit_in_any_window(settings: Settings) -> None:
    granted = await grant_times(quick_limits(settings), chat_id=-100123, requests=6)

    # 120 a minute is 2 in any second and 1 in any half second
    assert busiest_window(granted, 1.0) <= 2
    assert busiest_window(granted, 0.5) <= 1


async def test_a_private_chat_never_gets_more_than_its_per_second_limit_in_any_window(settings: Settings) -> None:
    granted = await grant_times(quick_limits(settings), chat_id=4242, requests=10)

    assert busiest_window(granted, 1.0) <= 4
    assert busiest_window(granted, 0.25) <= 1


async def test_a_group_keeps_its_limit_while_the_overall_pace_holds_everyone_back(settings: Settings) -> None:
    """A backlog for other chats delays each of the group's messages by a different amount: the group's limit
    must hold for the moments the messages go out, not for the moments they were let into the queue."""
    delivery = settings.delivery.model_copy(update={"group_per_minute": 120, "chat_per_second": 4,
                                                    "overall_per_second": 10})
    limits = Limits(settings.model_copy(update={"delivery": delivery}))
    loop = asyncio.get_running_loop()
    group: list[float] = []

    async def to_group() -> None:
        await limits.acquire(-100123)
        group.append(loop.time())

    backlog = [limits.acquire(1000 + chat) for chat in range(20)]  # two seconds of others' messages
    await asyncio.gather(*backlog, *(to_group() for _ in range(3)))

    assert busiest_window(group, 0.5) <= 1


async def test_a_message_sent_later_than_its_turn_moves_its_chats_next_turn(settings: Settings) -> None:
    """The sender may write to the database between its turn and the send (renewing its claim on the row)."""
    limits = quick_limits(settings)   # one every 0.5 s in a group
    loop = asyncio.get_running_loop()
    await limits.acquire(-100123)
    await asyncio.sleep(0.3)
    limits.sent(-100123)
    went_out = loop.time()
    await limits.acquire(-100123)

    assert loop.time() - went_out >= 0.5
