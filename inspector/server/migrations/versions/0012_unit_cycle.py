"""门前三包 as a cycle: the 巡查日志 of 街巷长 and 小巷管家 (patrol.submit) and the units' standing links to their
daily 自查 page get their tables. The 责任书 travels in a subject's details and needs no column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
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
    op.create_table(
        "unit_self_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.Column("created_by", sa.String(length=36), nullable=True),
        sa.Column("revoked_at", sa.String(length=24), nullable=True),
        sa.Column("revoked_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_self_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_unit_self_links_token_hash")),
    )
    op.create_index(op.f("ix_unit_self_links_subject_id"), "unit_self_links", ["subject_id"])


def downgrade() -> None:
    op.drop_table("unit_self_links")
    op.drop_table("patrol_logs")
