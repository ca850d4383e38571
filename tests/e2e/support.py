"""End-to-end helpers: the real bot process against the emulator, and people acting through the control API.

A `ChatDriver` keeps every event of the emulator's change feed it has read, so a wait can ask for "the first bot
message after my action that matches" without caring what else the bot said in between or in which order.
Every action returns a mark (an event id) to wait after.
"""

from __future__ import annotations

import asyncio
import bisect
import itertools
import os
import re
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import PROJECT_ROOT
from bot.db import create_engine, create_sessionmaker
from bot.models import IssueCard, Member
from emulator import EmulatorClient

JSON = dict[str, Any]
SAMPLE_COUNTY = PROJECT_ROOT / "org" / "sample_county.toml"
# Importing aiogram alone takes seconds on a busy machine; a step inside a running bot takes far less.
START_TIMEOUT = 90.0
STEP_TIMEOUT = 20.0
STOP_TIMEOUT = 10.0
POLL_SECONDS = 0.05
LOG_TAIL_LINES = 30
# What the process must not inherit from the developer's shell: it would point the bot elsewhere.
BOT_VARIABLES = ("BOT_TOKEN", "TELEGRAM_API_URL", "DATABASE_URL", "REDIS_URL", "SANDBOX_PORT")


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def build_county_database(path: Path) -> Path:
    """A migrated database holding the sample county, made the way an operator would: through main.py."""
    env = {**_clean_environment(), "DATABASE_URL": sqlite_url(path)}
    for args in (["db", "upgrade"], ["org", "import", str(SAMPLE_COUNTY)]):
        done = subprocess.run([sys.executable, "main.py", *args], cwd=PROJECT_ROOT, env=env, capture_output=True,
                              text=True, timeout=START_TIMEOUT)
        assert done.returncode == 0, f"main.py {' '.join(args)} failed:\n{done.stderr[-3000:]}"
    return path


def _clean_environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name.upper() not in BOT_VARIABLES}


@dataclass
class BotProcess:
    """`python main.py run` in a subprocess: stdout piped for what it prints, logs (stderr) in a file."""

    process: asyncio.subprocess.Process
    log: Path
    exited: asyncio.Future[int]

    def log_tail(self) -> str:
        lines = self.log.read_text(encoding="utf-8", errors="replace").splitlines() if self.log.exists() else []
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def failure(self, what: str) -> str:
        state = "running" if self.process.returncode is None else f"exited with {self.process.returncode}"
        return f"{what}\n--- bot process ({state}), last log lines:\n{self.log_tail()}"

    def cpu_seconds(self) -> float:
        """CPU time the running process has used so far (Linux: /proc), user and system."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def peak_memory(self) -> int:
        """The running process's peak resident memory so far in bytes (Linux: VmHWM in /proc)."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        kilobytes = next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(kilobytes) * 1024

    async def printed(self, pattern: str, *, within: float = START_TIMEOUT) -> re.Match[str]:
        """The first line on stdout matching `pattern`."""
        assert self.process.stdout is not None
        seen: list[str] = []
        try:
            async with asyncio.timeout(within):
                while line := (await self.process.stdout.readline()).decode(errors="replace"):
                    seen.append(line.rstrip())
                    if match := re.search(pattern, line):
                        return match
        except TimeoutError:
            pass
        raise AssertionError(self.failure(f"no line matching {pattern!r} within {within}s; printed: {seen}"))


@asynccontextmanager
async def bot_process(log: Path, *args: str, **env: str) -> AsyncIterator[BotProcess]:
    """Run `python main.py run ARGS` with these environment variables (on top of a clean copy of ours)."""
    with log.open("wb") as log_file:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "main.py", "run", *args, cwd=PROJECT_ROOT, env={**_clean_environment(), **env},
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log_file,
        )
    running = BotProcess(process, log, asyncio.ensure_future(process.wait()))
    try:
        yield running
    finally:
        await stop_process(running)


async def stop_process(running: BotProcess) -> None:
    if running.process.returncode is None:
        running.process.terminate()
        try:
            async with asyncio.timeout(STOP_TIMEOUT):
                await running.exited
        except TimeoutError:
            running.process.kill()
    await running.exited


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


async def eventually(condition: Callable[[], Awaitable[bool]], *, what: str, within: float = STEP_TIMEOUT) -> None:
    """Poll for what no event announces, such as the bot's commit: the bot edits cards inside its transaction,
    so the commit lands just after the edit a test waited for."""
    try:
        async with asyncio.timeout(within):
            while True:
                if await condition():
                    return
                await asyncio.sleep(POLL_SECONDS)
    except TimeoutError:
        raise AssertionError(f"{what}: not within {within}s") from None


async def card_recorded(database_url: str, chat_id: int, message: JSON, *, within: float = STEP_TIMEOUT) -> None:
    """Wait until the bot has recorded a card it posted, as a person takes the time to read it before pressing.

    The outbox sender records a card (issue_card) in a transaction of its own after Telegram answered the send;
    a change committed in between is the sender's own race, which this wait keeps out of a scenario."""

    async def recorded() -> bool:
        async with inspect_database(database_url) as session:
            return await session.scalar(select(IssueCard.id).where(
                IssueCard.chat_id == chat_id, IssueCard.message_id == message["message_id"])) is not None

    await eventually(recorded, what=f"card {message['message_id']} in {chat_id} recorded", within=within)
