"""The transactional outbox: messages written with the change that causes them, delivered by the sender."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, utcnow


class OutboxKind(enum.StrEnum):
    card = "card"              # post an issue's card in a chat (rendered at delivery, so always current)
    card_edit = "card_edit"    # edit every posted copy of a card in that chat
    notice = "notice"          # a text message from a locale key and its arguments
    report = "report"          # a digest, agenda or ranking: a named renderer and its data (maybe a chart)


class OutboxStatus(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OutboxKind] = mapped_column(Enum(OutboxKind, name="outbox_kind", native_enum=False, length=16))
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    issue_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    status: Mapped[OutboxStatus] = mapped_column(
        Enum(OutboxStatus, name="outbox_status", native_enum=False, length=16), default=OutboxStatus.pending)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChatProblem(Base):
    """A chat the bot can no longer post to; admins are told once, and again only after it was resolved (a person
    pressed Start in their private chat with the bot, the bot was added back to the group)."""

    __tablename__ = "chat_problem"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    error: Mapped[str] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
