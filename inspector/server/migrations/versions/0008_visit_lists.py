"""The lists of each inspection (the "1+10" visit: the general list plus area lists, each scored on its own): every
inspection already stored gets its one list at position 0 with its own score and outcome; nothing else changes.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inspection_lists",
        sa.Column("inspection_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("checklist_id", sa.String(length=64), nullable=False),
        sa.Column("checklist_version", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("max_score", sa.Float(), nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        sa.Column("outcome", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["inspection_id"], ["inspections.id"], name=op.f("fk_inspection_lists_inspection_id_inspections")
        ),
        sa.PrimaryKeyConstraint("inspection_id", "position", name=op.f("pk_inspection_lists")),
    )
    op.create_index(op.f("ix_inspection_lists_checklist_id"), "inspection_lists", ["checklist_id"], unique=False)
    op.execute(
        "INSERT INTO inspection_lists (inspection_id, position, checklist_id, checklist_version, score, max_score, "
        "passed, outcome) SELECT id, 0, checklist_id, checklist_version, score, max_score, passed, outcome "
        "FROM inspections"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_inspection_lists_checklist_id"), table_name="inspection_lists")
    op.drop_table("inspection_lists")
