"""Many members reporting at once across many village groups, through the emulator: the scripted burst of the
replica test and of the replica benchmark.

Each member runs the guided report (team, description, no photo, no place, urgency, confirm) and then a
teammate claims the new card. The latency of a step runs from just before the member's action reaches the
emulator to the bot's answer arriving there (the emulator runs in this process, so both clocks are one).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Localizer
from bot.models import Member, Role, RoleName, Team, Unit
from emulator import EmulatorClient
from tests.e2e.support import JSON, ChatDriver, buttons, person
from tests.harness.people import bind

FIRST_CHAT = -1_002_000_000_000  # village group i is FIRST_CHAT - i
OWN_TEAM = "✅"  # the team picker marks the member's own team with this
NUMBER = re.compile(r"\d{4}-\d{4,}")
UPDATES_PER_REPORT = 8  # /report, team, description, no photo, no place, urgency, confirm, the teammate's claim


@dataclass(frozen=True)
class Seat:
    """A village group and members of one of its teams (so each may claim the others' items)."""

    chat_id: int
    village: str
    members: list[Member]

    def member_ids(self) -> list[int]:
        return [member.telegram_id for member in self.members if member.telegram_id is not None]


async def team_seats(session: AsyncSession, groups: int, per_group: int) -> list[Seat]:
    """The first `groups` villages (by code) having a team of at least `per_group` members on Telegram."""
    rows = (await session.execute(
        select(Unit.code, Team.kind, Member).join(Team, Team.village_id == Unit.id)
        .join(Role, Role.team_id == Team.id).join(Member, Member.id == Role.member_id)
        .where(Role.role == RoleName.member, Member.telegram_id.is_not(None))
        .order_by(Unit.code, Team.kind, Member.code))).all()
    teams: dict[tuple[str, str], list[Member]] = {}
    for code, kind, member in rows:
        teams.setdefault((code, kind), []).append(member)
    seats: list[Seat] = []
    for (code, _), members in teams.items():
        if len(members) >= per_group and code not in {seat.village for seat in seats}:
            seats.append(Seat(FIRST_CHAT - len(seats), code, members[:per_group]))
            if len(seats) == groups:
                return seats
    raise AssertionError(f"only {len(seats)} villages of the sample county have a team of {per_group} on Telegram")


async def open_groups(client: EmulatorClient, session: AsyncSession, seats: list[Seat]) -> None:
    """Each seat's group in the emulator, with its members, bound to its village in the database."""
    await client.upsert_users([person(member) for seat in seats for member in seat.members])
    for seat in seats:
        await client.create_chat(seat.village, chat_id=seat.chat_id, chat_type="supergroup",
                                 members=seat.member_ids())
        await bind(session, seat.chat_id, seat.village)


def _reply(chat_id: int, to: int, *, button: str | None = None, force: bool = False) -> Callable[[JSON], bool]:
    """A bot message in the chat replying to message `to`, with a button labelled `button` or a ForceReply."""

    def wanted(event: JSON) -> bool:
        message = event.get("message") or {}
        return (event["kind"] == "message" and event["chat_id"] == chat_id and bool(message.get("from_bot"))
                and (message.get("reply_to_message") or {}).get("message_id") == to
                and (button is None or any(button in label for label in buttons(message)))
                and (not force or bool((message.get("reply_markup") or {}).get("force_reply"))))

    return wanted


def _answer(query_id: str) -> Callable[[JSON], bool]:
    def wanted(event: JSON) -> bool:
        return event["kind"] == "callback_answer" and event["callback_query_id"] == query_id

    return wanted


@dataclass
class Crowd:
    """People acting at once through one driver; `latencies` gathers every measured step's seconds."""

    client: EmulatorClient
    t: Localizer
    within: float
    latencies: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.driver = ChatDriver(self.client, within=self.within)

    async def report(self, chat_id: int, reporter: int, claimer: int, description: str) -> str:
        """One guided report by `reporter`, its card claimed by `claimer`; returns the issue number."""
        t = self.t
        origin, mark, started = await self._say(chat_id, reporter, "/report")
        picker = await self._reaction(_reply(chat_id, origin, button=OWN_TEAM), mark, started, "team picker")
        mark, started, _ = await self._press(chat_id, picker, reporter, OWN_TEAM)
        prompt = await self._reaction(_reply(chat_id, origin, force=True), mark, started, "description prompt")
        said, mark, started = await self._say(chat_id, reporter, description, reply_to=prompt["message_id"])
        prompt = await self._reaction(_reply(chat_id, said, force=True), mark, started, "photo prompt")
        hint = await self._message(_reply(chat_id, prompt["message_id"], button=t("report-photos-none")), mark)
        mark, started, _ = await self._press(chat_id, hint, reporter, t("report-photos-none"))
        prompt = await self._reaction(_reply(chat_id, origin, force=True), mark, started, "place prompt")
        hint = await self._message(_reply(chat_id, prompt["message_id"], button=t("report-place-skip")), mark)
        mark, started, _ = await self._press(chat_id, hint, reporter, t("report-place-skip"))
        urgency = await self._reaction(_reply(chat_id, origin, button=t("urgency-normal")), mark, started,
                                       "urgency")
        mark, started, _ = await self._press(chat_id, urgency, reporter, t("urgency-normal"))
        summary = await self._reaction(_reply(chat_id, origin, button=t("report-confirm")), mark, started,
                                       "summary")
        mark, started, query = await self._press(chat_id, summary, reporter, t("report-confirm"))
        answer = await self._wait(_answer(query), mark, "the answer to Confirm")
        self.latencies.append(answer["time"] - started)
        found = NUMBER.search(answer.get("text") or "")
        assert found, f"no issue number in the answer to Confirm: {answer}"
        number = found.group()
        card = await self.driver.bot_message(chat_id, after=mark, text=number, button=t("action-claim"))
        mark, started, query = await self._press(chat_id, card, claimer, t("action-claim"))
        answer = await self._wait(_answer(query), mark, "the answer to the claim")
        self.latencies.append(answer["time"] - started)
        await self.driver.edited(chat_id, card, after=mark, text=t("status-in_progress"))
        return number

    async def _say(self, chat_id: int, user_id: int, text: str, *, reply_to: int | None = None
                   ) -> tuple[int, int, float]:
        started = time.time()
        posted = await self.client.send_message(chat_id, user_id, text, reply_to=reply_to)
        return posted["message"]["message_id"], posted["event_id"], started

    async def _press(self, chat_id: int, message: JSON, user_id: int, label: str) -> tuple[int, float, str]:
        data = next((data for text, data in buttons(message).items() if label in text), None)
        assert data, f"no button {label!r} on message {message['message_id']}: {list(buttons(message))}"
        mark = await self.driver.mark()
        started = time.time()
        pressed = await self.client.press_button(chat_id, message["message_id"], user_id, data)
        return mark, started, pressed["callback_query_id"]

    async def _wait(self, predicate: Callable[[JSON], bool], after: int, what: str) -> JSON:
        return await self.driver.wait_for(predicate, after=after, what=what)

    async def _message(self, predicate: Callable[[JSON], bool], after: int) -> JSON:
        return (await self._wait(predicate, after, "the buttons following a prompt"))["message"]

    async def _reaction(self, predicate: Callable[[JSON], bool], after: int, started: float, what: str) -> JSON:
        event = await self._wait(predicate, after, what)
        self.latencies.append(event["time"] - started)
        return event["message"]
