"""门前三包 as a cycle: the 巡查日志 of 街巷长 and 小巷管家 (patrol.submit) get their table. The 责任书 travels in a
subject's details and needs no column.

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
        "patrol_logs",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("jurisdiction", sa.String(length=15), nullable=False),
        sa.Column("patroller_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", sa.String(length=24), nullable=False),
        sa.Column("ended_at", sa.String(length=24), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("submitted_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patrol_logs")),
    )
    for column in ("jurisdiction", "patroller_id", "started_at"):
        op.create_index(op.f(f"ix_patrol_logs_{column}"), "patrol_logs", [column])


def downgrade() -> None:
    op.drop_table("patrol_logs")
