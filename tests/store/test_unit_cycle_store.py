"""门前三包 as a cycle on one laptop: 责任书 recorded and listed by renewal, a 自查 recorded for the unit counted as
its self-check visit, and the unit's file (一户一码一档) read back from its PDF."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlite_utils import Database

from inspector.core.protocol import ChangeKind
from inspector.core.unit_cycle import PledgeStanding, VisitKind
from inspector.exports import export_unit_file
from inspector.paths import shipped_checklists_dir
from inspector.store import checklists, inspections, outbox, subjects, unit_cycle
from inspector.store.database import DataFolder
from inspector.store.errors import InvalidRecordError

SLT = "110105004032000"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def _unit(db: Database, name: str, code: str | None = None) -> str:
    return subjects.create(db, kind="street_front_unit", name=name, jurisdiction=SLT, code=code,
                           responsible_person="李四").id  # fmt: skip


def test_pledges_are_listed_by_renewal_and_queue_a_subject_update(folder: DataFolder, db: Database) -> None:
    soon, late, fine, none = _unit(db, "甲"), _unit(db, "乙"), _unit(db, "丙"), _unit(db, "丁")
    source = folder.root / "scan.pdf"
    source.write_bytes(PDF)
    scan = unit_cycle.store_scan(folder, db, source)
    unit_cycle.record_pledge(db, soon, signed_on="2026-01-20", term_months=12, signer="张", scan=scan)
    unit_cycle.record_pledge(db, late, signed_on="2025-01-01", term_months=12, signer="王")
    unit_cycle.record_pledge(db, fine, signed_on="2026-06-01", term_months=24, signer="赵")
    today = date(2026, 12, 25)  # soon is due 2027-01-19 (25 days), late expired on 2025-12-31
    rows = unit_cycle.pledge_rows(db, today)
    assert [(row.subject.id, row.standing) for row in rows] == [
        (late, PledgeStanding.EXPIRED), (soon, PledgeStanding.DUE_SOON), (fine, PledgeStanding.VALID), (none, None)
    ]  # fmt: skip
    assert [row.subject.id for row in unit_cycle.renewals_due(db, today)] == [late, soon]
    queued = [entry for entry in outbox.list_pending(db) if entry.kind == ChangeKind.SUBJECT_UPDATE]
    assert queued[0].payload["fields"]["details"]["pledge_scan"] == scan
    assert outbox.queued_photo_hashes(db) == {scan}
    # a renewal replaces the 责任书; a back street signs none; a bad term is refused
    unit_cycle.record_pledge(db, late, signed_on="2026-01-01", term_months=36, signer="王")
    assert subjects.get(db, late).extra["pledge_term_months"] == 36
    street = subjects.create(db, kind="back_street", name="北小街", jurisdiction=SLT).id
    with pytest.raises(InvalidRecordError):
        unit_cycle.record_pledge(db, street, signed_on="2026-01-01", term_months=12, signer="x")
    with pytest.raises(InvalidRecordError, match="term_months"):
        unit_cycle.record_pledge(db, late, signed_on="2026-01-01", term_months=0, signer="x")


def _self_check(db: Database, unit: str, started: str, fail: bool) -> str:
    checklist = checklists.cache_text(
        db, (shipped_checklists_dir() / "menqian-sanbao.yaml").read_text(encoding="utf-8"), "menqian-sanbao.yaml",
        "shipped",
    )  # fmt: skip
    made = inspections.start(db, checklist_id=checklist.id, checklist_version=checklist.version, subject_id=unit,
                             inspector_id="u-1", started_at=started, source=unit_cycle.SELF_CHECK_SOURCE)  # fmt: skip
    for index, item in enumerate(item for item in checklist.items if item.response == "pass_fail"):
        inspections.set_response(db, made.id, item.id, "fail" if fail and index == 0 else "pass")
    inspections.finish(db, made.id, allow_incomplete=True, finished_at=started)
    return made.id


def test_a_self_check_recorded_for_the_unit_is_its_self_check_visit(db: Database) -> None:
    unit = _unit(db, "某某餐厅")
    _self_check(db, unit, "2026-03-04T17:00:00.000Z", fail=False)
    [visit] = unit_cycle.visits(db)
    assert (visit.subject_id, visit.day, visit.level.value, visit.kind) == (
        unit,
        date(2026, 3, 5),
        "unit_self",
        VisitKind.SELF_CHECK,
    )


def test_the_unit_file_pdf_reads_back(folder: DataFolder, db: Database, tmp_path: Path) -> None:
    if shutil.which("pdftotext") is None:
        if sys.platform == "win32":
            pytest.skip("reads the PDF with poppler's pdftotext, which Windows does not have")
        pytest.fail("pdftotext (poppler-utils) is not installed: run `make test`, which installs it")
    unit = _unit(db, "某某餐厅", code="CY-SLT-000123")
    unit_cycle.record_pledge(db, unit, signed_on="2026-01-20", term_months=12, signer="张三")
    _self_check(db, unit, "2026-03-05T02:00:00.000Z", fail=True)
    pdf = tmp_path / "file.pdf"
    export_unit_file(folder, unit, pdf, now=datetime(2026, 3, 20, 4, tzinfo=UTC))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    for expected in ("门前三包责任单位档案", "某某餐厅", "CY-SLT-000123", "2026-01-20", "2027-01-19", "张三", "有效",
                     "责任单位自查", "2026-03-05", "2026-03"):  # fmt: skip
        assert expected in text, expected
    # one failed item in March: 100 − 2 = 98 points, on the red list (≥ 95, inspected)
    march = next(line.split() for line in text.splitlines() if line.split()[:1] == ["2026-03"])
    assert march == ["2026-03", "1", "98", "红榜"]


def test_a_refused_patrol_log_is_a_conflict_sent_again_with_a_fixed_jurisdiction(db: Database) -> None:
    from inspector.core.protocol import ChangeResult
    from inspector.store import conflicts, resend, server_answers

    lane = subjects.create(db, kind="back_street", name="北巷", jurisdiction=SLT).id
    log = unit_cycle.record_patrol(db, role="street_chief", patroller_id="u-1", started_at="2026-03-05T01:00:00.000Z",
                                   ended_at="2026-03-05T02:00:00.000Z", streets=[lane])  # fmt: skip
    [entry] = [item for item in outbox.list_pending(db) if item.kind == ChangeKind.PATROL_SUBMIT]
    refused = ChangeResult(entry.change_id, "rejected", "unknown_jurisdiction", "not in the tree")
    assert server_answers.settle(db, entry, refused) == "rejected"
    [conflict] = conflicts.list_open(db)
    assert [item.sync_state for item in unit_cycle.list_patrols(db)] == ["conflict"]
    assert resend.fixable_field(conflict) == "jurisdiction"
    resend.resend(db, conflict, "110105004000000")
    [again] = [item for item in outbox.list_pending(db) if item.kind == ChangeKind.PATROL_SUBMIT]
    assert (again.kind, again.entity_id, again.payload["jurisdiction"]) == ("patrol.submit", log.id, "110105004000000")
    [entry_now] = unit_cycle.list_patrols(db)
    assert (entry_now.sync_state, entry_now.log.jurisdiction) == ("pending", "110105004000000")
