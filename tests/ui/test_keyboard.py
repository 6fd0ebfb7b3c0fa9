"""The keyboard as docs/ui.md describes it: the table is checked against the shortcuts the window really has (both
ways), and the runner keeps the number keys working after a field is edited (Alt+↓, Ctrl+L, Tab order)."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication
from ui_helpers import activate, start_inspection

from inspector.store import subjects
from inspector.ui.main_window import PAGES

DOC = (Path(__file__).parents[2] / "docs" / "ui.md").read_text(encoding="utf-8")
# Keys a widget handles by itself (lists, trees, the chart), not shortcuts of ours.
NATIVE = {"↑", "↓", "←", "→", "Home", "End"}
ARROWS = {"↑": "Up", "↓": "Down", "←": "Left", "→": "Right"}


def documented_keys() -> set[str]:
    """Every key of the Keyboard table, in QKeySequence's portable text (Ctrl+1 … Ctrl+7 spelled out)."""
    section = DOC.split("## Keyboard", 1)[1].split("\n## ", 1)[0]
    keys: set[str] = set()
    for line in section.splitlines():
        if not line.startswith("| ") or line.startswith("| keys") or line.startswith("|---"):
            continue
        cell = line.split("|")[1].strip()
        ranged = re.fullmatch(r"Ctrl\+(\d) … Ctrl\+(\d)", cell)
        if ranged:
            keys |= {f"Ctrl+{n}" for n in range(int(ranged.group(1)), int(ranged.group(2)) + 1)}
            continue
        for part in re.split(r"\s*[,/]\s*", cell):
            if not part or part in NATIVE:
                continue
            for arrow, name in ARROWS.items():
                part = part.replace(arrow, name)
            keys.add(QKeySequence(part).toString())
    return keys


def window_shortcuts(window) -> set[str]:  # type: ignore[no-untyped-def]
    found = set()
    for made in window.findChildren(QShortcut):
        text = made.key().toString()
        if text:
            found.add(text)
    return found


def test_the_documented_table_is_the_windows_shortcuts(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window = started.window
    for spec in PAGES:  # pages are built when first shown
        window.show_page(spec.key)
    have = window_shortcuts(window) | {QKeySequence(QKeySequence.StandardKey.Paste).toString()}
    documented = documented_keys()
    assert documented - have == set(), "documented but not bound"
    # Ctrl+Return and Ctrl+Enter are the two Enter keys of one shortcut; the table names it once.
    assert have - documented - {"Ctrl+Return"} == set(), "bound but not documented"
    assert f"Ctrl+{len(PAGES)}" in documented  # Settings is the last page's number (Ctrl+7), as the table says


def test_number_keys_work_again_after_editing_a_field(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    lane = subjects.create(ctx.db, kind="back_street", name="三里屯北小街", jurisdiction="110105004032000")
    start_inspection(started, qtbot, lane.id)
    runner = started.window.pages["inspections"].runner
    ids = runner.model.item_ids()
    activate(qtbot, started.window)
    runner.select_item(ids[0])
    runner.tree.setFocus()
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)  # 不合格: the finding fields appear
    panel = runner.panel
    panel.finding_description.setFocus()
    qtbot.keyClicks(panel.finding_description, "abc")
    qtbot.keyClick(panel.finding_description, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    QApplication.processEvents()
    assert runner.current_item_id() == ids[1] and runner.tree.hasFocus()
    qtbot.keyClick(runner.tree, Qt.Key.Key_1)  # answers again
    assert runner.session.result(ids[1]) == "pass"
    assert runner.session.draft(ids[0]) is not None and runner.session.draft(ids[0]).description == "abc"

    runner.select_item(ids[2])
    panel.note_edit.setFocus()
    qtbot.keyClick(panel.note_edit, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert runner.tree.hasFocus()

    runner.select_item(ids[0])
    panel.finding_days.setFocus()
    QApplication.processEvents()
    if panel.finding_days.hasFocus():  # Tab from the panel's last field goes to 完成检查, not the status bar
        qtbot.keyClick(panel.finding_days, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is runner.finish_button
