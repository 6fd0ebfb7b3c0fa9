"""The level of an inspection through the interface: picked in the new-inspection dialog (default 街乡自查), with the
发现方式 it gives shown beside it, kept on the draft and shown in the inspections list; a back street's tier set in
its form becomes a row of its history, which the form shows with the monthly status."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui_helpers import BACK_STREET

from inspector.store import inspections, profile, subjects, tiers
from inspector.ui.runner.new_inspection import NewInspectionDialog
from inspector.ui.shared.context import INSPECTIONS
from inspector.ui.subjects.dialog import SubjectDialog


def test_the_level_is_picked_kept_and_listed_and_the_tier_keeps_its_history(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    lane = subjects.create(ctx.db, kind="back_street", name="幸福三村五巷", jurisdiction="110105004032000")
    dialog = NewInspectionDialog(ctx, started.window, subject_id=lane.id)
    qtbot.addWidget(dialog)
    dialog.choose(lane.id, BACK_STREET)
    assert dialog.level.currentText() == "街乡自查" and dialog.source.text() == "发现方式：巡查"
    dialog.level.setFocus()
    while dialog.level.currentData() != "third_party":
        QTest.keyClick(dialog.level, Qt.Key.Key_Down)
    assert dialog.source.text() == "发现方式：第三方检查"
    qtbot.keyClicks(dialog.programme, "2026Q1-beijie")
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.inspection_id is not None, dialog.error.text()
    draft = inspections.get(ctx.db, dialog.inspection_id)
    assert (draft.level, draft.source, draft.programme) == ("third_party", "third_party_check", "2026Q1-beijie")

    page = started.window.show_page("inspections")
    ctx.notify(INSPECTIONS)
    line = next(page.table.topLevelItem(row) for row in range(page.table.topLevelItemCount())
                if page.table.topLevelItem(row).data(0, Qt.ItemDataRole.UserRole) == draft.id)  # fmt: skip
    assert line.text(7) == "第三方检查" and page.table.headerItem().text(7) == "检查层级"

    for item_id in ("BJ-SW-01", "BJ-SW-02"):  # 20 points lost: below 90, and a 第三方 check, so 降档
        inspections.set_response(ctx.db, draft.id, item_id, "fail", occurrences=5)
    inspections.finish(ctx.db, draft.id, allow_incomplete=True)
    form = SubjectDialog(ctx, started.window, subjects.get(ctx.db, lane.id))
    qtbot.addWidget(form)
    assert form.tier.currentData() == "" and form.tier_history.isVisibleTo(form)
    form.tier.setCurrentIndex(form.tier.findData("fine"))
    form.save()
    history = tiers.history(ctx.db, lane.id)
    assert [(change.tier.value, change.by) for change in history] == [("fine", profile.user_id(ctx.db))]
    again = SubjectDialog(ctx, started.window, subjects.get(ctx.db, lane.id))
    qtbot.addWidget(again)
    shown = again.tier_history.text()
    assert again.tier.currentText() == "优美街巷" and "优美街巷" in shown and "不达标" in shown
