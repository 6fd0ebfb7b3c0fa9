"""The lists' reading of refusals: each record's open conflict record, many records at once."""

from __future__ import annotations

import time

from sqlite_utils import Database

from inspector.store import conflicts
from inspector.store.database import transaction
from inspector.store.outbox import OutboxEntry
from inspector.store.sync_state import CONFLICT, REJECTED, Refusal, open_refusals


def refuse(db: Database, entity_id: str, status: str, message: str) -> str:
    entry = OutboxEntry(0, f"change-{entity_id}-{status}", "finding.report", entity_id, {}, "", 1, None, "sent")
    with transaction(db):
        conflict_id = conflicts.record(db, entry, status, "code", message, None)
    time.sleep(0.002)  # created_at orders them
    return conflict_id


def test_open_refusals_by_record_with_a_conflict_outweighing_a_rejection(db: Database) -> None:
    refuse(db, "a", REJECTED, "no longer allowed")
    refuse(db, "a", CONFLICT, "changed on the server")
    refuse(db, "b", CONFLICT, "changed on the server")
    refuse(db, "b", REJECTED, "not yours")
    refuse(db, "c", REJECTED, "not yours")
    settled = refuse(db, "d", CONFLICT, "stale")
    conflicts.resolve(db, settled, "dropped")

    assert open_refusals(db, ["a", "b", "c", "d", "e", "a"]) == {
        "a": Refusal(CONFLICT, "changed on the server"),
        "b": Refusal(CONFLICT, "changed on the server"),
        "c": Refusal(REJECTED, "not yours"),
    }
    assert open_refusals(db, []) == {}


def test_more_records_than_one_query_binds(db: Database) -> None:
    ids = [f"id-{number:04d}" for number in range(1200)]
    refuse(db, ids[3], REJECTED, "first")
    refuse(db, ids[1100], CONFLICT, "last")
    expected = {ids[3]: Refusal(REJECTED, "first"), ids[1100]: Refusal(CONFLICT, "last")}
    assert open_refusals(db, reversed(ids)) == expected
