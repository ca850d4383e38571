"""Members reporting and claiming through the emulator while the bot is killed and restarted under them.

Each member runs the guided report again and again (team, description, no photo, no place, urgency, confirm),
and a teammate claims each new card. Nothing here waits for a particular incarnation of the bot: what a member
sends while the bot is down waits in the emulator, as it would at Telegram, and is handled after the restart.
A prompt sent by a process killed before its transaction committed is not the member's prompt any more: its
buttons are refused ("not your button") and the member presses the same step on the prompt sent again when the
update was handled anew. Every action the members took is recorded for the audit (tests/e2e/crash_audit.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.i18n import Localizer
from emulator import EmulatorClient
from tests.e2e.crowd import OWN_TEAM, Seat
from tests.e2e.support import JSON, ChatDriver, buttons, message_text

STEPS = ("kind", "description", "photos", "place", "urgency", "confirm")


@dataclass
class Record:
    """What the members did: the reports whose Confirm they pressed, the cards they claimed, and the report each
    member started last."""

    confirmed: dict[str, int] = field(default_factory=dict)     # description -> reporter's Telegram id
    claimed: dict[str, int] = field(default_factory=dict)       # description -> claimer's Telegram id
    started: dict[int, str] = field(default_factory=dict)       # member's Telegram id -> description
    refused: int = 0                                            # presses on a prompt a killed process had sent


class Traffic:
    def __init__(self, client: EmulatorClient, t: Localizer, *, within: float) -> None:
        self.client, self.t = client, t
        self.driver = ChatDriver(client, within=within)
        self.record = Record()
        self._messages: dict[tuple[int, int], JSON] = {}
        self._indexed = 0

    async def run(self, seats: list[Seat], stop: asyncio.Event) -> None:
        """Every member reports until `stop`, then finishes the report under way; returns when every card
        has been claimed. The first member stuck ends them all."""
        async with asyncio.TaskGroup() as group:
            for seat in seats:
                for index in range(len(seat.members)):
                    group.create_task(self._member(group, seat, index, stop))

    async def _member(self, group: asyncio.TaskGroup, seat: Seat, index: int, stop: asyncio.Event) -> None:
        ids = seat.member_ids()
        reporter, claimer = ids[index], ids[(index + 1) % len(ids)]
        number = 0
        while not stop.is_set():
            number += 1
            description = f"{seat.village} 队员{reporter} 第{number}件：围栏倒塌，牛羊进入禁牧区"
            self.record.started[reporter] = description
            await self._report(seat.chat_id, reporter, description)
            group.create_task(self._claim(seat.chat_id, claimer, description))

    async def _report(self, chat_id: int, me: int, description: str) -> None:
        after = await self.driver.say(chat_id, me, "/report")
        step = 0
        while step < len(STEPS):
            name = STEPS[step]
            offer = await self._wait(self._offer(chat_id, me, name), after, f"the {name} step for {me}")
            after = offer["id"]
            message = offer["message"]
            if name == "description":  # a text reply: no prompt of it can be refused
                await self.driver.say(chat_id, me, description, reply_to=message)
                step += 1
                continue
            query = await self._press(chat_id, message, me, self._label(name))
            if name == "confirm":
                self.record.confirmed[description] = me
            is_next = self._offer(chat_id, me, STEPS[step + 1]) if step + 1 < len(STEPS) else _never
            answer = await self._wait(lambda e, q=query, n=is_next: _answers(e, q) or n(e), after,
                                      f"the answer to {name} of {me}")
            if _answers(answer, query) and answer.get("text") == self.t("report-not-your-button"):
                self.record.refused += 1  # pressed on a prompt of a killed process: press the newer one
                continue
            step += 1

    async def _claim(self, chat_id: int, me: int, description: str) -> None:
        label = self.t("action-claim")

        def card(event: JSON) -> bool:
            message = event.get("message") or {}
            return (event["kind"] == "message" and event["chat_id"] == chat_id and bool(message.get("from_bot"))
                    and description in message_text(message) and any(label in b for b in buttons(message)))

        found = await self._wait(card, 0, f"the card of {description!r}")
        query = await self._press(chat_id, found["message"], me, label)
        self.record.claimed[description] = me
        await self._wait(lambda event: _answers(event, query), found["id"], f"the answer to {me}'s claim")

    def _label(self, step: str) -> str:
        return {"kind": OWN_TEAM, "photos": self.t("report-photos-none"), "place": self.t("report-place-skip"),
                "urgency": self.t("urgency-normal"), "confirm": self.t("report-confirm")}[step]

    def _offer(self, chat_id: int, me: int, step: str) -> Callable[[JSON], bool]:
        """A bot message in the chat, addressed to `me`, offering `step` of the report."""

        def wanted(event: JSON) -> bool:
            self._index()
            message = event.get("message") or {}
            if event["kind"] != "message" or event["chat_id"] != chat_id or not message.get("from_bot"):
                return False
            if step == "description":
                offers = (bool((message.get("reply_markup") or {}).get("force_reply"))
                          and self.t("report-ask-description") in message_text(message))
            else:
                offers = any(self._label(step) in label for label in buttons(message))
            return offers and self._addressed_to(chat_id, message, me)

        return wanted

    def _addressed_to(self, chat_id: int, message: JSON, me: int) -> bool:
        """Replying to my message, mentioning me, or following a prompt that does (the buttons of a prompt)."""
        if _mentions(message, me):
            return True
        replied = message.get("reply_to_message") or {}
        if (replied.get("from") or {}).get("id") == me:
            return True
        parent = self._messages.get((chat_id, replied.get("message_id", 0)))
        if parent is None or not parent.get("from_bot"):
            return False
        return _mentions(parent, me) or ((parent.get("reply_to_message") or {}).get("from") or {}).get("id") == me

    def _index(self) -> None:
        for event in self.driver.seen[self._indexed:]:
            if event["kind"] == "message":
                self._messages[(event["chat_id"], event["message"]["message_id"])] = event["message"]
        self._indexed = len(self.driver.seen)

    async def _press(self, chat_id: int, message: JSON, me: int, label: str) -> str:
        data = next(data for text, data in buttons(message).items() if label in text)
        pressed = await self.client.press_button(chat_id, message["message_id"], me, data)
        return str(pressed["callback_query_id"])

    async def _wait(self, predicate: Callable[[JSON], bool], after: int, what: str) -> JSON:
        return await self.driver.wait_for(predicate, after=after, what=what)


def _answers(event: JSON, query: str) -> bool:
    return event["kind"] == "callback_answer" and event["callback_query_id"] == query


def _never(event: JSON) -> bool:
    return False


def _mentions(message: JSON, user_id: int) -> bool:
    entities = message.get("entities") or message.get("caption_entities") or []
    return any((entity.get("user") or {}).get("id") == user_id for entity in entities)
