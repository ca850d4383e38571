"""Errors are answered in Telegram's shape and raise aiogram's matching exceptions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramUnauthorizedError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from emulator import Emulator, EmulatorClient, EmulatorError, make_png
from tests.emulator.support import FastCloseSession, World


async def _raw(emulator: Emulator, path: str, **kwargs: object) -> tuple[int, dict[str, object]]:
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emulator.base_url}{path}", **kwargs) as response,
    ):
        return response.status, await response.json()


async def test_unknown_method_and_wrong_token(emulator: Emulator) -> None:
    assert await _raw(emulator, f"/bot{emulator.token}/sendTelepathy") == (
        404,
        {"ok": False, "error_code": 404, "description": "Not Found"},
    )
    assert await _raw(emulator, "/bot1:wrong/getMe") == (
        401,
        {"ok": False, "error_code": 401, "description": "Unauthorized"},
    )
    session = FastCloseSession(api=TelegramAPIServer.from_base(emulator.base_url))
    intruder = Bot("1:wrong", session=session)
    with pytest.raises(TelegramUnauthorizedError):
        await intruder.get_me()
    await session.close()


async def test_parameters_as_json_form_and_query(emulator: Emulator, world: World) -> None:
    url = f"/bot{emulator.token}/sendMessage"
    status, body = await _raw(emulator, url, json={"chat_id": world.alice, "text": "json"})
    assert status == 200 and body["ok"] is True
    status, body = await _raw(emulator, url, data={"chat_id": str(world.alice), "text": "form"})
    assert status == 200
    status, body = await _raw(emulator, url, params={"chat_id": world.alice, "text": "query"})
    assert status == 200
    status, body = await _raw(emulator, url, json={"text": "no chat"})
    assert (status, body["description"]) == (400, "Bad Request: chat_id is empty")


@pytest.mark.parametrize(
    ("kwargs", "description"),
    [
        ({"chat_id": -5, "text": "x"}, "Bad Request: chat not found"),
        ({"chat_id": 1001, "text": "   "}, "Bad Request: message text is empty"),
        ({"chat_id": 1001, "text": "长" * 4097}, "Bad Request: message is too long"),
        ({"chat_id": 1001, "text": "<b>x", "parse_mode": "HTML"}, "Bad Request: can't parse entities"),
        ({"chat_id": 1001, "text": "a<br>b", "parse_mode": "HTML"}, 'Unsupported start tag "br"'),
        (
            {
                "chat_id": 1001,
                "text": "x",
                "reply_markup": InlineKeyboardMarkup(
                    inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="d" * 65)]]
                ),
            },
            "Bad Request: BUTTON_DATA_INVALID",
        ),
        (
            {"chat_id": 1001, "text": "x", "reply_to_message_id": 99},
            "Bad Request: message to be replied not found",
        ),
    ],
)
async def test_send_message_bad_requests(
    bot: Bot, world: World, kwargs: dict[str, Any], description: str
) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(**kwargs)
    assert description in caught.value.message


async def test_caption_too_long_and_bad_photo(bot: Bot, world: World) -> None:
    photo = BufferedInputFile(b"not an image", "x.png")
    with pytest.raises(TelegramBadRequest, match="IMAGE_PROCESS_FAILED"):
        await bot.send_photo(world.alice, photo)
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_photo(world.alice, "AgACunknown", caption="字" * 1025)
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_photo(world.alice, "AgACunknown")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("nope")


async def test_edit_errors(bot: Bot, client: EmulatorClient, world: World) -> None:
    sent = await bot.send_message(world.group, "问题 #3")
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text("问题 #3", chat_id=world.group, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=world.group, message_id=999)
    with pytest.raises(TelegramBadRequest, match="there is no caption in the message to edit"):
        await bot.edit_message_caption(chat_id=world.group, message_id=sent.message_id, caption="x")
    theirs = await client.send_message(world.group, world.bob, "/report")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=world.group, message_id=theirs["message"]["message_id"])
    await bot.delete_message(world.group, sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("新", chat_id=world.group, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(world.group, sent.message_id)


async def test_callback_answered_twice(bot: Bot, client: EmulatorClient, world: World) -> None:
    keyboard = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text="好", callback_data="ok")]])
    sent = await bot.send_message(world.alice, "确认？", reply_markup=keyboard)
    pressed = await client.press_button(world.alice, sent.message_id, world.alice, "ok")
    await bot.answer_callback_query(pressed["callback_query_id"])
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(pressed["callback_query_id"])


async def test_forbidden_when_kicked_left_or_blocked(bot: Bot, client: EmulatorClient, world: World) -> None:
    kicked = await client.kick_bot(world.group)
    assert kicked["update_id"] is not None
    with pytest.raises(TelegramForbiddenError) as caught:
        await bot.send_message(world.group, "还在吗")
    assert caught.value.message == "Forbidden: bot was kicked from the group chat"
    await client.set_bot_status(world.supergroup, "left", by=world.alice)
    with pytest.raises(TelegramForbiddenError, match="bot is not a member of the supergroup chat"):
        await bot.send_message(world.supergroup, "x")
    await client.upsert_user(world.carol, "卓玛", blocked_bot=True)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(world.carol, "x")


async def test_a_user_who_never_started_the_bot_cannot_be_written_to_until_they_write(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    assert (await client.set_started(world.carol, False))["started_bot"] is False
    refusals: tuple[Callable[[], Awaitable[object]], ...] = (
        lambda: bot.send_message(world.carol, "x"),
        lambda: bot.send_chat_action(world.carol, "upload_document"),
        lambda: bot.send_document(world.carol, BufferedInputFile(b"a,b", "archive.csv")),
        lambda: bot.send_photo(world.carol, BufferedInputFile(make_png(), "p.png")),
    )
    for request in refusals:
        with pytest.raises(TelegramForbiddenError) as caught:
            await request()
        assert caught.value.message == "Forbidden: bot can't initiate conversation with a user"
    assert await client.messages(world.carol) == []
    await bot.send_message(world.group, "群里照常")    # only the private chat is closed to the bot

    posted = await client.send_message(world.carol, world.carol, "/start export")
    assert posted["update_id"] is not None
    sent = await bot.send_document(world.carol, BufferedInputFile(b"a,b", "archive.csv"))
    assert sent.document is not None and sent.document.file_name == "archive.csv"
    [carol] = [user for user in await client.users() if user["id"] == world.carol]
    assert carol["started_bot"] is True


async def test_a_user_who_blocked_the_bot_unblocks_it_by_writing(bot: Bot, client: EmulatorClient,
                                                                  world: World) -> None:
    await client.block_bot(world.alice)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_chat_action(world.alice, "typing")
    await client.block_bot(world.alice, False)
    await bot.send_message(world.alice, "unblocked by the control API")
    await client.block_bot(world.alice)
    await client.send_message(world.alice, world.alice, "/start")    # Restart in the client unblocks and writes
    await bot.send_message(world.alice, "unblocked by writing")
    with pytest.raises(EmulatorError, match="started_bot must be true or false"):
        await client.set_started(world.alice, "no")  # type: ignore[arg-type]


async def test_get_updates_conflicts_with_webhook(bot: Bot) -> None:
    await bot.set_webhook("http://127.0.0.1:9/hook")
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()


async def test_a_closed_or_deleted_forum_topic_refuses_what_is_sent_to_it(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    forum = (await client.create_chat("牧委会", chat_type="supergroup", members=[world.alice], is_forum=True))["id"]
    kept = await bot.send_message(forum, "in the topic", message_thread_id=7)
    await client.set_topic(forum, 7, "closed")
    with pytest.raises(TelegramBadRequest, match="TOPIC_CLOSED"):
        await bot.send_message(forum, "x", message_thread_id=7)
    await client.set_topic(forum, 7, "open")
    await bot.send_message(forum, "reopened", message_thread_id=7)

    await client.set_topic(forum, 7, "deleted")
    with pytest.raises(TelegramBadRequest, match="message thread not found"):
        await bot.send_photo(forum, BufferedInputFile(b"\x89PNG", "p.png"), message_thread_id=7)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("edited", chat_id=forum, message_id=kept.message_id)   # it went with its topic
    general = await bot.send_message(forum, "to General")
    assert general.message_thread_id is None
    assert [m["text"] for m in await client.messages(forum)] == ["to General"]
    assert (await client.chat(forum))["topics"] == {"7": "deleted"}
