"""A small world most emulator tests share: three users, a group and a supergroup."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.client.session.aiohttp import AiohttpSession

from emulator import EmulatorClient


class FastCloseSession(AiohttpSession):
    """aiogram's session waits 250 ms on close for TLS shutdown; plain local HTTP needs none."""

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()


@dataclass(frozen=True)
class World:
    alice: int = 1001
    bob: int = 1002
    carol: int = 1003
    group: int = -4000000001
    supergroup: int = -1001234567890


async def build_world(client: EmulatorClient) -> World:
    world = World()
    await client.upsert_users(
        [
            {"id": world.alice, "first_name": "Alice", "username": "alice", "language_code": "zh-hans"},
            {"id": world.bob, "first_name": "Bob", "last_name": "B", "note": "沙柳河镇 · 组长"},
            {"id": world.carol, "first_name": "卓玛"},
        ]
    )
    await client.create_chat(
        "果洛藏贡麻村",
        chat_id=world.group,
        members=[world.alice, world.bob, world.carol],
        admins=[world.bob],
        owner=world.alice,
    )
    await client.create_chat(
        "沙柳河镇督导组", chat_id=world.supergroup, chat_type="supergroup", members=[world.alice, world.bob]
    )
    return world
