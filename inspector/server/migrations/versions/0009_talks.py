"""约谈 records: who was talked to, when, why, and the month's ranking entry that led to it (insert-only, sent to
every laptop in scope by the `talk` feed kind).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "talks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("held_on", sa.String(length=10), nullable=False),
        sa.Column("person", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=200), nullable=False),
        sa.Column("jurisdiction", sa.String(length=15), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("basis_ref", sa.String(length=64), nullable=False),
        sa.Column("basis_text", sa.String(length=200), nullable=False),
        sa.Column("recorded_by", sa.String(length=36), nullable=False),
        sa.Column("recorded_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_talks")),
    )
    op.create_index(op.f("ix_talks_jurisdiction"), "talks", ["jurisdiction"])


def downgrade() -> None:
    op.drop_index(op.f("ix_talks_jurisdiction"), table_name="talks")
    op.drop_table("talks")
