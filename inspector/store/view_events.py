"""A finding's events as its local view folds them (confirmed, then pending local commands that still fit)."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby

from sqlite_utils import Database

from inspector.core import ledger
from inspector.core.ledger import Event, FindingState
from inspector.store.findings import StoredEvent, stored_event


def view_events(stored: Sequence[StoredEvent]) -> list[Event]:
    """Of a finding's stored events (timeline order), those folded into its local view: what the server
    confirmed, then the local commands still pending that fit; refused ones and ones that no longer fit are left out."""
    kept: list[Event] = []
    state: FindingState | None = None
    for entry in stored:
        if entry.sync_state not in ("acknowledged", "pending"):
            continue
        try:
            state = ledger.apply(state, entry.event)
        except ValueError:
            continue
        kept.append(entry.event)
    return kept


def events_by_finding(db: Database, finding_ids: Sequence[str]) -> dict[str, list[StoredEvent]]:
    """Every stored event of these findings, grouped by finding, each group in timeline order."""
    marks = ", ".join("?" for _ in finding_ids)
    rows = db.query(
        f"SELECT * FROM finding_events WHERE finding_id IN ({marks}) "
        "ORDER BY finding_id, server_seq IS NULL, server_seq, created_at, rowid",
        list(finding_ids),
    )
    return {key: [stored_event(row) for row in group] for key, group in groupby(rows, key=lambda r: r["finding_id"])}
