"""Fixtures: the sandbox as `make run` starts it (no token, fresh database), and Debian's Chromium."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.async_api import Page, async_playwright

from tests.e2e.bot_process import BotProcess, bot_process
from tests.e2e.support import sqlite_url

CHROMIUM = Path("/usr/bin/chromium")
# Offline and quiet: no sandbox (we may run as root in a container), no GPU, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]
STEP_MS = 20_000


@dataclass(frozen=True)
class Sandbox:
    url: str
    database_url: str
    process: BotProcess


@pytest.fixture
def chromium() -> Path:
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run installs it with apt-get install chromium")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium); Playwright's own browsers are not used")


@pytest.fixture
async def sandbox(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """`main.py run` with no BOT_TOKEN on an empty database: it migrates, imports the sample county, seeds the
    emulator and prints the page's address (SANDBOX_PORT=0 picks a free port)."""
    url = sqlite_url(tmp_path / "sandbox.sqlite3")
    async with bot_process(tmp_path / "sandbox.log", DATABASE_URL=url, SANDBOX_PORT="0") as process:
        address = await process.printed(r"http://127\.0\.0\.1:\d+/")
        yield Sandbox(address.group(0), url, process)


@pytest.fixture
async def page(chromium: Path) -> AsyncIterator[Page]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=str(chromium), headless=True, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page(viewport={"width": 420, "height": 860}, device_scale_factor=2,
                                         locale="zh-CN")
            page.set_default_timeout(STEP_MS)
            yield page
        finally:
            await browser.close()
