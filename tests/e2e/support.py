"""End-to-end helpers: the sample county's database made through main.py and looked at beside the running bot
(which `bot_process.py` starts), and people acting in the emulator through its control API.

A `ChatDriver` keeps every event of the emulator's change feed it has read, so a wait can ask for "the first bot
message after my action that matches" without caring what else the bot said in between or in which order.
Every action returns a mark (an event id) to wait after.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import subprocess
import sys
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PROJECT_ROOT
from bot.db import create_engine, create_sessionmaker
from bot.models import IssueCard, Member
from emulator import EmulatorClient
from tests.e2e.bot_process import START_TIMEOUT, BotProcess, clean_environment
from tests.harness.waiting import eventually

JSON = dict[str, Any]
SAMPLE_COUNTY = PROJECT_ROOT / "org" / "sample_county.toml"
STEP_TIMEOUT = 20.0   # a step inside a running bot: far less than starting one (START_TIMEOUT)


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def build_county_database(path: Path) -> Path:
    """A migrated database holding the sample county, made the way an operator would: through main.py."""
    env = {**clean_environment(), "DATABASE_URL": sqlite_url(path)}
    for args in (["db", "upgrade"], ["org", "import", str(SAMPLE_COUNTY)]):
        done = subprocess.run([sys.executable, "main.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=START_TIMEOUT)
        assert done.returncode == 0, f"main.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return path


def message_text(message: JSON) -> str:
    return message.get("text") or message.get("caption") or ""


def buttons(message: JSON) -> dict[str, str]:
    """Inline button label -> callback data."""
    markup = message.get("reply_markup") or {}
    return {b["text"]: b.get("callback_data", "") for row in markup.get("inline_keyboard", []) for b in row}


def _prompts(message: JSON, user_id: int) -> bool:
    """A ForceReply aimed at this user: replying to their message, or mentioning them."""
    if not (message.get("reply_markup") or {}).get("force_reply"):
        return False
    replied = message.get("reply_to_message") or {}
    if (replied.get("from") or {}).get("id") == user_id:
        return True
    entities = message.get("entities") or message.get("caption_entities") or []
    return any((entity.get("user") or {}).get("id") == user_id for entity in entities)


def person(member: Member) -> JSON:
    """A roster member as an emulator user."""
    return {"id": member.telegram_id, "first_name": member.display_name, "username": member.username,
            "language_code": "zh"}


class ChatDriver:
    """People acting in the emulator through the control API, and waits for what the bot does in reply."""

    def __init__(self, client: EmulatorClient, bot: BotProcess | None = None, *,
                 within: float = STEP_TIMEOUT) -> None:
        self.client, self.bot, self.within = client, bot, within
        self.seen: list[JSON] = []
        self.cursor = 0
        self._reading = asyncio.Lock()

    async def add_people(self, members: Iterable[Member]) -> None:
        await self.client.upsert_users([person(member) for member in members])

    async def mark(self) -> int:
        """The id of the newest event so far: waits after it see only what happens next."""
        return (await self.client.events(self.cursor, limit=1))["last_id"]

    # --- acting ------------------------------------------------------------------------------------

    async def say(self, chat_id: int, user_id: int, text: str, *, reply_to: JSON | None = None) -> int:
        posted = await self.client.send_message(chat_id, user_id, text, reply_to=_id(reply_to))
        return posted["event_id"]

    async def send_photo(self, chat_id: int, user_id: int, data: bytes, *, reply_to: JSON | None = None,
                         caption: str | None = None) -> int:
        posted = await self.client.send_photo(chat_id, user_id, data, reply_to=_id(reply_to), caption=caption)
        return posted["event_id"]

    async def press(self, chat_id: int, message: JSON, user_id: int, label: str) -> int:
        """Press the button whose label contains `label` on `message` (as last seen)."""
        matching = [data for text, data in buttons(message).items() if label in text]
        assert matching, f"no button with {label!r} on message {message['message_id']}: {list(buttons(message))}"
        mark = await self.mark()
        await self.client.press_button(chat_id, message["message_id"], user_id, matching[0])
        return mark

    # --- waiting -----------------------------------------------------------------------------------

    async def bot_message(self, chat_id: int, *, after: int, text: str | None = None, button: str | None = None,
                          prompting: int | None = None, within: float | None = None) -> JSON:
        """The first new message from the bot in `chat_id` after the mark with all of: `text` in its text or
        caption, a button whose label contains `button`, a ForceReply aimed at user `prompting`."""

        def wanted(event: JSON) -> bool:
            message = event.get("message") or {}
            return (event["kind"] == "message" and event["chat_id"] == chat_id and message["from_bot"]
                    and (text is None or text in message_text(message))
                    and (button is None or any(button in label for label in buttons(message)))
                    and (prompting is None or _prompts(message, prompting)))

        what = f"bot message in {chat_id} with text={text!r} button={button!r} prompting={prompting}"
        return (await self.wait_for(wanted, after=after, what=what, within=within))["message"]

    async def edited(self, chat_id: int, message: JSON, *, after: int, text: str,
                     within: float | None = None) -> JSON:
        """The message as the bot edited it after the mark, once its text or caption contains `text`."""

        def wanted(event: JSON) -> bool:
            return (event["kind"] == "edit" and event["chat_id"] == chat_id
                    and event["message_id"] == message["message_id"] and text in message_text(event["message"]))

        what = f"edit of message {message['message_id']} in {chat_id} to contain {text!r}"
        return (await self.wait_for(wanted, after=after, what=what, within=within))["message"]

    async def answer(self, user_id: int, *, after: int, text: str | None = None,
                     within: float | None = None) -> JSON:
        """The bot's answer to a button press of user `user_id` after the mark, with `text` in its text."""

        def wanted(event: JSON) -> bool:
            return (event["kind"] == "callback_answer" and event["user_id"] == user_id
                    and (text is None or text in (event.get("text") or "")))

        what = f"answer to a button press of {user_id} with text={text!r}"
        return await self.wait_for(wanted, after=after, what=what, within=within)

    async def wait_for(self, predicate: Callable[[JSON], bool], *, after: int, what: str,
                       within: float | None = None) -> JSON:
        within = self.within if within is None else within
        try:
            async with asyncio.timeout(within):
                while True:
                    # `seen` is in id order: look only past the mark, however long the test has run
                    newer = itertools.islice(self.seen, bisect.bisect_right(self.seen, after, key=_event_id), None)
                    found = next((e for e in newer if predicate(e)), None)
                    if found is not None:
                        return found
                    known = self.cursor
                    # people acting at once share one driver: one reads the feed, the others look at what came
                    async with self._reading:
                        if self.cursor == known:
                            await self._read(within)
        except TimeoutError:
            pass
        raise AssertionError(self._failure(f"no {what} within {within}s", after))

    async def _read(self, wait: float) -> None:
        fetch = asyncio.ensure_future(self.client.events(self.cursor, wait=wait, limit=500))
        if self.bot is not None:
            await asyncio.wait({fetch, self.bot.exited}, return_when=asyncio.FIRST_COMPLETED)
            if not fetch.done():
                fetch.cancel()
                raise AssertionError(self.bot.failure("the bot process stopped"))
        page = await fetch
        self.seen.extend(page["events"])
        self.cursor = max([self.cursor, *(event["id"] for event in page["events"])])

    def _failure(self, what: str, after: int) -> str:
        said = [f"  {e['kind']} in {e.get('chat_id')}: {_summary(e)}" for e in self.seen if e["id"] > after
                and e["kind"] in ("message", "edit", "callback_answer")]
        text = f"{what}; since the mark:\n" + ("\n".join(said) or "  nothing")
        return self.bot.failure(text) if self.bot is not None else text


