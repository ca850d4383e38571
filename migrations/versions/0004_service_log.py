"""service log and reserve cadres

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 23:20:26.995319
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reserve_cadre",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by_id"], ["member.id"], name=op.f("fk_reserve_cadre_added_by_id_member"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_reserve_cadre_member_id_member"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reserve_cadre")),
        sa.UniqueConstraint("member_id", name=op.f("uq_reserve_cadre_member_id")),
    )
    op.create_table(
        "service_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("village_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("photo_file_id", sa.String(length=255), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_service_log_member_id_member"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["village_id"], ["unit.id"], name=op.f("fk_service_log_village_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_log")),
    )
    with op.batch_alter_table("service_log", schema=None) as batch_op:
        batch_op.create_index("ix_service_log_member_at", ["member_id", "at"], unique=False)
        batch_op.create_index("ix_service_log_village_at", ["village_id", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("service_log", schema=None) as batch_op:
        batch_op.drop_index("ix_service_log_village_at")
        batch_op.drop_index("ix_service_log_member_at")

    op.drop_table("service_log")
    op.drop_table("reserve_cadre")
