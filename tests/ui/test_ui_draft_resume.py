"""A draft survives the window going away without a proper close (as when the app is killed)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import activate, add_photos_by_dialog, close_app, open_app, start_inspection

from inspector.store import subjects
from inspector.store.inspections import finding_drafts


def test_draft_resumes_exactly_after_the_window_is_dropped(app, qtbot, data_dir, photo_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = open_app(data_dir)
    ctx, window = first.ctx, first.window
    subject = subjects.create(ctx.db, kind="back_street", name="南锣鼓巷", jurisdiction="110101002000000")
    inspection_id = start_inspection(first, qtbot, subject.id)
    runner = window.pages["inspections"].runner
    ids = runner.model.item_ids()
    activate(qtbot, window)
    runner.tree.setFocus()
    qtbot.keyClick(runner.tree, Qt.Key.Key_1)
    qtbot.keyClick(runner.tree, Qt.Key.Key_3)
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)  # third item fails and stays current
    failed = ids[2]
    assert runner.current_item_id() == failed
    runner.panel.note_edit.insertPlainText("巷内西侧 20 米处")
    runner.panel.finding_category.selectAll()
    runner.panel.finding_category.insert("违法建设")
    add_photos_by_dialog(runner, qtbot, monkeypatch, photo_files[:1])
    qtbot.waitUntil(lambda: not runner.panel._note_later.timer.isActive(), timeout=3000)  # saved after the pause
    qtbot.waitUntil(lambda: not runner.panel._draft_later.timer.isActive(), timeout=3000)
    score_before = runner.score_label.text()

    # No closeEvent, no flush: the window and its connection simply go away, as when the process is killed.
    shiboken6.delete(window)
    ctx.db.close()
    QApplication.processEvents()

    second = open_app(data_dir)
    try:
        resumed = second.window.pages["inspections"].runner
        qtbot.waitUntil(lambda: resumed.session is not None, timeout=3000)
        assert second.window.current_page_key() == "inspections"
        assert resumed.session.id == inspection_id
        assert resumed.current_item_id() == failed
        assert [resumed.session.result(i) for i in ids[:3]] == ["pass", "na", "fail"]
        assert resumed.panel.note_edit.toPlainText() == "巷内西侧 20 米处"
        assert resumed.panel.finding_category.text() == "违法建设"
        assert finding_drafts(second.ctx.db, inspection_id)[failed].category == "违法建设"
        assert len(resumed.panel.photos.photos) == 1
        assert resumed.score_label.text() == score_before
    finally:
        close_app(second)
