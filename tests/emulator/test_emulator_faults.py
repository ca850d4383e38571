"""Injected faults and Telegram's rate limits, seen through aiogram's exceptions."""

from __future__ import annotations

import time

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)

from emulator import EmulatorClient
from tests.emulator.support import World


async def test_injected_429_for_the_next_call_only(bot: Bot, client: EmulatorClient, world: World) -> None:
    await client.add_fault("too_many_requests", method="sendMessage", retry_after=7)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(world.alice, "x")
    assert caught.value.retry_after == 7
    assert "Too Many Requests: retry after 7" in caught.value.message
    await bot.send_message(world.alice, "x")
    stats = await client.stats()
    assert (stats["too_many_requests"], stats["injected"], stats["by_method"]) == (1, 1, {"sendMessage": 1})


async def test_injected_server_error_for_any_method(bot: Bot, client: EmulatorClient) -> None:
    await client.add_fault("server_error", status=502, count=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Bad Gateway"):
            await bot.get_me()
    assert (await bot.get_me()).is_bot
    assert await client.faults() == []


async def test_injected_delay_and_drop(bot: Bot, client: EmulatorClient, world: World) -> None:
    await client.add_fault("delay", method="getMe", seconds=0.3)
    started = time.monotonic()
    await bot.get_me()
    assert time.monotonic() - started >= 0.3
    await client.add_fault("drop", method="sendMessage")
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(world.alice, "x")
    [call] = await client.calls("sendMessage")
    assert call["status"] == 0 and call["ok"] is False


async def test_fault_until_cleared(bot: Bot, client: EmulatorClient) -> None:
    await client.add_fault("server_error", method="getMe", count=None)
    for _ in range(3):
        with pytest.raises(TelegramServerError):
            await bot.get_me()
    await client.clear_faults()
    assert (await bot.get_me()).is_bot


async def test_an_upgraded_group_answers_every_request_with_its_supergroup(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    await client.add_fault("migrated", chat_id=world.group, migrate_to_chat_id=world.supergroup, count=None)
    sent = await bot.send_message(world.supergroup, "新群")
    for request in (bot.send_message(world.group, "旧群"),
                    bot.edit_message_text("改", chat_id=world.group, message_id=sent.message_id)):
        with pytest.raises(TelegramMigrateToChat) as caught:
            await request
        assert caught.value.migrate_to_chat_id == world.supergroup
        assert "group chat was upgraded to a supergroup chat" in caught.value.message
    await bot.send_message(world.alice, "别的聊天照常")
    assert [call["ok"] for call in await client.calls("sendMessage")] == [True, False, True]


async def test_rate_limit_one_message_per_second_per_chat(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    await client.set_rate_limits(enabled=True)
    await bot.send_message(world.alice, "一")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(world.alice, "二")
    assert caught.value.retry_after == 1
    await bot.send_message(world.bob, "另一个聊天不受影响")
    stats = await client.stats()
    assert (stats["too_many_requests"], stats["rate_limited"]) == (1, 1)
    assert [call["ok"] for call in await client.calls("sendMessage")] == [True, False, True]


async def test_rate_limit_per_group_per_minute_and_overall(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    await client.set_rate_limits(enabled=True, chat_per_second=100, group_per_minute=3, overall_per_second=4)
    for index in range(3):
        await bot.send_message(world.group, f"群消息 {index}")
    with pytest.raises(TelegramRetryAfter) as per_group:
        await bot.send_message(world.group, "太多了")
    assert 55 <= per_group.value.retry_after <= 60
    await bot.send_message(world.alice, "私聊")
    with pytest.raises(TelegramRetryAfter) as overall:
        await bot.send_message(world.bob, "超出总量")
    assert overall.value.retry_after == 1
