"""The outbox sender: delivers queued messages within Telegram's limits, retries what can be retried, records
what cannot, and never sends a row twice (rows are claimed before sending)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from aiogram import Bot
from aiogram.types import BufferedInputFile
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging import outbox_ledger as ledger
from bot.messaging.cards import Card
from bot.messaging.pacing import Limits
from bot.messaging.render import card_for_chat
from bot.messaging.reports import renderers
from bot.messaging.send_outcomes import Claimed, LostClaim, NoTopic, Permanent, Retry, Stopping, Upgraded, sort_failure
from bot.messaging.sender_loop import DeliveryLoop, finish_all
from bot.messaging.text import split_message
from bot.models import Issue, IssueCard, OutboxKind
from bot.retry import backoff, describe, is_transient, retry_transient
from bot.services.chat_migration import migrate_chat
from bot.services.delivery import forget_topic, report_chat_problem
from bot.services.health import Health
from bot.services.outbox import enqueue_card_edits

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300


class Sender(DeliveryLoop):
    def __init__(self, bot: Bot, sessionmaker: async_sessionmaker[AsyncSession], translator: Translator,
                 settings: Settings, clock: Clock, *, worker: str | None = None,
                 on_outcome: Callable[[OutboxKind, bool], None] | None = None, health: Health | None = None) -> None:
        super().__init__(settings, health)
        self.bot, self._sessionmaker, self.clock = bot, sessionmaker, clock
        # told of each row sent (True) or failed for good (False): metrics, without the sender knowing of them
        self._on_outcome = on_outcome
        self._t = translator.localizer(settings.default_language)
        self._renderers = renderers()
        self.worker = worker or uuid.uuid4().hex[:12]
        self.limits = Limits(settings)
        self._claimed_at: dict[int, datetime] = {}
        # how long a claim keeps other senders off a row: what a crashed sender's rows wait before they are sent
        self._claim_for = timedelta(seconds=settings.delivery.claim_seconds)

    async def deliver_due(self) -> int:
        rows = await self._claim()
        if not rows:
            return 0
        by_chat: dict[int, list[Claimed]] = {}
        for row in rows:
            by_chat.setdefault(row.chat_id, []).append(row)
        try:
            await finish_all(*(self._deliver_chat(chat_rows) for chat_rows in by_chat.values()))
        finally:
            await self._release([row.id for row in rows])
            for row in rows:
                self._claimed_at.pop(row.id, None)
        return len(rows)

    async def _claim(self) -> list[Claimed]:
        now = self.clock.now()
        async with self._sessionmaker.begin() as session:
            rows = await ledger.claim_due(session, now=now, until=now + self._claim_for, worker=self.worker,
                                          batch=self.settings.delivery.batch)
            self._claimed_at.update(dict.fromkeys((row.id for row in rows), now))
            return rows

    async def _release(self, ids: list[int]) -> None:
        async with self._sessionmaker.begin() as session:
            await ledger.release(session, ids, worker=self.worker)

    async def _deliver_chat(self, rows: list[Claimed], *, followed: bool = False) -> None:
        blocked_until: float | None = None
        for index, row in enumerate(rows):
            if self._stop.is_set():
                return
            if blocked_until is not None:
                await self._reschedule(row, blocked_until, "chat rate-limited", counts=False)
                continue
            try:
                await self._deliver(row)
            except Retry as retry:
                await self._reschedule(row, retry.after, retry.reason, counts=retry.counts)
                if not retry.counts:
                    blocked_until = retry.after
            except Upgraded as failure:
                await (self._fail(row, failure) if followed else self._follow_upgrade(row, failure))
            except NoTopic as lost:     # this row and the chat's others go to General, without asking again
                await self._leave_topic(row, lost)
                await self._deliver_chat([replace(r, thread_id=None) for r in rows[index:]], followed=followed)
                return
            except Permanent as failure:
                await self._fail(row, failure)
            except LostClaim:
                log.info("outbox %s was taken over by another sender; skipped", row.id)
            except Stopping:
                return
            except Exception as error:  # a renderer bug must not stop the other chats' rows
                if is_transient(error):  # the database's fault, not the row's: it and the rest go next round
                    log.warning("outbox %s: database unavailable (%s); left for the next round", row.id,
                                describe(error))
                    return
                log.exception("outbox %s could not be delivered", row.id)
                await self._fail(row, Permanent(f"{type(error).__name__}: {error}", chat_problem=False))

    async def _call(self, row: Claimed, coroutine: Any) -> Any:
        """Send one request for `row`, paced right before it goes out, and sort a failure into retry or give up."""
        try:
            await self._unless_stopped(self.limits.acquire(row.chat_id))
            await self._renew_claim_if_old(row)
        except (LostClaim, Stopping):
            coroutine.close()  # the request was never started: nothing to send, nothing to leak
            raise
        try:
            return await coroutine
        except Exception as error:
            outcome = sort_failure(error, topic_id=row.thread_id)
            if outcome is None:
                raise
            raise outcome from None

    async def _follow_upgrade(self, row: Claimed, upgraded: Upgraded) -> None:
        """Sent between the upgrade and the bot reading the service message that tells of it: carry the chat over
        as that message does (idempotent: whichever comes first moves everything) and send the row to the
        supergroup at once, unless the move left it behind (the supergroup is bound to another unit)."""
        async with self._sessionmaker.begin() as session:
            await migrate_chat(session, old_chat_id=row.chat_id, new_chat_id=upgraded.new_chat_id,
                               now=self.clock.now())
            now_at = await ledger.chat_of(session, row.id)
        if now_at != upgraded.new_chat_id:
            await self._fail(row, upgraded)
            return
        log.info("outbox %s: chat %s became %s, sent there", row.id, row.chat_id, upgraded.new_chat_id)
        await self._deliver_chat([replace(row, chat_id=upgraded.new_chat_id)], followed=True)

    async def _leave_topic(self, row: Claimed, lost: NoTopic) -> None:
        """The chat's topic was deleted or closed: forget it, the admins told once; its rows go to General now."""
        log.warning("outbox %s: topic %s refused, sent to General: %s", row.id, lost.topic_id, lost.reason)
        async with self._sessionmaker.begin() as session:
            await forget_topic(session, chat_id=row.chat_id, topic_id=lost.topic_id, error=lost.reason,
                               now=self.clock.now())

    async def _renew_claim_if_old(self, row: Claimed) -> None:
        """The rate limiter may have kept this row waiting: past half its claim, take it again or leave it.
        (Renewing on every send would cost a write per message for nothing.)"""
        now = self.clock.now()
        if now < self._claimed_at.get(row.id, now) + self._claim_for / 2:
            return
        async with self._sessionmaker.begin() as session:
            renewed = await ledger.renew(session, row.id, worker=self.worker, until=now + self._claim_for)
        if not renewed:
            raise LostClaim()
        self._claimed_at[row.id] = now
        self.limits.sent(row.chat_id)   # later than its turn by this write: the chat's spacing counts from now

    async def _send_parts(self, row: Claimed, texts: list[str]) -> int | None:
        """Send a text in parts, recording progress so a retry resumes after the last part that arrived."""
        done = int(row.payload.get("parts_sent", 0))
        message_id = None
        for index, part in enumerate(texts):
            if index < done:
                continue
            sent = await self._call(row, self.bot.send_message(row.chat_id, part, message_thread_id=row.thread_id))
            message_id = message_id or sent.message_id
            if len(texts) > 1:
                await self._save_progress(row, index + 1)
        return message_id

    async def _save_progress(self, row: Claimed, parts_sent: int) -> None:
        row.payload["parts_sent"] = parts_sent

        async def record() -> None:
            async with self._sessionmaker.begin() as session:
                await ledger.record_progress(session, row.id, row.payload)

        await self._after_sending(row, record)

    async def _after_sending(self, row: Claimed, record: Callable[[], Awaitable[None]]) -> None:
        """Record what arrived, riding out a passing database fault while the claim holds, or it goes out again."""
        await retry_transient(record, what=f"recording outbox {row.id}", health=self._health,
                              delays=backoff(0.5, 10.0, total=self._claim_for.total_seconds() / 2))

    async def _deliver(self, row: Claimed) -> None:
        now = self.clock.now()
        if row.kind == OutboxKind.notice:
            text = self._t(row.payload["key"], **row.payload.get("args", {}))
            await self._mark_sent(row, await self._send_parts(row, split_message(text)))
            return
        if row.kind == OutboxKind.report:
            await self._deliver_report(row)
            return
        assert row.issue_id is not None
        async with self._sessionmaker() as session:
            card = await card_for_chat(session, issue_id=row.issue_id, chat_id=row.chat_id, t=self._t,
                                       settings=self.settings, now=now)
            posted = (await session.scalars(select(IssueCard).where(IssueCard.issue_id == row.issue_id,
                                                                    IssueCard.chat_id == row.chat_id))).all()
        if row.kind == OutboxKind.card:
            if card.photo:
                sent = await self._call(row, self.bot.send_photo(row.chat_id, card.photo, caption=card.text,
                                                            reply_markup=card.keyboard,
                                                            message_thread_id=row.thread_id))
            else:
                sent = await self._call(row, self.bot.send_message(row.chat_id, card.text, reply_markup=card.keyboard,
                                                                   message_thread_id=row.thread_id))
            await self._mark_sent(row, sent.message_id, card=card, rendered_at=now)
            return
        for copy in posted:
            try:
                if copy.with_photo:
                    await self._call(row, self.bot.edit_message_caption(
                        chat_id=copy.chat_id, message_id=copy.message_id, caption=card.text,
                        reply_markup=card.keyboard))
                else:
                    await self._call(row, self.bot.edit_message_text(
                        card.text, chat_id=copy.chat_id, message_id=copy.message_id, reply_markup=card.keyboard))
            except Permanent as failure:
                if "not modified" not in failure.reason and "not found" not in failure.reason.lower():
                    raise
        await self._mark_sent(row, None)

    async def _deliver_report(self, row: Claimed) -> None:
        renderer = self._renderers.get(row.payload.get("renderer", ""))
        if renderer is None:
            raise Permanent(f"no renderer {row.payload.get('renderer')!r}", chat_problem=False)
        # charts are drawn with matplotlib: CPU work kept off the event loop
        rendered = await asyncio.to_thread(renderer, row.payload.get("data", {}), self._t, self.settings)
        message_id = None
        if rendered.photo is not None and not row.payload.get("photo_sent"):
            sent = await self._call(row, self.bot.send_photo(
                row.chat_id, BufferedInputFile(rendered.photo, "chart.png"), caption=rendered.caption,
                message_thread_id=row.thread_id))
            message_id = sent.message_id
            row.payload["photo_sent"] = True
            await self._save_progress(row, 0)
        await self._mark_sent(row, await self._send_parts(row, rendered.texts) or message_id)

    async def _mark_sent(self, row: Claimed, message_id: int | None, *, card: Card | None = None,
                         rendered_at: datetime | None = None) -> None:
        async def record() -> None:
            async with self._sessionmaker.begin() as session:
                if card is not None:
                    # Locked first, as every change to the item locks it: a change commits either before this (and
                    # the render below sees it) or after (and finds the copy recorded here, to edit).
                    await session.execute(select(Issue.id).where(Issue.id == row.issue_id).with_for_update())
                await ledger.record_sent(session, row, worker=self.worker, now=self.clock.now(), message_id=message_id)
                if (card is not None and rendered_at is not None and message_id is not None
                        and row.issue_id is not None):
                    session.add(IssueCard(issue_id=row.issue_id, chat_id=row.chat_id, message_id=message_id,
                                          with_photo=card.photo is not None))
                    await self._edit_if_changed(session, row.issue_id, row.chat_id, card, rendered_at)

        await self._after_sending(row, record)
        if self._on_outcome is not None:
            self._on_outcome(row.kind, True)

    async def _edit_if_changed(self, session: AsyncSession, issue_id: int, chat_id: int, shown: Card,
                               rendered_at: datetime) -> None:
        """A change that committed while this card was on its way found no copy to edit: edit it now."""
        current = await card_for_chat(session, issue_id=issue_id, chat_id=chat_id, t=self._t, settings=self.settings,
                                      now=rendered_at)
        if current != shown:
            await enqueue_card_edits(session, issue_id=issue_id, now=self.clock.now())

    async def _reschedule(self, row: Claimed, after: float, reason: str, *, counts: bool) -> None:
        attempts = row.attempts + (1 if counts else 0)
        if counts and attempts >= self.settings.delivery.max_attempts:
            await self._fail(row, Permanent(f"gave up after {attempts} attempts: {reason}", chat_problem=False))
            return
        delay = after if after >= 0 else min(2 ** attempts, MAX_BACKOFF_SECONDS)
        log.info("outbox %s to chat %s retried in %.0fs: %s", row.id, row.chat_id, delay, reason)
        async with self._sessionmaker.begin() as session:
            await ledger.reschedule(session, row.id, attempts=attempts, reason=reason,
                                    due=self.clock.now() + timedelta(seconds=delay))

    async def _fail(self, row: Claimed, failure: Permanent) -> None:
        log.warning("outbox %s to chat %s failed for good: %s", row.id, row.chat_id, failure.reason)
        now = self.clock.now()
        async with self._sessionmaker.begin() as session:
            await ledger.record_failure(session, row, failure.reason)
            if failure.chat_problem:
                await report_chat_problem(session, chat_id=row.chat_id, error=failure.reason, now=now)
        if self._on_outcome is not None:
            self._on_outcome(row.kind, False)

