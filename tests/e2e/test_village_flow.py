"""One problem, one form, one sign-off: a village group from /bind to a closed issue, against the real bot."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Issue, IssueStatus, RoleName
from emulator import make_png
from tests.e2e.conftest import Live
from tests.e2e.steps import bound_group, report_to_summary, t
from tests.e2e.support import inspect_database
from tests.harness.people import members_with
from tests.harness.waiting import eventually

VILLAGE = "GC01-02"
GROUP = -1001000000902


async def test_report_claim_resolve_verify_closes_the_issue_with_its_card_edited_in_place(live: Live) -> None:
    driver = live.driver
    async with inspect_database(live.database_url) as session:
        admin = (await members_with(session, RoleName.admin))[0]
        reporter, mate = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[:2]
    assert admin.telegram_id and reporter.telegram_id and mate.telegram_id
    admin_id, reporter_id, mate_id = admin.telegram_id, reporter.telegram_id, mate.telegram_id
    await driver.add_people([admin, reporter, mate])
    await bound_group(live, "角什科村工作群", GROUP, VILLAGE, members=[reporter_id, mate_id], admin_id=admin_id,
                      bound_says=VILLAGE)

    summary = await report_to_summary(driver, GROUP, reporter_id, "草场围栏被风吹倒，牛羊进入禁牧区", "才让家夏季草场",
                                      photo=make_png())
    mark = await driver.press(GROUP, summary, reporter_id, t("report-confirm"))
    card = await driver.bot_message(GROUP, after=mark, button=t("action-claim"))
    assert card.get("photo"), "a report with a photo gets a photo card"

    mark = await driver.press(GROUP, card, mate_id, t("action-claim"))
    card = await driver.edited(GROUP, card, after=mark, text=t("status-in_progress"))
    mark = await driver.press(GROUP, card, mate_id, t("action-resolve"))
    prompt = await driver.bot_message(GROUP, after=mark, prompting=mate_id)
    mark = await driver.say(GROUP, mate_id, "围栏已重新加固，牛羊已赶回", reply_to=prompt)
    card = await driver.edited(GROUP, card, after=mark, text=t("status-resolved"))
    mark = await driver.press(GROUP, card, reporter_id, t("action-verify"))
    await driver.edited(GROUP, card, after=mark, text=t("status-closed"))

    [final] = [m for m in await live.client.messages(GROUP) if m["message_id"] == card["message_id"]]
    assert t("status-closed") in final["caption"] and "围栏已重新加固" in final["caption"]
    assert final["edit_count"] >= 3

    async def one_closed_issue() -> bool:
        async with inspect_database(live.database_url) as session:
            return list((await session.scalars(select(Issue.status))).all()) == [IssueStatus.closed]

    await eventually(one_closed_issue, what="exactly one issue, closed, in the database")
