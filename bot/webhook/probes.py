"""GET /healthz and GET /metrics: what a load balancer and Prometheus ask each replica."""

from __future__ import annotations

import asyncio
import logging
import math
from dataclasses import dataclass

from aiohttp import web
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.metrics import CONTENT_TYPE, Metrics
from bot.services.outbox import pending_count

log = logging.getLogger(__name__)

# Longer than a busy SQLite write usually holds its lock, shorter than a load balancer's probe timeout.
CHECK_SECONDS = 5.0
OK, DOWN, NOT_CONFIGURED = "ok", "down", "not configured"


@dataclass(frozen=True)
class Probes:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis | None
    metrics: Metrics

    async def health(self, request: web.Request) -> web.Response:
        """200 when the database (and Redis, if configured) answer; 503 naming what does not."""
        database, redis = await asyncio.gather(self._database(), self._redis())
        status = 503 if DOWN in (database, redis) else 200
        return web.json_response({"database": database, "redis": redis}, status=status)

    async def scrape(self, request: web.Request) -> web.Response:
        """The Prometheus text format; the outbox depth is counted now, the rest was counted as it happened."""
        try:
            async with asyncio.timeout(CHECK_SECONDS), self.sessionmaker() as session:
                depth: float = await pending_count(session)
        except Exception as error:  # a scrape still reports the counters when the database is away
            log.warning("outbox depth unavailable for /metrics: %s: %s", type(error).__name__, error)
            depth = math.nan
        self.metrics.outbox_pending.set(depth)
        return web.Response(body=self.metrics.render(), headers={"Content-Type": CONTENT_TYPE})

    async def _database(self) -> str:
        try:
            async with asyncio.timeout(CHECK_SECONDS), self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception as error:  # whatever the reason, the database cannot serve this replica now
            log.warning("health: database down: %s: %s", type(error).__name__, error)
            return DOWN
        return OK

    async def _redis(self) -> str:
        if self.redis is None:
            return NOT_CONFIGURED
        try:
            async with asyncio.timeout(CHECK_SECONDS):
                await self.redis.ping()
        except Exception as error:  # as above
            log.warning("health: redis down: %s: %s", type(error).__name__, error)
            return DOWN
        return OK
