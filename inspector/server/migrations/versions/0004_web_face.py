"""The web face: the units' case links, the public's reports, web rate limits, dashboard sessions and the index
the dashboard counts from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_links",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.Column("expires_at", sa.String(length=24), nullable=False),
        sa.Column("revoked_at", sa.String(length=24), nullable=True),
        sa.Column("revoked_by", sa.String(length=36), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_unit_links_token_hash")),
    )
    op.create_index(op.f("ix_unit_links_finding_id"), "unit_links", ["finding_id"])
    op.create_table(
        "public_reports",
        sa.Column("receipt", sa.String(length=32), nullable=False),
        sa.Column("finding_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("receipt", name=op.f("pk_public_reports")),
        sa.UniqueConstraint("finding_id", name=op.f("uq_public_reports_finding_id")),
    )
    op.create_index(op.f("ix_public_reports_subject_id"), "public_reports", ["subject_id"])
    op.create_table(
        "web_throttle",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.String(length=24), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_web_throttle")),
    )
    op.create_table(
        "web_sessions",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.Column("expires_at", sa.String(length=24), nullable=False),
        sa.Column("ended_at", sa.String(length=24), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_index(
        "ix_findings_dashboard",
        "findings",
        ["jurisdiction", "state", "severity", "category", "created_at", "updated_at"],
    )


def downgrade() -> None:
    op.drop_index("ix_findings_dashboard", table_name="findings")
    op.drop_table("web_sessions")
    op.drop_table("web_throttle")
    op.drop_table("public_reports")
    op.drop_table("unit_links")
