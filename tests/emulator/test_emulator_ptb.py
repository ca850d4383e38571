"""python-telegram-bot 22 talks to the emulator as to Telegram."""

from __future__ import annotations

import telegram

from emulator import Emulator, EmulatorClient, make_png
from tests.emulator.support import World


async def test_python_telegram_bot_round_trip(
    emulator: Emulator, client: EmulatorClient, world: World
) -> None:
    bot = telegram.Bot(
        emulator.token, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot"
    )
    async with bot:
        me = await bot.get_me()
        assert me.username == "five_teams_bot"

        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("认领", callback_data="claim:1")]]
        )
        sent = await bot.send_message(world.group, "<i>问题 #1</i>", parse_mode="HTML", reply_markup=keyboard)
        assert sent.text == "问题 #1" and sent.reply_markup == keyboard

        edited = await bot.edit_message_text(
            "问题 #1：已解决", chat_id=world.group, message_id=sent.message_id
        )
        assert isinstance(edited, telegram.Message) and edited.edit_date is not None

        png = make_png(640, 480)
        photo = await bot.send_photo(world.alice, png, caption="现场照片")
        assert photo.photo[-1].width == 640

        member = await bot.get_chat_member(world.group, world.bob)
        assert member.status == telegram.constants.ChatMemberStatus.ADMINISTRATOR

        file = await bot.get_file(photo.photo[-1].file_id)
        assert bytes(await file.download_as_bytearray()) == png

        posted = await client.send_message(world.alice, world.alice, "/start")
        [update] = await bot.get_updates(timeout=1)
        assert update.update_id == posted["update_id"] and update.message is not None
        assert update.message.text == "/start"
