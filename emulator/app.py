"""The emulator server: Bot API, control API and the sandbox page on one aiohttp application."""

from __future__ import annotations

import socket
from pathlib import Path
from types import TracebackType

from aiohttp import web

from emulator.botapi import BotApi
from emulator.control import ControlApi
from emulator.control_input import control_errors
from emulator.faults import RateLimits
from emulator.models import BotIdentity
from emulator.state import State
from emulator.webhook import WebhookDelivery

DEFAULT_TOKEN = "100000001:emulator-five-teams-token"
STATIC_DIR = Path(__file__).parent / "static"
# Bots upload documents up to 50 MB; aiohttp's default request limit is 1 MB.
_MAX_REQUEST_BYTES = 50 * 1024 * 1024
# Long polls are woken on stop, so shutdown does not need to wait for handlers.
_SHUTDOWN_TIMEOUT = 1.0


def bot_identity(token: str, username: str, first_name: str) -> BotIdentity:
    bot_id, _, secret = token.partition(":")
    if not bot_id.isdigit() or not secret:
        raise ValueError("a bot token looks like '<bot id>:<secret>', e.g. 123456:ABC-DEF")
    return BotIdentity(token=token, id=int(bot_id), username=username, first_name=first_name)


class Emulator:
    """A local Telegram Bot API server; `await start()` returns its base URL."""

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        bot_username: str = "five_teams_bot",
        bot_first_name: str = "Five Teams Bot",
        host: str = "127.0.0.1",
        port: int = 0,
        privacy_mode: bool = True,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.state = State(
            bot_identity(token, bot_username, bot_first_name),
            privacy_mode=privacy_mode,
            rate_limits=rate_limits,
        )
        self._host = host
        self._port = port
        self._bot_api = BotApi(self.state)
        self._webhook = WebhookDelivery(self.state, self._bot_api.execute)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @property
    def token(self) -> str:
        return self.state.bot.token

    def make_app(self) -> web.Application:
        app = web.Application(client_max_size=_MAX_REQUEST_BYTES, middlewares=[control_errors])
        app.router.add_routes(self._bot_api.routes())
        app.router.add_routes(ControlApi(self.state).routes())
        app.router.add_get("/", self._index)
        app.router.add_static("/static", STATIC_DIR)
        return app

    @staticmethod
    async def _index(request: web.Request) -> web.FileResponse:
        return web.FileResponse(STATIC_DIR / "index.html")

    async def start(self) -> str:
        # Binding the socket ourselves is how an ephemeral port (port=0) becomes known before serving.
        sock = socket.socket(socket.AF_INET6 if ":" in self._host else socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._host, self._port))
        host, port = sock.getsockname()[:2]
        self._runner = web.AppRunner(self.make_app(), shutdown_timeout=_SHUTDOWN_TIMEOUT, access_log=None)
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()
        self._webhook.start()
        self.base_url = f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"
        return self.base_url

    async def stop(self) -> None:
        self.state.updates.close()
        self.state.events.close()
        await self._webhook.stop()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Emulator:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()
