"""A "1+10" visit made on one laptop reaches another through a real server on 127.0.0.1: the lists with their answers
and outcomes, the case from an area item with its 检查依据 in the ledger, and the 检查记录 PDF showing every list."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook
from server_support import PASSWORD, SLT_COMMUNITY

from inspector.exports import export_inspection, export_ledger
from inspector.store import checklists, findings, inspections, subjects
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.inspections import FindingDraft
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.sync.engine import SyncEngine, login
from inspector.ui.runner.session import InspectionSession

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
from keyring_doubles import memory_keyring_installed  # noqa: E402

GENERAL, GAS, POWER = "anquan-tongyong", "anquan-ranqi", "anquan-dianli"


def _laptop(root: Path, base_url: str, username: str) -> DataFolder:
    folder = open_data_folder(root)
    db = folder.connect()
    try:
        checklists.cache_shipped(db, REPO_ROOT / "checklists")
    finally:
        db.close()
    login(folder, base_url, username, PASSWORD)
    return folder


def _visit(folder: DataFolder) -> tuple[str, str]:
    """The general list plus the gas and power lists, all 合格 but one power item (its hazard reported)."""
    db = folder.connect()
    try:
        site = subjects.create(db, kind="site", name="幸福一村配电室", jurisdiction=SLT_COMMUNITY, code="S-RQ-1")
        versions = {entry.id: entry.version for entry in checklists.list_cached(db)}
        draft = inspections.start(
            db,
            checklist_id=GENERAL,
            checklist_version=versions[GENERAL],
            subject_id=site.id,
            inspector_id="slt-ins",
            area_lists=[(GAS, versions[GAS]), (POWER, versions[POWER])],
        )
        session = InspectionSession(db, draft.id)
        for item in session.items():
            session.set_result(item.id, "pass")
        failed = "AQ-DL-09"  # 配电室: a photo is optional for it
        session.set_result(failed, "fail")
        default = session.draft(failed)
        assert default is not None
        session.set_draft(failed, FindingDraft("配电室门口挡鼠板缺失，电缆孔洞未封堵", default.category, "general", 7))
        session.finish()
        return draft.id, failed
    finally:
        db.close()


def test_a_visit_travels_whole_and_its_record_shows_every_list(live: str, tmp_path: Path) -> None:
    with memory_keyring_installed():
        maker = _laptop(tmp_path / "maker", live, "slt-ins")
        inspection_id, failed = _visit(maker)
        assert SyncEngine(maker).run_cycle().error is None
        reader = _laptop(tmp_path / "reader", live, "slt-sup")
        summary = SyncEngine(reader).run_cycle()
        assert summary.error is None, summary.error

    db = reader.connect()
    try:
        pulled = inspections.get(db, inspection_id)
        assert (pulled.checklist_id, pulled.passed, pulled.outcome) == (GENERAL, False, "发现隐患")
        kept = [(e.checklist_id, e.passed, e.outcome) for e in inspections.lists(db, inspection_id)]
        assert kept == [(GENERAL, True, "未发现隐患"), (GAS, True, "未发现隐患"), (POWER, False, "发现隐患")]
        answers = inspections.responses(db, inspection_id)
        assert answers[failed].result == "fail" and len(answers) > 20
        owner = db.execute(
            "SELECT checklist_id FROM responses WHERE inspection_id = ? AND item_id = ?", [inspection_id, failed]
        ).fetchone()[0]
        assert owner == POWER
        (case,) = findings.list_findings(db)
        assert (case.inspection_id, case.item_id) == (inspection_id, failed)
    finally:
        db.close()

    ledger = tmp_path / "ledger.xlsx"
    export_ledger(reader, LedgerQuery(), LedgerSort(), ledger, "全部")
    sheet = load_workbook(ledger)["隐患排查治理台账"]
    header, row = [[cell.value for cell in line] for line in sheet.iter_rows(min_row=3, max_row=4)]
    hazard = dict(zip(header, row, strict=True))
    assert str(hazard["检查依据"]).startswith(f"{failed} ") and hazard["“1+10”领域"] == "电力设施安全隐患检查清单"

    record = tmp_path / "record.pdf"
    export_inspection(reader, inspection_id, record)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext is not None, "pdftotext (poppler-utils) is needed"
    text = subprocess.run([pdftotext, "-layout", str(record), "-"], capture_output=True, check=True).stdout.decode()
    flat = "".join(text.split())
    assert "本次检查结论发现隐患" in flat
    for number, title in enumerate(
        ("城市管理安全隐患通用检查清单", "燃气安全隐患检查清单", "电力设施安全隐患检查清单"), start=1
    ):
        assert f"清单{number}：{title}" in flat
    assert f"{failed}" in flat and "不合格" in flat