def _event_id(event: JSON) -> int:
    return int(event["id"])


def _summary(event: JSON) -> str:
    if event["kind"] == "callback_answer":
        return f"answer {event.get('text')!r} (alert={event.get('show_alert')})"
    message = event["message"]
    sender = "bot" if message["from_bot"] else (message.get("from") or {}).get("id")
    return f"#{message['message_id']} from {sender}: {message_text(message)[:120]!r} {list(buttons(message))}"


def _id(message: JSON | None) -> int | None:
    return None if message is None else message["message_id"]


@asynccontextmanager
async def inspect_database(url: str) -> AsyncIterator[AsyncSession]:
    """A read-only look beside the running bot: it must never hold the write lock the bot needs."""
    engine = create_engine(url, write_lock_upfront=False)
    try:
        async with create_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


async def card_recorded(database_url: str, chat_id: int, message: JSON, *, within: float = STEP_TIMEOUT) -> None:
    """Wait until the bot has recorded a card it posted, as a person takes the time to read it before pressing.

    The outbox sender records a card (issue_card) in a transaction of its own after Telegram answered the send;
    a change committed in between is the sender's own race, which this wait keeps out of a scenario."""

    async def recorded() -> bool:
        async with inspect_database(database_url) as session:
            return await session.scalar(select(IssueCard.id).where(
                IssueCard.chat_id == chat_id, IssueCard.message_id == message["message_id"])) is not None

    await eventually(recorded, what=f"card {message['message_id']} in {chat_id} recorded", within=within)


async def request_held(client: EmulatorClient, *, what: str, within: float = STEP_TIMEOUT) -> None:
    """Wait until a bot request has taken the one fault armed (a delay): the emulator holds it, so the bot is in
    the middle of that request."""

    async def taken() -> bool:
        return not await client.faults()

    await eventually(taken, what=what, within=within)
