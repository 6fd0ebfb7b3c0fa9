"""Inspections (检查记录): a draft autosaved item by item, then finished, scored and queued as one immutable record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.core.checklist import Checklist
from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.ledger import Source
from inspector.core.levels import LEVEL_SOURCE, InspectionLevel, level_from_source
from inspector.core.protocol import ChangeKind
from inspector.core.scoring import RESULTS, Response, ScoreResult, score
from inspector.store import checklists, jsonutil, outbox, photos, photos_wanted, subjects, validate
from inspector.store.database import DataFolder, transaction
from inspector.store.errors import InspectionFinishedError, InvalidRecordError, RecordNotFoundError
from inspector.store.outbox import OutboxEntry


@dataclass(frozen=True)
class Inspection:
    """One inspection's row."""

    id: str
    checklist_id: str
    checklist_version: str
    subject_id: str
    jurisdiction: str | None
    inspector_id: str
    status: str
    started_at: str
    finished_at: str | None
    location_lat: float | None
    location_lon: float | None
    location_accuracy_m: float | None
    notes: str
    score: float | None
    max_score: float | None
    passed: bool | None
    outcome: str | None
    updated_at: str
    sync_state: str
    source: str = "patrol"  # 发现方式 of the findings it reports (inspector.core.ledger.Source)

    @property
    def is_draft(self) -> bool:
        return self.status == "draft"


@dataclass(frozen=True)
class StoredResponse:
    """One item's answer as stored."""

    item_id: str
    result: str | None
    value: float | str | None
    occurrences: int
    note: str
    updated_at: str

    def as_response(self) -> Response:
        """The scoring model's view of this answer."""
        return Response(result=self.result, value=self.value, occurrences=self.occurrences)


def start(
    db: Database,
    *,
    checklist_id: str,
    checklist_version: str,
    subject_id: str,
    inspector_id: str,
    location: tuple[float, float] | None = None,
    location_accuracy_m: float | None = None,
    inspection_id: str | None = None,
    started_at: str | None = None,
    source: str = "patrol",
) -> Inspection:
    """Open a draft inspection of a subject with a pinned checklist version (drafts are local, not queued).

    started_at defaults to now (it is given when records are imported or generated); source is the 发现方式 its
    findings get (巡查 unless the inspection is, say, a 区级检查)."""
    checklists.get(db, checklist_id, checklist_version)
    subject = subjects.get(db, subject_id)
    inspector = validate.required_text(inspector_id, "检查人", "inspector")
    kind = _source(source)
    lat, lon = _location(location)
    new = inspection_id or new_id()
    at = started_at or now_iso()
    with transaction(db):
        db.execute(
            "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, inspector_id, "
            "status, started_at, location_lat, location_lon, location_accuracy_m, updated_at, source) "
            "VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)",
            [
                new,
                checklist_id,
                checklist_version,
                subject.id,
                subject.jurisdiction,
                inspector,
                at,
                lat,
                lon,
                location_accuracy_m,
                at,
                kind,
            ],
        )
    return get(db, new)


def _source(source: str) -> str:
    if source not in {member.value for member in Source}:
        raise InvalidRecordError(f"未知的发现方式 {source!r}", f"unknown source (发现方式) {source!r}")
    return source


def set_source(db: Database, inspection_id: str, source: str) -> Inspection:
    """Change the 发现方式 of a draft inspection (its findings are reported with it)."""
    kind = _source(source)
    _draft(db, inspection_id)
    with transaction(db):
        db.execute("UPDATE inspections SET source = ?, updated_at = ? WHERE id = ?", [kind, now_iso(), inspection_id])
    return get(db, inspection_id)


def _location(location: tuple[float, float] | None) -> tuple[float | None, float | None]:
    if location is None:
        return None, None
    lat, lon = location
    return validate.coordinate(lat, 90, "纬度", "latitude"), validate.coordinate(lon, 180, "经度", "longitude")


def _inspection(row: dict[str, Any]) -> Inspection:
    passed = row["passed"]
    return Inspection(**{**row, "passed": None if passed is None else bool(passed)})


def get(db: Database, inspection_id: str) -> Inspection:
    """One inspection by id."""
    rows = list(db.query("SELECT * FROM inspections WHERE id = ?", [inspection_id]))
    if not rows:
        raise RecordNotFoundError("inspection", inspection_id)
    return _inspection(rows[0])


def _draft(db: Database, inspection_id: str) -> Inspection:
    inspection = get(db, inspection_id)
    if not inspection.is_draft:
        raise InspectionFinishedError(inspection_id)
    return inspection


def checklist_of(db: Database, inspection: Inspection) -> Checklist:
    """The checklist version the inspection is pinned to."""
    return checklists.get(db, inspection.checklist_id, inspection.checklist_version)


