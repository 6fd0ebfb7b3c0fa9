"""What the server's answer to a pushed change does here: the change leaves the outbox and its record settles.

Each change kind has its record's handlers (`_RECORDS`, the way `core/ledger.py` keeps its `_RULES`), and each
result status its way of settling (`_ANSWERS`): `applied` (and a `duplicate` of it) removes the change and takes the
server's result into the record; `conflict` and final `rejected` remove it and keep it as a conflict record for the
user; a retryable `rejected` keeps it queued to be sent again. The outbox below stays a plain queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.protocol import ChangeKind, ChangeResult, Status
from inspector.store import conflicts, findings, inspections, outbox, subjects, talks, unit_cycle
from inspector.store.database import transaction
from inspector.store.errors import RecordNotFoundError
from inspector.store.outbox import OutboxEntry

log = logging.getLogger(__name__)

# How a change was settled: "acknowledged", Status.CONFLICT, Status.REJECTED, "retry_later" or "unknown"
Outcome = str


@dataclass(frozen=True)
class RecordAnswers:
    """How one kind of record takes the server's answers about its changes."""

    applied: Callable[[Database, OutboxEntry, Mapping[str, Any]], None]
    refused: Callable[[Database, OutboxEntry, str, str], None]


_SUBJECT = RecordAnswers(subjects.on_applied, subjects.on_refused)

_RECORDS: dict[str, RecordAnswers] = {
    ChangeKind.SUBJECT_CREATE: _SUBJECT,
    ChangeKind.SUBJECT_UPDATE: _SUBJECT,
    ChangeKind.INSPECTION_SUBMIT: RecordAnswers(inspections.on_applied, inspections.on_refused),
    ChangeKind.LEDGER_COMMAND: RecordAnswers(findings.on_applied, findings.on_refused),
    ChangeKind.TALK_CREATE: RecordAnswers(talks.on_applied, talks.on_refused),
    ChangeKind.PATROL_SUBMIT: RecordAnswers(unit_cycle.on_applied, unit_cycle.on_refused),
}


def acknowledge(db: Database, change_id: str, result: Mapping[str, Any] | None = None) -> OutboxEntry:
    """The server applied the change (or had it already): remove the entry and settle the record it describes.

    `result` is the server's `result` object (e.g. the finding and event it stored), applied locally when given.
    RecordNotFoundError when the change is no longer queued.
    """
    with transaction(db):
        entry = outbox.remove(db, change_id)
        _RECORDS[entry.kind].applied(db, entry, result or {})
    return entry


def acknowledge_commands(db: Database, applied: list[tuple[str, dict[str, Any]]]) -> list[OutboxEntry]:
    """Many applied ledger commands of one push batch (change id, the server's result with its event and finding):
    remove them and settle their findings together. Changes no longer queued are left out. Raises ValueError, with
    nothing changed, when they cannot be settled together (settle them one by one with acknowledge)."""
    with transaction(db):
        entries = {entry.change_id: entry for entry in outbox.remove_many(db, [change_id for change_id, _ in applied])}
        if any(entry.kind != ChangeKind.LEDGER_COMMAND for entry in entries.values()):
            raise ValueError("only ledger commands are settled together")
        findings.on_applied_many(
            db, [(entries[change_id], result) for change_id, result in applied if change_id in entries]
        )
    return list(entries.values())


def conflict(db: Database, change_id: str, code: str, message: str, current: dict[str, Any] | None = None) -> str:
    """The change no longer fits the server's state: it leaves the queue and becomes a conflict for the user.

    `current` is the record as the server has it now. Returns the conflict id.
    """
    return _refuse(db, change_id, Status.CONFLICT, code, message, current)


def reject(db: Database, change_id: str, code: str, message: str, current: dict[str, Any] | None = None) -> str:
    """The server refused the change for good: it leaves the queue and becomes a conflict record for the user.

    Returns the conflict id.
    """
    return _refuse(db, change_id, Status.REJECTED, code, message, current)


def _refuse(db: Database, change_id: str, status: Status, code: str, message: str, current: Any) -> str:
    with transaction(db):
        entry = outbox.remove(db, change_id)
        conflict_id = conflicts.record(db, entry, status, code, message, current)
        _RECORDS[entry.kind].refused(db, entry, status, f"{code}: {message}")
    return conflict_id


# ---- one change by its result ----


def _applied(db: Database, entry: OutboxEntry, result: ChangeResult) -> Outcome:
    _acknowledge_keeping_what_fits(db, entry, result.result)
    return "acknowledged"


def _conflict(db: Database, entry: OutboxEntry, result: ChangeResult) -> Outcome:
    conflict(db, entry.change_id, result.code, result.message, result.current)
    return Status.CONFLICT


def _rejected(db: Database, entry: OutboxEntry, result: ChangeResult) -> Outcome:
    if result.retryable:
        outbox.mark_retry_later(db, entry.change_id, result.code, result.message)
        return "retry_later"
    reject(db, entry.change_id, result.code, result.message, result.current)
    return Status.REJECTED


_ANSWERS: dict[str, Callable[[Database, OutboxEntry, ChangeResult], Outcome]] = {
    Status.APPLIED: _applied,
    Status.CONFLICT: _conflict,
    Status.REJECTED: _rejected,
}


def settle(db: Database, entry: OutboxEntry, result: ChangeResult) -> Outcome:
    """Settle one change by the server's result (a duplicate as its original); "unknown" (nothing done) for a status
    this client does not know. RecordNotFoundError when the change is no longer queued."""
    actual = result.effective()
    status = actual.status
    if result.status == Status.DUPLICATE and actual is not result and not status:
        status = Status.APPLIED  # an original without a status: the change was done
    answer = _ANSWERS.get(status)
    return "unknown" if answer is None else answer(db, entry, actual)


def _acknowledge_keeping_what_fits(db: Database, entry: OutboxEntry, result: Mapping[str, Any] | None) -> None:
    """Acknowledge a change with the server's result; a result this client cannot keep is dropped (the feed brings
    the record again later) and the change is still acknowledged."""
    try:
        acknowledge(db, entry.change_id, result)
    except RecordNotFoundError:
        raise
    except Exception as exc:  # the server's record did not fit locally
        log.warning("change %s applied, but its result could not be kept locally: %s", entry.change_id, exc)
        acknowledge(db, entry.change_id, None)
