"""Two kinds of case: every finding gets its kind (problem | hazard), its source and its 督办 level as columns.

A finding reported before kinds existed becomes a hazard when its report came from an item of a "1+10" checklist,
else a problem; its source is 巡查. No event is touched (the hash chains stay as they were): the kind lives in the
finding row, and the state machine folds such a history with it. A problem's grade stays in its events and leaves
its projection. The stored projections (the findings' `data` and the feed's finding entries) are rebuilt from the
events, so `ledger verify` finds them equal.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("source", sa.String(length=30), nullable=True))
        batch.add_column(sa.Column("escalation", sa.String(length=20), nullable=True))
        batch.alter_column("severity", existing_type=sa.String(length=20), nullable=True)
    _convert(op.get_bind())
    with op.batch_alter_table("findings") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=20), nullable=False)
        batch.alter_column("source", existing_type=sa.String(length=30), nullable=False)
        batch.create_index(batch.f("ix_findings_kind"), ["kind"], unique=False)
        batch.create_index(batch.f("ix_findings_source"), ["source"], unique=False)
        batch.create_index(batch.f("ix_findings_escalation"), ["escalation"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("findings") as batch:
        batch.drop_index(batch.f("ix_findings_escalation"))
        batch.drop_index(batch.f("ix_findings_source"))
        batch.drop_index(batch.f("ix_findings_kind"))
        batch.drop_column("escalation")
        batch.drop_column("source")
        batch.drop_column("kind")
    # severity stays nullable: a problem reported since has no grade to put back


_ItemKinds = dict[tuple[str, str], tuple[str, dict[str, str]]]


def _item_kinds(bind: sa.Connection) -> _ItemKinds:
    """For each published checklist version: its default kind and the kind each item's failure creates (a file of
    the release before kinds: hazard for the "1+10" group, else problem)."""
    from inspector.core.checklist_loader import ChecklistError, default_case_kind, parse_checklist

    found: _ItemKinds = {}
    for checklist_id, version, text in bind.execute(sa.text("SELECT id, version, yaml FROM checklists")):
        try:
            checklist = parse_checklist(text, f"{checklist_id}@{version}")
        except ChecklistError:
            found[(checklist_id, version)] = (default_case_kind(None), {})
            continue
        items = {item.id: item.on_fail.case_kind for item in checklist.items if item.on_fail is not None}
        found[(checklist_id, version)] = (checklist.case_kind, items)
    return found


def _kind_of(report: dict[str, Any], inspections: dict[str, tuple[str, str]], kinds: _ItemKinds) -> str:
    """An ad-hoc report (no inspection) is a problem; one from an inspection takes its item's kind."""
    pinned = inspections.get(str(report.get("inspection_id") or ""))
    if pinned is None:
        return "problem"
    default, items = kinds.get(pinned, ("problem", {}))
    return items.get(str(report.get("item_id") or ""), default)


def _convert(bind: sa.Connection) -> None:
    from inspector.core.clock import parse_iso
    from inspector.core.ledger import Action, Event, Kind, State, project
    from inspector.core.records import plain_record

    kinds = _item_kinds(bind)
    inspections = {
        row[0]: (row[1], row[2])
        for row in bind.execute(sa.text("SELECT id, checklist_id, checklist_version FROM inspections"))
    }
    rows = bind.execute(sa.text("SELECT id, data FROM findings")).fetchall()
    for finding_id, data_text in rows:
        events = bind.execute(
            sa.text(
                "SELECT event_id, action, actor_id, at, payload, base_state FROM finding_events "
                "WHERE finding_id = :id ORDER BY idx"
            ),
            {"id": finding_id},
        ).fetchall()
        history = [
            Event(
                event_id=row[0],
                finding_id=finding_id,
                action=Action(row[1]),
                actor_id=row[2],
                at=parse_iso(row[3]),
                payload=json.loads(row[4]),
                base_state=State(row[5]) if row[5] else None,
            )
            for row in events
        ]
        kind = _kind_of(dict(history[0].payload), inspections, kinds) if history else "problem"
        stored = json.loads(data_text)
        state = project(history, Kind(kind))
        document = {**plain_record(state), "head_hash": stored.get("head_hash"), "updated_at": stored.get("updated_at")}
        bind.execute(
            sa.text(
                "UPDATE findings SET kind = :kind, source = :source, escalation = :escalation, "
                "severity = :severity, data = :data WHERE id = :id"
            ),
            {
                "kind": kind,
                "source": state.source.value,
                "escalation": state.escalation.value if state.escalation else None,
                "severity": state.severity.value if state.severity else None,
                "data": _canonical(document),
                "id": finding_id,
            },
        )
        _convert_feed(bind, finding_id, kind)


def _convert_feed(bind: sa.Connection, finding_id: str, kind: str) -> None:
    """The finding's entries in the feed say its kind and source (a problem's without its grade)."""
    for seq, text in bind.execute(
        sa.text("SELECT seq, data FROM feed WHERE kind = 'finding' AND entity_id = :id"), {"id": finding_id}
    ).fetchall():
        document = json.loads(text)
        if not isinstance(document, dict) or "kind" in document:
            continue
        document.update(kind=kind, source="patrol")
        if kind == "problem":
            document["severity"] = None
        bind.execute(
            sa.text("UPDATE feed SET data = :data WHERE seq = :seq"), {"data": _canonical(document), "seq": seq}
        )


def _canonical(value: Any) -> str:
    from inspector.server.encoding import canonical_json

    return canonical_json(value)
