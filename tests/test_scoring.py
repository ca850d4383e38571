"""The 100-point score on hand-built months: expected scores are worked out here from the formula's parts
(docs/scoring.md), attempts to game it earn nothing, a part without data gives its weight to the others and a
running month counts what is due so far. /score itself: tests/test_score_command.py."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import ConfigError, Settings, load_settings
from bot.models import Issue, IssueEvent, IssueStatus, Role, RoleName, Team, Unit, UnitLevel
from bot.services.actors import Actor, load_actor
from bot.services.errors import DomainError
from bot.services.lifecycle import Action, Change, perform
from bot.services.reports import ReportDraft, create_issue
from bot.services.scoring import monthly_scores
from bot.services.scoring_ranks import ranked
from tests.harness.people import members_with, unit_id
from tests.harness.scoring import (
    AFTER_OCTOBER,
    CAP,
    OTHER_VILLAGE,
    TOWNSHIP,
    VILLAGE,
    add_issue,
    cast_of,
    local,
    notes,
    oct_,
    october,
    team_of,
    verified,
)

W_RESOLUTION, W_ON_TIME, W_ACTIVITY, W_ACK = 40, 25, 20, 15  # config.toml's weights


async def members_of(session: AsyncSession, *, team: int | None = None, villages: list[int] | None = None) -> int:
    """Team members counted independently of the service, for the expected activity rate."""
    memberships = (select(Role.team_id, Role.member_id).join(Team, Team.id == Role.team_id)
                   .where(Role.role.in_([RoleName.member, RoleName.team_lead])).distinct())
    if team is not None:
        memberships = memberships.where(Role.team_id == team)
    if villages is not None:
        memberships = memberships.where(Team.village_id.in_(villages))
    return int(await session.scalar(select(func.count()).select_from(memberships.subquery())) or 0)


def points(rate: float, weight: int, pool: int) -> float:
    return 100 * rate * weight / pool


async def test_a_hand_built_month(session: AsyncSession, settings: Settings) -> None:
    c = await cast_of(session)
    a = verified(session, c, created=oct_(1), due=oct_(8), resolved=oct_(5), closed=oct_(6))  # on time
    verified(session, c, created=oct_(2), due=oct_(9), resolved=oct_(12), closed=oct_(13))    # verified, late
    add_issue(session, c, created=oct_(3), due=oct_(10))                                       # open, overdue
    add_issue(session, c, created=oct_(20), due=oct_(27), status=IssueStatus.in_progress)      # overdue
    add_issue(session, c, created=oct_(25), due=local(11, 1))                   # not yet due: not counted
    verified(session, c, created=local(9, 1), due=local(9, 8), resolved=local(9, 19))  # closed in September
    g = add_issue(session, c, created=local(9, 10), due=local(9, 17))            # September's, still overdue
    add_issue(session, c, created=oct_(4), due=oct_(11), status=IssueStatus.withdrawn,
              closed=oct_(5))                                                   # withdrawn in time: no work
    add_issue(session, c, created=oct_(6), due=oct_(13), status=IssueStatus.withdrawn,
              closed=oct_(20))                                                  # withdrawn when overdue: late
    verified(session, c, created=oct_(7), due=local(11, 20), resolved=oct_(14), closed=oct_(15))  # early
    await notes(session, a, c.mate, 3, oct_(2))
    await notes(session, a, c.mate2, 12, oct_(3))           # 4 past the cap of 8
    await notes(session, a, c.mate, 1, local(9, 28))        # September's
    # Escalations to the township: the deadline (24 h later) decides the month.
    for escalated, answered, kind in ((local(9, 30, 20), local(10, 1, 10), "acknowledge"),  # due Oct 1: in time
                                      (oct_(10), oct_(10, 20), "dispatch"),                  # in time
                                      (oct_(28), oct_(30), "acknowledge"),                    # late
                                      (oct_(31, 20), oct_(31, 22), "acknowledge")):           # due in November
        session.add_all([IssueEvent(issue_id=g.id, at=escalated, kind="escalate", data={}),
                         IssueEvent(issue_id=g.id, at=answered, kind=kind, data={})])
    scores = await october(session, settings)

    items, done, timely, escalations, acknowledged = 7, 3, 2, 3, 2
    counted, logged = 3 + CAP, 3 + 12
    team = scores.teams[c.team]
    assert (team.tally.items, team.tally.problems, team.tally.verified, team.tally.on_time) == (items, items, done,
                                                                                                 timely)
    assert (team.tally.services, team.tally.services_counted) == (logged, counted)
    members = await members_of(session, team=c.team)
    assert team.tally.members == members
    pool = W_RESOLUTION + W_ON_TIME + W_ACTIVITY  # acknowledgement is a township's part
    expected = (points(done / items, W_RESOLUTION, pool) + points(timely / items, W_ON_TIME, pool)
                + points(counted / (members * CAP), W_ACTIVITY, pool))
    assert team.value == pytest.approx(expected) and team.pool == pool

    village = scores.villages[c.village]
    village_members = await members_of(session, villages=[c.village])
    assert village.value == pytest.approx(points(done / items, W_RESOLUTION, pool)
                                          + points(timely / items, W_ON_TIME, pool)
                                          + points(counted / (village_members * CAP), W_ACTIVITY, pool))

    township_id = await unit_id(session, TOWNSHIP)
    township = scores.townships[township_id]
    township_villages = list((await session.scalars(select(Unit.id).where(Unit.parent_id == township_id))).all())
    township_members = await members_of(session, villages=township_villages)
    assert (township.tally.escalations, township.tally.acknowledged) == (escalations, acknowledged)
    assert township.value == pytest.approx(points(done / items, W_RESOLUTION, 100)
                                           + points(timely / items, W_ON_TIME, 100)
                                           + points(counted / (township_members * CAP), W_ACTIVITY, 100)
                                           + points(acknowledged / escalations, W_ACK, 100))
    other = scores.villages[await unit_id(session, OTHER_VILLAGE)]
    assert other.value == 0.0 and other.pool == W_ACTIVITY  # nothing due, nothing logged


async def report_and_close(session: AsyncSession, settings: Settings, reporter: Actor, mate: Actor, village: int,
                           when: datetime, *, close: bool = True) -> Issue:
    issue, _ = await create_issue(session, reporter, village_id=village, settings=settings, now=when,
                                  draft=ReportDraft(kind="ecology", description="fence down"),
                                  draft_key=uuid.uuid4().hex)
    if close:
        for action, actor, text in ((Action.claim, mate, None), (Action.resolve, mate, "fixed"),
                                    (Action.verify, reporter, None)):
            await perform(session, actor, issue.id, action, Change(now=when + timedelta(hours=1), settings=settings,
                                                                   text=text))
    return issue


async def actors(session: AsyncSession, village: str) -> tuple[Actor, Actor]:
    members = await members_with(session, RoleName.member, village=village, kind="ecology")
    return await load_actor(session, members[0]), await load_actor(session, members[1])


async def test_splitting_one_problem_into_five_earns_nothing(session: AsyncSession, settings: Settings) -> None:
    """Both villages have one overdue item; each then solves one problem, reported whole in one village and in
    five pieces in the other, all verified the same day. Counting items would give 1/2 against 5/6."""
    whole, split = await unit_id(session, VILLAGE), await unit_id(session, OTHER_VILLAGE)
    for village, code, pieces in ((whole, VILLAGE, 1), (split, OTHER_VILLAGE, 5)):
        reporter, mate = await actors(session, code)
        await report_and_close(session, settings, reporter, mate, village, oct_(1), close=False)  # overdue
        for _ in range(pieces):
            await report_and_close(session, settings, reporter, mate, village, oct_(15))
    scores = await october(session, settings)
    one, five = scores.teams[await team_of(session, VILLAGE)], scores.teams[await team_of(session, OTHER_VILLAGE)]
    assert (one.tally.items, one.tally.verified, five.tally.items, five.tally.verified) == (2, 1, 6, 5)
    assert [part.rate for part in five.parts[:2]] == [part.rate for part in one.parts[:2]] == [0.5, 0.5]
    assert five.value == pytest.approx(one.value)


async def test_pieces_left_open_keep_the_problem_open(session: AsyncSession, settings: Settings) -> None:
    """Closing the four easy pieces of a split problem while the hard one stays open earns what leaving the whole
    problem open earns: a problem is done only when all of its pieces are."""
    whole, split = await unit_id(session, VILLAGE), await unit_id(session, OTHER_VILLAGE)
    reporter, mate = await actors(session, VILLAGE)
    await report_and_close(session, settings, reporter, mate, whole, oct_(10), close=False)
    reporter, mate = await actors(session, OTHER_VILLAGE)
    for piece in range(5):
        await report_and_close(session, settings, reporter, mate, split, oct_(10), close=piece < 4)
    scores = await october(session, settings)
    one, five = scores.teams[await team_of(session, VILLAGE)], scores.teams[await team_of(session, OTHER_VILLAGE)]
    assert five.tally.verified == 4 and five.tally.problems_verified == one.tally.problems_verified == 0
    assert five.value == pytest.approx(one.value) == 0.0


async def test_self_verified_work_earns_nothing(session: AsyncSession, settings: Settings) -> None:
    c = await cast_of(session)
    verified(session, c, created=oct_(1), due=oct_(8), resolved=oct_(5))       # honest, for a non-zero baseline
    baseline = (await october(session, settings)).teams[c.team]

    def self_verified(due: datetime) -> Issue:
        return add_issue(session, c, created=oct_(12), due=due, status=IssueStatus.closed, resolver=c.mate,
                         resolved=oct_(14), verifier=c.mate, closed=oct_(14))

    early = self_verified(local(11, 20))                                      # not yet due: not counted at all
    assert (await october(session, settings)).teams[c.team].value == pytest.approx(baseline.value)
    await session.delete(early)
    self_verified(oct_(19))                                                   # due: counts as not done
    cheat = (await october(session, settings)).teams[c.team]
    await session.rollback()
    verified(session, c, created=oct_(1), due=oct_(8), resolved=oct_(5))
    add_issue(session, c, created=oct_(12), due=oct_(19), status=IssueStatus.in_progress)
    left_open = (await october(session, settings)).teams[c.team]
    assert cheat.value == pytest.approx(left_open.value)
    assert cheat.value is not None and baseline.value is not None and cheat.value < baseline.value
    assert (cheat.tally.items, cheat.tally.verified) == (2, 1)


async def test_logging_past_the_cap_earns_nothing(session: AsyncSession, settings: Settings) -> None:
    c = await cast_of(session)
    issue = add_issue(session, c, created=oct_(1), due=local(12, 1))
    await notes(session, issue, c.mate, CAP, oct_(2))
    at_cap = (await october(session, settings)).teams[c.team]
    await notes(session, issue, c.mate, 20, oct_(3))
    flooded = (await october(session, settings)).teams[c.team]
    assert flooded.tally.services == at_cap.tally.services + 20
    assert flooded.tally.services_counted == at_cap.tally.services_counted == CAP
    assert flooded.value == pytest.approx(at_cap.value) == pytest.approx(100 * CAP / (at_cap.tally.members * CAP))


async def test_parts_without_data_give_their_weight_to_the_others(session: AsyncSession, settings: Settings) -> None:
    township = await unit_id(session, TOWNSHIP)
    empty = Unit(code="GC01-99", name="empty", level=UnitLevel.village, parent_id=township)
    session.add(empty)
    await session.flush()
    session.add(Team(village_id=empty.id, kind="ecology"))
    c = await cast_of(session)
    verified(session, c, created=oct_(1), due=oct_(8), resolved=oct_(5))
    scores = await october(session, settings)
    team = scores.teams[c.team]
    assert team.pool == W_RESOLUTION + W_ON_TIME + W_ACTIVITY
    assert [part.rate for part in team.parts] == [1.0, 1.0, 0.0, None]
    nothing = scores.villages[empty.id]
    assert nothing.value is None and nothing.pool == 0
    table = ranked(scores.villages.values())
    assert table[-1].unit.id == empty.id and table[-1].rank is None

    weights = {"resolution": 100, "on_time": 0, "activity": 0, "acknowledgement": 0}
    only_resolution = settings.model_copy(update={"scoring": load_settings(scoring={"weights": weights}).scoring})
    scores = await october(session, only_resolution)
    assert scores.teams[c.team].value == pytest.approx(100.0)
    assert scores.teams[await team_of(session, OTHER_VILLAGE)].value is None  # nothing due: no score at all


async def test_a_running_month_counts_only_what_is_due_so_far(session: AsyncSession, settings: Settings) -> None:
    c = await cast_of(session)
    add_issue(session, c, created=local(10, 28), due=local(11, 1))     # due yesterday: late
    add_issue(session, c, created=local(11, 1), due=local(11, 8))      # due next week: not counted yet
    await session.flush()
    scores = await monthly_scores(session, settings, 2026, 11, now=AFTER_OCTOBER)
    assert not scores.complete
    assert scores.teams[c.team].tally.items == 1
    with pytest.raises(DomainError) as refused:
        await monthly_scores(session, settings, 2026, 12, now=AFTER_OCTOBER)
    assert refused.value.key == "score-future-month"


async def test_the_same_problem_day_follows_the_county_clock(session: AsyncSession, settings: Settings) -> None:
    """23:30 on the 5th and 00:30 and 07:00 on the 6th in county time are two days, though all three fall on the
    5th in UTC (15:30, 16:30, 23:00)."""
    c = await cast_of(session)
    for created in (oct_(5, 23) + timedelta(minutes=30), oct_(6, 0) + timedelta(minutes=30), oct_(6, 7)):
        add_issue(session, c, created=created, due=oct_(8))
    team = (await october(session, settings)).teams[c.team]
    assert (team.tally.items, team.tally.problems) == (3, 2)


def test_weights_must_sum_to_100() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings(scoring={"weights": {"resolution": 50}})
    assert str(error.value) == "config error: scoring.weights: Value error, the weights must sum to 100, not 110"
