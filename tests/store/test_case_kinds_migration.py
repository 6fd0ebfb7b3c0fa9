"""A laptop database made by the release before case kinds (tests/data/release-0.1-client.sqlite) converts without
loss: kinds from the checklist items, no grade on problems, waiting reports ready for protocol 2."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from inspector.core.clock import utc_now
from inspector.core.ledger import Actor, Kind, Role, Source, decide
from inspector.store import findings, jsonutil, ledger_queries
from inspector.store.database import DB_FILENAME, DataFolder, open_data_folder, schema_version
from inspector.store.schema import STEPS

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-client.sqlite"


def _rows(path: Path, sql: str) -> list[tuple[object, ...]]:
    import sqlite3

    connection = sqlite3.connect(path)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


@pytest.fixture
def converted(tmp_path: Path) -> tuple[DataFolder, Path]:
    original = tmp_path / "original.sqlite"
    shutil.copyfile(RELEASE, original)
    root = tmp_path / "data"
    root.mkdir()
    shutil.copyfile(RELEASE, root / DB_FILENAME)
    return open_data_folder(root), original


def test_every_finding_event_and_change_is_kept_and_kinded(converted: tuple[DataFolder, Path]) -> None:
    folder, original = converted
    before_findings = _rows(original, "SELECT id, state FROM findings ORDER BY id")
    before_events = _rows(original, "SELECT event_id, finding_id, action FROM finding_events ORDER BY event_id")
    before_outbox = _rows(original, "SELECT change_id, kind, entity_id FROM outbox ORDER BY seq")
    db = folder.connect()
    try:
        assert schema_version(db) == len(STEPS)
        assert db.execute("SELECT id, state FROM findings ORDER BY id").fetchall() == before_findings
        events = db.execute("SELECT event_id, finding_id, action FROM finding_events ORDER BY event_id").fetchall()
        assert events == before_events
        assert db.execute("SELECT change_id, kind, entity_id FROM outbox ORDER BY seq").fetchall() == before_outbox
        rows = db.execute(
            "SELECT f.id, f.kind, f.source, f.severity, i.checklist_id FROM findings f "
            "LEFT JOIN inspections i ON i.id = f.inspection_id"
        ).fetchall()
        assert {kind for _id, kind, *_rest in rows} == {"problem", "hazard"}
        for finding_id, kind, source, severity, checklist_id in rows:
            expected = "hazard" if checklist_id and checklist_id.startswith("anquan-") else "problem"
            assert (kind, source) == (expected, "patrol"), checklist_id
            view = findings.get(db, finding_id).view
            assert (view.kind, view.source) == (Kind(kind), Source.PATROL)
            assert (severity is None) is (kind == "problem") and (view.severity is None) is (kind == "problem")
        for (text,) in db.execute("SELECT payload FROM outbox WHERE kind = 'ledger.command'").fetchall():
            command = jsonutil.loads(text)
            if command["action"] in ("report", "report_fixed_on_site"):
                assert command["payload"]["kind"] in ("problem", "hazard") and command["payload"]["source"] == "patrol"
        problems = ledger_queries.count(db, ledger_queries.LedgerQuery(kind="problem"))
        hazards = ledger_queries.count(db, ledger_queries.LedgerQuery(kind="hazard"))
        assert problems + hazards == len(before_findings) and problems and hazards
    finally:
        db.close()


def test_a_converted_problem_runs_on_without_a_grade(converted: tuple[DataFolder, Path]) -> None:
    folder, _original = converted
    db = folder.connect()
    try:
        (finding_id,) = db.execute(
            "SELECT id FROM findings WHERE kind = 'problem' AND state = 'reported' LIMIT 1"
        ).fetchone()
        view = findings.get(db, finding_id).view
        supervisor = Actor("u-sup", frozenset({Role.SUPERVISOR}), frozenset({view.jurisdiction[:9]}))
        assert decide(view, "accept", supervisor, {}, utc_now(), base_state="reported").allowed
        recorded = findings.record_command(db, action="accept", actor=supervisor, payload={}, finding_id=finding_id)
        assert (recorded.finding.kind, recorded.finding.severity, recorded.finding.state.value) == (
            Kind.PROBLEM,
            None,
            "registered",
        )
    finally:
        db.close()
