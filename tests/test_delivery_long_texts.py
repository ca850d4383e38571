"""Notices longer than Telegram's 4096 units go out in parts, measured as Telegram measures (UTF-16), and a
retry resends only the parts that did not arrive."""

from __future__ import annotations

from bot.models import OutboxStatus
from bot.services.outbox import enqueue_notice
from tests.harness.delivery import Rig, after_sends, token


async def test_a_split_notice_resends_only_what_did_not_arrive(rig: Rig) -> None:
    chat = await rig.group("村")
    async with rig.sessionmaker.begin() as session:
        await enqueue_notice(session, chat_id=chat, key="notice-sent-back",
                             args={"number": token(1) + "号" * 2000, "reason": "理由" * 1250}, dedupe_key="long",
                             now=rig.clock.now())
    bot = rig.bot()

    async def fail_next_send() -> None:
        await rig.client.add_fault("server_error", method="sendMessage", count=1)

    bot.session.middleware(after_sends(1, fail_next_send))      # part 1 arrives, part 2 gets a 500
    sender = rig.sender("one", bot=bot)

    await sender.drain()
    [row] = await rig.rows()
    assert (row.status, row.attempts) == (OutboxStatus.pending, 1)
    assert len(await rig.texts(chat)) == 1                        # the first part is out
    rig.clock.set(row.next_attempt_at)
    await sender.drain()

    [row] = await rig.rows()
    assert row.status == OutboxStatus.sent
    texts = await rig.texts(chat)
    assert all(len(text) <= 4096 for text in texts)
    assert len(texts) == 2, [text[:40] for text in texts]       # each part once


async def test_a_notice_full_of_emoji_is_split_by_telegrams_measure(rig: Rig) -> None:
    chat = await rig.group("村")
    async with rig.sessionmaker.begin() as session:             # ~4000 characters, ~8000 UTF-16 units
        await enqueue_notice(session, chat_id=chat, key="notice-sent-back",
                             args={"number": token(1) + "😀" * 1500, "reason": "😀" * 2500}, dedupe_key="emoji",
                             now=rig.clock.now())

    await rig.sender("one").drain()

    [row] = await rig.rows()
    assert (row.status, row.last_error) == (OutboxStatus.sent, None)
    texts = await rig.texts(chat)
    assert all(len(text.encode("utf-16-le")) // 2 <= 4096 for text in texts)
    assert "".join(texts).count("😀") == 4000
