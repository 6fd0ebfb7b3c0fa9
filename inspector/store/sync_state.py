"""What the server said of records on this laptop, read for the lists: each refused record's open conflict record.

A record's row only says it was refused; whether the server refused it for good (rejected) or found it stale
(conflict), and why, is in its open conflict record, read here for many records in one query per 500.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlite_utils import Database

CONFLICT, REJECTED = "conflict", "rejected"
_CHUNK = 500  # ids bound in one IN (…), well under SQLite's limit on parameters


@dataclass(frozen=True)
class Refusal:
    """An open conflict record of a record: conflict or rejected, and the server's reason."""

    status: str
    message: str


def open_refusals(db: Database, entity_ids: Iterable[str]) -> dict[str, Refusal]:
    """The open conflict records of these records by id (a conflict outweighs a rejection of the same record)."""
    wanted = sorted(set(entity_ids))
    found: dict[str, Refusal] = {}
    for start in range(0, len(wanted), _CHUNK):
        part = wanted[start : start + _CHUNK]
        marks = ", ".join("?" for _ in part)
        rows = db.execute(
            f"SELECT entity_id, status, message FROM conflicts WHERE resolved_at IS NULL AND entity_id IN ({marks}) "
            "ORDER BY created_at",
            part,
        )
        for entity_id, status, message in rows:
            if found.get(entity_id, Refusal("", "")).status != CONFLICT:
                found[entity_id] = Refusal(str(status), str(message or ""))
    return found
