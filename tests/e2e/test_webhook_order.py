"""A single webhook process keeping conversations in our database gets a member's updates in order."""

from __future__ import annotations

from pathlib import Path

from emulator import Emulator
from tests.e2e.fleet import fleet


async def test_without_redis_telegram_posts_one_update_at_a_time(emulator: Emulator, database: str,
                                                                  tmp_path: Path) -> None:
    async with fleet(emulator, replicas=1, database_url=database, redis_url="", logs=tmp_path):
        # the redelivery skip (bot/redelivery.py) would drop an older update that arrived after a newer one
        assert emulator.state.webhook.max_connections == 1
