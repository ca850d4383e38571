"""indexes for the digests and the ranking over every village at once

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 23:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_issue_created_at": ("issue", ["created_at"]),
    "ix_issue_village_kind_status": ("issue", ["village_id", "kind", "status", "due_at"]),
    "ix_issue_village_created": ("issue", ["village_id", "created_at", "id", "status"]),
    "ix_issue_event_kind_at": ("issue_event", ["kind", "at"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, (table, _) in INDEXES.items():
        op.drop_index(name, table_name=table)
