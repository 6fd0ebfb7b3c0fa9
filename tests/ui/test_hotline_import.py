"""The 12345 import dialog on a real window: a differently laid-out sheet mapped in the dialog, previewed, imported on
a worker into the ledger; the next file of that layout comes with its columns; a bad file shows its rows."""

from __future__ import annotations

from pathlib import Path

from ledger_helpers import name_places
from openpyxl import Workbook, load_workbook
from PySide6.QtCore import Qt
from ui_helpers import close_app, open_app

from inspector.store import hotline
from inspector.store.database import open_data_folder

HEADERS = ["受理编号", "反映内容", "事发地址", "答复期限", "街道"]


def sheet(path: Path, rows: list[list[str]]) -> Path:
    book = Workbook()
    target = book.active
    assert target is not None
    target.append(HEADERS)
    for row in rows:
        target.append(row)
    book.save(path)
    return path


def test_map_preview_import_and_remember(app, qtbot, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = open_data_folder(data_dir).connect()
    name_places(db)
    db.close()
    controller = open_app(data_dir)
    try:
        page = controller.window.show_page("findings")
        before = page.model.total
        dialog = page.open_hotline_import()
        first = sheet(
            tmp_path / "first.xlsx",
            [
                ["G-1", "楼道堆物", "三里屯路1号", "2026-12-08 17:00", "三里屯街道"],
                ["G-2", "路灯不亮", "三里屯路2号", "2026-12-09", "三里屯街道"],
            ],
        )
        dialog.open_file(first)
        qtbot.waitUntil(lambda: dialog.steps.currentIndex() == 1, timeout=10_000)
        assert dialog.columns["order_number"].currentData() == -1  # 受理编号 is no header the app knows
        assert dialog.columns["demand"].currentText() == "反映内容" and dialog.columns["street"].currentText() == "街道"
        dialog.columns["order_number"].setCurrentIndex(dialog.columns["order_number"].findText("受理编号"))
        qtbot.mouseClick(dialog.preview_button, Qt.MouseButton.LeftButton)
        assert dialog.steps.currentIndex() == 2 and dialog.preview_table.rowCount() == 2
        assert "可导入 2 个工单" in dialog.summary.text() and dialog.import_button.isEnabled()
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.steps.currentIndex() == 3, timeout=20_000)
        assert "已导入 2 个工单" in dialog.result_label.text()
        assert dialog.progress.value() == 2
        qtbot.waitUntil(lambda: page.model.total == before + 2, timeout=10_000)
        assert {order.order_number for order in hotline.orders(controller.ctx.db)} == {"G-1", "G-2"}
        case = next(order.finding_id for order in hotline.orders(controller.ctx.db) if order.order_number == "G-1")
        assert page._select_row_of(case)
        clock = page.detail.values["clock"].text()
        assert clock.startswith("受理/立案：时限 1个工作时+1个工作时，应于 ") and clock.endswith(" 前"), clock
        dialog.close()

        again = page.open_hotline_import()
        second = sheet(
            tmp_path / "second.xlsx",
            [
                ["G-2", "路灯不亮", "三里屯路2号", "2026-12-09", "三里屯街道"],
                ["G-3", "井盖松动", "三里屯路3号", "明天", "三里屯街道"],
                ["", "没有编号", "三里屯路4号", "2026-12-10", "三里屯街道"],
            ],
        )
        again.open_file(second)
        qtbot.waitUntil(lambda: again.steps.currentIndex() == 1, timeout=10_000)
        assert again.columns["order_number"].currentText() == "受理编号"  # remembered for this layout
        qtbot.mouseClick(again.preview_button, Qt.MouseButton.LeftButton)
        assert not again.import_button.isEnabled()
        problems = [again.problem_list.item(i).text() for i in range(again.problem_list.count())]
        assert problems[0].startswith("第 3 行 回复期限") and problems[1].startswith("第 4 行 工单编号")
        assert "其中 1 个已导入过" in again.summary.text()
        again.close()

        export = tmp_path / "status.xlsx"
        writer = page.open_hotline_import()
        writer.write_status_file(export)
        qtbot.waitUntil(lambda: "已导出 2 个" in writer.status.text(), timeout=10_000)
        rows = list(load_workbook(export).worksheets[0].iter_rows(min_row=2, values_only=True))
        assert sorted(row[0] for row in rows) == ["G-1", "G-2"] and {row[1] for row in rows} == {"已接收"}
        writer.close()

        stats = controller.window.show_page("statistics")
        stats.load()
        qtbot.waitUntil(lambda: stats.data is not None and stats.worker is None, timeout=30_000)
        table = stats.hotline_table
        assert table.rowCount() == 1 and table.item(0, 1).text() == "三里屯街道" and table.item(0, 2).text() == "2"
        assert table.item(0, 3).text() == "0.0%" and table.item(0, 5).text() == "—"  # none answered, none rated
    finally:
        close_app(controller)
