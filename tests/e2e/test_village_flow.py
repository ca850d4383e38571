"""One problem, one form, one sign-off: a village group from /bind to a closed issue, against the real bot."""

from __future__ import annotations

from sqlalchemy import select

from bot.config import load_settings
from bot.i18n import Translator
from bot.models import Issue, IssueStatus, RoleName
from emulator import make_png
from tests.e2e.conftest import Live
from tests.e2e.support import eventually, inspect_database
from tests.harness.people import members_with

VILLAGE = "GC01-02"
GROUP = -1001000000902
t = Translator("zh").localizer("zh")
ECOLOGY = next(kind.zh for kind in load_settings().team_kinds if kind.key == "ecology")


async def test_report_claim_resolve_verify_closes_the_issue_with_its_card_edited_in_place(live: Live) -> None:
    driver = live.driver
    async with inspect_database(live.database_url) as session:
        admin = (await members_with(session, RoleName.admin))[0]
        reporter, mate = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[:2]
    assert admin.telegram_id and reporter.telegram_id and mate.telegram_id
    admin_id, reporter_id, mate_id = admin.telegram_id, reporter.telegram_id, mate.telegram_id
    await driver.add_people([admin, reporter, mate])
    await live.client.create_chat("角什科村工作群", chat_id=GROUP, chat_type="supergroup",
                                  members=[reporter_id, mate_id], admins=[admin_id], owner=admin_id)

    mark = await driver.say(GROUP, admin_id, f"/bind {VILLAGE}")
    await driver.bot_message(GROUP, after=mark, text=VILLAGE)

    mark = await driver.say(GROUP, reporter_id, "/report")
    teams = await driver.bot_message(GROUP, after=mark, button=ECOLOGY)
    mark = await driver.press(GROUP, teams, reporter_id, ECOLOGY)
    prompt = await driver.bot_message(GROUP, after=mark, prompting=reporter_id)
    mark = await driver.say(GROUP, reporter_id, "草场围栏被风吹倒，牛羊进入禁牧区", reply_to=prompt)
    prompt = await driver.bot_message(GROUP, after=mark, prompting=reporter_id)
    mark = await driver.send_photo(GROUP, reporter_id, make_png(), reply_to=prompt)
    received = await driver.bot_message(GROUP, after=mark, button=t("report-photos-done"))
    mark = await driver.press(GROUP, received, reporter_id, t("report-photos-done"))
    prompt = await driver.bot_message(GROUP, after=mark, prompting=reporter_id)
    mark = await driver.say(GROUP, reporter_id, "才让家夏季草场", reply_to=prompt)
    urgency = await driver.bot_message(GROUP, after=mark, button=t("urgency-normal"))
    mark = await driver.press(GROUP, urgency, reporter_id, t("urgency-normal"))
    summary = await driver.bot_message(GROUP, after=mark, button=t("report-confirm"))
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
