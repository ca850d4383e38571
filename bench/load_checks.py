"""After the burst: whether anything was lost, and the figures (latency of the bot's answers, outbox delay)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from bench.load_feed import Feed, StampedQueue
from bench.load_people import Burst
from bench.sender import percentile
from bot.i18n import Localizer
from bot.models import Issue, IssueStatus, Member, OutboxMessage, OutboxStatus
from emulator.state import State
from tests.e2e.support import inspect_database

SHOWN = 5  # examples listed per kind of loss
KINDS = {
    "report step": ("report", "team", "description", "photo", "photos done", "no photo", "place", "no place",
                    "urgency", "confirm"),
    "claim": ("claim",),
    "look-up": ("open", "issue", "mine", "score", "tasks", "overview"),
}


def spread(seconds: Iterable[float]) -> dict[str, float | int]:
    ordered = sorted(seconds)
    figures: dict[str, float | int] = {"count": len(ordered)}
    for name, share in (("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)):
        figures[f"{name}_ms"] = round(percentile(ordered, share) * 1e3, 1) if ordered else 0.0
    return figures


def latency(burst: Burst, queue: StampedQueue) -> dict[str, Any]:
    """From the emulator queueing each update to the bot's first answer to it, split at the moment the bot
    fetched it (getUpdates): waiting in Telegram's queue, then inside the bot."""
    answered = [(sent.what, queue.queued[sent.update_id], queue.fetched[sent.update_id], sent.answered)
                for sent in burst.sent if sent.answered is not None]
    figures: dict[str, Any] = {
        "answer": spread(answer - queued for _, queued, _, answer in answered),
        "queued_until_fetched": spread(fetched - queued for _, queued, fetched, _ in answered),
        "fetched_until_answer": spread(answer - fetched for _, _, fetched, answer in answered),
    }
    for kind, whats in KINDS.items():
        figures[kind] = spread(answer - queued for what, queued, _, answer in answered if what in whats)
    return figures


async def outbox_delay(database_url: str) -> dict[str, Any]:
    """From the row's commit (created) to Telegram's answer to it (sent), per kind."""
    async with inspect_database(database_url) as session:
        rows = (await session.execute(select(OutboxMessage.kind, OutboxMessage.created_at, OutboxMessage.sent_at)
                                      .where(OutboxMessage.status == OutboxStatus.sent))).all()
    delays = [(kind.value, (sent - created).total_seconds()) for kind, created, sent in rows]
    return {"all": spread(delay for _, delay in delays),
            **{kind: spread(delay for k, delay in delays if k == kind) for kind in sorted({k for k, _ in delays})}}


async def outbox_pending(database_url: str) -> int:
    async with inspect_database(database_url) as session:
        return int(await session.scalar(select(func.count()).select_from(OutboxMessage)
                                        .where(OutboxMessage.status == OutboxStatus.pending)) or 0)


async def losses(burst: Burst, feed: Feed, state: State, database_url: str, log: Path, t: Localizer) -> list[str]:
    """Everything that went missing or wrong; empty when nothing was lost."""
    problems = [f"stopped early: {problem}" for problem in burst.problems[:SHOWN]]
    if len(burst.problems) > SHOWN:
        problems.append(f"... {len(burst.problems)} members stopped early in all")
    queue = state.updates
    assert isinstance(queue, StampedQueue)
    unconsumed = [sent.update_id for sent in burst.sent if sent.update_id not in queue.confirmed]
    if unconsumed or queue.pending:
        problems.append(f"{len(unconsumed)} updates never consumed (getUpdates offset), {len(queue.pending)} "
                        f"pending: {unconsumed[:SHOWN]}")
    unanswered = [sent for sent in burst.sent if sent.answered is None and sent.what != "chatter"]
    if unanswered:
        problems.append(f"{len(unanswered)} updates never answered: "
                        f"{[(sent.what, sent.chat_id, sent.update_id) for sent in unanswered[:SHOWN]]}")
    replied = [chatter for chatter in burst.chatter if feed.seen(("reply", *chatter))]
    if replied:
        problems.append(f"{len(replied)} chatter messages answered: {replied[:SHOWN]}")
    problems += await _issues(burst, database_url)
    problems += _cards(burst, state, t)
    refused = Counter(f"{call.method}: {call.status} {call.description}" for call in state.calls if call.status != 200)
    problems += [f"Bot API refused {count} calls: {what}" for what, count in refused.items()]
    problems += _log_errors(log)
    return problems


async def _issues(burst: Burst, database_url: str) -> list[str]:
    problems = []
    holder = aliased(Member)
    async with inspect_database(database_url) as session:
        rows = (await session.execute(select(Issue.description, Issue.number, Issue.status, holder.telegram_id)
                                      .outerjoin(holder, holder.id == Issue.holder_id))).all()
        outbox = {status: count for status, count in (await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))).all()}
    copies = Counter(row.description for row in rows)
    by_description = {row.description: row for row in rows}
    wrong = [report.description for report in burst.reports if copies[report.description] != 1
             or by_description[report.description].number != report.number]
    if wrong:
        problems.append(f"{len(wrong)} confirmed reports not exactly one issue of their number: {wrong[:SHOWN]}")
    if len(rows) != len(burst.reports):
        problems.append(f"{len(rows)} issues for {len(burst.reports)} confirmed reports")
    unclaimed = [report.number for report in burst.reports if report.claimer is not None and report.card is not None
                 and (by_description[report.description].status != IssueStatus.in_progress
                      or by_description[report.description].telegram_id != report.claimer)]
    if unclaimed:
        problems.append(f"{len(unclaimed)} claimed issues not in progress with the claimer: {unclaimed[:SHOWN]}")
    undelivered = {status.value: count for status, count in outbox.items() if status != OutboxStatus.sent}
    if undelivered:
        problems.append(f"outbox not all sent: {undelivered}")
    return problems


def _cards(burst: Burst, state: State, t: Localizer) -> list[str]:
    """Every claimed card edited in place to show the new status."""
    stale = []
    for report in burst.reports:
        if report.card is None:
            continue
        card = state.message(report.chat_id, report.card)
        if card is None or t("status-in_progress") not in (card.text or card.caption or ""):
            stale.append(report.number)
    return [f"{len(stale)} claimed cards not edited to in progress: {stale[:SHOWN]}"] if stale else []


def _log_errors(log: Path) -> list[str]:
    errors = []
    for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            level = json.loads(line).get("level")
        except (ValueError, AttributeError):
            level = "UNSTRUCTURED"
        if level in ("ERROR", "CRITICAL", "UNSTRUCTURED"):
            errors.append(line[:300])
    shown = [f"bot log: {line}" for line in errors[:SHOWN]]
    return shown + ([f"... {len(errors)} error lines in the bot's log"] if len(errors) > SHOWN else [])