def set_response(
    db: Database,
    inspection_id: str,
    item_id: str,
    result: str | None,
    value: float | str | None = None,
    occurrences: int = 1,
    note: str = "",
) -> StoredResponse:
    """Save one item's answer of a draft (autosave: every click is one small transaction)."""
    with transaction(db):
        inspection = _draft(db, inspection_id)
        _check_item(checklist_of(db, inspection), item_id)
        _check_answer(result, value, occurrences)
        text = validate.optional_text(note, "备注", "note") or ""
        _write_response(db, inspection_id, item_id, result, value, occurrences, text, now_iso())
        _touch(db, inspection_id)
    return responses(db, inspection_id)[item_id]


def _write_response(
    db: Database, inspection_id: str, item_id: str, result: Any, value: Any, occurrences: int, note: str, at: str
) -> None:
    """Insert or replace one item's answer row (the value kept as JSON text)."""
    db.execute(
        "INSERT INTO responses (inspection_id, item_id, result, value, occurrences, note, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (inspection_id, item_id) DO UPDATE SET result = excluded.result, "
        "value = excluded.value, occurrences = excluded.occurrences, note = excluded.note, "
        "updated_at = excluded.updated_at",
        [inspection_id, item_id, result, jsonutil.dumps(value), occurrences, note, at],
    )


def _check_item(checklist: Checklist, item_id: str) -> None:
    try:
        checklist.item(item_id)
    except KeyError as exc:
        raise InvalidRecordError(
            f"检查表 {checklist.key} 中没有检查项 {item_id}", f"checklist {checklist.key} has no item {item_id!r}"
        ) from exc


def _check_answer(result: str | None, value: Any, occurrences: int) -> None:
    if result is not None and result not in RESULTS:
        raise InvalidRecordError(
            f"检查结果 {result!r} 无效，应为 pass、fail、na", f"result {result!r} is not one of pass, fail, na"
        )
    if value is not None and (isinstance(value, bool) or not isinstance(value, int | float | str)):
        raise InvalidRecordError("填写值必须是数字或文本", "a value must be a number or a text")
    if isinstance(occurrences, bool) or not isinstance(occurrences, int) or occurrences < 1:
        raise InvalidRecordError("发现次数必须是不小于 1 的整数", "occurrences must be a whole number ≥ 1")


def clear_response(db: Database, inspection_id: str, item_id: str) -> None:
    """Remove one item's answer from a draft."""
    with transaction(db):
        _draft(db, inspection_id)
        db.execute("DELETE FROM responses WHERE inspection_id = ? AND item_id = ?", [inspection_id, item_id])
        _touch(db, inspection_id)


def set_notes(db: Database, inspection_id: str, notes: str) -> None:
    """Replace the free-text notes of a draft."""
    text = validate.optional_text(notes, "备注", "notes", 10_000) or ""
    with transaction(db):
        _draft(db, inspection_id)
        db.execute("UPDATE inspections SET notes = ? WHERE id = ?", [text, inspection_id])
        _touch(db, inspection_id)


def set_location(
    db: Database, inspection_id: str, location: tuple[float, float] | None, accuracy_m: float | None = None
) -> None:
    """Record where the draft inspection takes place."""
    lat, lon = _location(location)
    with transaction(db):
        _draft(db, inspection_id)
        db.execute(
            "UPDATE inspections SET location_lat = ?, location_lon = ?, location_accuracy_m = ? WHERE id = ?",
            [lat, lon, accuracy_m, inspection_id],
        )
        _touch(db, inspection_id)


def _touch(db: Database, inspection_id: str) -> None:
    db.execute("UPDATE inspections SET updated_at = ? WHERE id = ?", [now_iso(), inspection_id])


def add_photo(
    folder: DataFolder,
    db: Database,
    inspection_id: str,
    path: str,
    item_id: str = "",
    settings: photos.PhotoSettings = photos.DEFAULT_SETTINGS,
) -> photos.ImportResult:
    """Import a photo into a draft, attached to the inspection or to one of its items."""
    inspection = _draft(db, inspection_id)
    if item_id:
        _check_item(checklist_of(db, inspection), item_id)
    link = photos.PhotoLink("inspection", inspection_id, "evidence", item_id)
    return photos.import_photo(folder, db, path, link=link, settings=settings)


def remove_photo(db: Database, inspection_id: str, sha256: str, item_id: str = "") -> None:
    """Detach a photo from a draft or one of its items (the stored photo stays: photos are immutable)."""
    _draft(db, inspection_id)
    photos.unlink_photo(db, sha256, photos.PhotoLink("inspection", inspection_id, "evidence", item_id))


