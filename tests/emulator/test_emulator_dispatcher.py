"""A real aiogram Dispatcher runs against the emulator, by long polling and by webhook."""

from __future__ import annotations

import asyncio
import contextlib

from aiogram import Bot, Dispatcher, F, Router
from aiogram.filters import CommandStart
from aiogram.methods import SendMessage
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from emulator import EmulatorClient
from tests.emulator.support import World


def _router() -> Router:
    router = Router()

    @router.message(CommandStart())
    async def greet(message: Message) -> None:
        keyboard = InlineKeyboardMarkup(
            inline_keyboard=[[InlineKeyboardButton(text="开始", callback_data="go")]]
        )
        await message.answer("欢迎使用", reply_markup=keyboard)

    @router.callback_query(F.data == "go")
    async def go(query: CallbackQuery) -> None:
        await query.answer("好的")
        if isinstance(query.message, Message):
            await query.message.edit_text("已开始")

    return router


async def test_dispatcher_long_polling(bot: Bot, client: EmulatorClient, world: World) -> None:
    dispatcher = Dispatcher()
    dispatcher.include_router(_router())
    polling = asyncio.create_task(
        dispatcher.start_polling(bot, polling_timeout=1, handle_signals=False, close_bot_session=False)
    )
    try:
        await client.send_message(world.alice, world.alice, "/start")
        welcome = await client.next_bot_message(world.alice, within=3)
        assert welcome["text"] == "欢迎使用"
        await client.press_button(world.alice, welcome["message_id"], world.alice, "go")
        edit = await client.wait_for_event(lambda event: event["kind"] == "edit", within=3)
        assert edit["message"]["text"] == "已开始"
        [answer] = await client.callback_answers()
        assert answer["text"] == "好的"
    finally:
        await dispatcher.stop_polling()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(polling, 3)


async def test_dispatcher_webhook_answers_in_the_response(
    bot: Bot, client: EmulatorClient, world: World
) -> None:
    dispatcher = Dispatcher()
    router = Router()

    @router.message()
    async def echo(message: Message) -> SendMessage:
        # Returning the method makes aiogram answer it in the webhook response (multipart), not by a call.
        return message.answer(f"收到：{message.text}")

    dispatcher.include_router(router)
    app = web.Application()
    SimpleRequestHandler(dispatcher, bot, handle_in_background=False, secret_token="s3cret").register(
        app, "/hook"
    )
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        port = runner.addresses[0][1]
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        await client.send_message(world.alice, world.alice, "草场问题")
        reply = await client.next_bot_message(world.alice, within=3)
        assert reply["text"] == "收到：草场问题"
    finally:
        await runner.cleanup()
