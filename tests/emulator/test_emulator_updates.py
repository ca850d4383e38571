"""Updates reach the bot like on Telegram: long polling, offsets, privacy mode, buttons, webhooks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramConflictError
from aiogram.types import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from emulator import Emulator, EmulatorClient, make_png
from emulator.webhook import SECRET_HEADER
from tests.emulator.support import World


async def test_long_poll_returns_when_a_message_arrives(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    assert not poll.done()
    posted = await client.send_message(world.alice, world.alice, "/start")
    [update] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 2
    assert update.update_id == posted["update_id"]
    assert update.message is not None and update.message.text == "/start"
    assert update.message.entities is not None and update.message.entities[0].type == "bot_command"


async def test_long_poll_times_out_empty(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert 0.9 <= time.monotonic() - started < 1.8


async def test_offset_confirms_and_limit_caps(bot: Bot, client: EmulatorClient, world: World) -> None:
    for text in ("一", "二", "三"):
        await client.send_message(world.alice, world.alice, text)
    first_two = await bot.get_updates(limit=2)
    assert [update.message.text for update in first_two if update.message] == ["一", "二"]
    again = await bot.get_updates()
    assert len(again) == 3  # nothing is confirmed until an offset passes it
    rest = await bot.get_updates(offset=first_two[-1].update_id + 1)
    assert [update.message.text for update in rest if update.message] == ["三"]
    assert len(await client.pending_updates()) == 1
    await client.send_message(world.alice, world.alice, "四")
    last = await bot.get_updates(offset=-1)
    assert [update.message.text for update in last if update.message] == ["四"]


async def test_a_newer_poll_terminates_the_older(bot: Bot) -> None:
    older = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    newer = asyncio.create_task(bot.get_updates(timeout=0))
    with pytest.raises(TelegramConflictError, match="terminated by other getUpdates request"):
        await asyncio.wait_for(older, 2)
    assert await newer == []


async def test_callback_button_flow(bot: Bot, client: EmulatorClient, world: World) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="认领", callback_data="claim:9")]]
    )
    card = await bot.send_message(world.group, "问题 #9", reply_markup=keyboard)
    pressed = await client.press_button(world.group, card.message_id, world.carol, "claim:9")
    [update] = await bot.get_updates()
    query = update.callback_query
    assert query is not None and query.id == pressed["callback_query_id"]
    assert query.data == "claim:9" and query.from_user.id == world.carol
    assert query.message is not None and query.message.message_id == card.message_id
    assert query.chat_instance
    await bot.answer_callback_query(query.id, text="已认领", show_alert=True)
    await bot.edit_message_text("问题 #9：卓玛 处理中", chat_id=world.group, message_id=card.message_id)
    event = await client.wait_for_event(lambda event: event["kind"] == "edit")
    assert event["message"]["text"] == "问题 #9：卓玛 处理中" and event["message"]["edit_count"] == 1
    [answer] = await client.callback_answers()
    assert answer["show_alert"] is True


async def test_privacy_mode_in_groups(bot: Bot, client: EmulatorClient, world: World) -> None:
    chatter = await client.send_message(world.group, world.carol, "今天开会吗")
    assert chatter["update_id"] is None
    elsewhere = await client.send_message(world.group, world.carol, "/report@other_bot")
    assert elsewhere["update_id"] is None
    command = await client.send_message(world.group, world.carol, "/report@five_teams_bot 草场")
    assert command["update_id"] is not None
    assert command["message"]["entities"] == [
        {"type": "bot_command", "offset": 0, "length": len("/report@five_teams_bot")}
    ]
    prompt = await bot.send_message(world.group, "请描述问题", reply_markup=ForceReply(selective=True))
    answer = await client.send_message(world.group, world.carol, "围栏坏了", reply_to=prompt.message_id)
    assert answer["update_id"] is not None
    located = await client.send_location(world.group, world.carol, 37.3, 100.1, reply_to=prompt.message_id)
    photo = await client.send_photo(
        world.group, world.carol, make_png(), caption="现场", reply_to=prompt.message_id
    )
    updates = await bot.get_updates()
    assert [update.update_id for update in updates] == [
        command["update_id"],
        answer["update_id"],
        located["update_id"],
        photo["update_id"],
    ]
    reply = updates[1].message
    assert reply is not None and reply.reply_to_message is not None
    assert reply.reply_to_message.message_id == prompt.message_id
    assert updates[3].message is not None and updates[3].message.photo is not None


async def test_bot_admin_and_privacy_off_see_everything(client: EmulatorClient, world: World) -> None:
    await client.set_bot_status(world.group, "administrator")
    assert (await client.send_message(world.group, world.carol, "大家好"))["update_id"] is not None
    lenient = Emulator(privacy_mode=False)
    async with lenient, EmulatorClient(lenient.base_url) as other:
        other_world = await _small_world(other)
        assert (await other.send_message(other_world, 1, "大家好"))["update_id"] is not None


async def _small_world(client: EmulatorClient) -> int:
    await client.upsert_user(1, "甲")
    return (await client.create_chat("村", members=[1]))["id"]


async def test_user_edits_become_edited_message(bot: Bot, client: EmulatorClient, world: World) -> None:
    posted = await client.send_message(world.alice, world.alice, "草场被占")
    edited = await client.edit_message(
        world.alice, posted["message"]["message_id"], world.alice, "草场被占用"
    )
    updates = await bot.get_updates()
    assert updates[-1].update_id == edited["update_id"]
    assert updates[-1].edited_message is not None and updates[-1].edited_message.text == "草场被占用"


async def test_allowed_updates_filter(bot: Bot, client: EmulatorClient, world: World) -> None:
    await bot.get_updates(allowed_updates=["callback_query"])
    assert (await client.send_message(world.alice, world.alice, "hi"))["update_id"] is None


@pytest.fixture
async def hook() -> AsyncIterator[tuple[str, asyncio.Queue[tuple[str | None, dict[str, object]]]]]:
    received: asyncio.Queue[tuple[str | None, dict[str, object]]] = asyncio.Queue()

    async def handle(request: web.Request) -> web.Response:
        await received.put((request.headers.get(SECRET_HEADER), await request.json()))
        update = await request.json()
        if "message" in update:
            # Answer with a method in the response body, as aiogram's webhook handler may.
            chat_id = update["message"]["chat"]["id"]
            return web.json_response({"method": "sendMessage", "chat_id": chat_id, "text": "收到"})
        return web.json_response({})

    app = web.Application()
    app.router.add_post("/hook", handle)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    yield f"http://127.0.0.1:{port}/hook", received
    await runner.cleanup()


async def test_webhook_receives_updates_with_secret(
    bot: Bot,
    client: EmulatorClient,
    world: World,
    hook: tuple[str, asyncio.Queue[tuple[str | None, dict[str, object]]]],
) -> None:
    url, received = hook
    await bot.set_webhook(url, secret_token="s3cret")
    posted = await client.send_message(world.alice, world.alice, "/start")
    secret, update = await asyncio.wait_for(received.get(), 2)
    assert secret == "s3cret" and update["update_id"] == posted["update_id"]
    reply = await client.next_bot_message(world.alice, within=2)
    assert reply["text"] == "收到"
    assert (await bot.get_webhook_info()).pending_update_count == 0
    await bot.delete_webhook()
    await client.send_message(world.alice, world.alice, "再来")
    assert [update.message.text for update in await bot.get_updates() if update.message] == ["再来"]
