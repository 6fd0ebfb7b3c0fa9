"""A whole inspection through the real window: subject, back-street checklist, two failed items with photos."""

from __future__ import annotations

import threading

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from ui_helpers import activate, add_photos_by_dialog, create_back_street, start_inspection

from inspector.store import findings, inspections, outbox, photos, subjects
from inspector.ui.runner.session import PHOTO_MISSING


def test_full_inspection_reports_two_findings_with_photos(started, qtbot, photo_files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    subject_id = create_back_street(started, qtbot)
    assert [s.name for s in subjects.list_subjects(ctx.db)] == ["东四六条"]
    inspection_id = start_inspection(started, qtbot, subject_id)
    runner = window.pages["inspections"].runner
    item_ids = runner.model.item_ids()
    assert len(item_ids) >= 10

    activate(qtbot, window)
    runner.tree.setFocus()
    for _ in item_ids:  # "1" answers 合格 and moves on to the next item
        qtbot.keyClick(runner.tree, Qt.Key.Key_1)
    assert all(runner.session.result(i) == "pass" for i in item_ids)

    first, second = item_ids[0], item_ids[2]
    runner.select_item(first)
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)
    assert runner.session.result(first) == "fail"
    assert runner.panel.finding_box.isVisibleTo(runner.panel)
    worker = add_photos_by_dialog(runner, qtbot, monkeypatch, photo_files[:2])
    assert worker.thread_ident is not None and worker.thread_ident != threading.main_thread().ident
    assert len(runner.session.item_photos(first)) == 2
    assert runner.panel.finding_description.toPlainText() == ""  # the inspector says what was found
    runner.panel.finding_description.insertPlainText("巷内堆放建筑垃圾约两立方米")
    runner.panel.flush()

    runner.select_item(second)
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)
    runner.panel.finding_description.selectAll()
    runner.panel.finding_description.insertPlainText("巷口私接电线，线路裸露")
    runner.panel.flush()

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    runner.finish()  # the second failed item has no photo yet: finishing lists it and stays a draft
    dialog = runner.problems_dialog
    assert dialog.isVisible()
    assert dialog.list.count() == 1 and second in dialog.list.item(0).text()
    assert inspections.get(ctx.db, inspection_id).is_draft
    runner.select_item(first)
    dialog.list.itemActivated.emit(dialog.list.item(0))  # jump to the item that needs a photo
    assert runner.current_item_id() == second
    assert [p.kind for p in runner.session.problems()] == [PHOTO_MISSING]

    add_photos_by_dialog(runner, qtbot, monkeypatch, photo_files[2:])
    score_text = runner.score_label.text()
    qtbot.mouseClick(runner.finish_button, Qt.MouseButton.LeftButton)

    finished = inspections.get(ctx.db, inspection_id)
    assert finished.status == "finished"
    assert finished.score is not None and f"{finished.score:g}" in score_text
    reported = findings.list_findings(ctx.db)
    assert sorted(f.item_id for f in reported) == sorted([first, second])
    for finding in reported:
        assert finding.inspection_id == inspection_id
        assert finding.view.state.value == "reported"
        assert finding.view.subject_id == subject_id
        linked = photos.photos_of(ctx.db, "finding", finding.id)
        assert linked and all(ctx.folder.photo_path(p.sha256).is_file() for p in linked)
        assert {p.sha256 for p in linked} == set(finding.view.photos)
    described = {f.item_id: f.view.description for f in reported}
    assert described[second].startswith("巷口私接电线")
    kinds = sorted(entry.kind for entry in outbox.list_pending(ctx.db))
    assert kinds == ["inspection.submit", "ledger.command", "ledger.command", "subject.create"]
    assert not runner.finish_button.isVisible() and runner.banner.isVisible()
