"""Trying one cell of the permission matrix through the real handlers: a card button for the life cycle's
actions, the command (and its conversation, when allowed) for the others."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.methods import SendDocument, SendPhoto
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.messaging.callbacks import CardAction, DepartmentPick, DueDefault, JoinDecision
from bot.messaging.cards import PHOTOS_ACTION
from bot.models import (
    ChatBinding,
    Issue,
    IssueEvent,
    IssueLevel,
    IssuePhoto,
    JoinRequest,
    JoinStatus,
    Meeting,
    Member,
    PhotoStage,
    ReserveCadre,
    RoleName,
    ServiceLog,
)
from bot.services.actors import load_actor
from bot.services.chats import bind_chat, unbind_chat
from bot.services.lifecycle import RULES, Action
from bot.services.permissions import ITEM_LEVELS, Guarded, On, Scope
from tests.harness.matrix import (
    COUNTY_CHAT,
    DEPARTMENT_CHAT,
    HOME_VILLAGE,
    TOWNSHIP_CHAT,
    VILLAGE_CHAT,
    Cast,
    Stage,
    World,
    visible,
)
from tests.harness.matrix_cells import Cell, L, S, stage
from tests.harness.reporter import Reporter

BIND_VILLAGE, UNBIND_VILLAGE, UNBIND_CHAT = "GC01-05", "GC01-06", -100_905


async def rebind(w: World, chat_id: int, code: str) -> None:
    """Bind the chat to the unit (as an admin would), whatever the unit and the chat were bound to before."""
    unit_id = w.units.get(code)
    async with w.sessionmaker.begin() as s:
        admin = await load_actor(s, await s.get_one(Member, w.sample["admin"]))
        bound = (await s.execute(select(ChatBinding.chat_id, ChatBinding.unit_id).where(
            (ChatBinding.unit_id == unit_id) | (ChatBinding.chat_id == chat_id)))).all()
        if bound == [(chat_id, unit_id)]:
            return
        for taken, _ in bound:
            await unbind_chat(s, admin, chat_id=taken, is_chat_admin=True)
        await bind_chat(s, admin, chat_id=chat_id, code=code, title=code, is_chat_admin=True)


async def refused(w: World, cell: Cell, answered: list[Any], before: Any, *rows: tuple[type[Any], int],
                  **args: str) -> None:
    assert visible(answered) == [w.t(cell.refusal, **args)]
    assert await w.snapshot(*rows) == before


def home_chat(action: Action, level: IssueLevel) -> int:
    if action.value.startswith("task_"):
        return DEPARTMENT_CHAT
    return {L.village: VILLAGE_CHAT, L.township: TOWNSHIP_CHAT, L.county: COUNTY_CHAT}[level]


async def try_item(w: World, cell: Cell) -> None:
    action, level = Action(cell.permission.action), ITEM_LEVELS[cell.on]
    cast = await w.enlist(cell.role, cell.scope)
    issue = await w.item(stage(action, level), tie=cell.tie, cast=cast)
    chat, h = home_chat(action, level), w.harness
    before = await w.snapshot((Issue, issue.id))
    answered = await h.press(cast.person, chat, 1, CardAction(action=action.value, issue_id=issue.id).pack())
    if not cell.allowed:
        await refused(w, cell, answered, before, (Issue, issue.id))
        return
    seen = list(answered)
    if RULES[action].needs_text:
        text = "说明"
        if action == Action.duplicate:
            text = f"{(await w.item(Stage(L.village, S.open))).number} 同一处"
        seen += await h.send(cast.person, chat, text, reply_to=h.last_sent(chat).message_id)
    if action == Action.dispatch:
        seen += await h.press(cast.person, chat, *w.prompt_with(chat, DepartmentPick(
            department_id=w.departments["ECO"]).pack()))
    if action in (Action.dispatch, Action.unmet):
        seen += await h.press(cast.person, chat, *w.prompt_with(chat, DueDefault().pack()))
    assert w.t(f"done-{action.value}", number=issue.number) in visible(seen)
    async with w.sessionmaker() as s:
        after = await s.get_one(Issue, issue.id)
        events = await s.scalar(select(func.count()).select_from(IssueEvent).where(
            IssueEvent.issue_id == issue.id, IssueEvent.kind == action.value, IssueEvent.actor_id == cast.member_id))
    assert events == 1
    rule = RULES[action]
    if action == Action.send_back:
        assert after.level == (L.village if level == L.township else L.township)
    elif rule.to_state is not None:
        assert after.status == rule.to_state


async def command(w: World, cell: Cell, chat: int, text: str, done: Callable[[Cast, list[Any]], Awaitable[bool]],
                  *, target: Cast | None = None, steps: Callable[[Cast], Awaitable[list[Any]]] | None = None,
                  village: str = HOME_VILLAGE) -> None:
    """Send a command as the cell's member (chat 0: their private chat). Refused, it must leave no trace;
    allowed, `steps` (or the command alone) must end with what `done` looks for."""
    cast = await w.enlist(cell.role, cell.scope, village)
    chat = chat or cast.person.telegram_id
    w.harness.session.chat_admins[chat] = {cast.person.telegram_id}  # so only the role decides /bind and /unbind
    rows = ((Member, target.member_id),) if target else ()
    before = await w.snapshot(*rows)
    if not cell.allowed:
        answered = await w.harness.send(cast.person, chat, text)
        await refused(w, cell, answered, before, *rows, name=target.name if target else "")
        return
    seen = await steps(cast) if steps else await w.harness.send(cast.person, chat, text)
    assert await done(cast, seen)


async def try_report(w: World, cell: Cell) -> None:
    async def steps(cast: Cast) -> list[Any]:
        return await Reporter(w.harness, cast.person, VILLAGE_CHAT).full("矩阵上报", photos=(), place=None)

    async def done(cast: Cast, _: list[Any]) -> bool:
        return await w.count(Issue, Issue.reporter_id == cast.member_id) == 1

    await command(w, cell, VILLAGE_CHAT, "/report", done, steps=steps)


async def try_service(w: World, cell: Cell) -> None:
    async def steps(cast: Cast) -> list[Any]:
        member = Reporter(w.harness, cast.person, VILLAGE_CHAT)
        await member.say("/service")
        await member.press(w.settings.service_kinds[0].label("zh"))
        await member.press(w.t("service-place-skip"))
        return await member.say("帮牧户办了医保")

    async def done(cast: Cast, _: list[Any]) -> bool:
        return await w.count(ServiceLog, ServiceLog.member_id == cast.member_id) == 1

    await command(w, cell, VILLAGE_CHAT, "/service", done, steps=steps)


async def try_meeting(w: World, cell: Cell) -> None:
    async def steps(cast: Cast) -> list[Any]:
        secretary = Reporter(w.harness, cast.person, VILLAGE_CHAT)
        await secretary.say("/meeting")
        await secretary.press(w.t("meeting-today", date=w.clock.now().astimezone(w.settings.tz).date().isoformat()))
        await secretary.press(w.reporter_name or "")
        await secretary.press(w.t("meeting-next"))
        return await secretary.press(w.t("meeting-finish"))

    async def done(cast: Cast, _: list[Any]) -> bool:
        return await w.count(Meeting, Meeting.recorded_by_id == cast.member_id) == 1

    await command(w, cell, VILLAGE_CHAT, "/meeting", done, steps=steps)


async def try_join_approve(w: World, cell: Cell) -> None:
    cast = await w.enlist(cell.role, cell.scope)
    newcomer = await w.enlist(RoleName.member, Scope.team, linked=False)
    request = JoinRequest(chat_id=VILLAGE_CHAT, telegram_id=9_000_000 + newcomer.member_id,
                          member_id=newcomer.member_id)
    async with w.sessionmaker.begin() as s:
        s.add(request)
    rows = ((JoinRequest, request.id), (Member, newcomer.member_id))
    before = await w.snapshot(*rows)
    answered = await w.harness.press(cast.person, VILLAGE_CHAT, 1,
                                     JoinDecision(request_id=request.id, approve=True).pack())
    if not cell.allowed:
        await refused(w, cell, answered, before, *rows)
        return
    async with w.sessionmaker() as s:
        decided, member = await s.get_one(JoinRequest, request.id), await s.get_one(Member, newcomer.member_id)
    assert (decided.status, decided.decided_by_id) == (JoinStatus.approved, cast.member_id)
    assert member.telegram_id == request.telegram_id


async def try_reserve(w: World, cell: Cell) -> None:
    target = await w.enlist(RoleName.member, Scope.team)

    async def done(_: Cast, __: list[Any]) -> bool:
        return await w.count(ReserveCadre, ReserveCadre.member_id == target.member_id) == 1

    await command(w, cell, 0, f"/reserve {target.code} 表现突出", done, target=target)


async def try_view_item(w: World, cell: Cell) -> None:
    """/issue NUMBER and the card's more photos button, in the cell member's private chat."""
    cast = await w.enlist(cell.role, cell.scope)
    issue = await w.item(stage(Guarded.view_item, ITEM_LEVELS[cell.on]), tie=cell.tie, cast=cast)
    photos = [f"matrix-photo-{issue.id}-{n}" for n in range(2)]
    async with w.sessionmaker.begin() as s:
        s.add_all(IssuePhoto(issue_id=issue.id, file_id=photo, stage=PhotoStage.report, position=n)
                  for n, photo in enumerate(photos))
    chat, before = cast.person.telegram_id, await w.snapshot((Issue, issue.id))
    asked = await w.harness.send(cast.person, chat, f"/issue {issue.number}")
    pressed = await w.harness.press(cast.person, chat, 1, CardAction(action=PHOTOS_ACTION, issue_id=issue.id).pack())
    if not cell.allowed:
        await refused(w, cell, asked, before, (Issue, issue.id))
        await refused(w, cell, pressed, before, (Issue, issue.id))
        assert not [r for r in pressed if isinstance(r, SendPhoto)]
        return
    assert any(issue.description in text for text in visible(asked))
    assert [r.photo for r in pressed if isinstance(r, SendPhoto)] == photos[1:]


def workbook_text(seen: list[Any], private: int) -> str:
    """The text of the one workbook sent, which must have gone to the asker's private chat, never a group."""
    documents = [r for r in seen if isinstance(r, SendDocument)]
    assert [r.chat_id for r in documents] == [private]
    book = load_workbook(io.BytesIO(documents[0].document.data), read_only=True)
    return "\n".join(str(value) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                     for value in row if value is not None)


