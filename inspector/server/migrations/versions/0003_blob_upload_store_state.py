"""Resumable uploads into an object store: the multipart upload's id, key and parts, kept in the database (no file
locks, so any app process on any host can take the next chunk).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("blob_uploads") as batch:
        batch.add_column(sa.Column("received", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("store_upload_id", sa.String(length=1024), nullable=True))
        batch.add_column(sa.Column("store_key", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("store_parts", sa.Text(), nullable=True))
        batch.add_column(sa.Column("store_tail", sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("blob_uploads") as batch:
        for name in ("store_tail", "store_parts", "store_key", "store_upload_id", "received"):
            batch.drop_column(name)
