"""Subjects, inspections, jurisdictions and cursors: each change and its outbox entry commit together or not at all."""

from __future__ import annotations

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY, STREET, TEST_CHECKLIST, jpeg_bytes

from inspector.store import checklists, cursors, inspections, jurisdictions, outbox, server_answers, subjects
from inspector.store.database import DataFolder
from inspector.store.errors import InspectionFinishedError, InvalidRecordError, RecordNotFoundError


def make_subject(db: Database, **overrides: object) -> subjects.Subject:
    fields: dict[str, object] = {
        "kind": "back_street",
        "name": "中纺街",
        "jurisdiction": COMMUNITY,
        "code": "CY-SLT-BS-0001",
        "address": "朝阳区三里屯街道中纺街",
        "responsible_person": "王街长",
        "phone": "010-65000000",
        "extra": {"extent": "工体北路至幸福一村"},
        "location": (39.93, 116.45),
    }
    fields.update(overrides)
    return subjects.create(db, **fields)  # type: ignore[arg-type]


def test_creating_a_subject_queues_subject_create_in_the_same_transaction(db: Database) -> None:
    subject = make_subject(db)
    assert subject.version == 1 and subject.sync_state == "pending"
    [entry] = outbox.list_pending(db)
    assert entry.kind == "subject.create" and entry.entity_id == subject.id
    assert entry.payload == {
        "subject_id": subject.id,
        "kind": "back_street",
        "name": "中纺街",
        "jurisdiction": COMMUNITY,
        "code": "CY-SLT-BS-0001",
        "address": "朝阳区三里屯街道中纺街",
        "location": {"lat": 39.93, "lon": 116.45},
        "details": {"extent": "工体北路至幸福一村", "responsible_person": "王街长", "phone": "010-65000000"},
    }
    assert entry.to_wire()["change_id"] == entry.change_id


def test_a_failing_outbox_write_leaves_no_subject_behind(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> str:
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "enqueue", broken)
    with pytest.raises(OSError):
        make_subject(db)
    assert db.execute("SELECT count(*) FROM subjects").fetchone()[0] == 0


def test_updates_carry_the_version_they_edit_and_count_up(db: Database) -> None:
    subject = make_subject(db)
    subjects.update(db, subject.id, name="中纺街（东段）")
    updated = subjects.update(db, subject.id, phone="13800000000")
    assert updated.version == 3 and updated.name == "中纺街（东段）"
    _, first, second = outbox.list_pending(db)
    assert first.payload == {"subject_id": subject.id, "base_version": 1, "fields": {"name": "中纺街（东段）"}}
    assert second.payload["base_version"] == 2
    assert second.payload["fields"] == {
        "details": {"extent": "工体北路至幸福一村", "responsible_person": "王街长", "phone": "13800000000"}
    }


def test_the_servers_answers_settle_a_subjects_sync_state(db: Database) -> None:
    subject = make_subject(db)
    update = subjects.update(db, subject.id, address="中纺街1号")
    create_entry, update_entry = outbox.list_pending(db)
    server_answers.acknowledge(db, create_entry.change_id, {"subject": {"version": 1}})
    assert subjects.get(db, subject.id).sync_state == "pending"  # the update still waits
    server_answers.acknowledge(db, update_entry.change_id, {"subject": {"version": update.version}})
    assert subjects.get(db, subject.id).sync_state == "synced"
    assert outbox.count_pending(db) == 0


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"kind": "shop"}, "subject kind"),
        ({"name": "  "}, "name is required"),
        ({"jurisdiction": "12345"}, "jurisdiction code"),
        ({"jurisdiction": None}, "jurisdiction code is required"),
        ({"location": (95.0, 116.0)}, "latitude"),
        ({"extra": {"bad": object()}}, "JSON"),
        ({"phone": "1" * 80}, "at most 50"),
    ],
)
def test_invalid_subjects_are_refused_with_clear_messages(db: Database, overrides: dict, fragment: str) -> None:
    with pytest.raises(InvalidRecordError, match=fragment):
        make_subject(db, **overrides)
    assert outbox.count_pending(db) == 0


