"""What can become of one outbox row's request: the rows a sender holds, and each Telegram failure sorted into
try again later (`Retry`) or give up (`Permanent`), so the sender's loop reads as the policy it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramMigrateToChat,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)

from bot.models import OutboxKind

# what Telegram answers a request to a forum topic that was deleted or closed
TOPIC_GONE_MARKERS = ("message thread not found", "topic_deleted", "topic_closed")
PERMANENT_MARKERS = ("chat not found", "bot was kicked", "not a member", "have no rights", "chat_write_forbidden",
                     "need administrator rights", "user is deactivated", "bot was blocked", "group chat was upgraded",
                     *TOPIC_GONE_MARKERS)     # sent to General, closed too: the bot can post nowhere in the chat


def topic_gone(error: TelegramAPIError) -> bool:
    """Telegram refused a request to a forum topic because the topic was deleted or closed."""
    return any(marker in error.message.lower() for marker in TOPIC_GONE_MARKERS)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: OutboxKind
    chat_id: int
    issue_id: int | None
    payload: dict[str, Any]
    attempts: int
    thread_id: int | None = None    # the forum topic the chat was bound in: what is sent there goes to it


class LostClaim(Exception):
    """Another sender took the row over while this one waited."""


class Stopping(Exception):
    """The sender was told to stop before this row's request went out: the row is given back unsent."""


class Retry(Exception):
    def __init__(self, after: float, reason: str, *, counts: bool) -> None:
        super().__init__(reason)
        self.after, self.reason, self.counts = after, reason, counts


class Permanent(Exception):
    def __init__(self, reason: str, *, chat_problem: bool) -> None:
        super().__init__(reason)
        self.reason, self.chat_problem = reason, chat_problem


class NoTopic(Permanent):
    """The forum topic the row was sent to was deleted or closed: the row goes to the chat's General topic."""

    def __init__(self, reason: str, topic_id: int) -> None:
        super().__init__(reason, chat_problem=False)
        self.topic_id = topic_id


class Upgraded(Permanent):
    """The group became a supergroup: Telegram refuses every request to the old id."""

    def __init__(self, reason: str, new_chat_id: int) -> None:
        super().__init__(reason, chat_problem=True)
        self.new_chat_id = new_chat_id


def sort_failure(error: Exception, *, topic_id: int | None) -> Retry | Permanent | None:
    """Retry or give up on a failed request to the forum topic `topic_id` (None: no topic, or General); None for an
    error that is not the request's (it propagates)."""
    if isinstance(error, TelegramRetryAfter):
        return Retry(float(error.retry_after), error.message, counts=False)
    if isinstance(error, TelegramForbiddenError):
        return Permanent(error.message, chat_problem=True)
    if isinstance(error, TelegramBadRequest | TelegramNotFound):
        lowered = error.message.lower()
        if topic_id is not None and topic_gone(error):
            return NoTopic(error.message, topic_id)
        return Permanent(error.message, chat_problem=any(marker in lowered for marker in PERMANENT_MARKERS))
    if isinstance(error, TelegramNetworkError | TelegramServerError | TimeoutError | OSError):
        return Retry(-1, f"{type(error).__name__}: {error}", counts=True)
    if isinstance(error, TelegramMigrateToChat):
        return Upgraded(error.message, error.migrate_to_chat_id)
    if isinstance(error, TelegramAPIError):
        # anything else Telegram refuses (entity too large, unauthorized) will not succeed by trying again
        return Permanent(f"{type(error).__name__}: {error.message}", chat_problem=False)
    return None
