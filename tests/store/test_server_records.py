"""Records the server sends, kept by the store: subjects (never over queued local edits), submitted inspections
(immutable), and the photo and conflict questions the sync engine asks of the client database."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database
from store_samples import COMMUNITY, jpeg_bytes

from inspector.core.ids import new_id
from inspector.core.protocol import photo_hashes
from inspector.store import conflicts, inspections, outbox, photos, server_answers, subjects
from inspector.store.database import DataFolder, transaction

SHA_A = "a" * 64
SHA_B = "b" * 64


def server_subject(subject_id: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": subject_id,
        "kind": "back_street",
        "code": "CY-SLT-BS-0101",
        "name": "幸福一村三巷",
        "address": "朝阳区三里屯街道幸福一村",
        "jurisdiction": COMMUNITY,
        "details": {"responsible_person": "李巷长", "phone": "010-65001111", "extent": "全长 180 米"},
        "location": {"lat": 39.94, "lon": 116.44},
        "active": True,
        "version": 3,
        "created_at": "2026-11-01T02:00:00.000Z",
    }
    data.update(overrides)
    return data


def server_inspection(inspection_id: str, subject_id: str, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": inspection_id,
        "checklist_id": "test-street",
        "checklist_version": "1.0",
        "subject_id": subject_id,
        "jurisdiction": COMMUNITY,
        "inspector_id": "user-9",
        "started_at": "2026-11-20T01:00:00.000Z",
        "finished_at": "2026-11-20T01:30:00.000Z",
        "notes": "巷口堆物已清",
        "score": 90,
        "max_score": 100,
        "passed": True,
        "outcome": "达标",
        "photos": [],
        "responses": {
            "T-01": {"result": "fail", "value": None, "occurrences": 1, "note": "堆物", "photos": []},
            "T-03": {"result": None, "value": "王巷长", "occurrences": 1, "note": "", "photos": []},
        },
    }
    data.update(overrides)
    return data


def test_a_server_subject_is_kept_with_its_details_split_into_columns(db: Database) -> None:
    subject_id = new_id()
    assert subjects.on_pulled(db, server_subject(subject_id))
    kept = subjects.get(db, subject_id)
    assert (kept.name, kept.version, kept.sync_state) == ("幸福一村三巷", 3, "synced")
    assert (kept.responsible_person, kept.phone) == ("李巷长", "010-65001111")
    assert kept.extra == {"extent": "全长 180 米"}
    assert subjects.on_pulled(db, server_subject(subject_id, name="幸福一村三巷（东）", version=4))
    assert subjects.get(db, subject_id).name == "幸福一村三巷（东）"
    assert outbox.count_pending(db) == 0  # keeping what the server sent queues nothing


def test_a_server_subject_never_overwrites_a_local_edit_still_queued(db: Database) -> None:
    local = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-SLT-BS-0001")
    subjects.update(db, local.id, name="中纺街（改）")
    assert not subjects.on_pulled(db, server_subject(local.id, name="服务器上的名字"))
    assert subjects.get(db, local.id).name == "中纺街（改）"


def test_a_server_subject_with_an_undecided_refusal_stays_marked_as_a_conflict(db: Database) -> None:
    local = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-SLT-BS-0001")
    (entry,) = outbox.list_pending(db)
    server_answers.conflict(db, entry.change_id, "exists", "已存在", server_subject(local.id))
    assert conflicts.has_open(db, local.id)
    assert conflicts.count_open(db) == {"conflict": 1}
    assert subjects.on_pulled(db, server_subject(local.id))
    assert subjects.get(db, local.id).sync_state == "conflict"


def test_a_server_inspection_is_kept_once_with_its_answers_and_only_the_photos_stored_here(
    folder: DataFolder, db: Database, checklist: object
) -> None:
    subject_id = new_id()
    subjects.on_pulled(db, server_subject(subject_id))
    here = photos.store_photo_blob(folder, db, jpeg_bytes()).sha256
    inspection_id = new_id()
    data = server_inspection(inspection_id, subject_id, photos=[here, SHA_A])
    data["responses"]["T-01"]["photos"] = [SHA_B]
    assert inspections.on_pulled(db, data)
    kept = inspections.get(db, inspection_id)
    assert (kept.status, kept.score, kept.passed, kept.sync_state) == ("finished", 90, True, "synced")
    answers = inspections.responses(db, inspection_id)
    assert answers["T-01"].result == "fail" and answers["T-03"].value == "王巷长"
    linked = db.execute("SELECT photo_sha256 FROM photo_links WHERE owner_id = ?", [inspection_id]).fetchall()
    assert linked == [(here,)]  # the others are not on this client (yet)
    assert inspections.on_pulled(db, {**data, "notes": "改过的备注"})  # submitted inspections never change
    assert inspections.get(db, inspection_id).notes == "巷口堆物已清"


def test_a_server_inspection_waits_for_its_subject_and_checklist(db: Database, checklist: object) -> None:
    assert not inspections.on_pulled(db, server_inspection(new_id(), new_id()))
    subject_id = new_id()
    subjects.on_pulled(db, server_subject(subject_id))
    assert not inspections.on_pulled(db, server_inspection(new_id(), subject_id, checklist_version="9.9"))
    assert db.execute("SELECT count(*) FROM inspections").fetchone()[0] == 0


def test_the_photos_a_change_names_are_found_at_every_level() -> None:
    command = {"finding_id": "f", "payload": {"photos": [SHA_A], "after_photos": [SHA_B, 7]}}
    assert photo_hashes(command) == {SHA_A, SHA_B}
    inspection = {"photos": [SHA_A], "responses": {"T-01": {"photos": [SHA_B]}, "T-02": "not a mapping"}}
    assert photo_hashes(inspection) == {SHA_A, SHA_B}
    assert photo_hashes({"photos": "not a list"}) == set()


def test_queued_photos_and_which_of_them_are_here_or_uploaded(folder: DataFolder, db: Database) -> None:
    subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-SLT-BS-0001")
    stored = [photos.store_photo_blob(folder, db, jpeg_bytes(seed=seed)).sha256 for seed in range(3)]
    db.execute("UPDATE photos SET uploaded = 0")
    photos.mark_uploaded(db, stored[:1])
    with transaction(db):
        outbox.enqueue(db, "subject.update", subject.id, {"subject_id": subject.id, "photos": [*stored, SHA_A]})
    queued = outbox.queued_photo_hashes(db)
    assert queued == {*stored, SHA_A}
    assert photos.stored_among(db, queued) == set(stored)
    assert photos.uploaded_among(db, queued) == {stored[0]}
    many = [f"{index:064x}" for index in range(1200)] + stored  # asked in chunks
    assert photos.stored_among(db, many) == set(stored)
    assert outbox.has_queued(db, subject.id, "subject.") and not outbox.has_queued(db, subject.id, "ledger.")
