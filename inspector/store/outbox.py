"""The sync outbox: one entry per local change, written in the change's transaction, removed once the server answered.

A plain queue: enqueue, list, remove, and the few questions the sync engine asks about it. What an answer does to
the record a change describes is `inspector.store.server_answers`' job.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.protocol import CHANGE_KINDS, ChangeKind, photo_hashes
from inspector.store import jsonutil
from inspector.store.database import rows_in, transaction
from inspector.store.errors import RecordNotFoundError


@dataclass(frozen=True)
class OutboxEntry:
    """One queued change, as the sync engine sends it."""

    seq: int
    change_id: str
    kind: str
    entity_id: str
    payload: dict[str, Any]
    created_at: str
    attempts: int
    last_error: str | None
    state: str

    def to_wire(self) -> dict[str, Any]:
        """The change as pushed to the server: its id, kind and payload."""
        return {"change_id": self.change_id, "kind": self.kind, "payload": self.payload}


def enqueue(db: Database, kind: ChangeKind, entity_id: str, payload: dict[str, Any], at: str | None = None) -> str:
    """Queue a change; must run inside the transaction that makes the change. Returns the new change id."""
    if not db.conn.in_transaction:
        raise RuntimeError("outbox.enqueue must run inside the transaction of the change it describes")
    if kind not in CHANGE_KINDS:
        raise ValueError(f"unknown change kind {kind!r}")
    change_id = new_id()
    db.execute(
        "INSERT INTO outbox (change_id, kind, entity_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
        [change_id, kind, entity_id, jsonutil.dumps(payload), at or now_iso()],
    )
    return change_id


def _entry(row: dict[str, Any]) -> OutboxEntry:
    return OutboxEntry(
        seq=row["seq"],
        change_id=row["change_id"],
        kind=row["kind"],
        entity_id=row["entity_id"],
        payload=jsonutil.loads(row["payload"], {}),
        created_at=row["created_at"],
        attempts=row["attempts"],
        last_error=row["last_error"],
        state=row["state"],
    )


def list_pending(db: Database, limit: int = 500, after_seq: int = 0) -> list[OutboxEntry]:
    """Changes to push, oldest first (including those the server asked to send again later); `after_seq` skips the
    ones up to that position in the queue."""
    rows = db.query("SELECT * FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", [after_seq, limit])
    return [_entry(row) for row in rows]


def get(db: Database, change_id: str) -> OutboxEntry:
    """One entry by change id."""
    rows = list(db.query("SELECT * FROM outbox WHERE change_id = ?", [change_id]))
    if not rows:
        raise RecordNotFoundError("outbox change", change_id)
    return _entry(rows[0])


def remove(db: Database, change_id: str) -> OutboxEntry:
    """Take an entry out of the queue (inside the transaction that settles it); RecordNotFoundError when it is gone."""
    rows = list(db.query("DELETE FROM outbox WHERE change_id = ? RETURNING *", [change_id]))
    if not rows:
        raise RecordNotFoundError("outbox change", change_id)
    return _entry(rows[0])


def count_pending(db: Database) -> int:
    """How many changes wait to be pushed (the status bar figure)."""
    return int(db.execute("SELECT count(*) FROM outbox").fetchone()[0])


def queued_photo_hashes(db: Database) -> set[str]:
    """Hashes of the photos that queued changes name (they must reach the server before those changes)."""
    found: set[str] = set()
    for (payload,) in db.execute("SELECT payload FROM outbox"):
        found |= photo_hashes(jsonutil.loads(payload, {}))
    return found


def has_queued(db: Database, entity_id: str, kind_prefix: str) -> bool:
    """True while local changes of this record wait in the outbox (pulled data must not overwrite them)."""
    row = db.execute(
        "SELECT 1 FROM outbox WHERE entity_id = ? AND kind LIKE ? LIMIT 1", [entity_id, kind_prefix + "%"]
    ).fetchone()
    return row is not None


def count_retry_later(db: Database) -> int:
    """Queued changes the server asked to send again later."""
    return int(db.execute("SELECT count(*) FROM outbox WHERE state = 'retry_later'").fetchone()[0])


def record_attempt_failure(db: Database, change_ids: list[str], error: str) -> None:
    """A push failed in transport (no answer): count the attempt and keep the error text; the changes stay queued."""
    with transaction(db):
        for change_id in change_ids:
            db.execute(
                "UPDATE outbox SET attempts = attempts + 1, last_error = ?, last_attempt_at = ? WHERE change_id = ?",
                [error, now_iso(), change_id],
            )


def mark_retry_later(db: Database, change_id: str, code: str, message: str) -> None:
    """The server cannot do the change yet (e.g. `missing_blobs`): keep it, to be sent again."""
    with transaction(db):
        get(db, change_id)
        db.execute(
            "UPDATE outbox SET state = 'retry_later', attempts = attempts + 1, last_error = ?, last_attempt_at = ? "
            "WHERE change_id = ?",
            [f"{code}: {message}", now_iso(), change_id],
        )


def remove_many(db: Database, change_ids: list[str]) -> list[OutboxEntry]:
    """Take many entries out of the queue (inside the transaction that settles them); those already gone are left
    out of the returned list."""
    return [_entry(row) for row in rows_in(db, "DELETE FROM outbox WHERE change_id IN ({}) RETURNING *", change_ids)]
