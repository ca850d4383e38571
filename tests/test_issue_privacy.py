"""Who is shown an item's full form (/issue NUMBER) and its further photos (the card's button). A bound group sees
its own items, whoever asks, since their cards are posted there; an unbound group sees none; a private chat only
what the matrix's view_item row allows (tests/test_permission_matrix.py tries each role there). Numbers are
sequential and descriptions free text, so a stranger guessing numbers privately must learn nothing, not even a
phone number typed into a description."""

from __future__ import annotations

from typing import Any

from aiogram.methods import SendMediaGroup, SendMessage, SendPhoto
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.clock import ManualClock
from bot.config import Settings
from bot.i18n import Translator
from bot.messaging.callbacks import CardAction
from bot.messaging.cards import PHOTOS_ACTION
from bot.models import Issue, IssueLevel, IssueStatus, RoleName
from tests.harness.chat import ChatHarness, Person
from tests.harness.matrix import Stage, World, visible
from tests.harness.people import bind, person
from tests.harness.reporter import Reporter, alerts

VILLAGE, OTHER_VILLAGE, TOWNSHIP, OTHER_TOWNSHIP = -100_961, -100_962, -100_963, -100_964
COUNTY, DEPARTMENT, OTHER_DEPARTMENT, UNBOUND = -100_965, -100_966, -100_967, -100_968
STRANGER = Person(9_000_001, "路人")
PHONE = "13912345678"


async def test_a_group_sees_its_own_items_and_an_unbound_group_none(
        harness: ChatHarness, session: AsyncSession, sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings, clock: ManualClock) -> None:
    for chat, code in ((VILLAGE, "GC01-02"), (OTHER_VILLAGE, "GC02-01"), (TOWNSHIP, "GC01"), (OTHER_TOWNSHIP, "GC02"),
                       (COUNTY, "GC"), (DEPARTMENT, "AGRI"), (OTHER_DEPARTMENT, "ECO")):
        await bind(session, chat, code)
        harness.group(chat, code)
    harness.group(UNBOUND, "not bound")
    w = await World(harness, sessionmaker, settings, clock, Translator("zh").localizer("zh")).load()
    ours = await w.item(Stage(IssueLevel.village, IssueStatus.open))
    theirs = await w.item(Stage(IssueLevel.village, IssueStatus.open), village="GC02-01")
    dispatched = await w.item(Stage(IssueLevel.township, IssueStatus.in_progress, True, department=True))

    async def shown(chat: int, issue: Issue) -> list[str]:
        return visible(await harness.send(STRANGER, chat, f"/issue {issue.number}"))

    for chat, issue in ((VILLAGE, ours), (VILLAGE, dispatched), (OTHER_VILLAGE, theirs), (TOWNSHIP, ours),
                        (COUNTY, theirs), (DEPARTMENT, dispatched)):
        assert issue.description in "".join(await shown(chat, issue)), (chat, issue.number)
    for chat, issue in ((VILLAGE, theirs), (OTHER_VILLAGE, ours), (TOWNSHIP, theirs), (OTHER_TOWNSHIP, ours),
                        (DEPARTMENT, ours), (OTHER_DEPARTMENT, dispatched)):
        assert await shown(chat, issue) == [w.t("issue-not-here", number=issue.number)], (chat, issue.number)
    assert await shown(UNBOUND, ours) == [w.t("issue-only-bound-or-private")]


async def test_privately_a_stranger_learns_nothing_of_an_item(harness: ChatHarness, session: AsyncSession) -> None:
    await bind(session, VILLAGE, "GC01-02")
    harness.group(VILLAGE, "GC01-02")
    reporter = await person(session, RoleName.member, village="GC01-02", kind="ecology")
    outsider = await person(session, RoleName.team_lead, village="GC02-01", kind="ecology")
    await Reporter(harness, reporter, VILLAGE).full(f"王大爷家房屋漏雨，联系电话 {PHONE}", photos=("p1", "p2", "p3"))
    number = "2026-0001"
    await session.rollback()  # a fresh snapshot, with the report's commit in it
    issue_id = await session.scalar(select(Issue.id).where(Issue.number == number))
    assert issue_id is not None
    photos = CardAction(action=PHOTOS_ACTION, issue_id=issue_id).pack()
    refusal = "只有问题的上报人、处理人、本村队员"

    for who in (STRANGER, outsider):
        asked = await harness.send(who, who.telegram_id, f"/issue {number}")
        [text] = [r.text for r in asked if isinstance(r, SendMessage)]
        assert text.startswith(refusal)
        pressed = await harness.press(who, who.telegram_id, 1, photos)
        assert [a.startswith(refusal) for a in alerts(pressed)] == [True]
        assert not [r for r in pressed if isinstance(r, SendPhoto)]
        assert not [(r, PHONE) for r in asked + pressed if PHONE in repr(r)]

    own = await harness.send(reporter, reporter.telegram_id, f"/issue {number}")
    assert any(PHONE in r.text for r in own if isinstance(r, SendMessage))
    assert photo_ids(await harness.press(reporter, reporter.telegram_id, 1, photos)) == ["p2", "p3"]


def photo_ids(requests: list[Any]) -> list[str]:
    """The photos sent, one by one or as an album."""
    out: list[str] = []
    for r in requests:
        if isinstance(r, SendPhoto):
            out.append(str(r.photo))
        elif isinstance(r, SendMediaGroup):
            out += [str(m.media) for m in r.media]
    return out
