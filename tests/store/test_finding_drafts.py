"""The findings a draft inspection prepares before they are reported: kept per item, refused once the inspection is
finished, gone with a discarded draft, and carried over from the settings rows older versions kept them in."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY, TEST_CHECKLIST, put_stored_setting

from inspector.store import checklists, inspections, jsonutil, subjects
from inspector.store.database import DataFolder, open_data_folder, schema_version
from inspector.store.errors import InspectionFinishedError
from inspector.store.inspections import FindingDraft
from inspector.store.schema import STEPS

SHED = FindingDraft("院门外私建棚子", "私搭乱建", "general", 15)
CARS = FindingDraft("人行道停放车辆", "乱停车", "major", None, create=False)


def new_draft(db: Database) -> inspections.Inspection:
    subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-SLT-BS-0001")
    return inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=subject.id, inspector_id="u-inspector"
    )


def test_a_drafts_prepared_findings_are_kept_per_item_and_can_be_changed_or_dropped(
    db: Database, checklist: object
) -> None:
    draft = new_draft(db)
    inspections.save_finding_draft(db, draft.id, "T-01", SHED)
    inspections.save_finding_draft(db, draft.id, "T-02", CARS)
    assert inspections.finding_drafts(db, draft.id) == {"T-01": SHED, "T-02": CARS}
    changed = FindingDraft("院门外私建棚子两处", "私搭乱建", "major", 7)
    inspections.save_finding_draft(db, draft.id, "T-01", changed)
    inspections.save_finding_draft(db, draft.id, "T-02", None)
    assert inspections.finding_drafts(db, draft.id) == {"T-01": changed}
    inspections.forget_finding_drafts(db, draft.id)
    assert inspections.finding_drafts(db, draft.id) == {}


def test_a_finished_inspection_takes_no_prepared_finding_and_a_discarded_one_leaves_none(
    db: Database, checklist: object
) -> None:
    finished = new_draft(db)
    inspections.finish(db, finished.id, allow_incomplete=True)
    with pytest.raises(InspectionFinishedError):
        inspections.save_finding_draft(db, finished.id, "T-01", SHED)
    discarded = new_draft(db)
    inspections.save_finding_draft(db, discarded.id, "T-01", SHED)
    inspections.discard_draft(db, discarded.id)
    assert db.execute("SELECT count(*) FROM finding_drafts").fetchone()[0] == 0


def old_draft(db: Database, number: int, status: str = "draft") -> str:
    """An inspection as the first schema holds it (the store of today writes later columns)."""
    subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code=f"CY-{number}")
    inspection_id = f"old-{number}"
    db.execute(
        "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, inspector_id, "
        "status, started_at, updated_at) VALUES (?, 'test-street', '1.0', ?, ?, 'u-inspector', ?, ?, ?)",
        [inspection_id, subject.id, COMMUNITY, status, "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:00.000Z"],
    )
    return inspection_id


def test_drafts_kept_in_settings_by_older_versions_move_into_their_table(tmp_path: Path) -> None:
    older = open_data_folder(tmp_path / "data", STEPS[:3])
    db = older.connect()
    checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")
    kept_id, finished_id = old_draft(db, 1), old_draft(db, 2, status="finished")
    old = {
        "T-01": {"description": "院门外私建棚子", "category": "私搭乱建", "severity": "general", "deadline_days": 15},
        "T-02": {"description": "人行道停放车辆", "category": "乱停车", "severity": "major", "create": False},
        "T-03": "not a draft",
    }
    for inspection_id in (kept_id, finished_id, "gone-inspection"):
        put_stored_setting(db, f"ui.finding_drafts.{inspection_id}", jsonutil.dumps(old))
    put_stored_setting(db, "ui.finding_drafts.broken", "{not json")
    db.close()

    current: DataFolder = open_data_folder(tmp_path / "data")
    db = current.connect()
    assert schema_version(db) == len(STEPS)
    assert inspections.finding_drafts(db, kept_id) == {"T-01": SHED, "T-02": CARS}
    assert db.execute("SELECT count(*) FROM finding_drafts").fetchone()[0] == 2  # only the draft's
    left = db.execute("SELECT count(*) FROM settings WHERE key LIKE 'ui.finding_drafts.%'").fetchone()[0]
    assert left == 0
    db.close()
