"""Blob holders: every user who sent a blob's verified bytes, not only its first uploader.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "blob_holders",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("created_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "user_id", name=op.f("pk_blob_holders")),
    )
    op.execute(
        "INSERT INTO blob_holders (sha256, user_id, created_at) "
        "SELECT sha256, uploaded_by, created_at FROM blobs WHERE uploaded_by IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_table("blob_holders")
