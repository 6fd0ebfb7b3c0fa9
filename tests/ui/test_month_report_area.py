"""The statistics page's 月度报告 area on a seeded month: the half-monthly patrol alert, the exposure dialog's
preselection, a document saved on a worker (only the ticked cases exposed), the xlsx 通报, and a 约谈 recorded by a
supervisor and queued for the server."""

from __future__ import annotations

import importlib.util
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from ui_helpers import close_app, open_app

from inspector import month_report
from inspector.core.month import BASIS_RANK, Talk
from inspector.store import outbox, profile, settings, talks
from inspector.store.database import open_data_folder
from inspector.ui.statistics.month_area import ExposureDialog

_SEED = Path(__file__).resolve().parents[1] / "reports" / "month_seed.py"
_spec = importlib.util.spec_from_file_location("month_seed", _SEED)
assert _spec is not None and _spec.loader is not None
month_seed = importlib.util.module_from_spec(_spec)
sys.modules.setdefault("month_seed", month_seed)
_spec.loader.exec_module(month_seed)


def test_the_month_area_alerts_saves_and_records_a_talk(app, qtbot, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = open_data_folder(data_dir)
    made = month_seed.seed_month(folder)
    db = folder.connect()
    settings.put(db, profile.USER_ROLES, ["supervisor"])
    now = datetime.now(UTC).isoformat().replace("+00:00", "Z")
    db.execute("PRAGMA foreign_keys = OFF")
    db.execute(
        "INSERT INTO inspections (id, checklist_id, checklist_version, subject_id, jurisdiction, inspector_id, status, "
        "started_at, finished_at, updated_at, source) VALUES ('today', 'menqian-sanbao', '1', ?, '110105001001000', "
        "'u-insp', 'finished', ?, ?, ?, 'patrol')",
        [made.units["甲一餐馆"], now, now, now],
    )
    db.execute(
        "INSERT INTO inspection_lists (inspection_id, position, checklist_id, checklist_version) "
        "VALUES ('today', 0, 'menqian-sanbao', '1')"
    )
    db.close()

    controller = open_app(data_dir)
    try:
        page = controller.window.show_page("statistics")
        area = page.month_area
        qtbot.waitUntil(lambda: area.report is not None and area.worker is None, timeout=30_000)
        area.month.setCurrentIndex(area.month.findData(month_seed.MONTH))
        qtbot.waitUntil(lambda: area.worker is None and area.report.month == month_seed.MONTH, timeout=30_000)
        report = area.report
        # the alert: patrolled today, 甲一餐馆 is not listed; the other two are
        assert sorted(area.alert_list.item(row).text() for row in range(area.alert_list.count())) == [
            "乙三药店（乙街道）", "甲二超市（甲街道）"]  # fmt: skip
        assert "2 个" in area.alert_title.text()

        dialog = ExposureDialog(report, area)
        assert dialog.list.count() == len(report.exposed) == 3
        dialog.list.item(0).setCheckState(Qt.CheckState.Unchecked)
        chosen = dialog.chosen_ids()
        assert len(chosen) == 2 and report.exposed[0].finding_id not in chosen
        dialog.deleteLater()

        pdf = tmp_path / "exposure.pdf"
        assert area.export(month_report.EXPOSURE, pdf, chosen) is not None
        assert not area.buttons[month_report.CHECKS].isEnabled()  # busy while the worker writes
        qtbot.waitUntil(lambda: area.worker is None, timeout=30_000)
        assert pdf.exists() and str(pdf) in area.status.text()
        xlsx = tmp_path / "ranking.xlsx"
        area.export(month_report.RANKING_XLSX, xlsx)
        qtbot.waitUntil(lambda: area.worker is None, timeout=30_000)
        book = load_workbook(xlsx, read_only=True)
        assert [row[2] for row in book["降档复档"].iter_rows(min_row=3, values_only=True)] == ["降档"]

        assert area.talk_button.isEnabled()  # a supervisor
        talk = Talk("", month_seed.MONTH, date(2026, 4, 2), "钱科长", "甲街道办事处", month_seed.STREET_A,
                    "约谈整改", BASIS_RANK, month_seed.STREET_A)  # fmt: skip
        recorded = area.record_talk(talk)
        assert recorded is not None and recorded.recorded_by
        qtbot.waitUntil(lambda: area.worker is None and len(area.report.talks) == 1, timeout=30_000)
        assert "约谈 1 次" in area.status.text()
        db = folder.connect()
        try:
            assert [t.person for t in talks.talks(db, month_seed.MONTH)] == ["钱科长"]
            assert [entry.kind for entry in outbox.list_pending(db)][-1] == "talk.create"
        finally:
            db.close()
    finally:
        close_app(controller)
