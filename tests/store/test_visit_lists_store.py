"""A visit's lists in the laptop store: each scored on its own at finishing, the whole visit's outcome on the
inspection, the statistics counting the visit under every list it checked, a discarded visit leaving no list."""

from __future__ import annotations

from sqlite_utils import Database
from store_samples import COMMUNITY, TEST_CHECKLIST

from inspector.core.scoring import visit_outcome
from inspector.store import checklists, inspections, statistics_facts, subjects

# a second list with items of its own (a pass/fail list, like the "1+10" area lists)
AREA = (
    TEST_CHECKLIST.replace("\nid: test-street\n", "\nid: test-area\n")
    .replace("T-0", "A-0")
    .replace("method: deduction\n  pass_score: 90\n  outcome_labels: {pass: 达标, fail: 不达标}",
             "method: pass_fail\n  outcome_labels: {pass: 未发现隐患, fail: 发现隐患}")
)  # fmt: skip


def test_each_list_is_scored_on_its_own_and_the_visit_fails_with_any(db: Database) -> None:
    checklists.cache_text(db, TEST_CHECKLIST, "test-street.yaml", "shipped")
    checklists.cache_text(db, AREA, "test-area.yaml", "shipped")
    subject = subjects.create(db, kind="back_street", name="中纺街", jurisdiction=COMMUNITY, code="CY-1")
    visit = inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=subject.id, inspector_id="u",
        area_lists=[("test-area", "1.0")],
    )  # fmt: skip
    for item_id in ("T-01", "T-02", "A-01"):
        inspections.set_response(db, visit.id, item_id, "pass")
    inspections.set_response(db, visit.id, "A-02", "fail")
    live = {checklist.id: result for checklist, result in inspections.current_scores(db, visit.id)}
    assert (live["test-street"].score, live["test-street"].outcome) == (100.0, "达标")
    assert (live["test-area"].score, live["test-area"].outcome) == (None, "发现隐患")
    finished = inspections.finish(db, visit.id, allow_incomplete=True)
    assert (finished.score, finished.passed, finished.outcome) == (100.0, False, "发现隐患")
    assert visit_outcome([live["test-street"], live["test-area"]]) == (False, "发现隐患")
    owners = dict(db.execute("SELECT item_id, checklist_id FROM responses").fetchall())
    assert owners == {"T-01": "test-street", "T-02": "test-street", "A-01": "test-area", "A-02": "test-area"}

    facts = {fact.checklist_id: fact for fact in statistics_facts.inspection_facts(db)}
    assert set(facts) == {"test-street", "test-area"}
    assert (facts["test-street"].score, facts["test-street"].failed_items) == (100.0, 0)
    assert (facts["test-area"].score, facts["test-area"].failed_items) == (None, 1)

    payload = inspections.submit_payload(db, finished)
    assert set(payload["responses"]) == {"T-01", "T-02"} and payload["outcome"] == "达标"
    (area,) = payload["lists"]
    assert set(area["responses"]) == {"A-01", "A-02"} and area["outcome"] == "发现隐患"

    draft = inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=subject.id, inspector_id="u",
        area_lists=[("test-area", "1.0")],
    )  # fmt: skip
    inspections.set_response(db, draft.id, "A-01", "pass")
    inspections.discard_draft(db, draft.id)
    assert db.execute("SELECT count(*) FROM inspection_lists WHERE inspection_id = ?", [draft.id]).fetchone()[0] == 0
