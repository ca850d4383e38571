"""What the teams do besides issues: the meetings they hold, the services they render, and who among them
is put forward as a reserve cadre."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Index, String, Text
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


class ServiceLog(Base):
    """One service a member rendered (为民服务): a household visit, help with insurance, a dispute settled."""

    __tablename__ = "service_log"
    __table_args__ = (
        Index("ix_service_log_village_at", "village_id", "at"),
        Index("ix_service_log_member_at", "member_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    village_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(32))             # a key of settings.service_kinds
    place: Mapped[str | None] = mapped_column(String(200))    # the household or place served
    note: Mapped[str] = mapped_column(Text)
    photo_file_id: Mapped[str | None] = mapped_column(String(255))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReserveCadre(Base):
    """A member in the reserve-cadre pool (后备干部), put there by their village secretary or an admin."""

    __tablename__ = "reserve_cadre"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), unique=True)
    note: Mapped[str] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
