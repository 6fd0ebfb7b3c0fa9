"""Inspection levels and programmes on the laptop (schema step 0015_levels), the back streets' tier history, and the
statistics facts that carry each inspection's level into the 降档/复档 rule."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlite_utils import Database
from store_samples import COMMUNITY

from inspector.core.clock import parse_iso
from inspector.core.ids import new_id
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT
from inspector.core.statistics import back_street_status
from inspector.core.tiers import Tier, tier_months
from inspector.store import inspections, outbox, statistics_facts, subjects, tiers
from inspector.store.database import DB_FILENAME, open_data_folder, schema_version
from inspector.store.errors import InvalidRecordError
from inspector.store.schema import STEPS

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-client.sqlite"


@pytest.fixture
def street(db: Database, checklist: object) -> subjects.Subject:
    return subjects.create(db, kind="back_street", name="幸福三村五巷", jurisdiction=COMMUNITY)


def _start(db: Database, subject_id: str, **kwargs: object) -> inspections.Inspection:
    return inspections.start(
        db, checklist_id="test-street", checklist_version="1.0", subject_id=subject_id, inspector_id="u1", **kwargs
    )  # type: ignore[arg-type]


def test_the_level_sets_the_source_and_travels_with_the_programme(db: Database, street: subjects.Subject) -> None:
    default = _start(db, street.id)
    assert (default.level, default.source, default.programme) == ("street_self", "patrol", None)
    by_source = _start(db, street.id, source="third_party_check")
    assert (by_source.level, by_source.source) == ("third_party", "third_party_check")
    draft = _start(db, street.id, level="city", programme=" 2025-beijie ")
    assert (draft.level, draft.source, draft.programme) == ("city", "city_check", "2025-beijie")
    assert inspections.set_level(db, draft.id, "district").source == "district_check"
    assert inspections.set_source(db, draft.id, "self_check").level == "unit_self"
    assert inspections.set_programme(db, draft.id, None).programme is None
    with pytest.raises(InvalidRecordError):
        inspections.set_level(db, draft.id, "province")
    inspections.set_level(db, draft.id, "third_party")
    inspections.set_programme(db, draft.id, "q1-third-party")
    inspections.set_response(db, draft.id, "T-01", "fail")
    inspections.set_response(db, draft.id, "T-02", "pass")
    inspections.finish(db, draft.id, allow_incomplete=True)
    queued = next(entry for entry in outbox.list_pending(db) if entry.entity_id == draft.id)
    assert (queued.payload["level"], queued.payload["programme"]) == ("third_party", "q1-third-party")
    fed = {**queued.payload, "id": new_id(), "level": "city", "programme": "q2"}
    assert inspections.on_pulled(db, fed)
    pulled = inspections.get(db, fed["id"])
    assert (pulled.level, pulled.source, pulled.programme) == ("city", "city_check", "q2")
    older = {**queued.payload, "id": new_id()}
    del older["level"], older["programme"]
    assert inspections.on_pulled(db, older) and inspections.get(db, older["id"]).level == "street_self"
    assert sorted(fact.level or "" for fact in statistics_facts.inspection_facts(db)) == [
        "city",
        "street_self",
        "third_party",
    ]


def test_a_tier_falls_after_a_failed_third_party_check_and_is_restored_after_three_city_months(
    db: Database, street: subjects.Subject
) -> None:
    tiers.set_tier(db, street.id, "优美", "王科长", at="2025-01-01T00:00:00Z")
    checks = [
        ("2025-02-10", "street_self", "fail"),  # a 自查 of 50 points: nothing changes
        ("2025-03-20", "third_party", "fail"),  # the 第三方 check: 50 < 90, 降档
        ("2025-04-10", "city", "pass"),
        ("2025-05-10", "city", "pass"),
        ("2025-06-10", "city", "pass"),  # three 市级 months ≥ 90: 复档
    ]
    for day, level, result in checks:
        draft = _start(db, street.id, level=level, started_at=f"{day}T02:00:00Z")
        inspections.set_response(db, draft.id, "T-01", "pass")
        inspections.set_response(db, draft.id, "T-02", result)
        inspections.finish(db, draft.id, allow_incomplete=True, finished_at=f"{day}T03:00:00Z")
    status = back_street_status(statistics_facts.inspection_facts(db), checklist_id="test-street")[street.id]
    assert [(m.month, m.status) for m in status] == [
        ("2025-03", NON_COMPLIANT),
        ("2025-04", NON_COMPLIANT),
        ("2025-05", NON_COMPLIANT),
        ("2025-06", COMPLIANT),
    ]
    months = tier_months(tiers.history(db, street.id), status)
    assert [(m.month, m.tier, m.downgraded) for m in months] == [
        ("2025-01", Tier.FINE, False),
        ("2025-03", Tier.FINE, True),
        ("2025-04", Tier.FINE, True),
        ("2025-05", Tier.FINE, True),
        ("2025-06", Tier.FINE, False),
    ]


def test_the_tier_history_keeps_who_set_what_and_when(db: Database, street: subjects.Subject) -> None:
    tiers.set_tier(db, street.id, "standard", "李四", at="2024-01-05T00:00:00Z")
    change = tiers.set_tier(db, street.id, "精品街巷", "王科长", "2025年提升", at="2025-02-01T00:00:00Z")
    assert (change.tier, change.by, change.note) == (Tier.PREMIUM, "王科长", "2025年提升")
    history = tiers.history(db, street.id)
    assert [(c.tier, c.by, c.at) for c in history] == [
        (Tier.STANDARD, "李四", parse_iso("2024-01-05T00:00:00Z")),
        (Tier.PREMIUM, "王科长", parse_iso("2025-02-01T00:00:00Z")),
    ]
    assert subjects.get(db, street.id).extra["tier"] == "premium"  # travels with the subject
    assert [e.kind for e in outbox.list_pending(db) if e.entity_id == street.id].count("subject.update") == 2
    assert tiers.all_histories(db) == {street.id: history}
    unit = subjects.create(db, kind="street_front_unit", name="某餐厅", jurisdiction=COMMUNITY)
    with pytest.raises(InvalidRecordError):
        tiers.set_tier(db, unit.id, "premium", "王科长")
    with pytest.raises(InvalidRecordError):
        tiers.set_tier(db, street.id, "一般", "王科长")
    other = subjects.create(db, kind="back_street", name="东四六条", jurisdiction=COMMUNITY, extra={"tier": "fine"})
    assert [c.tier for c in tiers.history(db, other.id)] == [Tier.FINE]  # set elsewhere, came with the subject


def test_the_releases_inspections_take_their_level_from_their_source(tmp_path: Path) -> None:
    root = tmp_path / "data"
    root.mkdir()
    shutil.copyfile(RELEASE, root / DB_FILENAME)
    db = open_data_folder(root).connect()
    try:
        assert schema_version(db) == len(STEPS)
        rows = db.execute("SELECT source, level, programme FROM inspections").fetchall()
        assert rows and set(rows) == {("patrol", "street_self", None)}
        assert db.execute("SELECT count(*) FROM back_street_tiers").fetchone() == (0,)
    finally:
        db.close()
