"""The burst: every member of the county acting at once, each as fast as the bot answers them.

Each member works through a plan of steps with no pause: guided reports (each step waiting for the prompt it
answers, a teammate claiming the new card), look-ups (/open, /issue N, /mine, /score, /tasks, /overview) and
chatter the bot should ignore. The people act on the emulator's state directly (this process runs it), so
queueing an update costs microseconds and the updates go in as fast as the answers come out.

Every update is correlated with the bot's first answer to it, exactly:
- a button press: answerCallbackQuery of its callback_query_id;
- a step of a report: the bot's message replying to the member's message;
- a look-up answered without a reply (message.answer): the first bot message in that chat that has the answer's
  heading; at most one look-up of a kind is outstanding per chat, so no answer can be taken for another's;
- chatter: none (checked afterwards: nothing replied to it).
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.load_county import County, Person
from bench.load_feed import Feed, Lost
from bot.i18n import Localizer
from bot.models import ChatPurpose
from emulator import actions, make_png
from emulator.errors import ControlError
from emulator.models import JSON
from emulator.state import State
from tests.e2e.crowd import NUMBER, OWN_TEAM
from tests.e2e.support import buttons, message_text

PHOTO = make_png()
CHATTER = ("收到", "好的，明天去看看", "谢谢大家", "👍", "今天的走访做完了", "会议改到下午三点")
SENTINEL = "\x00"
REPORT_SHARE = 0.65  # of the updates: report conversations and claims; the rest single look-ups and chatter
LOOKUPS: dict[ChatPurpose, dict[str, int]] = {  # single updates each kind of member sends, with weights
    ChatPurpose.village: {"open": 25, "issue": 15, "mine": 15, "score": 15, "chatter": 30},
    ChatPurpose.township: {"tasks": 30, "score": 20, "mine": 20, "chatter": 30},
    ChatPurpose.department: {"tasks": 40, "mine": 30, "chatter": 30},
    ChatPurpose.county: {"overview": 40, "score": 30, "chatter": 30},
}


@dataclass(frozen=True)
class Step:
    what: str  # "report", or a single update: a look-up or "chatter"
    photo: bool = False
    place: bool = False
    urgent: bool = False
    claimer: int | None = None

    @property
    def updates(self) -> int:
        # /report, team, description, (photo, done) or no photo, place or skip, urgency, confirm; the claim
        return 7 + self.photo + (self.claimer is not None) if self.what == "report" else 1


def plan(county: County, total: int, seed: int) -> dict[int, list[Step]]:
    """Each member's steps (by telegram id), `total` updates in all."""
    rng = random.Random(seed)
    steps: dict[int, list[Step]] = {person.telegram_id: [] for person in county.people}
    reporters = [person for person in county.of(ChatPurpose.village) if person.teammates]
    rng.shuffle(reporters)
    used = 0
    for turn in range(total):
        person = reporters[turn % len(reporters)]
        step = Step("report", photo=rng.random() < 0.3, place=rng.random() < 0.5, urgent=rng.random() < 0.2,
                    claimer=rng.choice(person.teammates))
        if used + step.updates > total * REPORT_SHARE:
            break
        steps[person.telegram_id].append(step)
        used += step.updates
    people = list(county.people)
    rng.shuffle(people)
    for turn in range(total - used):
        person = people[turn % len(people)]
        mine = steps[person.telegram_id]
        weights = LOOKUPS[person.purpose]
        what = rng.choices(list(weights), list(weights.values()))[0]
        if what == "issue" and not any(step.what == "report" for step in mine):
            what = "open"
        if what == "issue":  # looks up the member's own report: after it
            mine.append(Step(what))
        else:
            mine.insert(rng.randrange(len(mine) + 1), Step(what))
    return steps


@dataclass
class Sent:
    """One update put into the emulator, and when the bot's first answer to it arrived there."""

    update_id: int
    what: str
    chat_id: int
    answered: float | None = None


@dataclass
class Report:
    chat_id: int
    description: str
    claimer: int | None
    number: str | None = None
    card: int | None = None  # the card's message id in the village group


def _has_button(label: str) -> Callable[[JSON], bool]:
    return lambda message: any(label in text for text in buttons(message))


def _forces_reply(message: JSON) -> bool:
    return bool((message.get("reply_markup") or {}).get("force_reply"))


