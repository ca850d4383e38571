"""The outbox's dedupe key: a notice queued twice under one key is sent once, even after it was sent."""

from __future__ import annotations

from collections import Counter

from bot.services.outbox import enqueue_notice
from tests.harness.delivery import Rig, token


async def test_same_dedupe_key_is_sent_once(rig: Rig) -> None:
    chat = await rig.group("村")

    async def queue() -> bool:
        async with rig.sessionmaker.begin() as session:
            return await enqueue_notice(session, chat_id=chat, key="notice-overdue",
                                        args={"number": token(1), "days": 1}, dedupe_key="overdue:1:day-1",
                                        now=rig.clock.now())

    assert await queue() is True
    assert await queue() is False
    sender = rig.sender("one")
    assert await sender.drain() == 1
    assert await queue() is False                                # not even after it was sent
    assert await sender.drain() == 0

    assert await rig.delivered(chat) == Counter([token(1)])
    assert len(await rig.rows()) == 1
