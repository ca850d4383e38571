"""Hostile input: random and malformed updates through the real dispatcher, into a county in full swing.

Whatever arrives — any text, broken entities, every kind of media, edits, channel posts, other bots, anonymous
admins, forum topics, forged buttons, member updates, group upgrades — no exception reaches the error handler,
the database stays whole, and the bot answers only commands and the steps of a conversation, never in a channel
and never to a bot. Every example starts from the same seeded county, so a failure shrinks and replays.

CI runs the bounded "ci" profile; `HYPOTHESIS_PROFILE=deep` explores far more.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from aiogram.methods import AnswerCallbackQuery, GetChatMember, GetMe, SendMessage
from aiogram.types import Update
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.clock import ManualClock
from bot.config import Settings
from bot.db import create_sessionmaker
from bot.models import ChatBinding, FsmRecord, OutboxMessage
from tests.conftest import make_harness
from tests.harness.arena import Arena
from tests.harness.error_log import ErrorLog
from tests.harness.hostile import Spec, specs
from tests.harness.hostile_world import CHANNEL, CHAT_IDS, seed
from tests.harness.integrity import counts, known_chats, problems

settings.register_profile("ci", max_examples=50, deadline=None, derandomize=True, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                 HealthCheck.data_too_large])
settings.register_profile("deep", settings.get_profile("ci"), max_examples=500, derandomize=False)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
QUERIES = (GetMe, GetChatMember, AnswerCallbackQuery)
STRANGERS = ("stranger", "no_username")
IN_CONVERSATION = (("describing", "village"), ("photographing", "village"), ("confirming", "village"),
                   ("withdrawing", "village"), ("dispatching", "township"), ("meeting", "village"),
                   ("servicing", "village"), ("private_reporter", "private"))


@pytest.fixture
def error_log() -> Iterator[ErrorLog]:
    handler = ErrorLog()
    logging.getLogger().addHandler(handler)
    yield handler
    logging.getLogger().removeHandler(handler)


@pytest.fixture
async def arena(engine: AsyncEngine, settings: Settings, clock: ManualClock) -> AsyncIterator[Arena]:
    harness = make_harness(settings, create_sessionmaker(engine), clock)
    arena = Arena(engine, harness, clock)
    async with arena.inspect() as session:
        world = await seed(harness, session)
    await arena.snapshot(world)
    yield arena
    await arena.close()


def _our_command(text: str | None) -> bool:
    words = (text or "").split(maxsplit=1)
    if not words or not words[0].startswith("/"):
        return False
    return words[0].partition("@")[2].lower() in ("", "five_teams_bot")


async def feed(arena: Arena, errors: ErrorLog, spec: Spec) -> None:
    """Feed one update and check every promise about it."""
    if spec.kind == "wait":  # a step left long enough expires; the next update finds it so
        arena.clock.advance(timedelta(minutes=spec.number % 120))
        return
    update = arena.world.update(spec)
    message = update.message
    sender = message.from_user if message else None
    async with arena.inspect() as session:
        before = await counts(session)
        state = await session.scalar(select(FsmRecord.state).where(
            FsmRecord.chat_id == message.chat.id, FsmRecord.user_id == sender.id)) if message and sender else None
    errors.records.clear()
    requests = await arena.harness.feed(update)
    assert [r.getMessage() for r in errors.records] == [], "an exception reached the error handler or the sender"
    async with arena.inspect() as session:
        assert await problems(session) == []
        after = await counts(session)
        chats = await known_chats(session)
    sent = [r for r in requests if not isinstance(r, QUERIES)]
    event(f"{update.event_type}: {'answered' if sent else 'silent'}")
    assert not [r for r in requests if int(getattr(r, "chat_id", 0) or 0) == CHANNEL.id], "posted in a channel"
    asked = message or (update.callback_query.message if update.callback_query else None)
    here = asked.chat.id if asked else None
    assert {int(r.chat_id) for r in sent if getattr(r, "chat_id", None)} <= chats | {here}, \
        "posted where the bot has no business"
    _check_answers(update, requests, sent, state)
    _check_counts(spec, update, before, after)


def _check_answers(update: Update, requests: list, sent: list, state: str | None) -> None:
    if update.callback_query is not None:
        assert len([r for r in requests if isinstance(r, AnswerCallbackQuery)]) == 1, "a press answered once"
        return
    message = update.message
    if message is None:
        assert sent == [], f"answered a {update.event_type}"
        return
    if message.migrate_to_chat_id or message.migrate_from_chat_id:
        return  # the cards of a group that moved are posted again in its new chat (checked with `chats` above)
    command = _our_command(message.text or message.caption)
    if message.sender_chat is not None and message.sender_chat.id == message.chat.id:
        assert len(sent) == (1 if command else 0), "an anonymous admin's command is told why once, the rest ignored"
    elif message.from_user is None or message.from_user.is_bot:
        assert sent == [], "answered a bot or a channel"
    elif state is None and not command:
        assert sent == [], "answered a message that is neither a command nor a conversation step"


def _check_counts(spec: Spec, update: Update, before: dict[str, int], after: dict[str, int]) -> None:
    changed = {name for name in before if before[name] != after[name]}
    message = update.message
    if message is not None and (message.migrate_to_chat_id or message.migrate_from_chat_id):
        return
    if update.callback_query is None and (message is None or spec.sender in ("bot", "anonymous_admin",
                                                                            "channel_in_group")):
        assert changed == set(), "wrote something for an update that asks for nothing"
    elif spec.sender in STRANGERS:
        assert changed <= {"join_request"}, "a stranger changed something besides asking to join"
    if "issue" in changed:
        assert update.callback_query is not None and (update.callback_query.data or "").startswith("rs:confirm")


@PROFILE
@given(updates=st.lists(specs(), min_size=1, max_size=5))
async def test_anything_from_anyone_anywhere(arena: Arena, error_log: ErrorLog, updates: list[Spec]) -> None:
    await arena.reset()
    for spec in updates:
        await feed(arena, error_log, spec)


@PROFILE
@given(who=st.sampled_from(IN_CONVERSATION), updates=st.lists(specs(), min_size=1, max_size=4))
async def test_garbage_at_every_conversation_step(arena: Arena, error_log: ErrorLog, who: tuple[str, str],
                                                  updates: list[Spec]) -> None:
    sender, chat = who
    await arena.reset()
    for spec in updates:
        if spec.kind in ("message", "callback", "edited_message"):
            spec = replace(spec, sender=sender, chat=chat)
        await feed(arena, error_log, spec)


@PROFILE
@given(announcements=st.lists(st.sampled_from(("to", "from")), min_size=1, max_size=4),
       noise=st.lists(specs().filter(lambda spec: not (spec.content or "").startswith("migrate")), max_size=3),
       upgrader=st.sampled_from(("admin", "stranger", "reporter", "bot")))
async def test_a_group_upgrade_carries_the_binding_over(arena: Arena, error_log: ErrorLog, announcements: list[str],
                                                        noise: list[Spec], upgrader: str) -> None:
    await arena.reset()
    for i, which in enumerate(announcements):
        chat, target = ("basic", "fresh") if which == "to" else ("fresh", "basic")
        await feed(arena, error_log, Spec(kind="message", sender=upgrader, chat=chat, content=f"migrate_{which}",
                                          target=target))
        for extra in noise[i:i + 1]:
            await feed(arena, error_log, extra)
    async with arena.inspect() as session:
        bound = set((await session.scalars(select(ChatBinding.chat_id))).all())
        queued = set((await session.scalars(select(OutboxMessage.chat_id).where(
            OutboxMessage.status == "pending"))).all())
    assert CHAT_IDS["basic"] not in bound and CHAT_IDS["fresh"] in bound
    assert CHAT_IDS["basic"] not in queued


async def test_the_watch_sees_an_exception_that_reaches_the_error_handler(arena: Arena, error_log: ErrorLog) -> None:
    """The properties above would hold vacuously if an exception could reach the error handler unseen."""
    arena.harness.session.fail[SendMessage] = RuntimeError("Telegram fell over")
    with pytest.raises(AssertionError, match="reached the error handler"):
        await feed(arena, error_log, Spec(kind="message", sender="reporter", chat="village", text="/help"))
