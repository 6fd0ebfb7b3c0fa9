"""The district's time-limit rows and calendar years (the clock on every stage).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "district_time_limits",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("row", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_district_time_limits")),
    )
    op.create_table(
        "district_calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("days", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_district_calendar_years")),
    )


def downgrade() -> None:
    op.drop_table("district_calendar_years")
    op.drop_table("district_time_limits")
