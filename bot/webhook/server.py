"""`main.py run --webhook`: the Bot API posts updates to this aiohttp server, which also answers /healthz and
/metrics. Several replicas can run it behind one load balancer (docs/scale-out.md)."""

from __future__ import annotations

import asyncio
import logging
import secrets

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import Running, running
from bot.config import Settings
from bot.fsm_redis import redis_of
from bot.metrics import Metrics
from bot.polling import stop_on_signals
from bot.webhook.probes import Probes

log = logging.getLogger(__name__)

# How long a stopping replica lets the updates it has accepted finish: one takes well under a second, and a
# container is killed 10 s after it is told to stop.
DRAIN_SECONDS = 8.0


class DrainingRequestHandler(SimpleRequestHandler):
    """Lets the updates in hand finish at shutdown, before the bot's session and the conversation storage close:
    aiohttp runs the shutdown hooks before it waits for the requests still open, and aiogram would drop the
    updates it handles in the background.

    How Telegram is answered depends on where conversations live:
    - in our database (one process, `in_background` false): only once the update's transaction has committed,
      as polling confirms an update (bot/polling.py). A process killed mid-update leaves the update with
      Telegram, which posts it again to the next process, and bot/redelivery.py skips a step already taken.
      Telegram then posts the next update only after this one is handled; SQLite takes one update's writes at
      a time anyway.
    - in Redis (several replicas): at once, handling each update in the background, so one slow update does
      not hold up a replica. Redis does not commit with our database, so a step posted again could be taken
      twice, and a killed replica loses the updates it had in hand (docs/scale-out.md)."""

    def __init__(self, dispatcher: Dispatcher, bot: Bot, *, secret_token: str, in_background: bool) -> None:
        super().__init__(dispatcher, bot, handle_in_background=in_background, secret_token=secret_token)
        self._requests_in_hand: set[asyncio.Future[object]] = set()

    async def _handle_request(self, bot: Bot, request: web.Request) -> web.Response:
        # not aiogram's feed_webhook_update: after 55 s it answers Telegram and goes on with the update untracked,
        # and retrying an update through a database fault can take longer. Telegram, given no answer for about a
        # minute, posts the update again, which is what a crash would make it do
        update = await request.json(loads=bot.session.json_loads)
        handling = asyncio.ensure_future(self.dispatcher.feed_raw_update(bot, update, **self.data))
        self._requests_in_hand.add(handling)
        handling.add_done_callback(self._requests_in_hand.discard)
        await handling
        return web.json_response({})

    async def close(self) -> None:
        in_hand = self._background_feed_update_tasks | self._requests_in_hand
        if in_hand:
            log.info("webhook: letting %d updates in hand finish", len(in_hand))
            await asyncio.wait(in_hand, timeout=DRAIN_SECONDS)
        await super().close()


def build_web_app(live: Running, metrics: Metrics, secret: str) -> web.Application:
    dispatcher = live.app.dispatcher
    web_app = web.Application()
    # registered before setup_application, so its shutdown (the drain) runs before the dispatcher's, which
    # closes the conversation storage the updates in hand still use
    in_background = bool(live.app.settings.redis_url)
    DrainingRequestHandler(dispatcher, live.bot, secret_token=secret, in_background=in_background).register(
        web_app, path=live.app.settings.webhook.path)
    setup_application(web_app, dispatcher, bot=live.bot)
    probes = Probes(live.app.engine, live.app.sessionmaker, redis_of(dispatcher.storage), metrics)
    web_app.router.add_get("/healthz", probes.health)
    web_app.router.add_get("/metrics", probes.scrape)
    return web_app


async def run_webhook(settings: Settings) -> None:
    stop = stop_on_signals()
    config = settings.webhook
    secret = config.secret.get_secret_value()
    if not secret:
        secret = secrets.token_urlsafe(32)
        log.warning("webhook.secret is empty: generated one for this process; replicas must share one, so set it")
    metrics = Metrics()
    async with running(settings, metrics) as live:
        # access logs off: a line per update adds nothing to the load balancer's own logs
        runner = web.AppRunner(build_web_app(live, metrics, secret), handle_signals=False, access_log=None)
        await runner.setup()
        try:
            await web.TCPSite(runner, config.listen_host, config.listen_port).start()
            # Every replica sets the same URL and secret: repeating it is harmless. The webhook is left in
            # place at shutdown, since the other replicas still serve it.
            # Without Redis the conversation state is in our database and one process serves the webhook; a step
            # Telegram sends again after a crash is then recognised by its update id (bot/redelivery.py), which
            # needs a member's updates in order: Telegram posts them one at a time only over one connection.
            await live.bot.set_webhook(config.url, secret_token=secret, drop_pending_updates=False,
                                       max_connections=None if settings.redis_url else 1,
                                       allowed_updates=live.app.dispatcher.resolve_used_update_types())
            log.info("webhook as @%s: %s, listening on %s:%s", live.username, config.url, config.listen_host,
                     config.listen_port)
            await stop.wait()
        finally:
            await runner.cleanup()
