"""Demo data: shipped checklists, Chinese subjects in 朝阳区三里屯街道, generated photos, legal ledger histories."""

from __future__ import annotations

from pathlib import Path

import pytest

from inspector.__main__ import main
from inspector.core import ledger
from inspector.core.clock import utc_now
from inspector.paths import shipped_checklists_dir
from inspector.store import findings, inspections, outbox, photos, profile, subjects
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.seed import SeedError, seed_demo_data

pytestmark = pytest.mark.skipif(
    not list(shipped_checklists_dir().glob("*.yaml")), reason="the shipped checklists are not in this tree"
)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataFolder, object]:
    folder = open_data_folder(tmp_path_factory.mktemp("seed") / "data")
    report = seed_demo_data(folder, inspections=8, photos=10, random_seed=7)
    return folder, report


def test_subjects_are_chinese_and_inside_chaoyang(seeded) -> None:
    folder, report = seeded
    db = folder.connect()
    listed = subjects.list_subjects(db)
    db.close()
    assert report.subjects == len(listed) >= 30
    assert {s.kind for s in listed} == {"back_street", "street_front_unit", "site"}
    assert all(s.jurisdiction.startswith("110105004") for s in listed)
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in s.name) for s in listed)
    assert all(s.address and s.address.startswith("朝阳区") for s in listed)
    assert all(s.sync_state == "pending" for s in listed)  # made on this laptop: sent on the first sync


def test_inspections_use_the_shipped_checklists_and_are_scored(seeded) -> None:
    folder, report = seeded
    shipped = {path.stem for path in shipped_checklists_dir().glob("*.yaml")}
    db = folder.connect()
    done = inspections.list_inspections(db, status="finished")
    assert len(done) == report.inspections == 8
    assert {i.checklist_id for i in done} <= shipped
    for inspection in done:
        answered = inspections.responses(db, inspection.id)
        checklist = inspections.checklist_of(db, inspection)
        assert set(answered) == {item.id for item in checklist.items}
        assert inspection.outcome in (checklist.scoring.pass_label, checklist.scoring.fail_label)
    waiting = {e.entity_id for e in outbox.list_pending(db) if e.kind == "inspection.submit"}
    assert len(waiting) == 2  # the two most recent are not synced yet
    [draft] = inspections.list_inspections(db, status="draft")  # 工作台 opens with an inspection under way
    assert draft.inspector_id == profile.user_id(db) and len(inspections.responses(db, draft.id)) == 3
    db.close()


def test_photos_went_through_the_pipeline(seeded) -> None:
    folder, report = seeded
    db = folder.connect()
    assert report.photos == 10
    assert db.execute("SELECT count(*) FROM photos").fetchone()[0] == 10
    assert photos.check_photo_files(folder, db) == []
    assert (
        db.execute("SELECT count(*) FROM photos WHERE taken_at IS NOT NULL AND gps_lat IS NOT NULL").fetchone()[0] == 10
    )
    assert db.execute("SELECT count(*) FROM photo_links").fetchone()[0] > 0
    db.close()
    assert list(folder.tmp_dir.iterdir()) == []


def test_findings_cover_every_ledger_state_with_legal_histories(seeded) -> None:
    folder, report = seeded
    db = folder.connect()
    every = findings.list_findings(db)
    assert {f.view.state.value for f in every} == {state.value for state in ledger.State}
    assert sum(report.findings_by_state.values()) == len(every)
    assert any(f.is_overdue(utc_now()) for f in every)
    assert any(f.view.escalation is not None for f in every)
    assert any(f.view.ledger_number and f.view.ledger_number.startswith("朝阳-三里屯-") for f in every)
    assert any(f.has_pending for f in every) and any(not f.has_pending for f in every)
    from_items = [f for f in every if f.inspection_id and f.confirmed is not None]
    assert from_items and all(f.item_id for f in from_items)  # synced findings raised from failed items
    replayed = 0
    for finding in every:
        server_events = [e.event for e in findings.events(db, finding.id) if e.origin == "server"]
        if server_events:
            assert ledger.project(server_events) == finding.confirmed  # the stored history replays to the state
            replayed += 1
    assert replayed >= 10
    db.close()


def test_seeding_a_folder_that_holds_data_is_refused(seeded) -> None:
    folder, _ = seeded
    with pytest.raises(SeedError, match="already holds records"):
        seed_demo_data(folder, inspections=1, photos=0)


def test_the_cli_seeds_an_empty_folder(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--data-dir", str(tmp_path / "d"), "seed", "--inspections", "2", "--photos", "2"]) == 0
    out = capsys.readouterr().out
    assert "2 inspections" in out and "2 photos" in out
    assert main(["--data-dir", str(tmp_path / "d"), "seed", "--inspections", "1"]) == 1
    assert "already holds records" in capsys.readouterr().err
