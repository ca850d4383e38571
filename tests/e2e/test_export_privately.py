"""/export against the real bot from an admin who never started it: Telegram refuses the bot their private chat,
so the group is told how to open it and no workbook goes anywhere; after Start, the workbook reaches that private
chat and nowhere else (it holds members' phone numbers)."""

from __future__ import annotations

from bot.models import RoleName
from tests.e2e.conftest import Live
from tests.e2e.steps import bound_group, t
from tests.e2e.support import inspect_database, message_text
from tests.harness.people import members_with

COUNTY, COUNTY_NAME = "GC", "刚察县"
GROUP = -1001000000900


async def test_export_waits_for_the_asker_to_start_the_bot_then_reaches_their_private_chat_only(live: Live) -> None:
    driver, client = live.driver, live.client
    async with inspect_database(live.database_url) as session:
        admin = (await members_with(session, RoleName.admin))[0]
    assert admin.telegram_id
    admin_id = admin.telegram_id
    await driver.add_people([admin])
    await client.set_started(admin_id, False)
    await bound_group(live, "刚察县总督导群", GROUP, COUNTY, members=[], admin_id=admin_id,
                      bound_says=f"（{COUNTY}）的{t('purpose-county')}")

    mark = await driver.say(GROUP, admin_id, "/export")
    answer = await driver.bot_message(GROUP, after=mark, text=t("export-open-private"))
    assert answer["reply_markup"]["inline_keyboard"] == [
        [{"text": t("export-open-private-button"), "url": "https://t.me/five_teams_bot?start=export"}]]
    assert [(call["method"], call["description"]) for call in await client.calls(chat_id=admin_id)] == [
        ("sendChatAction", "Forbidden: bot can't initiate conversation with a user")]
    assert await client.calls("sendDocument") == []

    mark = await driver.say(admin_id, admin_id, "/start export")   # the button's deep link, then Start
    await driver.bot_message(admin_id, after=mark, text=t("export-private-ready"))
    mark = await driver.say(GROUP, admin_id, "/export")
    workbook = await driver.bot_message(admin_id, after=mark)
    await driver.bot_message(GROUP, after=mark, text=t("export-sent-privately", title=t("archive-title-county"),
                                                          name=COUNTY_NAME))
    assert workbook["document"]["file_name"].startswith(f"{COUNTY}_{COUNTY_NAME}_")
    assert (await client.file(workbook["document"]["file_id"]))[:2] == b"PK"   # an .xlsx is a zip

    [delivered] = await client.calls("sendDocument")
    assert delivered["ok"] and delivered["params"]["chat_id"] == admin_id
    said_in_group = [message_text(m) for m in await client.messages(GROUP) if m["from_bot"]]
    assert said_in_group[1:] == [t("export-open-private"),
                                 t("export-sent-privately", title=t("archive-title-county"), name=COUNTY_NAME)]
