"""约谈 records on the laptop: recorded by a supervisor (queued as a `talk.create` change), settled by the server's
answer, and brought from the server to every laptop in scope by the `talk` feed kind (docs/sync-protocol.md §5.5)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso, parse_iso
from inspector.core.ids import new_id
from inspector.core.jurisdiction import parse_code, street_of
from inspector.core.month import Talk, check_talk
from inspector.core.protocol import ChangeKind
from inspector.store import outbox, people
from inspector.store.database import transaction
from inspector.store.outbox import OutboxEntry


def payload_of(talk: Talk) -> dict[str, Any]:
    """The `talk.create` payload of a talk (§5.5)."""
    return {
        "talk_id": talk.talk_id,
        "month": talk.month,
        "held_on": talk.held_on.isoformat(),
        "person": talk.person,
        "unit": talk.unit,
        "jurisdiction": parse_code(talk.street).full,
        "reason": talk.reason,
        "basis": talk.basis,
        "basis_ref": talk.basis_ref,
        "basis_text": talk.basis_text,
    }


def record(db: Database, talk: Talk, user_id: str) -> Talk:
    """Store a new talk and queue it for the server (one transaction); ValueError when a field is wrong."""
    talk = check_talk(replace(talk, talk_id=talk.talk_id or new_id(), recorded_by=talk.recorded_by or user_id))
    at = now_iso()
    with transaction(db):
        _write(db, talk, at, "pending")
        outbox.enqueue(db, ChangeKind.TALK_CREATE, talk.talk_id, payload_of(talk), at)
    return replace(talk, recorded_at=parse_iso(at))


def _write(db: Database, talk: Talk, at: str, sync_state: str) -> None:
    db.execute(
        "INSERT INTO talks (id, month, held_on, person, unit, street, reason, basis, basis_ref, basis_text, "
        "recorded_by, recorded_at, sync_state) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET month = excluded.month, held_on = excluded.held_on, "
        "person = excluded.person, unit = excluded.unit, street = excluded.street, reason = excluded.reason, "
        "basis = excluded.basis, basis_ref = excluded.basis_ref, basis_text = excluded.basis_text, "
        "recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at, sync_state = excluded.sync_state",
        [talk.talk_id, talk.month, talk.held_on.isoformat(), talk.person, talk.unit, talk.street, talk.reason,
         talk.basis, talk.basis_ref, talk.basis_text, talk.recorded_by, at, sync_state],
    )  # fmt: skip


def talks(db: Database, month: str | None = None) -> list[Talk]:
    """The stored talks (of one month when given), in the order they were held."""
    where, params = ("WHERE month = ?", [month]) if month else ("", [])
    rows = db.execute(
        "SELECT id, month, held_on, person, unit, street, reason, basis, basis_ref, basis_text, recorded_by, "
        f"recorded_at FROM talks {where} ORDER BY held_on, id",
        params,
    ).fetchall()
    return [
        Talk(row[0], row[1], date.fromisoformat(row[2]), row[3], row[4], row[5], row[6], row[7], row[8], row[9],
             row[10], parse_iso(row[11]))
        for row in rows
    ]  # fmt: skip


def sync_state(db: Database, talk_id: str) -> str | None:
    row = db.execute("SELECT sync_state FROM talks WHERE id = ?", [talk_id]).fetchone()
    return None if row is None else str(row[0])


def on_applied(db: Database, entry: OutboxEntry, result: Mapping[str, Any]) -> None:
    """The server stored the talk: take its record (its recording time and recorder) and mark it synced."""
    data = result.get("talk")
    if isinstance(data, Mapping):
        on_pulled(db, data)
    db.execute("UPDATE talks SET sync_state = 'synced' WHERE id = ?", [entry.entity_id])


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The server refused the talk (kept as a conflict record): the talk shows 'conflict'."""
    db.execute("UPDATE talks SET sync_state = 'conflict' WHERE id = ?", [entry.entity_id])


def on_pulled(db: Database, data: Mapping[str, Any]) -> bool:
    """The feed (or an applied answer) brought a talk: keep it as the server has it."""
    talk = check_talk(
        Talk(
            talk_id=str(data["talk_id"]),
            month=str(data["month"]),
            held_on=date.fromisoformat(str(data["held_on"])),
            person=str(data["person"]),
            unit=str(data.get("unit") or ""),
            street=street_of(parse_code(str(data["jurisdiction"])).full),
            reason=str(data["reason"]),
            basis=str(data["basis"]),
            basis_ref=str(data.get("basis_ref") or ""),
            basis_text=str(data.get("basis_text") or ""),
            recorded_by=str(data.get("recorded_by") or ""),
        )
    )
    _write(db, talk, str(data.get("recorded_at") or now_iso()), "synced")
    name = data.get("recorded_by_name")
    if talk.recorded_by and isinstance(name, str) and name:
        people.save(db, {talk.recorded_by: name})  # the 通报 names who recorded it
    return True
