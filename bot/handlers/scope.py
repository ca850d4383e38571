"""The domain's view of the chat an update came from."""

from __future__ import annotations

from bot.services.chats import BoundChat
from bot.services.lifecycle import ChatScope


def chat_scope(bound: BoundChat | None) -> ChatScope:
    if bound is None:
        return ChatScope()
    return ChatScope(bound.purpose.value, bound.unit_id, bound.department_id)