def test_subjects_are_found_by_code_kind_area_and_text(db: Database) -> None:
    street = make_subject(db)
    shop = make_subject(db, kind="street_front_unit", name="幸福餐厅", code="CY-0002", jurisdiction=STREET)
    assert [s.id for s in subjects.find_by_code(db, "CY-0002")] == [shop.id]
    assert [s.id for s in subjects.list_subjects(db, kind="back_street")] == [street.id]
    assert {s.id for s in subjects.list_subjects(db, jurisdiction="110105004")} == {street.id, shop.id}
    assert [s.id for s in subjects.list_subjects(db, jurisdiction=COMMUNITY)] == [street.id]
    assert [s.id for s in subjects.list_subjects(db, search="餐厅")] == [shop.id]
    with pytest.raises(RecordNotFoundError):
        subjects.get(db, "nope")


def start_inspection(db: Database, checklist: object) -> inspections.Inspection:
    subject = make_subject(db)
    return inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=subject.id, inspector_id="u-inspector"
    )


def test_an_inspection_is_a_draft_until_finished_and_then_queued_whole(
    folder: DataFolder, db: Database, checklist: object, tmp_path
) -> None:
    draft = start_inspection(db, checklist)
    assert draft.is_draft and draft.jurisdiction == COMMUNITY
    assert [e.kind for e in outbox.list_pending(db)] == ["subject.create"]  # drafts are not queued
    inspections.set_response(db, draft.id, "T-01", "fail", occurrences=2, note="院门外私建棚子")
    inspections.set_response(db, draft.id, "T-02", "pass")
    inspections.set_response(db, draft.id, "T-02", "na")  # autosave overwrites
    inspections.set_response(db, draft.id, "T-03", None, value="王街长")
    inspections.set_notes(db, draft.id, "雨天检查")
    inspections.set_location(db, draft.id, (39.931, 116.452), 8.0)
    photo_path = tmp_path / "shed.jpg"
    photo_path.write_bytes(jpeg_bytes((320, 240)))
    photo = inspections.add_photo(folder, db, draft.id, str(photo_path), item_id="T-01").photo
    spare_path = tmp_path / "spare.jpg"
    spare_path.write_bytes(jpeg_bytes((320, 240), seed=5))
    spare = inspections.add_photo(folder, db, draft.id, str(spare_path)).photo
    assert {item: [p.sha256 for p in group] for item, group in inspections.item_photos(db, draft.id).items()} == {
        "T-01": [photo.sha256],
        "": [spare.sha256],
    }
    inspections.remove_photo(db, draft.id, spare.sha256)
    assert list(inspections.item_photos(db, draft.id)) == ["T-01"]
    live = inspections.current_score(db, draft.id)
    assert live.score == 80 and live.outcome == "不达标"

    done = inspections.finish(db, draft.id)
    assert done.status == "finished" and done.score == 80 and done.passed is False and done.outcome == "不达标"
    assert done.sync_state == "pending"
    submit = outbox.list_pending(db)[-1]
    assert submit.kind == "inspection.submit"
    payload = submit.payload
    assert payload["inspection_id"] == draft.id
    assert (payload["checklist_id"], payload["checklist_version"]) == ("test-street", "1.0")
    assert payload["location"] == {"lat": 39.931, "lon": 116.452, "accuracy_m": 8.0}
    assert payload["responses"]["T-01"] == {
        "result": "fail",
        "value": None,
        "occurrences": 2,
        "note": "院门外私建棚子",
        "photos": [photo.sha256],
    }
    assert payload["responses"]["T-02"]["result"] == "na"
    assert payload["responses"]["T-03"]["value"] == "王街长"
    assert payload["photos"] == [] and payload["score"] == 80 and payload["outcome"] == "不达标"
    assert payload["notes"] == "雨天检查"

    with pytest.raises(InspectionFinishedError):
        inspections.set_response(db, draft.id, "T-02", "pass")
    with pytest.raises(InspectionFinishedError):
        inspections.add_photo(folder, db, draft.id, str(photo_path))
    with pytest.raises(InspectionFinishedError):
        inspections.finish(db, draft.id)
    with pytest.raises(InspectionFinishedError):
        inspections.remove_photo(db, draft.id, photo.sha256, "T-01")
    server_answers.acknowledge(db, submit.change_id, {"inspection": {}})
    assert inspections.get(db, draft.id).sync_state == "synced"


