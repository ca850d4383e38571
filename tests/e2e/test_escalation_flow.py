"""Up the ladder: a village item escalated to the township, acknowledged and dispatched to a department."""

from __future__ import annotations

from sqlalchemy import select

from bot.models import Department, Issue, IssueLevel, IssueStatus, Member, RoleName
from tests.e2e.conftest import Live
from tests.e2e.steps import bound_group, report_to_summary, t
from tests.e2e.support import buttons, card_recorded, inspect_database, message_text
from tests.harness.people import members_with
from tests.harness.waiting import eventually

VILLAGE, TOWNSHIP, DEPARTMENT = "GC01-02", "GC01", "AGRI"
VILLAGE_GROUP, TOWNSHIP_GROUP, DEPARTMENT_GROUP = -1001000000902, -1001000000901, -1001000000903
LIAISON_CODE = "M0013"  # AGRI's liaison for GC01 in org/sample_county.toml


async def test_escalate_acknowledge_dispatch_reaches_the_department_and_its_liaison(live: Live) -> None:
    driver = live.driver
    async with inspect_database(live.database_url) as session:
        admin = (await members_with(session, RoleName.admin))[0]
        reporter = (await members_with(session, RoleName.member, village=VILLAGE, kind="ecology"))[0]
        lead = (await members_with(session, RoleName.team_lead, village=VILLAGE, kind="ecology"))[0]
        supervisors = await members_with(session, RoleName.township_supervisor, township=TOWNSHIP)
        liaison = await session.scalar(select(Member).where(Member.code == LIAISON_CODE))
        department = await session.scalar(select(Department).where(Department.code == DEPARTMENT))
    assert liaison is not None and department is not None and len(supervisors) == 2
    people = [admin, reporter, lead, *supervisors, liaison]
    assert all(member.telegram_id for member in people)
    admin_id, reporter_id, lead_id, liaison_id = (m.telegram_id for m in (admin, reporter, lead, liaison))
    supervisor = supervisors[0]
    supervisor_id = supervisor.telegram_id
    assert admin_id == 1000002 and liaison_id == 1000014
    await driver.add_people(people)
    for title, chat_id, code, purpose, members in (
        ("角什科村工作群", VILLAGE_GROUP, VILLAGE, "village", [reporter_id, lead_id]),
        ("沙柳河镇督导群", TOWNSHIP_GROUP, TOWNSHIP, "township", [m.telegram_id for m in supervisors]),
        ("县农牧水利和科技局工作群", DEPARTMENT_GROUP, DEPARTMENT, "department", [liaison_id]),
    ):
        await bound_group(live, title, chat_id, code, members=members, admin_id=admin_id,
                          bound_says=f"（{code}）的{t(f'purpose-{purpose}')}")

    # A village member reports, without photo.
    summary = await report_to_summary(driver, VILLAGE_GROUP, reporter_id, "河道淤堵，汛期前村里清不动，需要机械",
                                      "沙柳河角什科段")
    mark = await driver.press(VILLAGE_GROUP, summary, reporter_id, t("report-confirm"))
    village_card = await driver.bot_message(VILLAGE_GROUP, after=mark, button=t("action-escalate"))
    assert not village_card.get("photo"), "a report without photos gets a text card"

    async with inspect_database(live.database_url) as session:
        number = await session.scalar(select(Issue.number))
    assert number is not None and number in message_text(village_card)

    # The team lead escalates it with a reason, asked for by a ForceReply that mentions them. Like a person, the
    # lead presses once the bot has recorded its card (a press within that instant is a sender race of its own).
    await card_recorded(live.database_url, VILLAGE_GROUP, village_card)
    mark = await driver.press(VILLAGE_GROUP, village_card, lead_id, t("action-escalate"))
    prompt = await driver.bot_message(VILLAGE_GROUP, after=mark, prompting=lead_id,
                                      text=t("ask-escalate", number=number))
    mentions = [e for e in prompt.get("entities", []) if e["type"] == "text_mention"]
    assert [e["user"]["id"] for e in mentions] == [lead_id]
    mark = await driver.say(VILLAGE_GROUP, lead_id, "需要挖掘机，村里没有", reply_to=prompt)
    await driver.bot_message(VILLAGE_GROUP, after=mark, text=t("done-escalate", number=number))
    township_card = await driver.bot_message(TOWNSHIP_GROUP, after=mark, button=t("action-acknowledge"))
    assert number in message_text(township_card) and t("card-awaiting-ack") in message_text(township_card)
    assert "需要挖掘机" in message_text(township_card)

    # A supervisor acknowledges it and becomes its owner.
    await card_recorded(live.database_url, TOWNSHIP_GROUP, township_card)
    mark = await driver.press(TOWNSHIP_GROUP, township_card, supervisor_id, t("action-acknowledge"))
    await driver.answer(supervisor_id, after=mark, text=t("done-acknowledge", number=number))
    owner_line = t("card-owner", owner=supervisor.display_name)
    township_card = await driver.edited(TOWNSHIP_GROUP, township_card, after=mark, text=owner_line)

    # ... and dispatches it to the agriculture bureau with the default due date.
    mark = await driver.press(TOWNSHIP_GROUP, township_card, supervisor_id, t("action-dispatch"))
    picker = await driver.bot_message(TOWNSHIP_GROUP, after=mark, button=department.name,
                                      text=t("ask-department", number=number))
    mark = await driver.press(TOWNSHIP_GROUP, picker, supervisor_id, department.name)
    due_prompt = await driver.bot_message(TOWNSHIP_GROUP, after=mark, prompting=supervisor_id,
                                          text=t("ask-due", number=number))
    default_due = await driver.bot_message(TOWNSHIP_GROUP, after=mark, button=t("due-default", date=""))
    assert default_due.get("reply_to_message", {}).get("message_id") == due_prompt["message_id"]
    mark = await driver.press(TOWNSHIP_GROUP, default_due, supervisor_id, t("due-default", date=""))
    await driver.answer(supervisor_id, after=mark, text=t("done-dispatch", number=number))

    task_card = await driver.bot_message(DEPARTMENT_GROUP, after=mark, button=t("action-task_ack"))
    assert number in message_text(task_card)
    notice = await driver.bot_message(liaison_id, after=mark, text=t("notice-task-assigned", number=number))
    assert notice["chat"]["type"] == "private"
    department_line = t("card-department", department=department.name, acknowledged="no")
    village_card = await driver.edited(VILLAGE_GROUP, village_card, after=mark, text=department_line)
    assert owner_line in message_text(village_card)
    assert t("card-escalated", reason="需要挖掘机，村里没有") in message_text(village_card)
    assert not buttons(village_card), "the village no longer acts on an item the township holds"

    async def dispatched() -> bool:
        async with inspect_database(live.database_url) as session:
            issues = (await session.scalars(select(Issue))).all()
            return [(i.level, i.status, i.department_id) for i in issues] == [
                (IssueLevel.township, IssueStatus.in_progress, department.id)]

    await eventually(dispatched, what="one issue at the township, in progress, dispatched to AGRI")
