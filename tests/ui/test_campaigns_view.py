"""The campaigns page: a campaign from the feed with its progress, its sites checked or not, an inspection of a site
asked of the window with the campaign's checklist, and the summary exported through the file dialog."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog
from ui_helpers import BACK_STREET

from inspector.core.clock import local_date, utc_now
from inspector.store import campaigns, checklists, inspections, profile, settings, subjects
from inspector.ui.runner.campaigns_view import CampaignsView


def test_the_campaigns_page_shows_progress_and_starts_a_site_with_the_campaign_checklist(  # type: ignore[no-untyped-def]
    started, qtbot, monkeypatch, tmp_path: Path
) -> None:
    ctx, window = started.ctx, started.window
    qtbot.waitUntil(lambda: ctx.checklists_loaded, timeout=20_000)
    lanes = [subjects.create(ctx.db, kind="back_street", name=name, jurisdiction="110105004032000")
             for name in ("三里屯北小街", "幸福二村一巷")]  # fmt: skip
    today = local_date(utc_now())
    campaigns.save(ctx.db, {
        "id": "camp-1", "name": "冬季扫雪铲冰检查", "kind": "snow", "starts": (today - timedelta(days=3)).isoformat(),
        "ends": (today + timedelta(days=30)).isoformat(), "checklists": [BACK_STREET], "jurisdiction": "110105",
        "inspectors": ["ins"], "version": 2,
        "sites": [{"subject_id": lane.id, "name": lane.name, "jurisdiction": "110105004032000"} for lane in lanes],
    })  # fmt: skip
    settings.put(ctx.db, profile.USERNAME, "ins")
    version = checklists.latest(ctx.db, BACK_STREET).version
    done = inspections.start(ctx.db, checklist_id=BACK_STREET, checklist_version=version, subject_id=lanes[0].id,
                             inspector_id="someone")  # fmt: skip
    inspections.finish(ctx.db, done.id, allow_incomplete=True)

    asked: list[tuple[str, str | None, str | None]] = []
    monkeypatch.setattr(window, "new_inspection", lambda subject_id="", checklist_id=None, programme=None: asked.append(
        (subject_id, checklist_id, programme)))  # fmt: skip
    page = window.show_page("campaigns")
    assert isinstance(page, CampaignsView)
    qtbot.waitUntil(lambda: page.worker is None and page.campaign_table.rowCount() == 1, timeout=10_000)
    row = [page.campaign_table.item(0, column).text() for column in range(6)]
    assert row[:2] == ["冬季扫雪铲冰检查", "冬季扫雪铲冰"] and row[3] == "1/2" and row[5] == "—"
    assert page.status.text() == "共 1 项，其中分配给我 1 项"  # the signed-in account is one of its inspectors
    states = [page.site_table.item(index, 3).text() for index in range(page.site_table.rowCount())]
    assert states == ["已检查", "未检查"]

    page.site_table.selectRow(1)
    qtbot.mouseClick(page.start_button, Qt.MouseButton.LeftButton)
    assert asked == [(lanes[1].id, BACK_STREET, "camp-1")]  # made under the campaign: its programme

    target = tmp_path / "summary.xlsx"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(target), ""))
    qtbot.mouseClick(page.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=20_000)
    sheet = list(load_workbook(target, read_only=True)["总体"].iter_rows(values_only=True))
    assert sheet[0][0] == "冬季扫雪铲冰检查" and "排查点位2个，已检查1个" in str(sheet[1][0])
