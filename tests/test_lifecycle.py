"""The village state machine: every allowed transition, every forbidden one, and the audit trail."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.models import Issue, IssueEvent, IssueLevel, IssueStatus, RoleName
from bot.services.actors import Actor, load_actor
from bot.services.errors import Conflict, DomainError, NotAllowed, NotFound
from bot.services.lifecycle import RULES, Action, Change, perform
from bot.services.reports import ReportDraft, create_issue
from tests.harness.people import members_with, unit_id

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
VILLAGE = "GC01-02"


@dataclass
class Cast:
    reporter: Actor
    mate: Actor
    lead: Actor
    secretary: Actor
    other_team: Actor
    outsider: Actor
    village_id: int


@pytest.fixture
async def cast(session: AsyncSession) -> Cast:
    async def actor(role: RoleName, index: int = 0, **scope: str) -> Actor:
        return await load_actor(session, (await members_with(session, role, **scope))[index])

    return Cast(
        reporter=await actor(RoleName.member, village=VILLAGE, kind="ecology"),
        mate=await actor(RoleName.member, 1, village=VILLAGE, kind="ecology"),
        lead=await actor(RoleName.team_lead, village=VILLAGE, kind="ecology"),
        secretary=await actor(RoleName.village_secretary, village=VILLAGE),
        other_team=await actor(RoleName.member, village=VILLAGE, kind="industry"),
        outsider=await actor(RoleName.team_lead, village="GC02-01"),
        village_id=await unit_id(session, VILLAGE),
    )


async def new_issue(session: AsyncSession, cast: Cast, settings: Settings, text: str = "围栏倒了") -> Issue:
    issue, created = await create_issue(session, cast.reporter, village_id=cast.village_id,
                                        draft=ReportDraft(kind="ecology", description=text),
                                        draft_key=uuid.uuid4().hex, settings=settings, now=NOW)
    assert created
    return issue


async def reach(session: AsyncSession, cast: Cast, settings: Settings, status: IssueStatus) -> Issue:
    issue = await new_issue(session, cast, settings)
    steps: dict[IssueStatus, list[tuple[Action, Actor, str | None]]] = {
        IssueStatus.open: [],
        IssueStatus.in_progress: [(Action.claim, cast.mate, None)],
        IssueStatus.resolved: [(Action.claim, cast.mate, None), (Action.resolve, cast.mate, "修好了")],
        IssueStatus.closed: [(Action.claim, cast.mate, None), (Action.resolve, cast.mate, "修好了"),
                             (Action.verify, cast.reporter, None)],
        IssueStatus.withdrawn: [(Action.withdraw, cast.lead, "误报")],
        IssueStatus.duplicate: [],
    }
    if status == IssueStatus.duplicate:
        original = await new_issue(session, cast, settings, "原问题")
        await act(session, settings, cast.lead, issue.id, Action.duplicate, now=NOW, text=f"{original.number} 同一处")
    for action, actor, text in steps[status]:
        await act(session, settings, actor, issue.id, action, now=NOW, text=text)
    assert issue.status == status
    return issue


async def act(session: AsyncSession, settings: Settings, actor: Actor, issue_id: int, action: Action, *,
              now: datetime = NOW, text: str | None = None, photo_file_id: str | None = None) -> Issue:
    return await perform(session, actor, issue_id, action,
                         Change(now=now, settings=settings, text=text, photo_file_id=photo_file_id))


ALLOWED_ACTOR = {
    Action.claim: "mate", Action.note: "mate", Action.resolve: "mate", Action.verify: "lead",
    Action.reopen: "reporter", Action.withdraw: "secretary", Action.duplicate: "lead", Action.escalate: "lead",
}


def _transitions() -> list[tuple[Action, IssueStatus]]:
    return [(action, status) for action, rule in RULES.items() if IssueLevel.village in rule.levels
            for status in IssueStatus]


async def _events(session: AsyncSession, issue_id: int) -> list[str]:
    return list((await session.scalars(select(IssueEvent.kind).where(IssueEvent.issue_id == issue_id)
                                       .order_by(IssueEvent.id))).all())


@pytest.mark.parametrize(("action", "status"), _transitions(), ids=lambda v: getattr(v, "value", v))
async def test_transition_table(session: AsyncSession, cast: Cast, settings: Settings, action: Action,
                                status: IssueStatus) -> None:
    issue = await reach(session, cast, settings, status)
    before_events = await _events(session, issue.id)
    actor = getattr(cast, ALLOWED_ACTOR[action])
    text = None
    if RULES[action].needs_text:
        text = "说明"
        if action == Action.duplicate:
            text = (await new_issue(session, cast, settings, "另一个")).number
    rule = RULES[action]
    if status in rule.from_states:
        await act(session, settings, actor, issue.id, action, now=NOW + timedelta(hours=1), text=text)
        assert issue.status == (rule.to_state or status)
        assert await _events(session, issue.id) == [*before_events, action.value]
    else:
        with pytest.raises(Conflict) as refused:
            await act(session, settings, actor, issue.id, action, now=NOW, text=text)
        assert refused.value.key == "refuse-wrong-state"
        await session.refresh(issue)
        assert issue.status == status
        assert await _events(session, issue.id) == before_events


@pytest.mark.parametrize(
    ("action", "status", "who", "key"),
    [
        (Action.claim, IssueStatus.open, "other_team", "refuse-team-only"),
        (Action.claim, IssueStatus.open, "outsider", "refuse-team-only"),
        (Action.resolve, IssueStatus.in_progress, "other_team", "refuse-team-only"),
        (Action.verify, IssueStatus.resolved, "mate", "refuse-verifier-only"),
        (Action.verify, IssueStatus.resolved, "other_team", "refuse-verifier-only"),
        (Action.reopen, IssueStatus.resolved, "outsider", "refuse-verifier-only"),
        (Action.withdraw, IssueStatus.open, "mate", "refuse-lead-only"),
        (Action.withdraw, IssueStatus.open, "reporter", "refuse-lead-only"),
        (Action.duplicate, IssueStatus.in_progress, "other_team", "refuse-lead-only"),
    ],
)
async def test_roles_that_may_not(session: AsyncSession, cast: Cast, settings: Settings, action: Action,
                                  status: IssueStatus, who: str, key: str) -> None:
    issue = await reach(session, cast, settings, status)
    events = await _events(session, issue.id)
    with pytest.raises(NotAllowed) as refused:
        await act(session, settings, getattr(cast, who), issue.id, action, now=NOW, text="说明")
    assert refused.value.key == key
    assert issue.status == status and await _events(session, issue.id) == events


async def test_the_resolver_cannot_verify_own_work(session: AsyncSession, cast: Cast, settings: Settings) -> None:
    issue = await new_issue(session, cast, settings)
    await act(session, settings, cast.lead, issue.id, Action.claim, now=NOW)
    await act(session, settings, cast.lead, issue.id, Action.resolve, now=NOW, text="我修好了")
    with pytest.raises(NotAllowed) as refused:
        await act(session, settings, cast.lead, issue.id, Action.verify, now=NOW)
    assert refused.value.key == "refuse-self-verify"
    await act(session, settings, cast.secretary, issue.id, Action.verify, now=NOW)
    assert issue.status == IssueStatus.closed and issue.verifier_id == cast.secretary.id


async def test_reasons_are_required(session: AsyncSession, cast: Cast, settings: Settings) -> None:
    issue = await reach(session, cast, settings, IssueStatus.resolved)
    for text in (None, "   "):
        with pytest.raises(DomainError) as refused:
            await act(session, settings, cast.reporter, issue.id, Action.reopen, now=NOW, text=text)
        assert refused.value.key == "text-required"
    await act(session, settings, cast.reporter, issue.id, Action.reopen, now=NOW, text="井水还是浑的")
    assert issue.status == IssueStatus.in_progress and issue.unmet_reason == "井水还是浑的"


async def test_duplicate_must_name_an_item_of_the_same_village(session: AsyncSession, cast: Cast,
                                                               settings: Settings) -> None:
    issue = await new_issue(session, cast, settings)
    with pytest.raises(NotFound):
        await act(session, settings, cast.lead, issue.id, Action.duplicate, now=NOW, text="2099-9999")
    with pytest.raises(DomainError) as refused:
        await act(session, settings, cast.lead, issue.id, Action.duplicate, now=NOW, text=issue.number)
    assert refused.value.key == "duplicate-self"
    assert issue.status == IssueStatus.open


async def test_audit_trail_tells_the_whole_story(session: AsyncSession, cast: Cast, settings: Settings) -> None:
    issue = await new_issue(session, cast, settings)
    await act(session, settings, cast.mate, issue.id, Action.claim, now=NOW)
    await act(session, settings, cast.mate, issue.id, Action.note, now=NOW, text="联系了牧户")
    await act(session, settings, cast.mate, issue.id, Action.resolve, text="围栏已修复", photo_file_id="fix.jpg")
    await act(session, settings, cast.reporter, issue.id, Action.reopen, now=NOW, text="还有一段没修")
    await act(session, settings, cast.mate, issue.id, Action.resolve, now=NOW, text="全部修好")
    await act(session, settings, cast.lead, issue.id, Action.verify, now=NOW)
    rows = (await session.execute(select(IssueEvent.kind, IssueEvent.actor_id, IssueEvent.data)
                                  .where(IssueEvent.issue_id == issue.id).order_by(IssueEvent.id))).all()
    assert [(kind, actor) for kind, actor, _ in rows] == [
        ("reported", cast.reporter.id), ("claim", cast.mate.id), ("note", cast.mate.id), ("resolve", cast.mate.id),
        ("reopen", cast.reporter.id), ("resolve", cast.mate.id), ("verify", cast.lead.id)]
    assert rows[3][2]["photo"] is True and rows[4][2]["text"] == "还有一段没修"
    assert rows[6][2] == {"text": None, "from": "resolved", "to": "closed"}


async def test_issue_numbers_are_consecutive_per_year(session: AsyncSession, cast: Cast,
                                                      settings: Settings) -> None:
    numbers = [(await new_issue(session, cast, settings, f"问题{i}")).number for i in range(3)]
    assert numbers == ["2026-0001", "2026-0002", "2026-0003"]
    assert await session.scalar(select(func.count()).select_from(Issue)) == 3
