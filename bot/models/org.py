"""The organisation: administrative units, departments, teams, members, roles and bound group chats."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bot.models.base import Base, UTCDateTime, string_enum, utcnow


class UnitLevel(enum.StrEnum):
    county = "county"
    township = "township"
    village = "village"


class RoleName(enum.StrEnum):
    member = "member"
    team_lead = "team_lead"
    village_secretary = "village_secretary"
    township_supervisor = "township_supervisor"
    department_liaison = "department_liaison"
    county_leader = "county_leader"
    admin = "admin"


class ChatPurpose(enum.StrEnum):
    village = "village"
    township = "township"
    county = "county"
    department = "department"


class Unit(Base):
    __tablename__ = "unit"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[UnitLevel] = mapped_column(string_enum(UnitLevel, "unit_level"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)

    parent: Mapped[Unit | None] = relationship(remote_side="Unit.id", lazy="raise")


class Department(Base):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))


class Team(Base):
    __tablename__ = "team"
    __table_args__ = (UniqueConstraint("village_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    kind: Mapped[str] = mapped_column(String(32))


class Member(Base):
    __tablename__ = "member"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    telegram_id: Mapped[int | None] = mapped_column(BigInteger, unique=True)
    username: Mapped[str | None] = mapped_column(String(64), index=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Role(Base):
    __tablename__ = "role"
    __table_args__ = (
        UniqueConstraint("member_id", "role", "unit_id", "team_id", "department_id", name="uq_role_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"), index=True)
    role: Mapped[RoleName] = mapped_column(string_enum(RoleName, "role_name"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), index=True)


class DepartmentLiaison(Base):
    __tablename__ = "department_liaison"
    __table_args__ = (UniqueConstraint("department_id", "township_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("department.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("unit.id"))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))


class ChatBinding(Base):
    __tablename__ = "chat_binding"
    __table_args__ = (Index("ix_chat_binding_purpose", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    purpose: Mapped[ChatPurpose] = mapped_column(string_enum(ChatPurpose, "chat_purpose"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id"), unique=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"), unique=True)
    forum_topic_id: Mapped[int | None] = mapped_column(BigInteger)
    title: Mapped[str | None] = mapped_column(String(255))
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class JoinStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class JoinRequest(Base):
    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    telegram_id: Mapped[int] = mapped_column(BigInteger, index=True)
    username: Mapped[str | None] = mapped_column(String(64))
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    status: Mapped[JoinStatus] = mapped_column(string_enum(JoinStatus, "join_status"), default=JoinStatus.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