def _lead(t: Localizer, key: str, **args: str) -> str:
    """The start of a message, up to its first argument not given here."""
    return t(key, **{"month": SENTINEL, "score": SENTINEL, "date": SENTINEL, **args}).split(SENTINEL)[0]


@dataclass
class Burst:
    state: State
    feed: Feed
    t: Localizer
    sent: list[Sent] = field(default_factory=list)
    reports: list[Report] = field(default_factory=list)
    chatter: list[tuple[int, int]] = field(default_factory=list)  # (chat, message id)
    problems: list[str] = field(default_factory=list)
    _numbers: defaultdict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    _locks: defaultdict[tuple[int, str], asyncio.Lock] = field(default_factory=lambda: defaultdict(asyncio.Lock))

    async def act(self, person: Person, steps: list[Step]) -> None:
        try:
            for step in steps:
                if step.what == "report":
                    await self._report(person, step)
                elif step.what == "chatter":
                    _, message_id = self._say("chatter", person.chat_id, person.telegram_id,
                                              CHATTER[len(self.sent) % len(CHATTER)])
                    self.chatter.append((person.chat_id, message_id))
                else:
                    await self._lookup(person, step.what)
        except (Lost, ControlError) as failure:
            self.problems.append(f"{person.code} in {person.place}: {failure}")

    # --- a guided report, step by step --------------------------------------------------------------

    async def _report(self, person: Person, step: Step) -> None:
        t, chat, me = self.t, person.chat_id, person.telegram_id
        report = Report(chat, f"负荷测试 {person.code} 第{len(self._numbers[me]) + 1}件：牧户反映草场围栏损坏",
                        step.claimer)
        sent, origin = self._say("report", chat, me, "/report")
        picker = await self._reply(sent, origin, _has_button(OWN_TEAM))
        mark, (sent, query) = self.feed.mark(), self._press("team", chat, picker, me, OWN_TEAM)
        await self._answer(sent, query)
        prompt = await self._next(chat, origin, mark, _forces_reply)
        sent, said = self._say("description", chat, me, report.description, reply_to=prompt["message_id"])
        prompt = await self._reply(sent, said, _forces_reply)
        hint = await self._next(chat, prompt["message_id"], 0, _has_button(t("report-photos-none")))
        mark = self.feed.mark()
        if step.photo:
            sent, photo = self._post("photo", chat, actions.send_photo(self.state, chat, me, PHOTO,
                                                                       reply_to=prompt["message_id"]))
            received = await self._reply(sent, photo, _has_button(t("report-photos-done")))
            mark, (sent, query) = self.feed.mark(), self._press("photos done", chat, received, me,
                                                                t("report-photos-done"))
        else:
            sent, query = self._press("no photo", chat, hint, me, t("report-photos-none"))
        await self._answer(sent, query)
        prompt = await self._next(chat, origin, mark, _forces_reply)
        if step.place:
            sent, said = self._say("place", chat, me, f"{person.code} 家东边的草场", reply_to=prompt["message_id"])
            urgency = await self._reply(sent, said, _has_button(t("urgency-normal")))
        else:
            hint = await self._next(chat, prompt["message_id"], 0, _has_button(t("report-place-skip")))
            mark, (sent, query) = self.feed.mark(), self._press("no place", chat, hint, me, t("report-place-skip"))
            await self._answer(sent, query)
            urgency = await self._next(chat, origin, mark, _has_button(t("urgency-normal")))
        label = t("urgency-urgent" if step.urgent else "urgency-normal")
        mark, (sent, query) = self.feed.mark(), self._press("urgency", chat, urgency, me, label)
        await self._answer(sent, query)
        summary = await self._next(chat, origin, mark, _has_button(t("report-confirm")))
        mark, (sent, query) = self.feed.mark(), self._press("confirm", chat, summary, me, t("report-confirm"))
        found = NUMBER.search((await self._answer(sent, query)).get("text") or "")
        if found is None:
            raise Lost(f"no issue number in the answer to Confirm of {report.description!r}")
        report.number = found.group()
        self.reports.append(report)
        self._numbers[me].append(report.number)
        if step.claimer is not None:
            card = (await self.feed.first(("plain", chat), after=mark, predicate=lambda event: (
                report.number in message_text(event["message"])
                and _has_button(t("action-claim"))(event["message"]))))["message"]
            report.card = card["message_id"]
            sent, query = self._press("claim", chat, card, step.claimer, t("action-claim"))
            await self._answer(sent, query, text=t("done-claim", number=report.number))

    # --- look-ups answered without a reply ------------------------------------------------------------

    async def _lookup(self, person: Person, what: str) -> None:
        t = self.t
        chat = person.telegram_id if what == "mine" else person.chat_id
        number = self._numbers[person.telegram_id][-1] if what == "issue" else ""
        headings = {
            "open": (t("open-title", village=person.place_name), t("open-empty", village=person.place_name)),
            "tasks": (t("tasks-title", name=person.place_name), t("tasks-empty", name=person.place_name)),
            "mine": (t("mine-title"), t("mine-empty")),
            "score": (_lead(t, "score-county-title" if person.purpose == ChatPurpose.county else "score-title",
                            name=person.place_name, code=person.place),),
            "overview": (_lead(t, "overview-title"),),
            "issue": (t("timeline-title"),),
        }[what]

        def expected(message: JSON) -> bool:
            text = message_text(message)
            return number in text and any(heading in text for heading in headings)

        async with self._locks[(chat, what)]:
            mark = self.feed.mark()
            sent, message_id = self._say(what, chat, person.telegram_id, f"/{what} {number}".strip())
            answer = asyncio.ensure_future(self.feed.first(("plain", chat), after=mark,
                                                           predicate=lambda event: expected(event["message"])))
            refusal = asyncio.ensure_future(self.feed.first(("reply", chat, message_id), after=0))
            done, pending = await asyncio.wait({answer, refusal}, return_when=asyncio.FIRST_COMPLETED)
            for waiting in pending:
                waiting.cancel()
            first = answer if answer in done else refusal
            for other in done - {first}:
                other.exception()  # retrieved: both fail together when the bot stops
            event = first.result()
            sent.answered = event["time"]
            if answer not in done:
                raise Lost(f"{sent.what} answered {message_text(event['message'])[:120]!r}")

    # --- acting and waiting -----------------------------------------------------------------------------

    def _say(self, what: str, chat: int, user: int, text: str, *, reply_to: int | None = None) -> tuple[Sent, int]:
        return self._post(what, chat, actions.send_text(self.state, chat, user, text, reply_to=reply_to))

    def _post(self, what: str, chat: int, posted: actions.Posted) -> tuple[Sent, int]:
        return self._queued(what, chat, posted.update_id), posted.message.message_id

    def _press(self, what: str, chat: int, message: JSON, user: int, label: str) -> tuple[Sent, str]:
        data = next((data for text, data in buttons(message).items() if label in text), None)
        if data is None:
            raise Lost(f"no button {label!r} on message {message['message_id']}: {list(buttons(message))}")
        pressed = actions.press_button(self.state, chat, message["message_id"], user, data)
        return self._queued(what, chat, pressed.update_id), pressed.callback_query_id

    def _queued(self, what: str, chat: int, update_id: int | None) -> Sent:
        if update_id is None:
            raise Lost(f"the emulator did not give {what} in {chat} to the bot")
        sent = Sent(update_id, what, chat)
        self.sent.append(sent)
        return sent

    async def _reply(self, sent: Sent, message_id: int, expected: Callable[[JSON], bool]) -> JSON:
        """The bot's first reply to the member's message, which must be the one expected."""
        message = (await self.feed.first(("reply", sent.chat_id, message_id), after=0))
        sent.answered = message["time"]
        if not expected(message["message"]):
            raise Lost(f"{sent.what} answered {message_text(message['message'])[:120]!r}")
        return message["message"]

    async def _answer(self, sent: Sent, query_id: str, *, text: str | None = None) -> JSON:
        answer = await self.feed.first(("answer", query_id), after=0)
        sent.answered = answer["time"]
        if answer.get("show_alert") or (text is not None and text not in (answer.get("text") or "")):
            raise Lost(f"{sent.what} answered {answer.get('text')!r}")
        return answer

    async def _next(self, chat: int, replied: int, after: int, expected: Callable[[JSON], bool]) -> JSON:
        """The next bot message replying to `replied` that is `expected` (a prompt following an answer)."""
        event = await self.feed.first(("reply", chat, replied), after=after,
                                      predicate=lambda event: expected(event["message"]))
        return event["message"]
