"""The action forms a supervisor and a unit use: 派遣 starts from the inspector's suggested deadline and refuses a
past day visibly (kept, with the rule's reason), 整改反馈 shows the problem's photos, 核查 shows what the unit said
it did."""

from __future__ import annotations

from datetime import timedelta

from ledger_helpers import INSPECTOR, SUPERVISOR, field_error, fill, name_places, report_finding, save, work_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDateEdit

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action, Actor, Role
from inspector.store import findings, people


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def test_assign_rectify_and_verify_forms_show_what_the_person_needs(started, qtbot, photo_files) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    today = local_date(utc_now())
    suggested = today + timedelta(days=12)
    finding_id = report_finding(ctx.db, ctx.folder, photo_files[0], suggested_deadline=suggested.isoformat())
    boss = Actor(SUPERVISOR, frozenset({Role.SUPERVISOR}), frozenset({"110105004000000"}))
    findings.record_command(ctx.db, action=Action.ACCEPT, actor=boss, finding_id=finding_id,
                            payload={"severity": "general"})  # fmt: skip
    work_as(ctx.db, SUPERVISOR, "supervisor")
    page = window.show_page("findings")
    page.select_finding(finding_id)

    _click(qtbot, page.detail.action_buttons[Action.ASSIGN])
    dialog = page.action_dialog
    deadline = dialog.inputs["deadline"]
    assert isinstance(deadline, QDateEdit) and deadline.date().toPython() == suggested
    fill(dialog, responsible_unit="三里屯物业", responsible_person="李四", responsible_phone="13800000000",
         measures="清理堆物", deadline=today - timedelta(days=1))  # fmt: skip
    assert deadline.date().toPython() == today - timedelta(days=1)  # kept as typed, not silently put back
    save(qtbot, dialog)
    assert dialog.isVisible() and "早于今天" in field_error(dialog, "deadline")
    fill(dialog, deadline=suggested)
    save(qtbot, dialog)
    assert findings.get(ctx.db, finding_id).view.deadline == suggested

    work_as(ctx.db, INSPECTOR, "inspector")
    page.select_finding(finding_id)
    _click(qtbot, page.detail.action_buttons[Action.RECTIFY])
    dialog = page.action_dialog
    assert len(dialog.before_strip.photos) == 1  # the problem's own photo, to match the fix against
    fill(dialog, description="纸箱已清走，门前恢复通行")
    dialog.inputs["after_photos"].add_sources(photo_files[1:2])
    qtbot.waitUntil(lambda: dialog.inputs["after_photos"].worker is None, timeout=20_000)
    save(qtbot, dialog)

    people.save(ctx.db, {INSPECTOR: "王巡查"})
    work_as(ctx.db, SUPERVISOR, "supervisor")
    page.select_finding(finding_id)
    assert page.detail.values["rectifier"].text() == "王巡查"  # 整改反馈人, apart from the unit's 责任人
    assert page.detail.values["person"].text().startswith("李四")
    _click(qtbot, page.detail.action_buttons[Action.VERIFY_PASS])
    dialog = page.action_dialog
    assert "纸箱已清走，门前恢复通行" in dialog.rectification_label.text()
    dialog.reject()
