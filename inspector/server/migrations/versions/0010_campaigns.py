"""Campaigns (专项治理, 大排查大整治, seasonal tasks) and their sites.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("starts_on", sa.String(length=10), nullable=False),
        sa.Column("ends_on", sa.String(length=10), nullable=False),
        sa.Column("jurisdiction", sa.String(length=15), nullable=False),
        sa.Column("checklists", sa.Text(), nullable=False),
        sa.Column("inspectors", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.Column("updated_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
    )
    op.create_index(op.f("ix_campaigns_jurisdiction"), "campaigns", ["jurisdiction"], unique=False)
    op.create_table(
        "campaign_sites",
        sa.Column("campaign_id", sa.String(length=36), nullable=False),
        sa.Column("subject_id", sa.String(length=36), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("added_at", sa.String(length=24), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_campaign_sites_campaign_id_campaigns"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["subject_id"], ["subjects.id"], name=op.f("fk_campaign_sites_subject_id_subjects")),
        sa.PrimaryKeyConstraint("campaign_id", "subject_id", name=op.f("pk_campaign_sites")),
    )


def downgrade() -> None:
    op.drop_table("campaign_sites")
    op.drop_index(op.f("ix_campaigns_jurisdiction"), table_name="campaigns")
    op.drop_table("campaigns")
