"""Several bot replicas (`main.py run --webhook`) on one PostgreSQL database and one Redis, behind a round-robin
proxy that the emulator's webhook posts to (the emulator, like Telegram, posts to one URL only).

Used by tests/e2e/test_replicas.py and bench/replicas.py.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import secrets
import socket
import sys
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from aiohttp import web
from prometheus_client.parser import text_string_to_metric_families
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.cli import db_upgrade
from bot.config import load_settings
from bot.db import create_engine, create_sessionmaker
from bot.fsm_redis import KEY_BUILDER
from bot.services.org_import import apply_org
from bot.services.org_parse import parse_org
from emulator import Emulator
from tests.e2e.bot_process import START_TIMEOUT, BotProcess, bot_process
from tests.e2e.support import SAMPLE_COUNTY
from tests.harness.waiting import eventually

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
WEBHOOK_PATH = "/telegram/webhook"
POLL_SECONDS = 0.1
JSON = dict[str, object]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def random_token() -> str:
    """A bot of its own for each run: its Redis keys (fsm:BOT_ID:…) cannot meet another run's."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:fleet-{secrets.token_hex(8)}"


async def forget_bot_keys(redis_url: str, bot_id: int) -> None:
    redis = Redis.from_url(redis_url)
    try:
        keys = [key async for key in redis.scan_iter(match=f"{KEY_BUILDER.prefix}:{bot_id}:*")]
        if keys:
            await redis.delete(*keys)
    finally:
        await redis.aclose()


async def empty_database(server_url: str, name: str) -> str:
    """A fresh, empty PostgreSQL database `name` on the server of `server_url`; returns its URL."""
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        await connection.execute(text(f"CREATE DATABASE {name}"))
    await admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def county_database(server_url: str, name: str) -> str:
    """A fresh PostgreSQL database `name` on the server of `server_url`, migrated, holding the sample county."""
    url = await empty_database(server_url, name)
    await asyncio.to_thread(db_upgrade, url)  # Alembic runs an event loop of its own
    engine = create_engine(url)
    async with create_sessionmaker(engine).begin() as session:
        await apply_org(session, parse_org(SAMPLE_COUNTY.read_bytes(), load_settings().kind_keys))
    await engine.dispose()
    return url


async def drop_database(server_url: str, name: str) -> None:
    admin = create_async_engine(server_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as connection:
        await connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    await admin.dispose()


@dataclass
class RoundRobinProxy:
    """The load balancer: each webhook POST goes to the next replica in turn. A replica that cannot be reached
    makes the POST fail, and the emulator retries it (reaching the next replica), as Telegram would."""

    targets: list[str]
    forwarded: list[tuple[int, int, int]] = field(default_factory=list)  # (update_id, replica index, status)
    _turn: itertools.count[int] = field(default_factory=itertools.count)

    async def start(self) -> str:
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        port = free_port()
        await web.TCPSite(self._runner, "127.0.0.1", port).start()
        return f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        await self._runner.cleanup()
        await self._http.close()

    async def _forward(self, request: web.Request) -> web.Response:
        index = next(self._turn) % len(self.targets)
        body = await request.read()
        headers = {name: value for name, value in request.headers.items()
                   if name in (SECRET_HEADER, "Content-Type")}
        update_id = int(json.loads(body)["update_id"])
        try:
            async with self._http.post(self.targets[index] + request.path, data=body, headers=headers) as answer:
                reply = await answer.read()
                status, content_type = answer.status, answer.content_type
        except aiohttp.ClientError:
            status, reply, content_type = 502, b"", "text/plain"
        self.forwarded.append((update_id, index, status))
        return web.Response(status=status, body=reply, content_type=content_type)


@dataclass
class Replica:
    process: BotProcess
    port: int

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def cpu_seconds(self) -> float:
        return self.process.cpu_seconds()


@dataclass
class Fleet:
    replicas: list[Replica]
    proxy: RoundRobinProxy
    database_url: str

    async def metrics(self) -> list[dict[tuple[str, tuple[tuple[str, str], ...]], float]]:
        """Each replica's samples: (name, labels) -> value."""
        scraped = []
        async with aiohttp.ClientSession() as http:
            for replica in self.replicas:
                async with http.get(f"{replica.base}/metrics") as response:
                    exposition = await response.text()
                scraped.append({(sample.name, tuple(sorted(sample.labels.items()))): sample.value
                                for family in text_string_to_metric_families(exposition)
                                for sample in family.samples})
        return scraped

    async def total(self, name: str, **labels: str) -> float:
        """A counter summed over the replicas (and over the labels not given)."""
        wanted = set(labels.items())
        return sum(value for samples in await self.metrics() for (sample, sample_labels), value in samples.items()
                   if sample == name and wanted <= set(sample_labels))


@asynccontextmanager
async def fleet(emulator: Emulator, *, replicas: int, database_url: str, redis_url: str, logs: Path,
                env: dict[str, str] | None = None) -> AsyncIterator[Fleet]:
    """`replicas` bot processes in webhook mode behind one proxy, ready (healthy, webhook set) when entered;
    `env` adds settings (e.g. DELIVERY__CHAT_PER_SECOND) to every replica."""
    ports = [free_port() for _ in range(replicas)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
    public = await proxy.start()
    secret = secrets.token_urlsafe(24)
    async with AsyncExitStack() as stack:
        stack.push_async_callback(proxy.stop)
        running = []
        for index, port in enumerate(ports):
            process = await stack.enter_async_context(bot_process(
                logs / f"replica-{index}.log", "--webhook", BOT_TOKEN=emulator.token,
                TELEGRAM_API_URL=emulator.base_url, DATABASE_URL=database_url, REDIS_URL=redis_url,
                WEBHOOK__BASE_URL=public, WEBHOOK__PATH=WEBHOOK_PATH, WEBHOOK__LISTEN_PORT=str(port),
                WEBHOOK__SECRET=secret, **(env or {})))
            running.append(Replica(process, port))
        try:
            await asyncio.gather(*(_ready(replica) for replica in running))
            await _webhook_set(emulator, public + WEBHOOK_PATH)
            yield Fleet(running, proxy, database_url)
        except BaseException:
            for index, replica in enumerate(running):  # what each replica logged, beside the failure
                print(replica.process.failure(f"replica {index} (port {replica.port})"), file=sys.stderr)
            raise


async def _ready(replica: Replica) -> None:
    """Healthy: the server is up, so the webhook is about to be set (right after)."""
    async with aiohttp.ClientSession() as http:
        try:
            async with asyncio.timeout(START_TIMEOUT):
                while replica.process.process.returncode is None:
                    try:
                        async with http.get(f"{replica.base}/healthz") as response:
                            if response.status == 200:
                                return
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(POLL_SECONDS)
        except TimeoutError:
            pass
    raise AssertionError(replica.process.failure(f"replica on port {replica.port} never became healthy"))


async def _webhook_set(emulator: Emulator, url: str) -> None:
    async def is_set() -> bool:
        return emulator.state.webhook.url == url

    await eventually(is_set, what=f"the webhook set to {url}", within=START_TIMEOUT)