def test_an_incomplete_inspection_is_finished_only_on_purpose(db: Database, checklist: object) -> None:
    draft = start_inspection(db, checklist)
    inspections.set_response(db, draft.id, "T-01", "pass")
    with pytest.raises(InvalidRecordError, match="T-02"):
        inspections.finish(db, draft.id)
    assert inspections.get(db, draft.id).is_draft
    done = inspections.finish(db, draft.id, allow_incomplete=True)
    assert done.status == "finished"


@pytest.mark.parametrize(
    ("item", "result", "kwargs", "fragment"),
    [
        ("X-99", "pass", {}, "has no item"),
        ("T-01", "maybe", {}, "not one of"),
        ("T-01", "fail", {"occurrences": 0}, "occurrences"),
        ("T-01", "fail", {"value": [1, 2]}, "number or a text"),
    ],
)
def test_bad_answers_are_refused(db: Database, checklist: object, item, result, kwargs, fragment) -> None:
    draft = start_inspection(db, checklist)
    with pytest.raises(InvalidRecordError, match=fragment):
        inspections.set_response(db, draft.id, item, result, **kwargs)
    assert inspections.responses(db, draft.id) == {}


def test_an_inspection_needs_a_cached_checklist_and_a_known_subject(db: Database, checklist: object) -> None:
    subject = make_subject(db)
    with pytest.raises(RecordNotFoundError, match=r"test-street@9\.9"):
        inspections.start(
            db, checklist_id="test-street", checklist_version="9.9", subject_id=subject.id, inspector_id="u"
        )
    with pytest.raises(RecordNotFoundError):
        inspections.start(db, checklist_id="test-street", checklist_version="1.0", subject_id="x", inspector_id="u")


def test_a_draft_can_be_discarded_and_lists_show_what_is_left(db: Database, checklist: object) -> None:
    keep = start_inspection(db, checklist)
    drop = inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=keep.subject_id, inspector_id="u"
    )
    inspections.set_response(db, drop.id, "T-01", "pass")
    inspections.discard_draft(db, drop.id)
    assert [i.id for i in inspections.list_inspections(db, status="draft")] == [keep.id]
    assert [i.id for i in inspections.list_inspections(db, subject_id=keep.subject_id)] == [keep.id]


def test_a_pinned_checklist_version_cannot_change_under_its_inspections(db: Database, checklist: object) -> None:
    start_inspection(db, checklist)
    changed = TEST_CHECKLIST.replace("无乱停车", "无乱停车乱放")
    with pytest.raises(InvalidRecordError, match="cannot change"):
        checklists.cache_text(db, changed, "test-street.yaml", "server")
    assert checklists.get(db, "test-street", "1.0").item("T-02").text == "无乱停车"
    newer = checklists.cache_text(db, changed.replace('version: "1.0"', 'version: "1.1"'), "t.yaml", "server")
    assert newer.version == "1.1"
    assert checklists.latest(db, "test-street").version == "1.1"
    assert [c.version for c in checklists.list_cached(db)] == ["1.1", "1.0"]


def test_jurisdictions_know_their_parents(db: Database) -> None:
    jurisdictions.save(db, "110105", "朝阳区")
    street = jurisdictions.save(db, "110105004", "三里屯街道")
    assert street.parent_code == "110105000000000" and street.level == 2
    jurisdictions.save(db, "110105004", "三里屯街道办事处")
    assert jurisdictions.name_of(db, STREET) == "三里屯街道办事处"
    assert [j.code for j in jurisdictions.list_all(db)] == ["110105000000000", STREET]


def test_street_names_are_the_streets_own_not_a_place_inside_them(db: Database) -> None:
    jurisdictions.save(db, "110105", "朝阳区")
    jurisdictions.save(db, "110105004", "三里屯街道")
    jurisdictions.save(db, "110105004032", "幸福二村社区")  # sorts after its street: must not take its name
    jurisdictions.save(db, "110105001", "建外街道")
    assert jurisdictions.street_names(db) == {"110105004": "三里屯街道", "110105001": "建外街道"}


def test_cursors_start_at_zero_and_move_with_the_page_transaction(db: Database) -> None:
    from inspector.store.database import transaction

    assert cursors.get(db) == 0
    cursors.put(db, 1041)
    assert cursors.get(db) == 1041
    with pytest.raises(RuntimeError), transaction(db):
        cursors.put(db, 2000)
        raise RuntimeError("page failed half-way")
    assert cursors.get(db) == 1041
