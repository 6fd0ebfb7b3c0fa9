"""Review and ledger actions through the real window, offline: each one is a queued command checked by the ledger's
rules, shown as waiting for the server; the forms show the rules' own messages; the role decides the buttons."""

from __future__ import annotations

from datetime import timedelta

from ledger_helpers import INSPECTOR, SUPERVISOR, field_error, fill, name_places, report_finding, save, work_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action
from inspector.store import findings, outbox


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def _state(ctx, finding_id: str) -> str:  # type: ignore[no-untyped-def]
    return findings.get(ctx.db, finding_id).view.state.value


def test_supervisor_takes_a_finding_from_review_to_closed_offline(started, qtbot, photo_files) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    finding_id = report_finding(ctx.db, ctx.folder, photo_files[0])
    work_as(ctx.db, SUPERVISOR, "supervisor")
    today = local_date(utc_now())

    review = window.show_page("review")
    assert review.model.total == 1 and not review.role_hint.isVisibleTo(review)
    assert review.detail.finding.id == finding_id and len(review.detail.photos.photos) == 1
    _click(qtbot, review.accept_major)
    assert review.model.total == 0 and review.detail.finding is None
    accepted = findings.get(ctx.db, finding_id)
    assert accepted.view.state.value == "registered" and accepted.view.severity.value == "major"
    assert accepted.has_pending

    page = window.show_page("findings")
    page.select_finding(finding_id)
    assert page.detail.finding.id == finding_id
    assert "等待服务器确认" in page.detail.banner.text()
    row = page.model.row_of(finding_id)
    assert page.model.data(page.model.index(row, page.model.COLUMNS.index("sync"))) == "等待服务器确认"
    visible = {action for action, button in page.detail.action_buttons.items() if button.isVisibleTo(page.detail)}
    assert visible == {Action.ASSIGN, Action.ESCALATE}

    # 派遣: a 重大隐患 needs funds and a contingency plan too (五落实), 临时管控措施, a 治理方案 and its report upward;
    # the form says so with the rule's words.
    _click(qtbot, page.detail.action_buttons[Action.ASSIGN])
    dialog = page.action_dialog
    assert dialog is not None and dialog.isVisible()
    fill(dialog, responsible_unit="三里屯物业", responsible_person="李四", responsible_phone="13800000000",
         measures="拆除违建，恢复原状", deadline=today + timedelta(days=10))  # fmt: skip
    save(qtbot, dialog)
    assert dialog.isVisible() and _state(ctx, finding_id) == "registered"
    assert "必填" in field_error(dialog, "funds") and "必填" in field_error(dialog, "contingency_plan")
    assert "必填" in field_error(dialog, "interim_controls") and "必填" in field_error(dialog, "governance_plan")
    fill(dialog, funds="街道专项经费 2 万元", contingency_plan="设置围挡，专人值守", interim_controls="设置围挡",
         reported_upward_to="朝阳区城市管理委")  # fmt: skip
    dialog.inputs["governance_plan"].add_sources(photo_files[:1])
    qtbot.waitUntil(lambda: dialog.inputs["governance_plan"].worker is None, timeout=20_000)
    save(qtbot, dialog)
    assert not dialog.isVisible() and _state(ctx, finding_id) == "assigned"
    assert page.detail.finding.view.funds == "街道专项经费 2 万元"

    # 延期: not earlier than the current deadline (the rule's message), then later.
    _click(qtbot, page.detail.action_buttons[Action.EXTEND])
    dialog = page.action_dialog
    fill(dialog, deadline=today + timedelta(days=5), reason="需协调产权单位")
    save(qtbot, dialog)
    assert "必须晚于原期限" in field_error(dialog, "deadline")
    fill(dialog, deadline=today + timedelta(days=20))
    save(qtbot, dialog)
    assert findings.get(ctx.db, finding_id).view.deadline == today + timedelta(days=20)

    # 督办
    _click(qtbot, page.detail.action_buttons[Action.ESCALATE])
    dialog = page.action_dialog
    # 街乡督办: a 街乡 supervisor may still close it (a 区级 one binds: tests/unit/test_case_kinds.py)
    fill(dialog, level="street", unit="三里屯街道办事处", deadline=today + timedelta(days=20),
         note="街乡督办，按期整改")  # fmt: skip
    save(qtbot, dialog)
    assert findings.get(ctx.db, finding_id).view.escalation.value == "street"

    # An inspector of the same 街乡 reports the fix with an after-photo, or asks for more time: all an inspector sees.
    work_as(ctx.db, INSPECTOR, "inspector")
    page.select_finding(finding_id)
    visible = {action for action, button in page.detail.action_buttons.items() if button.isVisibleTo(page.detail)}
    assert visible == {Action.RECTIFY, Action.REQUEST_EXTENSION}
    _click(qtbot, page.detail.action_buttons[Action.RECTIFY])
    dialog = page.action_dialog
    fill(dialog, description="已拆除，现场恢复")
    save(qtbot, dialog)
    assert "必填" in field_error(dialog, "after_photos") and _state(ctx, finding_id) == "assigned"
    dialog.inputs["after_photos"].add_sources(photo_files[1:2])
    qtbot.waitUntil(lambda: dialog.inputs["after_photos"].worker is None, timeout=20_000)
    save(qtbot, dialog)
    assert _state(ctx, finding_id) == "rectified"
    assert len(page.detail.after_photos.photos) == 1 and len(page.detail.photos.photos) == 1

    # 核查: the after-photo beside the before-photo; failing sends it back, passing closes it out.
    work_as(ctx.db, SUPERVISOR, "supervisor")
    page.select_finding(finding_id)
    _click(qtbot, page.detail.action_buttons[Action.VERIFY_FAIL])
    dialog = page.action_dialog
    assert len(dialog.before_strip.photos) == 1 and len(dialog.after_strip.photos) == 1
    fill(dialog, reason="仍有残留建材")
    save(qtbot, dialog)
    assert _state(ctx, finding_id) == "assigned"
    work_as(ctx.db, INSPECTOR, "inspector")
    page.select_finding(finding_id)
    _click(qtbot, page.detail.action_buttons[Action.RECTIFY])
    dialog = page.action_dialog
    fill(dialog, description="残留建材已清运")
    dialog.inputs["after_photos"].add_sources(photo_files[2:3])
    qtbot.waitUntil(lambda: dialog.inputs["after_photos"].worker is None, timeout=20_000)
    save(qtbot, dialog)
    work_as(ctx.db, SUPERVISOR, "supervisor")
    page.select_finding(finding_id)
    _click(qtbot, page.detail.action_buttons[Action.VERIFY_PASS])
    dialog = page.action_dialog
    assert len(dialog.after_strip.photos) == 2
    save(qtbot, dialog)
    assert "必填" in field_error(dialog, "opinion")
    fill(dialog, opinion="现场核查，整改到位")
    save(qtbot, dialog)
    closed = findings.get(ctx.db, finding_id)
    assert closed.view.state.value == "closed" and closed.view.closed_at is not None
    assert "已销账" in page.detail.values["state"].text()

    # 重新打开 needs a reason and a deadline.
    _click(qtbot, page.detail.action_buttons[Action.REOPEN])
    dialog = page.action_dialog
    fill(dialog, reason="群众再次反映")
    save(qtbot, dialog)
    assert _state(ctx, finding_id) == "assigned"

    actions = [stored.event.action.value for stored in findings.events(ctx.db, finding_id)]
    assert actions == ["report", "accept", "assign", "extend", "escalate", "rectify", "verify_fail", "rectify",
                       "verify_pass", "reopen"]  # fmt: skip
    assert all(stored.sync_state == "pending" for stored in findings.events(ctx.db, finding_id))
    assert [entry.kind for entry in outbox.list_pending(ctx.db)].count("ledger.command") == len(actions)
    assert page.detail.timeline.count() == len(actions)
    assert all("等待服务器确认" in page.detail.timeline.item(i).text() for i in range(len(actions)))


def test_reject_needs_a_reason_and_inspectors_cannot_review(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    first = report_finding(ctx.db, description="井盖缺失")
    second = report_finding(ctx.db, description="路灯不亮")

    work_as(ctx.db, INSPECTOR, "inspector")
    review = window.show_page("review")
    assert review.model.total == 2 and review.role_hint.isVisibleTo(review)
    assert not review.accept_general.isEnabled() and not review.reject_button.isEnabled()
    assert not review.detail.actions_box.isVisibleTo(review.detail)

    work_as(ctx.db, SUPERVISOR, "supervisor")
    review.activate()
    assert review.detail.finding.id == first  # oldest first
    _click(qtbot, review.reject_button)
    dialog = review.action_dialog
    save(qtbot, dialog)
    assert "必填" in field_error(dialog, "reason") and _state(ctx, first) == "reported"
    fill(dialog, reason="经核实不属于城管职责，已转交相关部门")
    save(qtbot, dialog)
    assert _state(ctx, first) == "rejected"
    assert review.model.total == 1 and review.detail.finding.id == second  # the next one follows
    _click(qtbot, review.accept_general)
    assert _state(ctx, second) == "registered" and review.model.total == 0
    assert "待受理 0 条" in review.count.text()
