"""What people do in the groups, step by step as a person would, shared by the end-to-end scenarios."""

from __future__ import annotations

from bot.config import load_settings
from bot.i18n import Translator
from tests.e2e.conftest import Live
from tests.e2e.support import JSON, ChatDriver

t = Translator("zh").localizer("zh")
ECOLOGY = next(kind.zh for kind in load_settings().team_kinds if kind.key == "ecology")


async def bound_group(live: Live, title: str, chat_id: int, code: str, *, members: list[int], admin_id: int,
                      bound_says: str) -> None:
    """A supergroup with these members, bound to `code` by the admin (who owns it); waits for the bot's word."""
    await live.client.create_chat(title, chat_id=chat_id, chat_type="supergroup", members=members,
                                  admins=[admin_id], owner=admin_id)
    mark = await live.driver.say(chat_id, admin_id, f"/bind {code}")
    await live.driver.bot_message(chat_id, after=mark, text=bound_says)


async def report_to_summary(driver: ChatDriver, chat_id: int, reporter_id: int, description: str, place: str, *,
                            photo: bytes | None = None) -> JSON:
    """The guided report for the ecology team at normal urgency, replying to each prompt, up to its summary
    (the message with the confirm button)."""
    mark = await driver.say(chat_id, reporter_id, "/report")
    teams = await driver.bot_message(chat_id, after=mark, button=ECOLOGY)
    mark = await driver.press(chat_id, teams, reporter_id, ECOLOGY)
    prompt = await driver.bot_message(chat_id, after=mark, prompting=reporter_id)
    mark = await driver.say(chat_id, reporter_id, description, reply_to=prompt)
    if photo is None:
        no_photos = await driver.bot_message(chat_id, after=mark, button=t("report-photos-none"))
        mark = await driver.press(chat_id, no_photos, reporter_id, t("report-photos-none"))
    else:
        prompt = await driver.bot_message(chat_id, after=mark, prompting=reporter_id)
        mark = await driver.send_photo(chat_id, reporter_id, photo, reply_to=prompt)
        received = await driver.bot_message(chat_id, after=mark, button=t("report-photos-done"))
        mark = await driver.press(chat_id, received, reporter_id, t("report-photos-done"))
    prompt = await driver.bot_message(chat_id, after=mark, prompting=reporter_id)
    mark = await driver.say(chat_id, reporter_id, place, reply_to=prompt)
    urgency = await driver.bot_message(chat_id, after=mark, button=t("urgency-normal"))
    mark = await driver.press(chat_id, urgency, reporter_id, t("urgency-normal"))
    return await driver.bot_message(chat_id, after=mark, button=t("report-confirm"))
