"""After the kills: what the members did, what the database holds and what the emulator received must agree.

Outbox messages are told apart by what they carry: a card by the issue in its buttons' callback data, a notice or
a digest by its text, rendered from the row the way the sender renders it. Each row's messages are counted in
the emulator. Extra copies are allowed of one kind only, at most one per killed process: a request that reached
the emulator from a process killed before it recorded the row as sent. Such a copy is the last outbox message
that process sent to that chat (the sender works a chat's rows one after another, so nothing follows it there),
it came from a process that died by SIGKILL, and the row points at another copy, sent by a later process.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.i18n import Localizer
from bot.messaging.callbacks import CardAction
from bot.messaging.reports import renderers
from bot.messaging.text import split_message
from bot.models import (
    FsmRecord,
    Issue,
    IssueEvent,
    JobRun,
    Member,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
    Urgency,
)
from bot.scheduler.periods import latest_fire_time, parse_period, period_key, trigger_for
from tests.e2e.crash_killer import Life
from tests.e2e.crash_traffic import Record
from tests.e2e.support import JSON, buttons, message_text

Signature = tuple[int, str, Any]  # (chat, "card", issue id) or (chat, "text", text)


@dataclass
class Tally:
    """Figures for the test's report."""

    outbox_rows: int = 0
    deliveries: int = 0
    kill_copies: int = 0                                     # the unavoidable duplicates, each accounted for
    kill_copy_lead: float = 0.0                             # the longest from such a copy's arrival to the kill
    periods: int = 0
    problems: list[str] = field(default_factory=list)


async def conversations_in_progress(session: AsyncSession) -> set[int]:
    """Members with a report conversation under way, as the database has it."""
    rows = (await session.execute(select(FsmRecord.user_id, FsmRecord.state))).all()
    return {user for user, state in rows if user is not None and (state or "").startswith("ReportForm")}


async def check_reports(session: AsyncSession, record: Record, resumed: dict[int, str], tally: Tally) -> None:
    """Every report whose Confirm was pressed exists once, with its reporter; nothing else was reported; the
    conversations under way at the last kill went on to their report; each claimed card was claimed once."""
    issues = (await session.execute(select(Issue.id, Issue.description, Member.telegram_id, Issue.holder_id,
                                           Issue.place_text, Issue.urgency)
                                    .join(Member, Member.id == Issue.reporter_id))).all()
    made = Counter(issue.description for issue in issues)
    for description in record.confirmed:
        if made[description] != 1:
            tally.problems.append(f"report {description!r}: Confirm pressed, {made[description]} issues")
    strays = sorted(set(made) - set(record.confirmed))
    if strays:
        tally.problems.append(f"issues nobody confirmed: {strays}")
    wrong = [i.description for i in issues if record.confirmed.get(i.description, i.telegram_id) != i.telegram_id]
    if wrong:
        tally.problems.append(f"issues with the wrong reporter: {wrong}")
    # the members skipped the place and took the normal urgency: a step's answer read twice would show here
    garbled = [(i.description, i.place_text, i.urgency) for i in issues
               if i.place_text is not None or i.urgency != Urgency.normal]
    if garbled:
        tally.problems.append(f"issues not as the members answered: {garbled}")
    for member, description in resumed.items():
        if made[description] != 1:
            tally.problems.append(f"member {member}'s conversation under way at the last kill ({description!r}) "
                                  "did not end in its report")
    members = dict((await session.execute(select(Member.telegram_id, Member.id))).all())
    by_description = {issue.description: issue for issue in issues}
    events = Counter((event.issue_id, event.kind, event.actor_id) for event in
                     (await session.scalars(select(IssueEvent))).all())
    for description, claimer in record.claimed.items():
        issue = by_description.get(description)
        if issue is None:
            continue
        claims = sum(n for (issue_id, kind, _), n in events.items() if issue_id == issue.id and kind == "claim")
        if claims != 1 or issue.holder_id != members[claimer] or events[(issue.id, "claim", members[claimer])] != 1:
            tally.problems.append(f"card {description!r}: claimed once by {claimer}, found {claims} claims, "
                                  f"holder {issue.holder_id}")
    for issue in issues:
        reported = sum(n for (issue_id, kind, _), n in events.items() if issue_id == issue.id and kind == "reported")
        if reported != 1:
            tally.problems.append(f"issue {issue.id}: {reported} 'reported' events")


def _texts(row: OutboxMessage, t: Localizer, settings: Settings) -> list[str]:
    payload = row.payload or {}
    if row.kind == OutboxKind.notice:
        return split_message(t(payload["key"], **payload.get("args", {})))
    rendered = renderers()[payload["renderer"]](payload.get("data", {}), t, settings)
    return [*([rendered.caption] if rendered.photo is not None and rendered.caption else []), *rendered.texts]


def _card_issue(message: JSON) -> int | None:
    for data in buttons(message).values():
        if data.startswith(f"{CardAction.__prefix__}{CardAction.__separator__}"):
            return CardAction.unpack(data).issue_id
    return None


