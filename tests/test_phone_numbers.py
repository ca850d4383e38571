"""Members' phone numbers are personal data: the permission matrix lets township supervisors (their township),
county leaders and admins see them, and they do, in the /export workbook (tests/test_permission_matrix.py tries
every role and scope there). This test holds the other side: nothing else the bot sends in Telegram carries one:
cards, forms, lists, a meeting's roster, conversations, the reserve pool, reminders, digests, rankings and the
year-end assessment."""

from __future__ import annotations

from typing import Any

from aiogram.methods import (
    AnswerCallbackQuery,
    EditMessageCaption,
    EditMessageText,
    SendDocument,
    SendMessage,
    SendPhoto,
)
from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.models import Member, RoleName
from bot.scheduler.jobs import job_registry
from bot.scheduler.runner import run_job
from tests.harness.chat import ChatHarness
from tests.harness.county import COUNTY, DEPARTMENT, TOWNSHIP, VILLAGE, County
from tests.harness.jobs import registry_settings
from tests.harness.people import as_person, members_with, person
from tests.harness.reporter import Reporter

JOBS = ("weekly_digest", "joint_meeting_reminder", "department_meeting_reminder", "monthly_ranking",
        "year_end_assessment")


def shown(requests: list[Any]) -> list[str]:
    """Every piece of text the bot put in front of someone, buttons included."""
    out: list[str] = []
    for r in requests:
        if isinstance(r, SendMessage | EditMessageText):
            out.append(r.text)
        elif isinstance(r, SendPhoto | EditMessageCaption | SendDocument):
            out.append(r.caption or "")
        elif isinstance(r, AnswerCallbackQuery):
            out.append(r.text or "")
        markup = getattr(r, "reply_markup", None)
        if isinstance(markup, InlineKeyboardMarkup):
            out += [button.text for row in markup.inline_keyboard for button in row]
    return out


async def test_no_message_outside_the_export_carries_a_phone_number(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    c = await County(harness, session).setup()
    issue = await c.report_and_escalate()
    await c.press(c.supervisor, TOWNSHIP, "确认接收")
    await Reporter(harness, c.reporter, VILLAGE).full("围栏倒了", photos=("p1", "p2"))
    await c.press(c.lead, VILLAGE, "认领")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    admin = as_person((await members_with(session, RoleName.admin))[0])
    for who, chat, text in (
            (c.reporter, VILLAGE, f"/issue {issue.number}"), (c.reporter, VILLAGE, "/open"),
            (c.reporter, VILLAGE, "/mine"), (c.reporter, VILLAGE, "/whoami"), (c.reporter, VILLAGE, "/help"),
            (c.reporter, VILLAGE, "/services"), (c.reporter, VILLAGE, "/score"),
            (c.supervisor, TOWNSHIP, "/tasks"), (c.supervisor, TOWNSHIP, f"/issue {issue.number}"),
            (c.liaison, DEPARTMENT, "/tasks"), (c.admin, COUNTY, "/overview"), (c.admin, COUNTY, "/score GC"),
            (secretary, VILLAGE, "/meeting"), (admin, admin.telegram_id, "/reserve M0069 表现突出"),
            (admin, admin.telegram_id, "/reserve")):
        await harness.send(who, chat, text)
    await harness.press(secretary, VILLAGE, *meeting_today(harness))
    for job in JOBS:
        await run_job(sessionmaker, job_registry(), registry_settings(settings), job, now=clock.now(), worker="test")
    await harness.deliver()

    await session.rollback()
    phones = {phone for phone in (await session.scalars(select(Member.phone))).all() if phone}
    texts = shown(harness.session.requests)
    assert len(phones) > 400 and len(texts) > 50
    assert [(phone, text) for text in texts for phone in phones if phone in text] == []


def meeting_today(harness: ChatHarness) -> tuple[int, str]:
    """The first day button of the /meeting prompt, which leads to the attendee roster."""
    for (chat, message_id), _ in reversed(harness.session.sent.items()):
        for data in harness.buttons(chat, message_id).values() if chat == VILLAGE else ():
            if data.startswith("mp:day"):
                return message_id, data
    raise AssertionError("no /meeting day button")
