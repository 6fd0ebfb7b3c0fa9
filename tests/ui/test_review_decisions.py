"""The review page's other queues: a supervisor decides extension requests (批准延期 / 不予延期) and lifts 督办 (摘牌)
there, each button shown only when the ledger allows the action, and an inspector sees none of them."""

from __future__ import annotations

from datetime import timedelta

from ledger_helpers import INSPECTOR, SUPERVISOR, fill, name_places, report_finding, save, work_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action
from inspector.store import findings
from inspector.ui.ledger.actions import record


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def _assigned_case(ctx, description: str) -> str:  # type: ignore[no-untyped-def]
    """A 一般隐患 accepted and assigned by the supervisor (the current user)."""
    finding_id = report_finding(ctx.db, description=description)
    record(ctx.db, findings.get(ctx.db, finding_id), Action.ACCEPT, {"severity": "general"})
    deadline = (local_date(utc_now()) + timedelta(days=10)).isoformat()
    record(ctx.db, findings.get(ctx.db, finding_id), Action.ASSIGN, {
        "responsible_unit": "三里屯物业", "responsible_person": "李四", "responsible_phone": "13800000000",
        "deadline": deadline, "measures": "清理纸箱", "funds": "自筹", "contingency_plan": "专人值守",
    })  # fmt: skip
    return finding_id


def _visible(review) -> set[Action]:  # type: ignore[no-untyped-def]
    return {action for action, button in review.decision_buttons.items() if button.isVisibleTo(review)}


def test_supervisor_decides_extensions_and_lifts_escalations_on_the_review_page(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    work_as(ctx.db, SUPERVISOR, "supervisor")
    today = local_date(utc_now())
    asking = _assigned_case(ctx, "店外堆放纸箱")
    refused = _assigned_case(ctx, "占道经营")
    escalated = _assigned_case(ctx, "违规广告牌")
    record(ctx.db, findings.get(ctx.db, escalated), Action.ESCALATE, {
        "level": "street", "unit": "三里屯街道办事处", "doc_no": "督〔2026〕1号",
        "deadline": (today + timedelta(days=20)).isoformat(), "note": "按期整改",
    })  # fmt: skip
    work_as(ctx.db, INSPECTOR, "inspector")
    for finding_id in (asking, refused):
        record(ctx.db, findings.get(ctx.db, finding_id), Action.REQUEST_EXTENSION,
               {"deadline": (today + timedelta(days=30)).isoformat(), "reason": "需协调产权单位"})  # fmt: skip

    # An inspector sees the queue but no decision.
    review = window.show_page("review")
    review.show_queue("extension")
    assert review.model.total == 2 and _visible(review) == set()

    work_as(ctx.db, SUPERVISOR, "supervisor")
    review.activate()
    assert "延期申请 2 条" in review.count.text()
    assert not review.accept_general.isVisibleTo(review)
    assert review.detail.finding.id == asking  # oldest first
    assert _visible(review) == {Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION}
    _click(qtbot, review.decision_buttons[Action.APPROVE_EXTENSION])
    dialog = review.action_dialog
    assert dialog is not None and dialog.isVisible()
    fill(dialog, note="同意延期")
    save(qtbot, dialog)
    approved = findings.get(ctx.db, asking).view
    assert approved.deadline == today + timedelta(days=30) and approved.requested_deadline is None
    assert review.model.total == 1 and review.detail.finding.id == refused  # the next request follows

    _click(qtbot, review.decision_buttons[Action.REFUSE_EXTENSION])
    dialog = review.action_dialog
    save(qtbot, dialog)
    assert dialog.isVisible() and findings.get(ctx.db, refused).view.requested_deadline is not None  # reason needed
    fill(dialog, reason="期限内可完成")
    save(qtbot, dialog)
    kept = findings.get(ctx.db, refused).view
    assert kept.requested_deadline is None and kept.deadline == today + timedelta(days=10)
    assert review.model.total == 0 and _visible(review) == set()

    # 督办: only the escalated case is listed, and 摘牌 lifts it off the queue.
    review.show_queue("escalation")
    assert review.model.total == 1 and review.detail.finding.id == escalated
    assert _visible(review) == {Action.LIFT_ESCALATION}
    _click(qtbot, review.decision_buttons[Action.LIFT_ESCALATION])
    dialog = review.action_dialog
    fill(dialog, note="整改到位，予以摘牌")
    save(qtbot, dialog)
    assert findings.get(ctx.db, escalated).view.escalation is None
    assert review.model.total == 0 and "督办 0 条" in review.count.text()

    actions = [stored.event.action for stored in findings.events(ctx.db, escalated)]
    assert actions[-1] == Action.LIFT_ESCALATION
    review.show_queue("reported")
    assert review.accept_general.isVisibleTo(review) and _visible(review) == set()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer\n%%EOF\n"


def test_a_major_hazard_is_assigned_with_a_pdf_plan_and_a_non_pdf_is_refused(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from inspector.store import documents

    window, ctx = started.window, started.ctx
    name_places(ctx.db)
    work_as(ctx.db, SUPERVISOR, "supervisor")
    finding_id = report_finding(ctx.db, description="燃气管道锈蚀")
    record(ctx.db, findings.get(ctx.db, finding_id), Action.ACCEPT, {"severity": "major"})
    page = window.show_page("findings")
    page.select_finding(finding_id)
    assert not page.detail.open_plan.isVisibleTo(page.detail)
    _click(qtbot, page.detail.action_buttons[Action.ASSIGN])
    dialog = page.action_dialog
    fill(dialog, responsible_unit="燃气公司", responsible_person="李四", responsible_phone="13800000000",
         measures="更换管段", funds="企业自筹", contingency_plan="停气疏散", interim_controls="关闭总阀",
         reported_upward_to="朝阳区城市管理委", deadline=local_date(utc_now()) + timedelta(days=10))  # fmt: skip

    not_pdf = tmp_path / "方案.pdf"
    not_pdf.write_bytes(b"\xff\xd8\xff\xe0 a JPEG named .pdf")
    assert not dialog.attach_documents([not_pdf])
    assert "不是 PDF 文件" in dialog.errors["governance_plan"].text() and dialog.plan_documents == []
    assert not documents.documents_dir(ctx.folder).exists()  # nothing stored

    plan = tmp_path / "治理方案.pdf"
    plan.write_bytes(PDF)
    assert dialog.attach_documents([plan]) and "治理方案.pdf" in dialog.plan_files.text()
    save(qtbot, dialog)
    assigned = findings.get(ctx.db, finding_id).view
    assert assigned.state.value == "assigned" and len(assigned.governance_plan) == 1
    stored = documents.document_path(ctx.folder, assigned.governance_plan[0])
    assert stored.read_bytes() == PDF
    page.select_finding(finding_id)
    assert page.detail.open_plan.isVisibleTo(page.detail) and page.detail.plan_documents() == [stored]
