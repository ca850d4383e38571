"""Forged button presses through the real dispatcher: another village's item, an item that does not exist, ids no
row can have, made-up actions, the wrong chat, no chat at all, data over Telegram's 64 bytes, bytes that are not
UTF-8, empty data, and the buttons of conversations the presser is not in. Each gets one short answer (an alert
from the locale files), and every table is left exactly as it was. The presser is the team's own lead, who may
do the genuine action, so only the forgery is what is refused."""

from __future__ import annotations

from aiogram.methods import AnswerCallbackQuery
from aiogram.types import CallbackQuery, Update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.callbacks import (
    CardAction,
    DepartmentPick,
    DueDefault,
    JoinDecision,
    JoinPick,
    MeetingPick,
    Page,
    ServiceStep,
)
from bot.models import Issue, IssueLevel, IssueStatus, JoinRequest, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.matrix import Stage, World, visible
from tests.harness.people import bind, members_with, person

VILLAGE, OTHER_VILLAGE, UNBOUND = -100_951, -100_952, -100_953


async def test_forged_presses_are_answered_and_change_nothing(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    for chat, code in ((VILLAGE, "GC01-02"), (OTHER_VILLAGE, "GC02-01")):
        await bind(session, chat, code)
        harness.group(chat, code)
    harness.group(UNBOUND, "not bound")
    lead = await person(session, RoleName.team_lead, village="GC01-02", kind="ecology")
    secretary = await person(session, RoleName.village_secretary, village="GC01-02")
    other_lead = await person(session, RoleName.team_lead, village="GC02-01", kind="ecology")
    await session.commit()
    w = await World(harness, sessionmaker, settings, clock, Translator("zh").localizer("zh")).load()
    ours = await w.item(Stage(IssueLevel.village, IssueStatus.open))
    theirs = await w.item(Stage(IssueLevel.village, IssueStatus.open), village="GC02-01")
    newcomer = (await members_with(session, RoleName.member, village="GC02-01"))[0]
    elsewhere = JoinRequest(chat_id=OTHER_VILLAGE, telegram_id=6_200_001, member_id=newcomer.id)
    async with sessionmaker.begin() as s:
        s.add(elsewhere)
    claim = CardAction(action="claim", issue_id=ours.id).pack()
    cases: list[tuple[str, Person, int | None, str | None, str, dict[str, str]]] = [
        ("another village's item", lead, VILLAGE, CardAction(action="claim", issue_id=theirs.id).pack(),
         "issue-not-here", {"number": theirs.number}),
        ("no such item", lead, VILLAGE, CardAction(action="claim", issue_id=999_999).pack(), "issue-not-found", {}),
        *((f"id {n}", lead, VILLAGE, f"ia:claim:{n}", "button-stale", {}) for n in (0, -1, 2**31, 2**63, 10**40)),
        ("a made-up action", lead, VILLAGE, CardAction(action="fly", issue_id=ours.id).pack(), "button-stale", {}),
        ("an action with no id", lead, VILLAGE, "ia:claim", "button-stale", {}),
        ("an extra field", lead, VILLAGE, f"{claim}:1", "button-stale", {}),
        ("another village's group", other_lead, OTHER_VILLAGE, claim, "issue-not-here", {"number": ours.number}),
        ("another village's photos", lead, VILLAGE, CardAction(action="photos", issue_id=theirs.id).pack(),
         "issue-not-here", {"number": theirs.number}),
        ("another village's photos in a private chat", other_lead, other_lead.telegram_id,
         CardAction(action="photos", issue_id=ours.id).pack(), "issue-private-not-allowed", {}),
        ("an unbound group", lead, UNBOUND, claim, "button-stale", {}),
        ("no chat (an inline message)", lead, None, claim, "button-stale", {}),
        ("over 64 bytes", lead, VILLAGE, f"ia:claim:{ours.id:0>60}", "button-stale", {}),
        ("over 64 bytes of text", lead, VILLAGE, "ia:" + "认领" * 20, "button-stale", {}),
        ("not UTF-8", lead, VILLAGE, b"ia:claim:\xff\xfe".decode("utf-8", "surrogateescape"), "button-stale", {}),
        ("garbage bytes", lead, VILLAGE, bytes(range(0, 64)).decode("latin-1"), "button-stale", {}),
        ("empty", lead, VILLAGE, "", "button-stale", {}),
        ("no data", lead, VILLAGE, None, "button-stale", {}),
        ("another village's join request", secretary, VILLAGE,
         JoinDecision(request_id=elsewhere.id, approve=True).pack(), "join-request-gone", {}),
        ("a join request beyond any row", secretary, VILLAGE, f"jd:{2**40}:1", "button-stale", {}),
        ("a roster pick of another village", Person(6_200_002, "新人"), VILLAGE,
         JoinPick(member_id=w.sample["liaison"]).pack(), "join-not-on-roster", {}),
        ("a department pick outside a dispatch", lead, VILLAGE, DepartmentPick(department_id=1).pack(),
         "button-not-yours", {}),
        ("a due date outside a dispatch", lead, VILLAGE, DueDefault().pack(), "button-not-yours", {}),
        ("a meeting button outside a meeting", secretary, VILLAGE, MeetingPick(what="done").pack(),
         "button-not-yours", {}),
        ("a service button outside /service", lead, VILLAGE, ServiceStep(step="kind", value="visit").pack(),
         "button-not-yours", {}),
        ("a made-up list", lead, VILLAGE, Page(view="members", page=0).pack(), "button-stale", {}),
    ]
    before = await w.snapshot((Issue, ours.id), (Issue, theirs.id), (JoinRequest, elsewhere.id))
    for name, who, chat, data, key, args in cases:
        answered = await press(harness, who, chat, data)
        answers = [r for r in answered if isinstance(r, AnswerCallbackQuery)]
        assert visible(answered) == [w.t(key, **args)], name
        assert len(answers) == 1 and answers[0].show_alert, name
        assert await w.snapshot((Issue, ours.id), (Issue, theirs.id), (JoinRequest, elsewhere.id)) == before, name


async def press(harness: ChatHarness, who: Person, chat: int | None, data: str | None) -> list:
    if chat is not None:
        return await harness.press(who, chat, 1, data)  # type: ignore[arg-type]
    query = CallbackQuery(id="inline", from_user=who.user, chat_instance="ci", inline_message_id="AAA", data=data)
    return await harness.feed(Update(update_id=99_999, callback_query=query))
