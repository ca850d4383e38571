"""Looking things up: /issue NUMBER (the full form and timeline), /open (the village's items), /mine."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandObject, or_f
from aiogram.types import CallbackQuery, Message
from sqlalchemy.ext.asyncio import AsyncSession

from bot.clock import Clock
from bot.config import Settings
from bot.handlers.filters import BoundAs, PrivateChat
from bot.handlers.scope import chat_scope
from bot.i18n import Localizer
from bot.messaging.callbacks import Page
from bot.messaging.lists import PagedText, render_form, render_overview, render_page
from bot.models import ChatPurpose
from bot.services.actors import Actor
from bot.services.chats import BoundChat
from bot.services.errors import NotAllowed
from bot.services.issue_views import issue_view, my_issues, open_issues, timeline
from bot.services.lifecycle import ensure_readable, find_issue, where_of
from bot.services.supervision import county_overview, department_tasks, township_tasks

NUMBER_LIMIT = 20


async def on_issue(message: Message, command: CommandObject, session: AsyncSession, actor: Actor | None,
                   bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock) -> None:
    number = (command.args or "").strip()
    if not number or len(number) > NUMBER_LIMIT:
        await message.reply(t("issue-usage"))
        return
    issue = await find_issue(session, number)
    ensure_readable(actor, issue, await where_of(session, issue), chat_scope(bound))
    view = await issue_view(session, issue)
    for part in render_form(view, await timeline(session, issue.id), t, settings, clock.now()):
        await message.answer(part)


async def on_issue_elsewhere(message: Message, t: Localizer) -> None:
    await message.reply(t("issue-only-bound-or-private"))


async def _page(view: str, page: int, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                t: Localizer, settings: Settings, clock: Clock) -> PagedText:
    now = clock.now()
    if view == "open":
        if bound is None or bound.purpose != ChatPurpose.village or bound.unit_id is None:
            raise NotAllowed("open-only-village")
        items = await open_issues(session, bound.unit_id)
        return render_page(items, view=view, page=page, title=t("open-title", village=bound.name),
                           empty=t("open-empty", village=bound.name), t=t, settings=settings, now=now,
                           group_by_team=True)
    if view == "tasks":
        if bound is not None and bound.purpose == ChatPurpose.township and bound.unit_id is not None:
            items = await township_tasks(session, bound.unit_id)
        elif bound is not None and bound.purpose == ChatPurpose.department and bound.department_id is not None:
            items = await department_tasks(session, bound.department_id)
        else:
            raise NotAllowed("tasks-only-township-or-department")
        return render_page(items, view=view, page=page, title=t("tasks-title", name=bound.name),
                           empty=t("tasks-empty", name=bound.name), t=t, settings=settings, now=now,
                           group_by_team=False)
    if actor is None:
        raise NotAllowed("not-a-member")
    return render_page(await my_issues(session, actor), view=view, page=page, title=t("mine-title"),
                       empty=t("mine-empty"), t=t, settings=settings, now=now, group_by_team=False)


async def on_open(message: Message, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                  t: Localizer, settings: Settings, clock: Clock) -> None:
    paged = await _page("open", 0, session, actor, bound, t, settings, clock)
    await message.answer(paged.text, reply_markup=paged.keyboard)


async def on_mine(message: Message, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                  t: Localizer, settings: Settings, clock: Clock) -> None:
    paged = await _page("mine", 0, session, actor, bound, t, settings, clock)
    await message.answer(paged.text, reply_markup=paged.keyboard)


async def on_tasks(message: Message, session: AsyncSession, actor: Actor | None, bound: BoundChat | None,
                   t: Localizer, settings: Settings, clock: Clock) -> None:
    paged = await _page("tasks", 0, session, actor, bound, t, settings, clock)
    await message.answer(paged.text, reply_markup=paged.keyboard)


async def on_overview(message: Message, session: AsyncSession, bound: BoundChat | None, t: Localizer,
                      settings: Settings, clock: Clock) -> None:
    if bound is None or bound.purpose != ChatPurpose.county:
        raise NotAllowed("overview-only-county")
    now = clock.now()
    for part in render_overview(await county_overview(session, now), t, settings, now):
        await message.answer(part)


async def on_page(query: CallbackQuery, callback_data: Page, session: AsyncSession, actor: Actor | None,
                  bound: BoundChat | None, t: Localizer, settings: Settings, clock: Clock) -> None:
    if callback_data.view not in ("open", "mine", "tasks") or query.message is None:
        await query.answer(t("button-stale"), show_alert=True)
        return
    paged = await _page(callback_data.view, callback_data.page, session, actor, bound, t, settings, clock)
    await query.answer()
    await query.message.edit_text(paged.text, reply_markup=paged.keyboard)


def build() -> Router:
    router = Router(name="lookup")
    router.message.register(on_issue, Command("issue"), or_f(BoundAs(*ChatPurpose), PrivateChat()))
    router.message.register(on_issue_elsewhere, Command("issue"))  # an unbound group has no items of its own
    router.message.register(on_open, Command("open"))
    router.message.register(on_mine, Command("mine"))
    router.message.register(on_tasks, Command("tasks"))
    router.message.register(on_overview, Command("overview"))
    router.callback_query.register(on_page, Page.filter())
    return router
