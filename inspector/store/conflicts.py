"""Conflict records: changes the server refused or found stale, kept with the server's current state for the user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.protocol import ChangeKind
from inspector.store import findings, jsonutil
from inspector.store.database import transaction
from inspector.store.errors import InvalidRecordError, RecordNotFoundError
from inspector.store.outbox import OutboxEntry

Resolution = Literal["reapplied", "dropped"]


@dataclass(frozen=True)
class Conflict:
    """One refused change: what was sent, why it was refused, and the record as the server has it."""

    id: str
    change_id: str
    kind: str
    entity_id: str
    local_payload: dict[str, Any]
    status: str
    code: str
    message: str
    server_current: dict[str, Any] | None
    created_at: str
    resolved_at: str | None
    resolution: str | None


def record(
    db: Database, entry: OutboxEntry, status: str, code: str, message: str, current: dict[str, Any] | None
) -> str:
    """Keep a refused change; runs inside the transaction that removes it from the outbox."""
    conflict_id = new_id()
    db.execute(
        "INSERT INTO conflicts (id, change_id, kind, entity_id, local_payload, status, code, message, server_current, "
        "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            conflict_id,
            entry.change_id,
            entry.kind,
            entry.entity_id,
            jsonutil.dumps(entry.payload),
            status,
            code,
            message,
            None if current is None else jsonutil.dumps(current),
            now_iso(),
        ],
    )
    return conflict_id


def _conflict(row: dict[str, Any]) -> Conflict:
    return Conflict(
        **{
            **row,
            "local_payload": jsonutil.loads(row["local_payload"], {}),
            "server_current": jsonutil.loads(row["server_current"]),
        }
    )


def list_open(db: Database) -> list[Conflict]:
    """Conflicts the user has not decided yet, oldest first."""
    return [_conflict(r) for r in db.query("SELECT * FROM conflicts WHERE resolved_at IS NULL ORDER BY created_at")]


def get(db: Database, conflict_id: str) -> Conflict:
    """One conflict by id."""
    rows = list(db.query("SELECT * FROM conflicts WHERE id = ?", [conflict_id]))
    if not rows:
        raise RecordNotFoundError("conflict", conflict_id)
    return _conflict(rows[0])


def for_entity(db: Database, entity_id: str) -> list[Conflict]:
    """Every conflict about one record (open or resolved), oldest first."""
    rows = db.query("SELECT * FROM conflicts WHERE entity_id = ? ORDER BY created_at", [entity_id])
    return [_conflict(row) for row in rows]


def has_open(db: Database, entity_id: str) -> bool:
    """Whether a refused change of this record still waits for the user's decision."""
    row = db.execute("SELECT 1 FROM conflicts WHERE entity_id = ? AND resolved_at IS NULL LIMIT 1", [entity_id])
    return row.fetchone() is not None


def count_open(db: Database) -> dict[str, int]:
    """Undecided refused changes by status (`conflict`, `rejected`)."""
    rows = db.execute("SELECT status, count(*) FROM conflicts WHERE resolved_at IS NULL GROUP BY status")
    return {str(status): int(count) for status, count in rows}


def resolve(db: Database, conflict_id: str, resolution: Resolution) -> Conflict:
    """Record the user's decision: the change was re-applied as a new change, or dropped. The record stays."""
    if resolution not in ("reapplied", "dropped"):
        raise InvalidRecordError(f"处理方式 {resolution!r} 无效", f"unknown resolution {resolution!r}")
    with transaction(db):
        conflict = get(db, conflict_id)
        if conflict.resolved_at is not None:
            return conflict
        db.execute(
            "UPDATE conflicts SET resolved_at = ?, resolution = ? WHERE id = ?", [now_iso(), resolution, conflict_id]
        )
        resolved = get(db, conflict_id)
        if resolved.kind == ChangeKind.LEDGER_COMMAND and findings.get_or_none(db, resolved.entity_id) is not None:
            findings.refresh(db, resolved.entity_id)  # its "needs attention" flag may clear
    return resolved
