"""Inspection levels: every inspection records who did it (市级, 区级, 第三方, 街乡自查, 责任单位自查) and,
optionally, the campaign or standing programme it was made under; the scoring rules a district publishes.

An inspection submitted before takes the level its cases' 发现方式 names (the source of a finding reported from it;
巡查, or no finding at all, gives 街乡自查); its stored document gets the same `level` and a null `programme`.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inspections") as batch:
        batch.add_column(sa.Column("level", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("programme", sa.String(length=200), nullable=True))
    _fill_levels(op.get_bind())
    with op.batch_alter_table("inspections") as batch:
        batch.alter_column("level", existing_type=sa.String(length=20), nullable=False)
        batch.create_index(batch.f("ix_inspections_level"), ["level"], unique=False)
        batch.create_index(batch.f("ix_inspections_programme"), ["programme"], unique=False)
    op.create_table(
        "scoring_rules",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("district", sa.String(length=6), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("published_by", sa.String(length=200), nullable=False),
        sa.Column("published_at", sa.String(length=24), nullable=False),
        sa.PrimaryKeyConstraint("id", "version", name=op.f("pk_scoring_rules")),
    )
    op.create_index(op.f("ix_scoring_rules_district"), "scoring_rules", ["district"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_scoring_rules_district"), table_name="scoring_rules")
    op.drop_table("scoring_rules")
    with op.batch_alter_table("inspections") as batch:
        batch.drop_index(batch.f("ix_inspections_programme"))
        batch.drop_index(batch.f("ix_inspections_level"))
        batch.drop_column("programme")
        batch.drop_column("level")


def _fill_levels(bind: sa.Connection) -> None:
    """Each inspection's level from the source of a finding reported from it (else 街乡自查), in its column and in
    its stored document."""
    from inspector.core.levels import level_from_source

    sources: dict[str, str] = {}
    rows = bind.execute(
        sa.text(
            "SELECT e.payload, f.source FROM finding_events e JOIN findings f ON f.id = e.finding_id "
            "WHERE e.action IN ('report', 'report_fixed_on_site')"
        )
    )
    for payload_text, source in rows:
        payload = json.loads(payload_text)
        inspection_id = payload.get("inspection_id") if isinstance(payload, dict) else None
        if inspection_id and source:
            sources.setdefault(str(inspection_id), str(source))
    for inspection_id, data_text in bind.execute(sa.text("SELECT id, data FROM inspections")).fetchall():
        level = level_from_source(sources.get(inspection_id)).value
        document = json.loads(data_text)
        if isinstance(document, dict):
            document.setdefault("level", level)
            document.setdefault("programme", None)
            data_text = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
        bind.execute(
            sa.text("UPDATE inspections SET level = :level, data = :data WHERE id = :id"),
            {"level": level, "data": data_text, "id": inspection_id},
        )
