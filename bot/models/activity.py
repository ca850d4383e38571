"""What the teams do besides issues: the meetings they hold."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from bot.models.base import Base, UTCDateTime, utcnow


class MeetingKind(enum.StrEnum):
    joint = "joint"                # the village's quarterly joint meeting of the five teams (联席会)
    department = "department"      # a department's monthly progress meeting (推进会)


class Meeting(Base):
    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_unit_held", "unit_id", "held_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    kind: Mapped[MeetingKind] = mapped_column(Enum(MeetingKind, name="meeting_kind", native_enum=False, length=16))
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[list[int]] = mapped_column(JSON, default=list)       # member ids
    decisions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # e.g. {"escalated": [issue ids]}
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