def item_photos(db: Database, inspection_id: str) -> dict[str, list[photos.Photo]]:
    """The photos of an inspection by item id ('' for photos of the whole inspection), oldest first."""
    rows = db.execute(
        "SELECT photo_sha256, item_id FROM photo_links WHERE owner_kind = 'inspection' AND owner_id = ? "
        "ORDER BY created_at, rowid",
        [inspection_id],
    ).fetchall()
    grouped: dict[str, list[photos.Photo]] = {}
    for sha, item_id in rows:
        grouped.setdefault(item_id, []).append(photos.get_photo(db, sha))
    return grouped


def responses(db: Database, inspection_id: str) -> dict[str, StoredResponse]:
    """Every answered item of an inspection, by item id."""
    rows = db.query(
        "SELECT item_id, result, value, occurrences, note, updated_at FROM responses WHERE inspection_id = ?",
        [inspection_id],
    )
    return {row["item_id"]: StoredResponse(**{**row, "value": jsonutil.loads(row["value"])}) for row in rows}


def current_score(db: Database, inspection_id: str) -> ScoreResult:
    """The live score of an inspection from its answers so far."""
    inspection = get(db, inspection_id)
    answers = {item: stored.as_response() for item, stored in responses(db, inspection_id).items()}
    return score(checklist_of(db, inspection), answers)


def finish(
    db: Database, inspection_id: str, allow_incomplete: bool = False, finished_at: str | None = None
) -> Inspection:
    """Finish a draft: score it, freeze it and queue `inspection.submit`, all in one transaction.

    Unanswered items are refused unless allow_incomplete is given (the outcome is then provisional).
    """
    at = finished_at or now_iso()
    with transaction(db):
        _draft(db, inspection_id)
        result = current_score(db, inspection_id)
        if result.unanswered and not allow_incomplete:
            count = len(result.unanswered)
            raise InvalidRecordError(
                f"还有 {count} 个检查项未填写：{', '.join(result.unanswered[:5])}",
                f"{count} item(s) are not answered yet: {', '.join(result.unanswered[:5])}",
            )
        db.execute(
            "UPDATE inspections SET status = 'finished', finished_at = ?, score = ?, max_score = ?, passed = ?, "
            "outcome = ?, updated_at = ?, sync_state = 'pending' WHERE id = ?",
            [at, result.score, result.max_score, int(result.passed), result.outcome, at, inspection_id],
        )
        finished = get(db, inspection_id)
        outbox.enqueue(db, ChangeKind.INSPECTION_SUBMIT, inspection_id, submit_payload(db, finished), at)
    return finished


def submit_payload(db: Database, inspection: Inspection) -> dict[str, Any]:
    """The `inspection.submit` payload of a finished inspection (protocol §5.3)."""
    hashes = {item: [photo.sha256 for photo in group] for item, group in item_photos(db, inspection.id).items()}
    answers = {
        item_id: {
            "result": stored.result,
            "value": stored.value,
            "occurrences": stored.occurrences,
            "note": stored.note,
            "photos": hashes.get(item_id, []),
        }
        for item_id, stored in responses(db, inspection.id).items()
    }
    location = None
    if inspection.location_lat is not None and inspection.location_lon is not None:
        location = {"lat": inspection.location_lat, "lon": inspection.location_lon}
        if inspection.location_accuracy_m is not None:
            location["accuracy_m"] = inspection.location_accuracy_m
    return {
        "inspection_id": inspection.id,
        "checklist_id": inspection.checklist_id,
        "checklist_version": inspection.checklist_version,
        "subject_id": inspection.subject_id,
        "jurisdiction": inspection.jurisdiction,
        "inspector_id": inspection.inspector_id,
        "started_at": inspection.started_at,
        "finished_at": inspection.finished_at,
        "location": location,
        "notes": inspection.notes,
        "responses": answers,
        "photos": hashes.get("", []),
        "score": inspection.score,
        "max_score": inspection.max_score,
        "outcome": inspection.outcome,
        "level": level_from_source(inspection.source).value,
    }


def discard_draft(db: Database, inspection_id: str) -> None:
    """Delete a draft the inspector abandons (never synced, so nothing else refers to it). Photos stay stored."""
    with transaction(db):
        _draft(db, inspection_id)
        db.execute("DELETE FROM photo_links WHERE owner_kind = 'inspection' AND owner_id = ?", [inspection_id])
        db.execute("DELETE FROM responses WHERE inspection_id = ?", [inspection_id])
        db.execute("DELETE FROM finding_drafts WHERE inspection_id = ?", [inspection_id])
        db.execute("UPDATE findings SET inspection_id = NULL WHERE inspection_id = ?", [inspection_id])
        db.execute("DELETE FROM inspections WHERE id = ?", [inspection_id])


# ---- the findings prepared in a draft ----


@dataclass(frozen=True)
class FindingDraft:
    """What the inspector set for the finding a failed item will report when the inspection is finished."""

    description: str
    category: str
    severity: str
    deadline_days: int | None = None
    create: bool = True  # for items whose finding is optional


