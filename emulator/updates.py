"""The bot's update queue: getUpdates long polling with Telegram's offset and conflict rules."""

from __future__ import annotations

from emulator.errors import ApiError
from emulator.models import JSON
from emulator.waiting import Deadline, Signal

# Telegram leaves these out unless the bot asks for them in allowed_updates.
_OPT_IN_KINDS = {"chat_member", "message_reaction", "message_reaction_count"}


class UpdateQueue:
    def __init__(self) -> None:
        self._next_id = 1
        self._pending: list[JSON] = []
        self._signal = Signal()
        self._poll_generation = 0
        self._closed = False
        self.allowed_updates: list[str] | None = None

    @property
    def pending(self) -> list[JSON]:
        return list(self._pending)

    def accepts(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in _OPT_IN_KINDS

    def push(self, kind: str, payload: JSON) -> int | None:
        """Queue an update; None when the bot's allowed_updates filter means Telegram would not create it."""
        if not self.accepts(kind):
            return None
        update_id = self._next_id
        self._next_id += 1
        self._pending.append({"update_id": update_id, kind: payload})
        self._signal.notify()
        return update_id

    def confirm(self, offset: int) -> None:
        if offset > 0:
            self._pending = [update for update in self._pending if update["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]

    def drop(self, update_id: int) -> None:
        self._pending = [update for update in self._pending if update["update_id"] != update_id]

    def clear(self) -> None:
        # Ids keep growing across a reset: a running bot's offset must not swallow the new updates.
        self._pending.clear()

    def first(self) -> JSON | None:
        return self._pending[0] if self._pending else None

    def notify(self) -> None:
        self._signal.notify()

    async def wait_for_change(self, seconds: float) -> None:
        await self._signal.wait(seconds)

    async def poll(self, offset: int, limit: int, seconds: float) -> list[JSON]:
        self._poll_generation += 1
        generation = self._poll_generation
        self.confirm(offset)
        # Wakes an older poller so that it notices it has been superseded.
        self._signal.notify()
        deadline = Deadline(seconds)
        while True:
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            if self._pending or self._closed or deadline.remaining <= 0:
                return self._pending[:limit]
            await self._signal.wait(deadline.remaining)

    def close(self) -> None:
        self._closed = True
        self._signal.notify()
