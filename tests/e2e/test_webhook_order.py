"""A single webhook process keeping conversations in our database gets a member's updates in order."""

from __future__ import annotations

import shutil
from pathlib import Path

from emulator import Emulator
from tests.e2e.fleet import fleet
from tests.e2e.support import sqlite_url


async def test_without_redis_telegram_posts_one_update_at_a_time(emulator: Emulator, county_database: Path,
                                                                  tmp_path: Path) -> None:
    shutil.copy(county_database, tmp_path / "bot.sqlite3")
    async with fleet(emulator, replicas=1, database_url=sqlite_url(tmp_path / "bot.sqlite3"), redis_url="",
                     logs=tmp_path):
        # the redelivery skip (bot/redelivery.py) would drop an older update that arrived after a newer one
        assert emulator.state.webhook.max_connections == 1
