"""What the server said of records on this laptop, read for the lists: each refused record's open conflict record.

A record's row only says it was refused; whether the server refused it for good (rejected) or found it stale
(conflict), and why, is in its open conflict record, read here for many records in one query per chunk of ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

from inspector.store.database import rows_in

CONFLICT, REJECTED = "conflict", "rejected"


@dataclass(frozen=True)
class Refusal:
    """An open conflict record of a record: conflict or rejected, and the server's reason."""

    status: str
    message: str


def open_refusals(db: Database, entity_ids: Iterable[str]) -> dict[str, Refusal]:
    """The open conflict records of these records by id (a conflict outweighs a rejection of the same record)."""
    found: dict[str, Refusal] = {}
    rows = rows_in(
        db,
        "SELECT entity_id, status, message FROM conflicts WHERE resolved_at IS NULL AND entity_id IN ({}) "
        "ORDER BY created_at",
        sorted(set(entity_ids)),
    )
    for row in rows:
        if found.get(row["entity_id"], Refusal("", "")).status != CONFLICT:
            found[row["entity_id"]] = Refusal(str(row["status"]), str(row["message"] or ""))
    return found
