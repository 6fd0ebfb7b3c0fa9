"""Schema step 0012 (the "1+10" visit's lists): a release database and one made by the code before the step keep every
inspection as a one-list inspection with its own score, every answer under its list, the same submit payload; a draft
made before the step is answered and finished as before."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from store_samples import COMMUNITY, TEST_CHECKLIST

from inspector.store import checklists, inspections, subjects
from inspector.store.database import DB_FILENAME, open_data_folder, schema_version
from inspector.store.errors import InvalidRecordError
from inspector.store.schema import STEPS

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-client.sqlite"
BEFORE = [step for step in STEPS if step[0] != "0012_visit_lists"]


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_a_release_database_keeps_each_inspection_as_one_list(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    shutil.copyfile(RELEASE, root / DB_FILENAME)
    before = _rows(
        RELEASE, "SELECT id, checklist_id, checklist_version, score, max_score, passed, outcome FROM inspections"
    )
    answers = _rows(RELEASE, "SELECT inspection_id, item_id, result, value, occurrences, note FROM responses")
    db = open_data_folder(root).connect()
    try:
        assert schema_version(db) == len(STEPS) and before and answers
        for inspection_id, checklist_id, version, score, maximum, passed, outcome in before:
            (kept,) = inspections.lists(db, str(inspection_id))
            expected = (0, checklist_id, version, score, maximum, None if passed is None else bool(passed), outcome)
            assert (kept.position, kept.checklist_id, kept.checklist_version, kept.score, kept.max_score,
                    kept.passed, kept.outcome) == expected  # fmt: skip
            payload = inspections.submit_payload(db, inspections.get(db, str(inspection_id)))
            assert "lists" not in payload and payload["checklist_id"] == checklist_id
        after = db.execute("SELECT inspection_id, item_id, result, value, occurrences, note FROM responses").fetchall()
        assert sorted(after) == sorted(answers)
        owners = db.execute(
            "SELECT count(*) FROM responses r JOIN inspections i ON i.id = r.inspection_id "
            "WHERE r.checklist_id IS NOT i.checklist_id"
        ).fetchone()[0]
        assert owners == 0
    finally:
        db.close()


def test_a_draft_made_before_the_step_is_answered_and_finished_as_before(tmp_path: Path) -> None:
    older = open_data_folder(tmp_path / "data", BEFORE)
    db = older.connect()
    checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")
    subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-1")
    db.execute(
        "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, inspector_id, "
        "status, started_at, updated_at) VALUES ('old-1', 'test-street', '1.0', ?, ?, 'u-inspector', 'draft', ?, ?)",
        [subject.id, COMMUNITY, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    )
    db.execute(
        "INSERT INTO responses (inspection_id, item_id, result, value, occurrences, note, updated_at) "
        "VALUES ('old-1', 'T-01', 'fail', NULL, 2, '堆物', '2026-01-01T00:00:00.000Z')"
    )
    db.close()

    db = open_data_folder(tmp_path / "data").connect()
    try:
        assert schema_version(db) == len(STEPS)
        assert [entry.key for entry in inspections.lists(db, "old-1")] == ["test-street@1.0"]
        assert inspections.responses(db, "old-1")["T-01"].occurrences == 2
        with pytest.raises(InvalidRecordError):
            inspections.set_response(db, "old-1", "NO-SUCH", "pass")
        inspections.set_response(db, "old-1", "T-02", "pass")
        finished = inspections.finish(db, "old-1", allow_incomplete=True)
        (kept,) = inspections.lists(db, "old-1")
        assert (kept.score, kept.passed, kept.outcome) == (finished.score, finished.passed, finished.outcome)
        assert inspections.submit_payload(db, finished)["responses"].keys() == {"T-01", "T-02"}
    finally:
        db.close()


def test_a_visit_refuses_a_list_twice_or_lists_sharing_item_ids(tmp_path: Path) -> None:
    db = open_data_folder(tmp_path / "data").connect()
    try:
        checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")
        checklists.cache_text(db, TEST_CHECKLIST.replace('version: "1.0"', 'version: "1.1"'), "t.yaml", "shipped")
        other = TEST_CHECKLIST.replace("\nid: test-street\n", "\nid: test-other\n")
        checklists.cache_text(db, other, "test-other.yaml", "shipped")
        subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-1")
        common = {"checklist_id": "test-street", "checklist_version": "1.0", "subject_id": subject.id}
        with pytest.raises(InvalidRecordError, match="twice"):
            inspections.start(db, **common, inspector_id="u", area_lists=[("test-street", "1.1")])
        with pytest.raises(InvalidRecordError, match="share item ids"):
            inspections.start(db, **common, inspector_id="u", area_lists=[("test-other", "1.0")])
        assert db.execute("SELECT count(*) FROM inspections").fetchone()[0] == 0
    finally:
        db.close()
