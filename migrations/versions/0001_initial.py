"""initial organisation and issues

Revision ID: 0001
Revises:
Create Date: 2026-11-28 22:08:59.799212
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "department",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department")),
        sa.UniqueConstraint("code", name=op.f("uq_department_code")),
    )
    op.create_table(
        "fsm_record",
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=255), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_fsm_record")),
    )
    with op.batch_alter_table("fsm_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fsm_record_updated_at"), ["updated_at"], unique=False)

    op.create_table(
        "member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("phone", sa.String(length=32), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member")),
        sa.UniqueConstraint("code", name=op.f("uq_member_code")),
        sa.UniqueConstraint("telegram_id", name=op.f("uq_member_telegram_id")),
    )
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_username"), ["username"], unique=False)

    op.create_table(
        "number_counter",
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "year", name=op.f("pk_number_counter")),
    )
    op.create_table(
        "unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column(
            "level",
            sa.Enum("county", "township", "village", name="unit_level", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_code")),
    )
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "chat_binding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "purpose",
            sa.Enum(
                "village",
                "township",
                "county",
                "department",
                name="chat_purpose",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("forum_topic_id", sa.BigInteger(), nullable=True),
        sa.Column("title", sa.String(length=255), nullable=True),
        sa.Column("bound_by_id", sa.Integer(), nullable=True),
        sa.Column("bound_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bound_by_id"],
            ["member.id"],
            name=op.f("fk_chat_binding_bound_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_chat_binding_department_id_department")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_chat_binding_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_binding")),
        sa.UniqueConstraint("chat_id", name=op.f("uq_chat_binding_chat_id")),
        sa.UniqueConstraint("department_id", name=op.f("uq_chat_binding_department_id")),
        sa.UniqueConstraint("unit_id", name=op.f("uq_chat_binding_unit_id")),
    )
    with op.batch_alter_table("chat_binding", schema=None) as batch_op:
        batch_op.create_index("ix_chat_binding_purpose", ["purpose"], unique=False)

    op.create_table(
        "department_liaison",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("department_id", sa.Integer(), nullable=False),
        sa.Column("township_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"], ["department.id"], name=op.f("fk_department_liaison_department_id_department")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["member.id"],
            name=op.f("fk_department_liaison_member_id_member"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["township_id"], ["unit.id"], name=op.f("fk_department_liaison_township_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_department_liaison")),
        sa.UniqueConstraint("department_id", "township_id", name=op.f("uq_department_liaison_department_id")),
    )
    op.create_table(
        "join_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("telegram_id", sa.BigInteger(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("pending", "approved", "rejected", name="join_status", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["member.id"],
            name=op.f("fk_join_request_decided_by_id_member"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_join_request_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_request")),
    )
    with op.batch_alter_table("join_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_request_telegram_id"), ["telegram_id"], unique=False)

    op.create_table(
        "team",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["village_id"], ["unit.id"], name=op.f("fk_team_village_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team")),
        sa.UniqueConstraint("village_id", "kind", name=op.f("uq_team_village_id")),
    )
    op.create_table(
        "issue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=16), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("place_text", sa.String(length=500), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column(
            "urgency",
            sa.Enum("normal", "urgent", name="urgency", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "level",
            sa.Enum("village", "township", "county", name="issue_level", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "in_progress",
                "resolved",
                "closed",
                "withdrawn",
                "duplicate",
                name="issue_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("holder_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolver_id", sa.Integer(), nullable=True),
        sa.Column("resolution_note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("verifier_id", sa.Integer(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("unmet_reason", sa.Text(), nullable=True),
        sa.Column("close_reason", sa.Text(), nullable=True),
        sa.Column("duplicate_of_id", sa.Integer(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("renotify_count", sa.Integer(), nullable=False),
        sa.Column("draft_key", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], name=op.f("fk_issue_department_id_department")),
        sa.ForeignKeyConstraint(["duplicate_of_id"], ["issue.id"], name=op.f("fk_issue_duplicate_of_id_issue")),
        sa.ForeignKeyConstraint(["holder_id"], ["member.id"], name=op.f("fk_issue_holder_id_member")),
        sa.ForeignKeyConstraint(["owner_id"], ["member.id"], name=op.f("fk_issue_owner_id_member")),
        sa.ForeignKeyConstraint(["reporter_id"], ["member.id"], name=op.f("fk_issue_reporter_id_member")),
        sa.ForeignKeyConstraint(["resolver_id"], ["member.id"], name=op.f("fk_issue_resolver_id_member")),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_issue_team_id_team")),
        sa.ForeignKeyConstraint(["verifier_id"], ["member.id"], name=op.f("fk_issue_verifier_id_member")),
        sa.ForeignKeyConstraint(["village_id"], ["unit.id"], name=op.f("fk_issue_village_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue")),
        sa.UniqueConstraint("draft_key", name=op.f("uq_issue_draft_key")),
        sa.UniqueConstraint("number", name=op.f("uq_issue_number")),
    )
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issue_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issue_holder_id"), ["holder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_issue_reporter_id"), ["reporter_id"], unique=False)
        batch_op.create_index("ix_issue_status_level", ["status", "level"], unique=False)
        batch_op.create_index("ix_issue_village_status", ["village_id", "status"], unique=False)

    op.create_table(
        "role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "member",
                "team_lead",
                "village_secretary",
                "township_supervisor",
                "department_liaison",
                "county_leader",
                "admin",
                name="role_name",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["department_id"], ["department.id"], name=op.f("fk_role_department_id_department")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_role_member_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["team_id"], ["team.id"], name=op.f("fk_role_team_id_team")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_role_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role")),
        sa.UniqueConstraint("member_id", "role", "unit_id", "team_id", "department_id", name="uq_role_scope"),
    )
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_role_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_member_id"), ["member_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_team_id"), ["team_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_role_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "issue_card",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("with_photo", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_issue_card_issue_id_issue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_card")),
        sa.UniqueConstraint("chat_id", "message_id", name=op.f("uq_issue_card_chat_id")),
    )
    with op.batch_alter_table("issue_card", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issue_card_issue_id"), ["issue_id"], unique=False)

    op.create_table(
        "issue_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["actor_id"], ["member.id"], name=op.f("fk_issue_event_actor_id_member")),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_issue_event_issue_id_issue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_event")),
    )
    with op.batch_alter_table("issue_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issue_event_issue_id"), ["issue_id"], unique=False)

    op.create_table(
        "issue_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column(
            "stage",
            sa.Enum("report", "resolution", name="photo_stage", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["issue_id"], ["issue.id"], name=op.f("fk_issue_photo_issue_id_issue"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issue_photo")),
    )
    with op.batch_alter_table("issue_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_issue_photo_issue_id"), ["issue_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("issue_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issue_photo_issue_id"))

    op.drop_table("issue_photo")
    with op.batch_alter_table("issue_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issue_event_issue_id"))

    op.drop_table("issue_event")
    with op.batch_alter_table("issue_card", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issue_card_issue_id"))

    op.drop_table("issue_card")
    with op.batch_alter_table("role", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_unit_id"))
        batch_op.drop_index(batch_op.f("ix_role_team_id"))
        batch_op.drop_index(batch_op.f("ix_role_member_id"))
        batch_op.drop_index(batch_op.f("ix_role_department_id"))

    op.drop_table("role")
    with op.batch_alter_table("issue", schema=None) as batch_op:
        batch_op.drop_index("ix_issue_village_status")
        batch_op.drop_index("ix_issue_status_level")
        batch_op.drop_index(batch_op.f("ix_issue_reporter_id"))
        batch_op.drop_index(batch_op.f("ix_issue_holder_id"))
        batch_op.drop_index(batch_op.f("ix_issue_department_id"))

    op.drop_table("issue")
    op.drop_table("team")
    with op.batch_alter_table("join_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_join_request_telegram_id"))

    op.drop_table("join_request")
    op.drop_table("department_liaison")
    with op.batch_alter_table("chat_binding", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_binding_purpose")

    op.drop_table("chat_binding")
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_parent_id"))

    op.drop_table("unit")
    op.drop_table("number_counter")
    with op.batch_alter_table("member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_username"))

    op.drop_table("member")
    with op.batch_alter_table("fsm_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fsm_record_updated_at"))

    op.drop_table("fsm_record")
    op.drop_table("department")
