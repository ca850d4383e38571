"""Which Telegram group is which village, township, county supervision group or department."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import ChatBinding, ChatPurpose, Department, Unit, UnitLevel
from bot.services.actors import Actor
from bot.services.errors import Conflict, NotAllowed, NotFound

PURPOSE_BY_LEVEL = {
    UnitLevel.village: ChatPurpose.village,
    UnitLevel.township: ChatPurpose.township,
    UnitLevel.county: ChatPurpose.county,
}


@dataclass(frozen=True)
class BoundChat:
    """A binding with the name and code of what it is bound to, ready for display."""

    binding: ChatBinding
    code: str
    name: str

    @property
    def purpose(self) -> ChatPurpose:
        return self.binding.purpose

    @property
    def unit_id(self) -> int | None:
        return self.binding.unit_id

    @property
    def department_id(self) -> int | None:
        return self.binding.department_id


async def bound_chat(session: AsyncSession, chat_id: int) -> BoundChat | None:
    """The binding of a chat with the name of what it is bound to, in one query (it runs on every update)."""
    row = (await session.execute(
        select(ChatBinding, Unit.code, Unit.name, Department.code, Department.name)
        .outerjoin(Unit, Unit.id == ChatBinding.unit_id)
        .outerjoin(Department, Department.id == ChatBinding.department_id)
        .where(ChatBinding.chat_id == chat_id))).first()
    if row is None:
        return None
    binding, unit_code, unit_name, department_code, department_name = row
    return BoundChat(binding, unit_code or department_code or "", unit_name or department_name or "")


def _require_binder(actor: Actor | None, is_chat_admin: bool) -> Actor:
    if actor is None or not actor.is_admin:
        raise NotAllowed("bind-not-org-admin")
    if not is_chat_admin:
        raise NotAllowed("bind-not-chat-admin")
    return actor


async def bind_chat(
    session: AsyncSession,
    actor: Actor | None,
    *,
    chat_id: int,
    code: str,
    title: str | None,
    is_chat_admin: bool,
    forum_topic_id: int | None = None,
) -> BoundChat:
    actor = _require_binder(actor, is_chat_admin)
    code = code.strip()
    if not code:
        raise NotFound("bind-usage")
    existing = await bound_chat(session, chat_id)
    if existing is not None:
        raise Conflict("bind-chat-already-bound", code=existing.code, name=existing.name)
    unit = await session.scalar(select(Unit).where(Unit.code == code))
    binding = ChatBinding(chat_id=chat_id, title=title, bound_by_id=actor.id, forum_topic_id=forum_topic_id)
    if unit is not None:
        binding.purpose, binding.unit_id, name = PURPOSE_BY_LEVEL[unit.level], unit.id, unit.name
        taken = await session.scalar(select(ChatBinding).where(ChatBinding.unit_id == unit.id))
    else:
        department = await session.scalar(select(Department).where(Department.code == code))
        if department is None:
            raise NotFound("bind-unknown-code", code=code)
        binding.purpose, binding.department_id, name = ChatPurpose.department, department.id, department.name
        taken = await session.scalar(select(ChatBinding).where(ChatBinding.department_id == department.id))
    if taken is not None:
        raise Conflict("bind-unit-has-chat", code=code, name=name, title=taken.title or str(taken.chat_id))
    session.add(binding)
    await session.flush()
    return BoundChat(binding, code, name)


async def unbind_chat(session: AsyncSession, actor: Actor | None, *, chat_id: int, is_chat_admin: bool) -> BoundChat:
    _require_binder(actor, is_chat_admin)
    existing = await bound_chat(session, chat_id)
    if existing is None:
        raise NotFound("unbind-not-bound")
    await session.delete(existing.binding)
    await session.flush()
    return existing


async def chat_for_unit(session: AsyncSession, unit_id: int) -> int | None:
    return await session.scalar(select(ChatBinding.chat_id).where(ChatBinding.unit_id == unit_id))


async def chat_for_department(session: AsyncSession, department_id: int) -> int | None:
    return await session.scalar(select(ChatBinding.chat_id).where(ChatBinding.department_id == department_id))


async def bindings(session: AsyncSession, purpose: ChatPurpose) -> list[ChatBinding]:
    return list((await session.scalars(select(ChatBinding).where(ChatBinding.purpose == purpose)
                                       .order_by(ChatBinding.chat_id))).all())
