"""Filling the sandbox: the sample county in the database, its people and groups in the emulator, groups bound."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli import import_org
from bot.config import PROJECT_ROOT, Settings
from bot.models import Member, Unit
from bot.sandbox.roster import Roster
from bot.services.actors import load_actor
from bot.services.chats import bind_chat
from emulator import EmulatorClient

SAMPLE_COUNTY = PROJECT_ROOT / "org" / "sample_county.toml"


async def ensure_county(settings: Settings, sessionmaker: async_sessionmaker[AsyncSession]) -> str | None:
    """Import the sample county into an empty database; returns the import summary, or None if not needed."""
    async with sessionmaker() as session:
        if await session.scalar(select(Unit.id).limit(1)) is not None:
            return None
    return await import_org(settings, SAMPLE_COUNTY.read_bytes(), SAMPLE_COUNTY.name)


async def populate(client: EmulatorClient, roster: Roster) -> None:
    await client.upsert_users(roster.users)
    owner = roster.admin_ids[0] if roster.admin_ids else None
    for group in roster.groups:
        # The bot administers every group, as a county would set it up, so privacy mode hides nothing from it.
        await client.create_chat(group.title, chat_id=group.chat_id, chat_type=group.chat_type,
                                 members=group.member_ids, admins=roster.admin_ids, owner=owner,
                                 bot_status="administrator")


async def bind_groups(sessionmaker: async_sessionmaker[AsyncSession], roster: Roster) -> int:
    """Bind every group not bound yet, directly as the first org admin; returns how many were bound."""
    unbound = [group for group in roster.groups if not group.bound]
    if not unbound or roster.binder_id is None:
        return 0
    async with sessionmaker.begin() as session:
        binder = await session.get(Member, roster.binder_id)
        assert binder is not None
        actor = await load_actor(session, binder)
        for group in unbound:
            await bind_chat(session, actor, chat_id=group.chat_id, code=group.code, title=group.title,
                            is_chat_admin=True)
    return len(unbound)