async def try_export(w: World, cell: Cell) -> None:
    async def done(cast: Cast, seen: list[Any]) -> bool:
        return bool(workbook_text(seen, cast.person.telegram_id))

    await command(w, cell, TOWNSHIP_CHAT if cell.on == On.township else COUNTY_CHAT, "/export", done)


async def try_see_phones(w: World, cell: Cell) -> None:
    """Phones are shown only in the /export workbook: the member's township group is where one may get it."""
    target = await w.enlist(RoleName.member, Scope.team)

    async def done(cast: Cast, seen: list[Any]) -> bool:
        return target.phone in workbook_text(seen, cast.person.telegram_id)

    await command(w, cell, TOWNSHIP_CHAT, "/export", done, target=target)


async def try_bind(w: World, cell: Cell) -> None:
    chat = -200_000 - next(w.serial)
    w.harness.group(chat, "new group")
    async with w.sessionmaker.begin() as s:
        taken = await s.scalar(select(ChatBinding.chat_id).where(ChatBinding.unit_id == w.units[BIND_VILLAGE]))
        if taken is not None:
            admin = await load_actor(s, await s.get_one(Member, w.sample["admin"]))
            await unbind_chat(s, admin, chat_id=taken, is_chat_admin=True)

    async def done(_: Cast, __: list[Any]) -> bool:
        unit = w.units[BIND_VILLAGE]
        return await w.count(ChatBinding, ChatBinding.chat_id == chat, ChatBinding.unit_id == unit) == 1

    await command(w, cell, chat, f"/bind {BIND_VILLAGE}", done, village=BIND_VILLAGE)


async def try_unbind(w: World, cell: Cell) -> None:
    await rebind(w, UNBIND_CHAT, UNBIND_VILLAGE)

    async def done(_: Cast, __: list[Any]) -> bool:
        return await w.count(ChatBinding, ChatBinding.chat_id == UNBIND_CHAT) == 0

    await command(w, cell, UNBIND_CHAT, "/unbind", done, village=UNBIND_VILLAGE)


DRIVERS = {Guarded.report: try_report, Guarded.service: try_service, Guarded.meeting: try_meeting,
           Guarded.join_approve: try_join_approve, Guarded.reserve: try_reserve, Guarded.export: try_export,
           Guarded.see_phones: try_see_phones, Guarded.bind: try_bind, Guarded.unbind: try_unbind,
           Guarded.view_item: try_view_item}
