"""Fit for the office, through the real window: names instead of ids, the place of a 随手拍 in the list and the
detail pane, a blank finding text with the item as its hint, jurisdictions picked by name, readable export names in
a sensible folder, and 我的待办 with ledger number and deadline."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from ledger_helpers import COMMUNITY, STREET, name_places, report_finding, work_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox
from ui_helpers import activate, start_inspection

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, people, profile, settings, subjects
from inspector.ui.ledger.adhoc_dialog import AdhocFindingDialog
from inspector.ui.ledger.model import LedgerTableModel
from inspector.ui.runner.session import DESCRIPTION_UNCHANGED, FINDING_INCOMPLETE
from inspector.ui.today_view import TodayView

HEX_ID = re.compile(r"[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}")


def test_a_failed_item_starts_with_a_blank_description_and_the_item_as_its_hint(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    lane = subjects.create(ctx.db, kind="back_street", name="三里屯北小街", jurisdiction=COMMUNITY)
    start_inspection(started, qtbot, lane.id)
    runner = started.window.pages["inspections"].runner
    item_ids = runner.model.item_ids()
    activate(qtbot, started.window)
    runner.tree.setFocus()
    for _ in item_ids:
        qtbot.keyClick(runner.tree, Qt.Key.Key_1)
    failed = next(i for i in item_ids if runner.session.checklist.item(i).on_fail is not None
                  and not runner.session.checklist.item(i).on_fail.photo_required)  # fmt: skip
    item = runner.session.checklist.item(failed)
    runner.select_item(failed)
    qtbot.keyClick(runner.tree, Qt.Key.Key_2)
    panel = runner.panel
    assert panel.finding_description.toPlainText() == ""  # never the standard's positive wording
    assert item.text in panel.finding_description.placeholderText()

    draft = runner.session.draft(failed)
    assert draft is not None
    runner.session.set_draft(failed, draft.__class__(item.text, draft.category, draft.severity,
                                                       draft.deadline_days, True))  # fmt: skip
    assert [(p.kind, p.item_id) for p in runner.session.problems()] == [(DESCRIPTION_UNCHANGED, failed)]
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    runner.finish()
    assert runner.problems_dialog is not None and "检查标准的原文" in runner.problems_dialog.list.item(0).text()
    runner.problems_dialog.close()

    runner.select_item(failed)
    runner.session.set_draft(failed, draft.__class__("", draft.category, draft.severity, draft.deadline_days, True))
    assert [p.kind for p in runner.session.problems()] == [FINDING_INCOMPLETE]


def test_adhoc_needs_a_subject_or_a_place_and_prefills_the_users_area(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    work_as(ctx.db, "ins-1", "inspector", scope=STREET)
    settings.put(ctx.db, profile.DISPLAY_NAME, "张巡查")
    name_places(ctx.db)
    dialog = AdhocFindingDialog(ctx, window)
    qtbot.addWidget(dialog)
    assert dialog.jurisdiction.code() == STREET and "三里屯街道" in dialog.jurisdiction.text()
    dialog.description.insertPlainText("路口井盖缺失")
    dialog.category.setCurrentText("市政设施")
    dialog.save()
    assert dialog.finding_id is None
    message = dialog.error.text()
    assert "请选择检查对象，或填写问题所在的地点" in message
    assert not re.search(r"[A-Za-z_]{4,}", message), message  # no internal code or English in the Chinese text

    dialog.address.setText("三里屯路与工体北路交叉口东南角")
    dialog.jurisdiction.setText("12345")  # a typo: refused here, not later by the server
    dialog.save()
    assert dialog.finding_id is None and "格式不对" in dialog.error.text()
    dialog.jurisdiction.setText("110105099000000")  # well-formed, but no such 街乡
    dialog.save()
    assert dialog.finding_id is None and "不在辖区目录中" in dialog.error.text()

    completer = dialog.jurisdiction.completer()
    completer.setCompletionPrefix("三里屯")  # search by name
    matches = [completer.completionModel().index(row, 0).data() for row in range(completer.completionCount())]
    assert any(STREET in match for match in matches)
    dialog.jurisdiction.setText(next(match for match in matches if STREET in match))
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()

    page = window.show_page("findings")
    row = page.model.row_of(dialog.finding_id)
    assert row is not None
    column = LedgerTableModel.COLUMNS.index("subject")
    assert "三里屯路与工体北路交叉口东南角" in page.model.index(row, column).data()
    page.select_finding(dialog.finding_id)
    assert "三里屯路与工体北路交叉口东南角" in page.detail.values["place"].text()
    assert page.detail.values["reporter"].text() == "张巡查"
    assert "张巡查" in page.detail.timeline.item(0).text()


def test_list_and_detail_show_coordinates_and_names_never_ids(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    people.save(ctx.db, {"ins-1": "王巡查"})
    finding_id = report_finding(ctx.db, location={"address": "工体北路 8 号", "lat": 39.93012, "lon": 116.45011})
    page = window.show_page("findings")
    page.select_finding(finding_id)
    assert page.detail.values["place"].text() == "工体北路 8 号（39.93012, 116.45011）"
    assert page.detail.values["reporter"].text() == "王巡查"
    row = page.model.row_of(finding_id)
    assert row is not None
    assert "39.93012, 116.45011" in page.model.index(row, LedgerTableModel.COLUMNS.index("subject")).data()
    timeline = page.detail.timeline.item(0)
    assert "王巡查" in timeline.text() and "ins-1" not in timeline.text() + timeline.toolTip()


def assigned_finding(ctx) -> str:  # type: ignore[no-untyped-def]
    """A finding reported by ins-1 (王巡查) at a unit with a responsible person, accepted and assigned."""
    name_places(ctx.db)
    people.save(ctx.db, {"ins-1": "王巡查", "sup-1": "李督查"})
    unit = subjects.create(ctx.db, kind="street_front_unit", name="京味餐厅", jurisdiction=COMMUNITY,
                           address="三里屯路 19 号", responsible_person="赵店长", phone="13800000000")  # fmt: skip
    finding_id = report_finding(ctx.db, subject_id=unit.id)
    boss = Actor("sup-1", frozenset({Role.SUPERVISOR}), frozenset({STREET}))
    findings.record_command(ctx.db, action=Action.ACCEPT, actor=boss, finding_id=finding_id,
                            payload={"severity": "general", "ledger_number": "朝阳-三里屯-2026-00042"})  # fmt: skip
    deadline = (local_date(utc_now()) + timedelta(days=7)).isoformat()
    findings.record_command(ctx.db, action=Action.ASSIGN, actor=boss, finding_id=finding_id,
                            payload={"responsible_unit": "京味餐厅", "deadline": deadline,
                                     "responsible_person": "赵店长", "responsible_phone": "13800000000",
                                     "measures": "清理门前堆物"})  # fmt: skip
    return finding_id


def test_documents_from_the_detail_pane_name_people_and_open_in_a_sensible_folder(  # type: ignore[no-untyped-def]
    started, qtbot, monkeypatch, tmp_path: Path
) -> None:
    window, ctx = started.window, started.ctx
    finding_id = assigned_finding(ctx)
    page = window.show_page("findings")
    page.select_finding(finding_id)
    offered: list[str] = []
    out = tmp_path / "exports"
    out.mkdir()

    def save_as(_parent, _title, suggested, _filter):  # type: ignore[no-untyped-def]
        offered.append(suggested)
        return str(out / Path(suggested).name), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    worker = page.export_document("notice")
    assert worker is not None
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    name = Path(offered[0]).name
    assert name == f"整改通知书-朝阳-三里屯-2026-00042-{local_date(utc_now()).isoformat()}.pdf"
    assert Path(offered[0]).parent != Path.home() or not Path.home().joinpath("Documents").is_dir()
    page.export_document("signboard")
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    assert Path(offered[1]).parent == out  # the last export's folder is remembered
    assert Path(offered[1]).name == "责任公示牌-京味餐厅.pdf"

    tool = shutil.which("pdftotext")
    if tool is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    def text_of(pdf: Path) -> str:
        done = subprocess.run([tool, str(pdf), "-"], capture_output=True, check=True)
        return re.sub(r"\s+", "", done.stdout.decode("utf-8"))

    for pdf in out.glob("*.pdf"):
        assert not HEX_ID.search(text_of(pdf)), (pdf.name, HEX_ID.search(text_of(pdf)))
    notice = text_of(out / name)
    assert "检查人王巡查" in notice and "赵店长" in notice and "京味餐厅（三里屯路19号）" in notice


def test_my_todo_shows_the_ledger_number_and_deadline(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    finding_id = assigned_finding(ctx)
    work_as(ctx.db, "ins-1", "inspector", scope=STREET)
    today: TodayView = started.window.show_page("today")
    today.reload()
    qtbot.waitUntil(lambda: today.findings.count() == 1, timeout=10_000)
    text = today.findings.item(0).text()
    deadline = findings.get(ctx.db, finding_id).view.deadline
    assert "朝阳-三里屯-2026-00042" in text and deadline is not None and deadline.isoformat() in text
