"""Pages ask the window for what crosses pages through signals, and the window answers: a new inspection for the
selected subject, a problem recorded without a checklist, a finding shown in the ledger, a backup to restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from inspector.store import subjects
from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog
from inspector.ui.runner.new_inspection import NewInspectionDialog


@pytest.fixture
def opened(monkeypatch) -> list[Any]:  # type: ignore[no-untyped-def]
    """The dialogs the window opens, each closed at once instead of waiting for the user."""
    seen: list[Any] = []

    def record(dialog: Any) -> int:
        seen.append(dialog)
        return 0

    monkeypatch.setattr(NewInspectionDialog, "exec", record)
    monkeypatch.setattr(AdhocFindingDialog, "exec", record)
    return seen


def test_inspecting_a_subject_opens_the_new_inspection_dialog_on_it(started, qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    first = subjects.create(ctx.db, kind="back_street", name="东四六条", jurisdiction="110101001000000")
    second = subjects.create(ctx.db, kind="back_street", name="南锣鼓巷", jurisdiction="110101002000000")
    page = started.window.show_page("subjects")
    page.reload()
    qtbot.waitUntil(lambda: len(page.model.rows) == 2, timeout=10_000)
    chosen = second if page.model.rows[0].id == first.id else first  # the one not shown first
    page.select(chosen.id)
    qtbot.mouseClick(page.inspect_button, Qt.MouseButton.LeftButton)
    assert [type(dialog) for dialog in opened] == [NewInspectionDialog]
    assert opened[0].selected_subject_id() == chosen.id


def test_the_start_pages_buttons_reach_the_window(started, qtbot, opened) -> None:  # type: ignore[no-untyped-def]
    today = started.window.show_page("today")
    qtbot.mouseClick(today.new_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(today.adhoc_button, Qt.MouseButton.LeftButton)
    findings = started.window.show_page("findings")
    qtbot.mouseClick(findings.adhoc_button, Qt.MouseButton.LeftButton)
    assert [type(dialog) for dialog in opened] == [NewInspectionDialog, AdhocFindingDialog, AdhocFindingDialog]


def test_restoring_from_settings_asks_the_window(started, qtbot, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    window = started.window
    window.restore_requested.disconnect()  # the controller would replace the data: here only the request is seen
    archive = tmp_path / "backup.zip"
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(archive), ""))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    page = window.show_page("settings")
    with qtbot.waitSignal(window.restore_requested, timeout=5_000) as blocker:
        page.choose_restore_file()
    assert blocker.args == [Path(archive)]
    QApplication.processEvents()
