"""Webhook mode: the secret token is checked, updates are handled before Telegram is answered and counted,
/healthz names what is down, /metrics speaks Prometheus, and the settings and the command line refuse what
cannot work."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.methods import SendMessage
from aiohttp.test_utils import TestClient, TestServer, make_mocked_request
from pydantic import ValidationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import Running, build_app
from bot.cli import main
from bot.clock import ManualClock
from bot.config import Settings, Webhook
from bot.db import create_engine, create_sessionmaker
from bot.metrics import Metrics
from bot.models import OutboxKind
from bot.scheduler.jobs import job_registry
from bot.scheduler.service import JobScheduler
from bot.webhook.probes import Probes
from bot.webhook.server import build_web_app
from tests.harness.telegram import MockedSession

SECRET = "s3cret-token_for-tests"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NOWHERE = "127.0.0.1:1"  # nothing listens on port 1
WHOAMI: dict[str, Any] = {
    "update_id": 1,
    "message": {"message_id": 1, "date": 0, "chat": {"id": 5001, "type": "private", "first_name": "Tsering"},
                "from": {"id": 5001, "is_bot": False, "first_name": "Tsering", "language_code": "zh"},
                "text": "/whoami", "entities": [{"type": "bot_command", "offset": 0, "length": 7}]},
}


@pytest.fixture
async def served(settings: Settings, engine: AsyncEngine, clock: ManualClock
                 ) -> AsyncIterator[tuple[TestClient[Any, Any], Metrics, MockedSession]]:
    metrics = Metrics()
    app = build_app(settings, engine=engine, clock=clock, metrics=metrics)
    telegram = MockedSession()
    web_app = build_web_app(Running(app, Bot("42:TEST", session=telegram), "five_teams_bot"), metrics, SECRET)
    async with TestClient(TestServer(web_app)) as client:
        yield client, metrics, telegram


def _sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_an_update_without_the_secret_is_refused(served: tuple[TestClient[Any, Any], Metrics, MockedSession]
                                                       ) -> None:
    client, metrics, telegram = served
    for headers in ({}, {SECRET_HEADER: "wrong"}):
        response = await client.post(Webhook().path, json=WHOAMI, headers=headers)
        assert response.status == 401
    assert _sample(metrics, "five_teams_updates_total", update_type="message") == 0
    assert telegram.requests == []


async def test_an_update_with_the_secret_is_answered_once_handled_and_counted(
        served: tuple[TestClient[Any, Any], Metrics, MockedSession]) -> None:
    """Without Redis, Telegram is answered only once the update is handled (committed): a process killed before
    that leaves the update with Telegram (tests/e2e/test_webhook_crash.py)."""
    client, metrics, telegram = served
    response = await client.post(Webhook().path, json=WHOAMI, headers={SECRET_HEADER: SECRET})
    assert response.status == 200
    assert any(isinstance(r, SendMessage) and r.chat_id == 5001 for r in telegram.requests)
    assert _sample(metrics, "five_teams_updates_total", update_type="message") == 1
    assert _sample(metrics, "five_teams_update_seconds_count") == 1


async def test_healthz_and_metrics(served: tuple[TestClient[Any, Any], Metrics, MockedSession]) -> None:
    client, metrics, _ = served
    response = await client.get("/healthz")
    assert response.status == 200
    assert await response.json() == {"database": "ok", "redis": "not configured"}

    metrics.delivered(OutboxKind.card, True)
    metrics.delivered(OutboxKind.notice, False)
    response = await client.get("/metrics")
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/plain")
    exposition = await response.text()
    assert "five_teams_outbox_pending 0.0" in exposition
    assert 'five_teams_outbox_sent_total{kind="card"} 1.0' in exposition
    assert 'five_teams_outbox_failed_total{kind="notice"} 1.0' in exposition


async def test_healthz_names_what_is_down(engine: AsyncEngine) -> None:
    redis = Redis.from_url(f"redis://{NOWHERE}")
    gone = create_engine(f"postgresql+asyncpg://nobody@{NOWHERE}/nothing")
    try:
        redis_down = Probes(engine, create_sessionmaker(engine), redis, Metrics())
        response = await redis_down.health(make_mocked_request("GET", "/healthz"))
        assert response.status == 503 and response.text == '{"database": "ok", "redis": "down"}'

        database_down = Probes(gone, create_sessionmaker(gone), None, Metrics())
        response = await database_down.health(make_mocked_request("GET", "/healthz"))
        assert response.status == 503 and response.text == '{"database": "down", "redis": "not configured"}'
        scraped = await database_down.scrape(make_mocked_request("GET", "/metrics"))
        assert scraped.status == 200 and b"five_teams_outbox_pending NaN" in (scraped.body or b"")
    finally:
        await redis.aclose()
        await gone.dispose()


async def test_job_runs_are_counted_by_outcome(settings: Settings, engine: AsyncEngine, clock: ManualClock) -> None:
    metrics = Metrics()
    jobs = JobScheduler(create_sessionmaker(engine), settings, job_registry(), clock, worker="test",
                        on_outcome=metrics.job_ran)
    for _ in range(2):  # the second run finds the period done, as a second replica would
        await jobs.run("purge_conversations", "2026-11-01T03:30")
    assert _sample(metrics, "five_teams_job_runs_total", job="purge_conversations", outcome="ran") == 1
    assert _sample(metrics, "five_teams_job_runs_total", job="purge_conversations", outcome="skipped") == 1


def test_webhook_settings_are_checked() -> None:
    assert Webhook(base_url="https://bot.example.org/").url == "https://bot.example.org/telegram/webhook"
    for wrong in ({"base_url": "bot.example.org"}, {"path": "telegram"}, {"secret": "has spaces"},
                  {"listen_port": 0}):
        with pytest.raises(ValidationError):
            Webhook(**wrong)


def test_webhook_mode_needs_the_public_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    monkeypatch.setenv("BOT_TOKEN", "42:TEST")
    monkeypatch.setenv("WEBHOOK__BASE_URL", "")
    assert main(["run", "--webhook"]) == 2
    assert "webhook.base_url" in capsys.readouterr().err
