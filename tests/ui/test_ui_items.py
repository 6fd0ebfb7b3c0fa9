"""Item kinds beyond pass/fail in the runner, the settings page's backup and restore, and an unusable data folder."""

from __future__ import annotations

import sqlite3
import zipfile

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import activate, close_app, open_app, start_inspection

from inspector.store import inspections, subjects
from inspector.ui.app import AppController
from inspector.ui.shared.logs import CrashReporter, setup_logging


def test_number_item_is_judged_by_its_range_and_text_item_keeps_the_observation(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    site = subjects.create(ctx.db, kind="site", name="幸福一村电力井", jurisdiction="110105004032000")
    inspection_id = start_inspection(started, qtbot, site.id, "anquan-youxian-kongjian")
    runner = started.window.pages["inspections"].runner
    panel = runner.panel
    runner.select_item("AQ-YX-06")
    assert panel.value_row.isVisibleTo(panel) and panel.unit_label.text() == "%"
    assert "19.5" in panel.range_label.text() and "23.5" in panel.range_label.text()
    panel.value_edit.setText("17.2")
    panel.value_edit.editingFinished.emit()
    assert runner.session.result("AQ-YX-06") == "fail"
    assert panel.finding_box.isVisibleTo(panel) and panel.finding_severity.currentData() == "major"
    panel.value_edit.setText("20.9")
    panel.value_edit.editingFinished.emit()
    assert runner.session.result("AQ-YX-06") == "pass" and not panel.finding_box.isVisibleTo(panel)
    activate(qtbot, started.window)
    runner.tree.setFocus()
    qtbot.keyClick(runner.tree, Qt.Key.Key_1)  # "1" on a number item asks for the value instead of passing it
    assert panel.value_edit.hasFocus()
    stored = inspections.responses(ctx.db, inspection_id)["AQ-YX-06"]
    assert stored.value == 20.9

    billboard = subjects.create(ctx.db, kind="street_front_unit", name="京味羊蝎子", jurisdiction="110105004032000")
    other = start_inspection(started, qtbot, billboard.id, "anquan-guanggao")
    runner.select_item("AQ-GG-07")
    assert panel.observation_edit.isVisibleTo(panel) and not panel.result_buttons["pass"].isVisibleTo(panel)
    panel.observation_edit.setText("离地 12 米，面积约 20 平方米")
    panel.observation_edit.textEdited.emit(panel.observation_edit.text())
    panel.flush()
    assert inspections.responses(ctx.db, other)["AQ-GG-07"].value == "离地 12 米，面积约 20 平方米"

    runner.select_item("AQ-GG-01")
    panel.note_edit.setFocus()
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_2)  # typing a digit in a text field types it; it does not answer
    assert panel.note_edit.toPlainText() == "2" and runner.session.result("AQ-GG-01") is None


def test_backup_from_settings_and_restore_through_the_controller(started, qtbot, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    subjects.create(ctx.db, kind="back_street", name="东四六条", jurisdiction="110101001000000")
    page = started.window.show_page("settings")
    archive = tmp_path / "backup.zip"
    worker = page.backup_to(archive)
    qtbot.waitUntil(lambda: "备份完成" in page.backup_message.text(), timeout=20_000)
    assert worker.thread_ident is not None
    assert zipfile.is_zipfile(archive)

    subjects.create(ctx.db, kind="back_street", name="备份后新建", jurisdiction="110101001000000")
    started.restore(archive)
    qtbot.waitUntil(lambda: started.ctx is not None, timeout=30_000)
    QApplication.processEvents()
    names = [s.name for s in subjects.list_subjects(started.ctx.db)]
    assert names == ["东四六条"]
    assert started.window is not None and started.window.isVisible()


def test_a_database_from_a_newer_app_is_refused_with_a_message(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    first = open_app(data_dir)
    close_app(first)
    with sqlite3.connect(data_dir / "inspector.db") as conn:
        conn.execute("PRAGMA user_version = 99")
    controller = AppController(app, data_dir, CrashReporter(setup_logging(data_dir / "logs")), load_checklists=False)
    messages: list[str] = []
    controller.failed.connect(messages.append)
    controller.open_window_soon()
    qtbot.waitUntil(lambda: bool(messages), timeout=20_000)
    assert "更新版本" in messages[0]
    assert controller.ctx is None and not controller.window.nav.isEnabled()
    controller.window.close()


def test_the_badge_says_what_the_source_is(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    """A repealed rule and a news summary are not called 原文; only the quoted text of a rule in force is."""
    ctx = started.ctx
    shop = subjects.create(ctx.db, kind="street_front_unit", name="京味羊蝎子", jurisdiction="110105004032000")
    start_inspection(started, qtbot, shop.id, "menqian-sanbao")
    runner = started.window.pages["inspections"].runner
    panel = runner.panel
    shown = {}
    for item_id in ("MQ-WS-02", "MQ-ZX-05"):
        runner.select_item(item_id)
        shown[item_id] = (panel.badge.text(), panel.badge.objectName(), panel.source_label.text())
    badge, style, source = shown["MQ-WS-02"]
    assert (badge, style) == ("已废止规定", "badgeRepealed")
    assert "摘录：" in source and "原文：" not in source and "已被" in source and "规章及规范性文件" in source
    badge, style, source = shown["MQ-ZX-05"]
    assert (badge, style) == ("新闻报道", "badgeNews") and "原文：" not in source and "新闻报道" in source

    start_inspection(started, qtbot, shop.id, "anquan-ranqi")
    runner.select_item("AQ-RQ-18")
    assert (panel.badge.text(), panel.badge.objectName()) == ("现行规定原文", "badgeOfficial")
    assert "原文：" in panel.source_label.text() and "法律法规" in panel.source_label.text()
    runner.select_item("AQ-RQ-19")
    assert panel.badge.text() == "文件摘录" and "评估报告" in panel.source_label.text()
