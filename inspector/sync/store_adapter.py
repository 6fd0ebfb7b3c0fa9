"""Store functions the sync engine needs that `inspector/store` does not offer yet (kept here until it does).

Each is a small query over the client schema, written so it can move into the store unchanged: the photos queued
changes name, and keeping subjects and inspections the server sends.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.jurisdiction import parse_code
from inspector.store import jsonutil

PHOTO_FIELDS = ("photos", "after_photos")


def photo_hashes(kind: str, payload: Mapping[str, Any]) -> set[str]:
    """Every photo hash a change payload (or a feed record) names: top-level, per response, and inside a command."""
    found: set[str] = set()
    bodies: list[Mapping[str, Any]] = [payload]
    inner = payload.get("payload")
    if isinstance(inner, Mapping):
        bodies.append(inner)
    responses = payload.get("responses")
    if isinstance(responses, Mapping):
        bodies.extend(answer for answer in responses.values() if isinstance(answer, Mapping))
    for body in bodies:
        for name in PHOTO_FIELDS:
            value = body.get(name)
            if isinstance(value, list):
                found.update(item for item in value if isinstance(item, str))
    return found


def outbox_photo_hashes(db: Database) -> set[str]:
    """Hashes of the photos that queued changes reference."""
    found: set[str] = set()
    for kind, payload in db.execute("SELECT kind, payload FROM outbox"):
        found |= photo_hashes(kind, jsonutil.loads(payload, {}))
    return found


def uploaded_hashes(db: Database, hashes: Iterable[str]) -> set[str]:
    """Which of these photos this client already knows to be on the server."""
    wanted = sorted(set(hashes))
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ", ".join("?" for _ in part)
        known |= {
            row[0] for row in db.execute(f"SELECT sha256 FROM photos WHERE uploaded = 1 AND sha256 IN ({marks})", part)
        }
    return known


def local_photo_hashes(db: Database, hashes: Iterable[str]) -> set[str]:
    """Which of these photos are stored on this client."""
    wanted = sorted(set(hashes))
    known: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        marks = ", ".join("?" for _ in part)
        known |= {row[0] for row in db.execute(f"SELECT sha256 FROM photos WHERE sha256 IN ({marks})", part)}
    return known


def has_queued_changes(db: Database, entity_id: str, kind_prefix: str) -> bool:
    """True while local changes of this record wait in the outbox (pulled data must not overwrite them)."""
    row = db.execute(
        "SELECT 1 FROM outbox WHERE entity_id = ? AND kind LIKE ? LIMIT 1", [entity_id, kind_prefix + "%"]
    ).fetchone()
    return row is not None


def _has_open_conflict(db: Database, entity_id: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM conflicts WHERE entity_id = ? AND resolved_at IS NULL LIMIT 1", [entity_id]
    ).fetchone()
    return row is not None


def save_server_subject(db: Database, data: Mapping[str, Any]) -> bool:
    """Keep a subject as the server has it, unless local edits of it are still queued. Returns True when stored."""
    subject_id = str(data["id"])
    if has_queued_changes(db, subject_id, "subject."):
        return False
    details = dict(data.get("details") or {})
    responsible_person = details.pop("responsible_person", None)
    phone = details.pop("phone", None)
    location = data.get("location") or {}
    jurisdiction = data.get("jurisdiction")
    columns = {
        "kind": str(data["kind"]),
        "code": data.get("code"),
        "name": str(data["name"]),
        "address": data.get("address"),
        "jurisdiction": parse_code(str(jurisdiction)).full if jurisdiction else None,
        "responsible_person": None if responsible_person is None else str(responsible_person),
        "phone": None if phone is None else str(phone),
        "extra": jsonutil.dumps(details),
        "location_lat": location.get("lat") if isinstance(location, Mapping) else None,
        "location_lon": location.get("lon") if isinstance(location, Mapping) else None,
        "active": int(bool(data.get("active", True))),
        "version": int(data.get("version") or 1),
        "sync_state": "conflict" if _has_open_conflict(db, subject_id) else "synced",
    }
    at = now_iso()
    names = ", ".join(columns)
    updates = ", ".join(f"{name} = excluded.{name}" for name in columns)
    db.execute(
        f"INSERT INTO subjects (id, {names}, created_at, updated_at) VALUES (?, {', '.join('?' for _ in columns)}, "
        f"?, ?) ON CONFLICT (id) DO UPDATE SET {updates}, updated_at = excluded.updated_at",
        [subject_id, *columns.values(), str(data.get("created_at") or at), at],
    )
    return True


def save_server_inspection(db: Database, data: Mapping[str, Any]) -> bool:
    """Keep a submitted inspection from the server (immutable: an inspection already here is left as it is).

    Needs its subject and checklist version on this client; returns False when it could not be stored.
    """
    inspection_id = str(data["id"])
    if db.execute("SELECT 1 FROM inspections WHERE id = ?", [inspection_id]).fetchone() is not None:
        return True
    subject_id = data.get("subject_id")
    if not subject_id or db.execute("SELECT 1 FROM subjects WHERE id = ?", [subject_id]).fetchone() is None:
        return False
    checklist = [data.get("checklist_id"), data.get("checklist_version")]
    if db.execute("SELECT 1 FROM checklists WHERE id = ? AND version = ?", checklist).fetchone() is None:
        return False
    location = data.get("location") or {}
    passed = data.get("passed")
    at = now_iso()
    db.execute(
        "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, inspector_id, status, "
        "started_at, finished_at, location_lat, location_lon, location_accuracy_m, notes, score, max_score, passed, "
        "outcome, updated_at, sync_state) VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "'synced')",
        [
            inspection_id,
            *checklist,
            subject_id,
            data.get("jurisdiction"),
            str(data.get("inspector_id") or ""),
            data.get("started_at") or data.get("finished_at") or data.get("submitted_at") or at,
            data.get("finished_at"),
            location.get("lat"),
            location.get("lon"),
            location.get("accuracy_m"),
            str(data.get("notes") or ""),
            data.get("score"),
            data.get("max_score"),
            None if passed is None else int(bool(passed)),
            data.get("outcome"),
            at,
        ],
    )
    _save_responses(db, inspection_id, data.get("responses") or {}, at)
    _link_inspection_photos(db, inspection_id, data, at)
    return True


def _save_responses(db: Database, inspection_id: str, responses: Mapping[str, Any], at: str) -> None:
    for item_id, answer in responses.items():
        if not isinstance(answer, Mapping):
            continue
        db.execute(
            "INSERT OR REPLACE INTO responses (inspection_id, item_id, result, value, occurrences, note, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                inspection_id,
                str(item_id),
                answer.get("result"),
                jsonutil.dumps(answer.get("value")),  # stored as JSON text, as the store does
                max(1, int(answer.get("occurrences") or 1)),
                str(answer.get("note") or ""),
                at,
            ],
        )


def _link_inspection_photos(db: Database, inspection_id: str, data: Mapping[str, Any], at: str) -> None:
    groups: list[tuple[str, Any]] = [("", data.get("photos"))]
    responses = data.get("responses") or {}
    groups += [(str(item), answer.get("photos")) for item, answer in responses.items() if isinstance(answer, Mapping)]
    for item_id, hashes in groups:
        present = local_photo_hashes(db, [sha for sha in hashes or [] if isinstance(sha, str)])
        for sha in sorted(present):
            db.execute(
                "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
                "VALUES (?, 'inspection', ?, ?, 'evidence', ?)",
                [sha, inspection_id, item_id, at],
            )


def count_open_conflicts(db: Database) -> dict[str, int]:
    """Undecided refused changes by status (`conflict`, `rejected`)."""
    rows = db.execute("SELECT status, count(*) FROM conflicts WHERE resolved_at IS NULL GROUP BY status")
    return {str(status): int(count) for status, count in rows}


def count_retry_later(db: Database) -> int:
    """Queued changes the server asked to send again later."""
    return int(db.execute("SELECT count(*) FROM outbox WHERE state = 'retry_later'").fetchone()[0])
