"""Issues (one problem, one form), their photos, the chats their cards live in, and the audit trail."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, string_enum, utcnow


class IssueStatus(enum.StrEnum):
    open = "open"
    in_progress = "in_progress"
    resolved = "resolved"
    closed = "closed"
    withdrawn = "withdrawn"
    duplicate = "duplicate"


CLOSED_STATUSES = frozenset({IssueStatus.closed, IssueStatus.withdrawn, IssueStatus.duplicate})


class IssueLevel(enum.StrEnum):
    village = "village"
    township = "township"
    county = "county"


class Urgency(enum.StrEnum):
    normal = "normal"
    urgent = "urgent"


class NumberCounter(Base):
    """Next issue number per county and year, bumped with one atomic UPDATE so two writers never collide."""

    __tablename__ = "number_counter"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Issue(Base):
    __tablename__ = "issue"
    __table_args__ = (
        Index("ix_issue_village_status", "village_id", "status"),
        Index("ix_issue_status_level", "status", "level"),
        # the digests and the ranking group over every village at once: these keep them to index scans
        Index("ix_issue_created_at", "created_at"),
        Index("ix_issue_village_kind_status", "village_id", "kind", "status", "due_at"),
        Index("ix_issue_village_created", "village_id", "created_at", "id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(16), unique=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    kind: Mapped[str] = mapped_column(String(32))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("member.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    place_text: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    urgency: Mapped[Urgency] = mapped_column(string_enum(Urgency, "urgency"), default=Urgency.normal)
    level: Mapped[IssueLevel] = mapped_column(string_enum(IssueLevel, "issue_level"), default=IssueLevel.village)
    status: Mapped[IssueStatus] = mapped_column(string_enum(IssueStatus, "issue_status"), default=IssueStatus.open)
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolver_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    verifier_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unmet_reason: Mapped[str | None] = mapped_column(Text)
    close_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("issue.id"))
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    renotify_count: Mapped[int] = mapped_column(Integer, default=0)
    # when the SLA sweep next looks at an unacknowledged escalation (re-notify or climb)
    notify_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    last_reminder_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    department_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draft_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PhotoStage(enum.StrEnum):
    report = "report"
    resolution = "resolution"


class IssuePhoto(Base):
    __tablename__ = "issue_photo"

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)
    file_id: Mapped[str] = mapped_column(String(255))
    stage: Mapped[PhotoStage] = mapped_column(string_enum(PhotoStage, "photo_stage"), default=PhotoStage.report)
    position: Mapped[int] = mapped_column(Integer, default=0)


class IssueCard(Base):
    """A message showing an issue's card; every change edits each of these in place."""

    __tablename__ = "issue_card"
    __table_args__ = (UniqueConstraint("chat_id", "message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[int] = mapped_column(BigInteger)
    with_photo: Mapped[bool] = mapped_column(default=False)


class IssueEvent(Base):
    """Append-only history: every change of an issue writes one in the same transaction."""

    __tablename__ = "issue_event"
    __table_args__ = (Index("ix_issue_event_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issue.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("member.id"))
    kind: Mapped[str] = mapped_column(String(32))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class FsmRecord(Base):
    """Conversation state and draft of one (bot, chat, user), so a restart loses nothing."""

    __tablename__ = "fsm_record"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    chat_id: Mapped[int | None] = mapped_column(BigInteger)
    user_id: Mapped[int | None] = mapped_column(BigInteger)
