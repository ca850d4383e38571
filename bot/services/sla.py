"""The SLA sweep: overdue village items escalate, unacknowledged escalations are re-notified and climb,
acknowledged items past due are reminded once a day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue, IssueLevel, IssueStatus
from bot.services.chats import chat_for_department
from bot.services.lifecycle import Change, escalate_up, record
from bot.services.notify import announce, level_chat
from bot.services.outbox import enqueue_notice

REMINDER_EVERY = timedelta(days=1)
BATCH = 500


@dataclass
class SweepResult:
    escalated: int = 0
    renotified: int = 0
    climbed: int = 0
    reminded: int = 0


async def sweep(session: AsyncSession, settings: Settings, now: datetime) -> SweepResult:
    result = SweepResult()
    change = Change(now=now, settings=settings)
    overdue_village = await session.scalars(
        select(Issue).where(Issue.level == IssueLevel.village,
                            Issue.status.in_([IssueStatus.open, IssueStatus.in_progress]),
                            Issue.due_at < now).order_by(Issue.id).limit(BATCH).with_for_update(skip_locked=True))
    for issue in overdue_village.all():
        before = issue.status
        escalate_up(issue, change, None)
        record(session, issue, None, "auto_escalate", now, level=issue.level.value, **{"from": before.value})
        await announce(session, issue, "auto_escalate", now)
        result.escalated += 1

    waiting = await session.scalars(
        select(Issue).where(Issue.level.in_([IssueLevel.township, IssueLevel.county]),
                            Issue.status == IssueStatus.open, Issue.acknowledged_at.is_(None),
                            Issue.notify_at <= now).order_by(Issue.id).limit(BATCH)
        .with_for_update(skip_locked=True))
    for issue in waiting.all():
        if issue.level == IssueLevel.township and issue.renotify_count >= settings.deadlines.renotify_max:
            escalate_up(issue, change, issue.escalation_reason)
            record(session, issue, None, "climb", now, level=issue.level.value)
            await announce(session, issue, "climb", now)
            result.climbed += 1
            continue
        issue.renotify_count += 1
        issue.notify_at = now + timedelta(hours=settings.deadlines.renotify_every_hours)
        record(session, issue, None, "renotify", now, count=issue.renotify_count)
        chat = await level_chat(session, issue)
        if chat is not None:
            await enqueue_notice(session, chat_id=chat, key="notice-unacknowledged",
                                 args={"number": issue.number, "hours": int((now - issue.escalated_at).total_seconds()
                                                                            // 3600) if issue.escalated_at else 0},
                                 dedupe_key=f"renotify:{issue.id}:{issue.level.value}:{issue.renotify_count}",
                                 now=now, issue_id=issue.id)
        result.renotified += 1

    late = await session.scalars(
        select(Issue).where(Issue.level.in_([IssueLevel.township, IssueLevel.county]),
                            Issue.status == IssueStatus.in_progress, Issue.due_at < now,
                            (Issue.last_reminder_at.is_(None)) | (Issue.last_reminder_at <= now - REMINDER_EVERY))
        .order_by(Issue.id).limit(BATCH).with_for_update(skip_locked=True))
    for issue in late.all():
        issue.last_reminder_at = now
        record(session, issue, None, "reminder", now)
        day = now.astimezone(settings.tz).date().isoformat()
        for chat in {await level_chat(session, issue), await _department_chat(session, issue)} - {None}:
            await enqueue_notice(session, chat_id=chat, key="notice-overdue",
                                 args={"number": issue.number, "days": max((now - issue.due_at).days, 0)
                                       if issue.due_at else 0},
                                 dedupe_key=f"overdue:{issue.id}:{chat}:{day}", now=now, issue_id=issue.id)
        result.reminded += 1
    await session.flush()
    return result


async def _department_chat(session: AsyncSession, issue: Issue) -> int | None:
    return await chat_for_department(session, issue.department_id) if issue.department_id else None
