"""`make run` without a token: the Bot API emulator on 127.0.0.1, the sample county in it, the bot polling it."""

from __future__ import annotations

import asyncio
import os
import signal
import sys

from pydantic import SecretStr

from bot.app import run_polling
from bot.cli import db_upgrade
from bot.config import Settings
from bot.db import create_engine, create_sessionmaker
from bot.i18n import Translator
from bot.sandbox.roster import load_roster
from bot.sandbox.seeding import bind_groups, ensure_county, populate
from emulator import DEFAULT_TOKEN, Emulator, EmulatorClient

HOST = "127.0.0.1"
PORT_VARIABLE = "SANDBOX_PORT"
DEFAULT_PORT = 8081
# The sample county speaks Chinese; the page and the people in it do too.
LANGUAGE = "zh"


class SandboxError(Exception):
    """The sandbox cannot start; the message says why in one line."""


def _port() -> int:
    raw = os.environ.get(PORT_VARIABLE, str(DEFAULT_PORT))
    if not raw.isdigit() or int(raw) > 65535:
        raise SandboxError(f"{PORT_VARIABLE} must be a port number (0 picks a free one), not {raw!r}")
    return int(raw)


def _say(line: str) -> None:
    print(f"sandbox: {line}", flush=True)


async def _seed(settings: Settings, base_url: str) -> None:
    engine = create_engine(settings.database_url)
    sessionmaker = create_sessionmaker(engine)
    try:
        imported = await ensure_county(settings, sessionmaker)
        if imported:
            _say(imported)
        async with sessionmaker() as session:
            roster = await load_roster(session, settings, Translator(settings.default_language).localizer(LANGUAGE))
        async with EmulatorClient(base_url) as client:
            await populate(client, roster)
        before = sum(group.bound for group in roster.groups)
        bound = await bind_groups(sessionmaker, roster)
    finally:
        await engine.dispose()
    _say(f"{len(roster.users)} people and {len(roster.groups)} groups in the emulator; "
         f"{before} groups were bound already, {bound} bound now")
    unbound = len(roster.groups) - before - bound
    if unbound:
        _say(f"{unbound} groups left unbound: the organisation has no admin to bind them")


async def _serve(settings: Settings, port: int) -> None:
    # Until polling starts (and aiogram takes the signals over), Ctrl-C or SIGTERM cancels the start-up cleanly.
    main = asyncio.current_task()
    assert main is not None
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, main.cancel)
    emulator = Emulator(DEFAULT_TOKEN, host=HOST, port=port, privacy_mode=True)
    try:
        base_url = await emulator.start()
    except OSError as exc:
        raise SandboxError(f"cannot listen on {HOST}:{port}: {exc.strerror or exc}; "
                           f"set {PORT_VARIABLE} to another port") from None
    try:
        settings = settings.model_copy(update={"bot_token": SecretStr(emulator.token), "telegram_api_url": base_url})
        await _seed(settings, base_url)
        _say(f"open {base_url}/ to chat as anyone in the county (Ctrl-C stops)")
        # The very same polling as with a real token, so the sandbox runs everything the bot runs.
        await run_polling(settings)
    finally:
        await emulator.stop()


def run_sandbox(settings: Settings) -> int:
    try:
        port = _port()
        db_upgrade(settings.database_url)
        asyncio.run(_serve(settings, port))
    except SandboxError as exc:
        print(f"sandbox: {exc}", file=sys.stderr)
        return 1
    except (KeyboardInterrupt, asyncio.CancelledError):
        pass
    _say("stopped")
    return 0
