"""Conversation state in Redis, for several replicas: any replica can take a member's next step.

With our database storage (bot/fsm_storage.py) a step's state change commits in the update's own transaction,
and a per-process lock keeps one member's updates in order. Neither holds across processes, so with REDIS_URL
set the state lives in Redis and RedisEventIsolation takes that lock in Redis. The cost: a state change is no
longer in the update's transaction. A rolled-back step can leave its state written; the report's Confirm stays
idempotent through the draft key, so a retried Confirm still finds the one issue it made.
"""

from __future__ import annotations

from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from redis.asyncio import Redis

from bot.services.conversations import KEEP

# Keys name the bot and the destiny, as our database storage does: one Redis can serve several bots.
KEY_BUILDER = DefaultKeyBuilder(with_bot_id=True, with_destiny=True)


def redis_fsm(url: str) -> tuple[RedisStorage, RedisEventIsolation]:
    """The storage and the per-member lock on one Redis connection pool; abandoned conversations expire after
    the same week the purge job gives them in the database."""
    storage = RedisStorage(Redis.from_url(url), key_builder=KEY_BUILDER, state_ttl=KEEP, data_ttl=KEEP)
    return storage, storage.create_isolation()


def redis_of(storage: BaseStorage) -> Redis | None:
    """The Redis behind the conversation storage, for the health check; None when the database holds it."""
    return storage.redis if isinstance(storage, RedisStorage) else None
