"""What an answer from the server does to the local record a change described (called inside the outbox update)."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from inspector.store import findings, inspections, subjects
from inspector.store.conflicts import Conflict
from inspector.store.outbox import OutboxEntry


def on_acknowledged(db: Database, entry: OutboxEntry, result: dict[str, Any]) -> None:
    """The change was applied on the server."""
    if entry.kind.startswith("subject."):
        subjects.settle_sync_state(db, entry.entity_id, result, refused=False)
    elif entry.kind == "inspection.submit":
        inspections.settle_sync_state(db, entry.entity_id, refused=False)
    elif entry.kind == "ledger.command":
        findings.on_acknowledged(db, entry.payload, result)


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The change was refused (conflict or final rejection); it is kept as a conflict record."""
    if entry.kind.startswith("subject."):
        subjects.settle_sync_state(db, entry.entity_id, {}, refused=True)
    elif entry.kind == "inspection.submit":
        inspections.settle_sync_state(db, entry.entity_id, refused=True)
    elif entry.kind == "ledger.command":
        findings.on_refused(db, entry.payload, status, reason)


def on_conflict_resolved(db: Database, conflict: Conflict) -> None:
    """The user decided a conflict: a finding's "needs attention" flag may clear."""
    if conflict.kind == "ledger.command" and findings.get_or_none(db, conflict.entity_id) is not None:
        findings.refresh(db, conflict.entity_id)
