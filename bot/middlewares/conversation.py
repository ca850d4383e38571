"""The member's conversation lock, taken before the update's transaction begins."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.types import TelegramObject


class ConversationLock(FSMContextMiddleware):
    """aiogram's conversation middleware without its reading of the state.

    The state is read by DatabaseMiddleware inside the update's transaction, after this lock is taken: read here,
    it would cost a transaction of its own, and a lock waited for inside a transaction would hold the database
    (SQLite's write lock) while the member's previous update needs it.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        context = self.resolve_event_context(data["bot"], data)
        data["fsm_storage"] = self.storage
        if context is None:
            return await handler(event, data)
        async with self.events_isolation.lock(key=context.key):
            data["state"] = context
            return await handler(event, data)