def finding_drafts(db: Database, inspection_id: str) -> dict[str, FindingDraft]:
    """The prepared findings of a draft inspection, by item id."""
    rows = db.execute(
        "SELECT item_id, description, category, severity, deadline_days, create_finding FROM finding_drafts "
        "WHERE inspection_id = ? ORDER BY item_id",
        [inspection_id],
    ).fetchall()
    return {
        item: FindingDraft(text, category, grade, days, bool(create))
        for item, text, category, grade, days, create in rows
    }


def save_finding_draft(db: Database, inspection_id: str, item_id: str, draft: FindingDraft | None) -> None:
    """Keep (or with None forget) the prepared finding of one item of a draft inspection."""
    with transaction(db):
        _draft(db, inspection_id)
        if draft is None:
            db.execute("DELETE FROM finding_drafts WHERE inspection_id = ? AND item_id = ?", [inspection_id, item_id])
            return
        db.execute(
            "INSERT OR REPLACE INTO finding_drafts (inspection_id, item_id, description, category, severity, "
            "deadline_days, create_finding, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                inspection_id,
                item_id,
                draft.description,
                draft.category,
                draft.severity,
                draft.deadline_days,
                int(draft.create),
                now_iso(),
            ],
        )


def forget_finding_drafts(db: Database, inspection_id: str) -> None:
    """Drop every prepared finding of an inspection (once its findings are reported)."""
    db.execute("DELETE FROM finding_drafts WHERE inspection_id = ?", [inspection_id])


def list_inspections(
    db: Database, status: str | None = None, subject_id: str | None = None, limit: int = 500
) -> list[Inspection]:
    """Inspections, most recently changed first, optionally by status (draft/finished) and subject."""
    clauses, params = [], []
    if status is not None:
        clauses.append("status = ?")
        params.append(status)
    if subject_id is not None:
        clauses.append("subject_id = ?")
        params.append(subject_id)
    where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = db.query(f"SELECT * FROM inspections {where} ORDER BY updated_at DESC LIMIT ?", [*params, limit])
    return [_inspection(row) for row in rows]


def on_applied(db: Database, entry: OutboxEntry, result: Mapping[str, Any]) -> None:
    """The server applied the submit: the inspection is synced."""
    db.execute("UPDATE inspections SET sync_state = 'synced' WHERE id = ?", [entry.entity_id])


def on_refused(db: Database, entry: OutboxEntry, status: str, reason: str) -> None:
    """The server refused the submit (kept as a conflict record): the inspection shows 'conflict'."""
    db.execute("UPDATE inspections SET sync_state = 'conflict' WHERE id = ?", [entry.entity_id])


def on_pulled(db: Database, data: Mapping[str, Any]) -> bool:
    """The feed brought a submitted inspection: keep it (immutable: an inspection already here is left as it is).

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
        "outcome, updated_at, sync_state, source) VALUES (?, ?, ?, ?, ?, ?, 'finished', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, 'synced', ?)",
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
            _pulled_source(data.get("level")),
        ],
    )
    _keep_server_responses(db, inspection_id, data.get("responses") or {}, at)
    _link_server_photos(db, inspection_id, data, at)
    return True


def _pulled_source(level: Any) -> str:
    """The 发现方式 a pulled inspection's findings get, from its level (巡查 when it names none)."""
    try:
        return LEVEL_SOURCE[InspectionLevel(str(level))].value
    except ValueError:
        return Source.PATROL.value


def _keep_server_responses(db: Database, inspection_id: str, responses: Mapping[str, Any], at: str) -> None:
    for item_id, answer in responses.items():
        if not isinstance(answer, Mapping):
            continue
        result, value = answer.get("result"), answer.get("value")
        occurrences = max(1, int(answer.get("occurrences") or 1))
        _write_response(db, inspection_id, str(item_id), result, value, occurrences, str(answer.get("note") or ""), at)


def _link_server_photos(db: Database, inspection_id: str, data: Mapping[str, Any], at: str) -> None:
    groups: list[tuple[str, Any]] = [("", data.get("photos"))]
    responses = data.get("responses") or {}
    groups += [(str(item), answer.get("photos")) for item, answer in responses.items() if isinstance(answer, Mapping)]
    for item_id, hashes in groups:
        named = [sha for sha in hashes or [] if isinstance(sha, str)]
        present = photos.stored_among(db, named)
        absent = [sha for sha in named if sha not in present]
        photos_wanted.want(db, [(sha, "inspection", inspection_id, item_id, "evidence") for sha in absent], at)
        for sha in sorted(present):
            db.execute(
                "INSERT OR IGNORE INTO photo_links (photo_sha256, owner_kind, owner_id, item_id, role, created_at) "
                "VALUES (?, 'inspection', ?, ?, 'evidence', ?)",
                [sha, inspection_id, item_id, at],
            )
