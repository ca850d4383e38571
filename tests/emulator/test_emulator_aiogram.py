"""Every Bot API method the emulator offers, called through aiogram, parses into aiogram's models."""

from __future__ import annotations

import io

from aiogram import Bot
from aiogram.types import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BufferedInputFile,
    ChatFullInfo,
    ChatMemberAdministrator,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ForceReply,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    MenuButtonCommands,
    Message,
    ReplyParameters,
)

from emulator import Emulator, EmulatorClient, make_png
from tests.emulator.support import World

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="认领", callback_data="claim:7")]]
)


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.is_bot
    assert me.username == "five_teams_bot"
    assert me.can_read_all_group_messages is False


async def test_send_message_echoes_markup_and_parses_html(bot: Bot, world: World) -> None:
    sent = await bot.send_message(
        world.group, "<b>新问题</b> #12 &lt;草场&gt;", parse_mode="HTML", reply_markup=KEYBOARD
    )
    assert isinstance(sent, Message)
    assert sent.chat.id == world.group and sent.chat.type == "group"
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.text == "新问题 #12 <草场>"
    assert sent.entities is not None and sent.entities[0].type == "bold" and sent.entities[0].length == 3
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "claim:7"


async def test_send_message_to_private_chat_with_force_reply(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    sent = await bot.send_message(world.alice, "请描述问题", reply_markup=ForceReply())
    assert sent.chat.type == "private" and sent.chat.first_name == "Alice"
    # Only inline keyboards are part of a Message; the page still sees the force_reply.
    assert sent.reply_markup is None
    [stored] = await client.messages(world.alice)
    assert stored["reply_markup"] == {"force_reply": True}


async def test_reply_parameters(bot: Bot, client: EmulatorClient, world: World) -> None:
    posted = await client.send_message(world.alice, world.alice, "你好")
    message_id = posted["message"]["message_id"]
    sent = await bot.send_message(
        world.alice, "收到", reply_parameters=ReplyParameters(message_id=message_id)
    )
    assert sent.reply_to_message is not None and sent.reply_to_message.text == "你好"


async def test_send_photo_upload_and_resend_by_file_id(bot: Bot, emulator: Emulator, world: World) -> None:
    png = make_png(1000, 800)
    sent = await bot.send_photo(world.group, BufferedInputFile(png, "chart.png"), caption="月度排名")
    assert sent.photo is not None and sent.caption == "月度排名"
    assert [(size.width, size.height) for size in sent.photo] == [
        (90, 72),
        (320, 256),
        (800, 640),
        (1000, 800),
    ]
    largest = sent.photo[-1]
    again = await bot.send_photo(world.alice, largest.file_id)
    assert again.photo is not None and again.photo[-1].file_id == largest.file_id

    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None and file.file_size == len(png)
    downloaded = io.BytesIO()
    await bot.download_file(file.file_path, downloaded)
    assert downloaded.getvalue() == png


async def test_send_document_and_location(bot: Bot, world: World) -> None:
    sent = await bot.send_document(world.group, BufferedInputFile(b"a,b\n1,2\n", "issues.csv"))
    assert sent.document is not None
    assert sent.document.file_name == "issues.csv" and sent.document.mime_type == "text/csv"
    where = await bot.send_location(world.group, latitude=37.33, longitude=100.13)
    assert where.location is not None and where.location.latitude == 37.33


async def test_send_media_group(bot: Bot, world: World) -> None:
    album = [
        InputMediaPhoto(media=BufferedInputFile(make_png(), "a.png"), caption="前"),
        InputMediaPhoto(media=BufferedInputFile(make_png(), "b.png"), caption="后"),
    ]
    sent = await bot.send_media_group(world.group, album)
    assert [message.caption for message in sent] == ["前", "后"]
    assert sent[0].media_group_id is not None and sent[0].media_group_id == sent[1].media_group_id


async def test_edits_and_delete(bot: Bot, client: EmulatorClient, world: World) -> None:
    sent = await bot.send_message(world.group, "问题 #1：待认领", reply_markup=KEYBOARD)
    edited = await bot.edit_message_text("问题 #1：处理中", chat_id=world.group, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.edit_date is not None
    assert edited.reply_markup is None  # an edit without reply_markup removes the keyboard, as on Telegram
    marked = await bot.edit_message_reply_markup(
        chat_id=world.group, message_id=sent.message_id, reply_markup=KEYBOARD
    )
    assert isinstance(marked, Message) and marked.reply_markup is not None

    photo = await bot.send_photo(world.group, BufferedInputFile(make_png(), "p.png"), caption="前")
    captioned = await bot.edit_message_caption(chat_id=world.group, message_id=photo.message_id, caption="后")
    assert isinstance(captioned, Message) and captioned.caption == "后"

    assert await bot.delete_message(world.group, photo.message_id) is True
    messages = await client.messages(world.group)
    assert [(m["message_id"], m["text"], m["edit_count"]) for m in messages] == [
        (sent.message_id, "问题 #1：处理中", 2)
    ]


async def test_chat_and_members(bot: Bot, world: World) -> None:
    chat = await bot.get_chat(world.group)
    assert isinstance(chat, ChatFullInfo) and chat.title == "果洛藏贡麻村"
    assert isinstance(await bot.get_chat_member(world.group, world.alice), ChatMemberOwner)
    assert isinstance(await bot.get_chat_member(world.group, world.bob), ChatMemberAdministrator)
    assert isinstance(await bot.get_chat_member(world.group, world.carol), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(world.supergroup, world.carol), ChatMemberLeft)
    admins = await bot.get_chat_administrators(world.group)
    assert {admin.user.id for admin in admins} == {world.alice, world.bob}
    assert await bot.get_chat_member_count(world.group) == 4
    private = await bot.get_chat(world.carol)
    assert private.type == "private" and private.first_name == "卓玛"


async def test_commands_and_menu_button(bot: Bot) -> None:
    commands = [
        BotCommand(command="report", description="上报问题"),
        BotCommand(command="my", description="我的"),
    ]
    assert await bot.set_my_commands(commands) is True
    assert await bot.set_my_commands(commands[:1], scope=BotCommandScopeAllGroupChats(), language_code="en")
    assert [command.command for command in await bot.get_my_commands()] == ["report", "my"]
    group_commands = await bot.get_my_commands(scope=BotCommandScopeAllGroupChats(), language_code="en")
    assert [(command.command, command.description) for command in group_commands] == [("report", "上报问题")]
    assert await bot.delete_my_commands() is True
    assert await bot.get_my_commands() == []
    assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands()) is True
    assert (await bot.get_chat_menu_button()).type == "commands"


async def test_webhook_settings(bot: Bot) -> None:
    assert (await bot.get_webhook_info()).url == ""
    assert await bot.set_webhook("http://127.0.0.1:9/hook", secret_token="s3cret", drop_pending_updates=True)
    info = await bot.get_webhook_info()
    assert info.url == "http://127.0.0.1:9/hook" and info.pending_update_count == 0
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""


async def test_callback_answer_and_chat_action(bot: Bot, client: EmulatorClient, world: World) -> None:
    sent = await bot.send_message(world.group, "问题 #7", reply_markup=KEYBOARD)
    pressed = await client.press_button(world.group, sent.message_id, world.carol, "claim:7")
    assert await bot.answer_callback_query(pressed["callback_query_id"], text="已认领") is True
    [answer] = await client.callback_answers()
    assert answer["text"] == "已认领" and answer["user_id"] == world.carol
    assert await bot.send_chat_action(world.group, "typing") is True