async def check_outbox(session: AsyncSession, events: list[JSON], lives: list[Life], t: Localizer,
                       settings: Settings, tally: Tally) -> None:
    """Every outbox row sent, and received by the emulator once, or twice where a kill explains the copy."""
    rows = (await session.scalars(select(OutboxMessage))).all()
    tally.outbox_rows = len(rows)
    for row in rows:
        if row.status != OutboxStatus.sent:
            tally.problems.append(f"outbox {row.dedupe_key}: {row.status} after {row.attempts} attempts "
                                  f"({row.last_error})")
    expected: Counter[Signature] = Counter()
    recorded = {(row.chat_id, row.message_id) for row in rows if row.message_id is not None}
    for row in rows:
        if row.kind == OutboxKind.card:
            expected[(row.chat_id, "card", row.issue_id)] += 1
        elif row.kind in (OutboxKind.notice, OutboxKind.report):
            expected.update((row.chat_id, "text", text) for text in _texts(row, t, settings))
    copies: dict[Signature, list[JSON]] = defaultdict(list)
    for event in events:
        message = event.get("message") or {}
        if event["kind"] != "message" or not message.get("from_bot"):
            continue
        issue = _card_issue(message)
        signature = ((event["chat_id"], "card", issue) if issue is not None
                     else (event["chat_id"], "text", message_text(message)))
        if issue is not None or signature in expected:
            copies[signature].append(event)
    placed = [(event, next((life for life in lives if life.holds(event["time"])), None))
              for found in copies.values() for event in found]
    life_of = {event["id"]: life for event, life in placed}
    last_of_life: dict[tuple[int, int], int] = {}      # (life, chat) -> its last outbox message's event id
    for event, life in placed:
        if life is not None:
            key = (life.number, event["chat_id"])
            last_of_life[key] = max(last_of_life.get(key, 0), event["id"])

    def is_recorded(event: JSON) -> bool:
        return (event["chat_id"], event["message"]["message_id"]) in recorded

    def kill_copy(event: JSON, found: list[JSON]) -> bool:
        life = life_of[event["id"]]
        later = [life_of[e["id"]] for e in found if is_recorded(e)]
        return (life is not None and life.killed and last_of_life[(life.number, event["chat_id"])] == event["id"]
                and not is_recorded(event) and any(other and other.number > life.number for other in later))

    for signature in set(expected) | set(copies):
        found = copies.get(signature, [])
        tally.deliveries += len(found)
        extra = len(found) - expected[signature]
        explained = sum(1 for event in found if kill_copy(event, found))
        if extra < 0:
            tally.problems.append(f"outbox {signature}: {expected[signature]} expected, {len(found)} delivered")
        elif extra > explained:
            tally.problems.append(f"outbox {signature}: {extra} copies too many, {explained} explained by a kill: "
                                  f"{[(e['id'], e['time']) for e in found]}")
        else:
            tally.kill_copies += extra
            for event in found:
                life = life_of[event["id"]]
                if extra and kill_copy(event, found) and life is not None and life.signalled is not None:
                    tally.kill_copy_lead = max(tally.kill_copy_lead, life.signalled - event["time"])


async def check_digest_periods(session: AsyncSession, cron: str, chats: set[int], last_start: float,
                               settings: Settings, tally: Tally) -> None:
    """Every period of the weekly digest (here every minute) from the first, which only sets the baseline on a
    new database, to the last process's start ran once, posting once to each village group."""
    job = "weekly_digest"
    runs = dict((await session.execute(select(JobRun.period, JobRun.status).where(JobRun.job == job))).all())
    if not runs:
        tally.problems.append(f"{job} never ran")
        return
    trigger, tz = trigger_for(cron, settings.tz), settings.tz
    due = latest_fire_time(trigger, datetime.fromtimestamp(last_start, tz))
    first = min(runs)
    fire = trigger.get_next_fire_time(None, parse_period(first, tz))
    while fire is not None and due is not None and fire <= due:
        period = period_key(fire, tz)
        if period != first and runs.get(period) != "done":
            tally.problems.append(f"{job} period {period}: {runs.get(period, 'never ran')}")
        fire = trigger.get_next_fire_time(fire, fire)
    rows = (await session.scalars(select(OutboxMessage).where(OutboxMessage.dedupe_key.like("weekly:%")))).all()
    posted = Counter(row.dedupe_key.rsplit(":", 1)[0].removeprefix("weekly:") for row in rows)
    for period, status in runs.items():
        if status == "done":
            tally.periods += 1
            if posted[period] != len(chats):
                tally.problems.append(f"{job} period {period}: {posted[period]} posts for {len(chats)} groups")


def updates_seen_again(logs: list[Path]) -> tuple[int, int]:
    """Updates Telegram gave to more than one process (a kill caught them in hand, or between their commit and
    their confirmation), and how many of those a conversation skipped as taken already."""
    fed: Counter[str] = Counter()
    skipped = 0
    for log in logs:
        seen = set()
        for line in log.read_text(errors="replace").splitlines():
            if line.startswith("{") and '"Update id=' in line:
                seen.add(json.loads(line)["msg"].split()[1].removeprefix("id="))
            skipped += "was handled before the last restart" in line
        fed.update(seen)
    return sum(1 for count in fed.values() if count > 1), skipped
