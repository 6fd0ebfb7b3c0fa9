"""The dashboard counts from columns only: every finding gets its deadline (整改期限) as a column, filled from its
stored projection, and the dashboard's index covers kind, source, 督办 level and deadline, so no figure reads a
case's JSON document.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_OLD_COLUMNS = ["jurisdiction", "state", "severity", "category", "created_at", "updated_at"]
_NEW_COLUMNS = [
    "jurisdiction",
    "state",
    "kind",
    "source",
    "severity",
    "escalation",
    "deadline",
    "category",
    "created_at",
    "updated_at",
]


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("deadline", sa.String(length=10), nullable=True))
    _fill_deadlines(op.get_bind())
    op.drop_index("ix_findings_dashboard", table_name="findings")
    op.create_index("ix_findings_dashboard", "findings", _NEW_COLUMNS)


def downgrade() -> None:
    op.drop_index("ix_findings_dashboard", table_name="findings")
    op.create_index("ix_findings_dashboard", "findings", _OLD_COLUMNS)
    with op.batch_alter_table("findings") as batch:
        batch.drop_column("deadline")


def _fill_deadlines(bind: sa.Connection) -> None:
    """Each finding's deadline from its stored projection (the `data` document the events were folded into)."""
    rows = bind.execute(sa.text("SELECT id, data FROM findings")).fetchall()
    for finding_id, data_text in rows:
        document = json.loads(data_text)
        deadline = document.get("deadline") if isinstance(document, dict) else None
        if deadline:
            bind.execute(
                sa.text("UPDATE findings SET deadline = :deadline WHERE id = :id"),
                {"deadline": str(deadline)[:10], "id": finding_id},
            )
