"""The "1+10" visit through the real window: the general list plus two area lists in one inspection, each list its own
group with its own live score and outcome, a failed area item whose case carries its list, per-list scores kept."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from ui_helpers import activate

from inspector.store import findings, inspections, jsonutil, outbox, subjects
from inspector.ui.runner.new_inspection import NewInspectionDialog
from inspector.ui.runner.session import InspectionSession

GENERAL, GAS, POWER = "anquan-tongyong", "anquan-ranqi", "anquan-dianli"


def test_a_1_plus_10_visit_keeps_each_list_with_its_answers_score_and_cases(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    qtbot.waitUntil(lambda: ctx.checklists_loaded, timeout=20_000)
    site = subjects.create(ctx.db, kind="site", name="三里屯某餐馆后厨", jurisdiction="110105004000000", code="S-1")

    dialog = NewInspectionDialog(ctx, window, subject_id=site.id)
    dialog.choose(site.id, GENERAL)
    assert dialog.area_list.isVisibleTo(dialog)
    offered = [dialog.area_list.item(row).data(Qt.ItemDataRole.UserRole)[0] for row in range(dialog.area_list.count())]
    assert GAS in offered and POWER in offered and GENERAL not in offered
    dialog.tick_area(GAS)
    dialog.area_list.setFocus()  # the keyboard ticks the other: Space on the current line
    dialog.area_list.setCurrentRow(offered.index(POWER))
    qtbot.keyClick(dialog.area_list, Qt.Key.Key_Space)
    assert [key for key, _version in dialog.selected_areas()] == sorted([GAS, POWER], key=offered.index)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.inspection_id is not None, dialog.error.text()
    inspection_id = dialog.inspection_id
    window.open_inspection(inspection_id)

    runner = window.pages["inspections"].runner
    model = runner.model
    assert model.grouped and model.rowCount() == 3
    titles = [model.data(model.list_index(row, 0)) for row in range(3)]
    assert GENERAL in titles[0] and {GAS, POWER} == {t.split("(")[-1].split(" ·")[0] for t in titles[1:]}
    areas = [runner.session.lists[row].id for row in (1, 2)]

    activate(qtbot, window)
    runner.tree.setFocus()
    for _ in model.item_ids():  # "1" answers 合格 and moves on, across the lists
        qtbot.keyClick(runner.tree, Qt.Key.Key_1)
    assert all(runner.session.result(item) == "pass" for item in model.item_ids())
    runner.select_item("AQ-DL-09")
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)
    runner.panel.finding_description.insertPlainText("配电室门口挡鼠板缺失，电缆孔洞未封堵")
    runner.panel.flush()

    confined_row = areas.index(POWER) + 1
    scores = [model.data(model.list_index(row, 1)) for row in range(3)]
    assert scores[0].endswith("未发现隐患") and scores[confined_row].endswith("发现隐患")
    assert "未发现隐患" not in scores[confined_row] and "1" in scores[confined_row]
    assert runner.score_label.text().endswith("发现隐患")  # the whole visit: one list found a hazard

    resumed = InspectionSession(ctx.db, inspection_id)  # autosaved: a reopened draft has every answer
    assert [c.id for c in resumed.lists] == [GENERAL, *areas]
    assert resumed.result("AQ-DL-09") == "fail" and resumed.list_of("AQ-DL-09").id == POWER
    runner.open(inspection_id)  # draft resume: the runner reopens on the same groups
    assert runner.model.rowCount() == 3

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(runner.finish_button, Qt.MouseButton.LeftButton)
    finished = inspections.get(ctx.db, inspection_id)
    assert finished.status == "finished" and finished.passed is False and finished.outcome == "发现隐患"
    kept = {entry.checklist_id: entry for entry in inspections.lists(ctx.db, inspection_id)}
    assert kept[GENERAL].passed is True and kept[GENERAL].outcome == "未发现隐患"
    assert kept[POWER].passed is False and kept[POWER].outcome == "发现隐患"
    assert kept[GAS].passed is True

    (case,) = findings.list_findings(ctx.db)
    assert case.inspection_id == inspection_id and case.item_id == "AQ-DL-09"
    report = ctx.db.execute("SELECT payload FROM finding_events WHERE finding_id = ?", [case.id]).fetchone()[0]
    assert jsonutil.loads(report)["checklist"] == kept[POWER].key
    assert str(getattr(case.view.kind, "value", case.view.kind)) == "hazard"

    (submit,) = [entry for entry in outbox.list_pending(ctx.db) if entry.kind == "inspection.submit"]
    payload = submit.payload
    assert payload["checklist_id"] == GENERAL and all(i.startswith("AQ-TY") for i in payload["responses"])
    assert [entry["checklist_id"] for entry in payload["lists"]] == areas
    failed = payload["lists"][areas.index(POWER)]
    assert failed["responses"]["AQ-DL-09"]["result"] == "fail" and failed["outcome"] == "发现隐患"
