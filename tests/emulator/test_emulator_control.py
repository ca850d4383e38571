"""The control API: world building, acting as users, watching the bot, the change feed, the page."""

from __future__ import annotations

import asyncio
import re

import aiohttp
import pytest
from aiogram import Bot
from aiogram.types import KeyboardButton, ReplyKeyboardMarkup

from emulator import Emulator, EmulatorClient, EmulatorError, make_png
from emulator.app import STATIC_DIR
from tests.emulator.support import World


async def test_world_building(client: EmulatorClient, world: World) -> None:
    [bob] = [user for user in await client.users() if user["id"] == world.bob]
    assert bob["note"] == "沙柳河镇 · 组长"
    assert [chat["id"] for chat in await client.chats(member=world.carol)] == [world.group]
    auto = await client.create_chat("新村", members=[world.carol])
    assert auto["id"] < 0 and auto["type"] == "group"
    await client.add_members(world.supergroup, [world.carol], admin=True)
    chat = await client.chat(world.supergroup)
    assert world.carol in chat["members"] and chat["admins"] == [world.carol]
    chat = await client.remove_member(world.supergroup, world.carol)
    assert world.carol not in chat["members"] and chat["admins"] == []
    with pytest.raises(EmulatorError, match="unknown user 4242"):
        await client.add_members(world.group, [4242])
    with pytest.raises(EmulatorError, match="supergroup ids start with -100"):
        await client.create_chat("坏", chat_id=-5, chat_type="supergroup")


async def test_users_act_only_where_they_belong(client: EmulatorClient, world: World) -> None:
    with pytest.raises(EmulatorError) as not_member:
        await client.send_message(world.supergroup, world.carol, "你好")
    assert not_member.value.status == 403
    with pytest.raises(EmulatorError, match="own private chat"):
        await client.send_message(world.alice, world.bob, "冒充")
    with pytest.raises(EmulatorError, match="no inline button"):
        posted = await client.send_message(world.alice, world.alice, "x")
        await client.press_button(world.alice, posted["message"]["message_id"], world.alice, "nope")


async def test_chat_transcript_in_order(bot: Bot, client: EmulatorClient, world: World) -> None:
    asked = await client.send_message(world.alice, world.alice, "/report")
    keyboard = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="生态"), KeyboardButton(text="产业")]])
    await bot.send_message(world.alice, "选择工作队", reply_markup=keyboard)
    photo = await client.send_photo(world.alice, world.alice, make_png(), caption="围栏")
    transcript = await client.messages(world.alice)
    assert [(m["from_bot"], m.get("text") or m.get("caption")) for m in transcript] == [
        (False, "/report"),
        (True, "选择工作队"),
        (False, "围栏"),
    ]
    assert transcript[1]["reply_markup"]["keyboard"][0][1]["text"] == "产业"
    assert asked["message"]["chat"]["type"] == "private"
    file_id = photo["message"]["photo"][-1]["file_id"]
    assert await client.file(file_id) == make_png()
    # The bot can fetch and re-send what a user uploaded.
    file = await bot.get_file(file_id)
    assert file.file_path is not None
    await bot.send_photo(world.group, file_id)


async def test_event_feed_long_poll(bot: Bot, client: EmulatorClient, world: World) -> None:
    await client.skip_to_now()
    waiting = asyncio.create_task(client.events(client.cursor, wait=5))
    await asyncio.sleep(0.05)
    sent = await bot.send_message(world.group, "第一条")
    page = await asyncio.wait_for(waiting, 2)
    [event] = page["events"]
    assert event["kind"] == "message" and event["message"]["message_id"] == sent.message_id
    await bot.edit_message_text("第一条（改）", chat_id=world.group, message_id=sent.message_id)
    await bot.delete_message(world.group, sent.message_id)
    later = await client.events(event["id"])
    assert [(e["kind"], e["message_id"]) for e in later["events"]] == [
        ("edit", sent.message_id),
        ("delete", sent.message_id),
    ]
    assert later["last_id"] == later["events"][-1]["id"]
    assert (await client.events(later["last_id"], wait=0.1))["events"] == []


async def test_calls_log_filters(bot: Bot, client: EmulatorClient, world: World) -> None:
    await bot.get_me()
    await bot.send_message(world.group, "群")
    await bot.send_message(world.alice, "私")
    calls = await client.calls("sendmessage", chat_id=world.group)
    assert [call["params"]["text"] for call in calls] == ["群"]
    everything = await client.calls()
    assert [call["method"] for call in everything] == ["getMe", "sendMessage", "sendMessage"]
    assert await client.calls(after=everything[-1]["id"]) == []


async def test_reset_keeps_counters_moving(bot: Bot, client: EmulatorClient, world: World) -> None:
    first = await client.send_message(world.alice, world.alice, "一")
    await client.reset()
    assert await client.users() == [] and await client.calls() == []
    await client.upsert_user(7, "新人")
    second = await client.send_message(7, 7, "二")
    assert second["update_id"] > first["update_id"] and second["event_id"] > first["event_id"]


async def test_raw_429_shape(emulator: Emulator, client: EmulatorClient) -> None:
    await client.add_fault("too_many_requests", retry_after=3)
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{emulator.base_url}/bot{emulator.token}/getMe") as r,
    ):
        assert r.status == 429
        assert await r.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 3",
            "parameters": {"retry_after": 3},
        }


async def test_sandbox_page_is_served_and_self_contained(emulator: Emulator) -> None:
    async with aiohttp.ClientSession() as session:
        for path in ("/", "/static/app.js", "/static/style.css"):
            async with session.get(emulator.base_url + path) as response:
                assert response.status == 200, path
    for asset in STATIC_DIR.iterdir():
        text = asset.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), asset.name
        assert "innerHTML" not in text, asset.name
