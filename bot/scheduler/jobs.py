"""The periodic jobs. Each takes the run's session and context, queues what it posts in the outbox, and returns
counts for the JobRun record and `jobs list`."""

from __future__ import annotations

from dataclasses import asdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatPurpose, Member, Role, RoleName, Unit
from bot.scheduler.backup_job import db_backup
from bot.scheduler.disclosure_jobs import monthly_disclosure
from bot.scheduler.ranking_jobs import monthly_ranking, year_end_assessment
from bot.scheduler.runner import JobContext, JobFunction
from bot.services.agenda import department_agendas, village_agendas
from bot.services.chats import bindings
from bot.services.conversations import purge_idle_conversations
from bot.services.digest import merge, oldest_open, village_counts, villages_by_township
from bot.services.outbox import enqueue_report, enqueue_reports
from bot.services.sla import sweep

WEEK = timedelta(days=7)


async def sla_sweep(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    return asdict(await sweep(session, ctx.settings, ctx.now))


async def weekly_digest(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    end = ctx.fire_time
    start = end - WEEK
    counts = await village_counts(session, start, end)
    oldest = await oldest_open(session)
    names = dict((await session.execute(select(Unit.id, Unit.name))).all())
    span = {"start": start.isoformat(), "end": end.isoformat()}
    reports: list[tuple[int, str, dict[str, Any], str]] = []
    for binding in await bindings(session, ChatPurpose.village):
        assert binding.unit_id is not None
        data: dict[str, Any] = {**span, "name": names[binding.unit_id], "teams": counts.get(binding.unit_id, {}),
                                "oldest": oldest.get(binding.unit_id, [])}
        reports.append((binding.chat_id, "weekly_digest", data, f"weekly:{ctx.period}:{binding.chat_id}"))
    township_villages = await villages_by_township(session)
    for binding in await bindings(session, ChatPurpose.township):
        assert binding.unit_id is not None
        villages = township_villages.get(binding.unit_id, [])
        items = sorted((item for v in villages for item in oldest.get(v, [])), key=lambda i: i["number"])
        data = {**span, "name": names[binding.unit_id], "teams": merge([counts.get(v, {}) for v in villages]),
                "oldest": items[:5]}
        reports.append((binding.chat_id, "weekly_digest", data, f"weekly:{ctx.period}:{binding.chat_id}"))
    return {"posted": await enqueue_reports(session, reports, ctx.now)}


async def joint_meeting_reminder(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    """To each village group and its secretary: the quarterly joint meeting, with an agenda of open items."""
    meeting = ctx.fire_time.astimezone(ctx.settings.tz).replace(day=ctx.settings.meetings.joint_meeting_day)
    agendas = await village_agendas(session, ctx.now)
    secretaries = dict((await session.execute(
        select(Role.unit_id, Member.telegram_id).join(Member, Member.id == Role.member_id)
        .where(Role.role == RoleName.village_secretary, Member.telegram_id.is_not(None)))).all())
    names = dict((await session.execute(select(Unit.id, Unit.name))).all())
    posted = 0
    for binding in await bindings(session, ChatPurpose.village):
        assert binding.unit_id is not None
        data = {"name": names[binding.unit_id], "date": meeting.date().isoformat(),
                "teams": agendas.get(binding.unit_id, {})}
        for chat in {binding.chat_id, secretaries.get(binding.unit_id)} - {None}:
            posted += await enqueue_report(session, chat_id=chat, renderer="joint_meeting", data=data,
                                           dedupe_key=f"joint:{ctx.period}:{binding.unit_id}:{chat}", now=ctx.now)
    return {"posted": posted}


async def department_meeting_reminder(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    meeting = ctx.fire_time.astimezone(ctx.settings.tz).replace(day=ctx.settings.meetings.department_meeting_day)
    agendas = await department_agendas(session, ctx.now)
    posted = 0
    for binding in await bindings(session, ChatPurpose.department):
        assert binding.department_id is not None
        data = {**agendas.get(binding.department_id, {"name": binding.title or "", "items": []}),
                "date": meeting.date().isoformat()}
        posted += await enqueue_report(session, chat_id=binding.chat_id, renderer="department_meeting", data=data,
                                       dedupe_key=f"dept:{ctx.period}:{binding.chat_id}", now=ctx.now)
    return {"posted": posted}


async def purge_conversations(session: AsyncSession, ctx: JobContext) -> dict[str, int]:
    return {"purged": await purge_idle_conversations(session, ctx.now)}


def job_registry() -> dict[str, JobFunction]:
    return {
        "sla_sweep": sla_sweep,
        "weekly_digest": weekly_digest,
        "joint_meeting_reminder": joint_meeting_reminder,
        "department_meeting_reminder": department_meeting_reminder,
        "purge_conversations": purge_conversations,
        "monthly_ranking": monthly_ranking,
        "year_end_assessment": year_end_assessment,
        "monthly_disclosure": monthly_disclosure,
        "db_backup": db_backup,
    }



