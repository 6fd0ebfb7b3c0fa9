"""Sync badges where records are listed: a draft is 仅本机, a finished inspection 待同步 until the server answers, and a
refused one says whether it was rejected for good (被拒绝) or found stale (冲突), with the server's reason."""

from __future__ import annotations

from PySide6.QtCore import Qt
from sync_gui_helpers import wait_today_badge

from inspector.store import checklists, findings, inspections, outbox, profile, server_answers, subjects
from inspector.ui.shared.context import INSPECTIONS
from inspector.ui.sync.badges import SYNC_STATE_ROLE

BACK_STREET = "beijie-xiaoxiang"
COMMUNITY = "110101001001000"


def _inspection_line(window, inspection_id: str):  # type: ignore[no-untyped-def]
    page = window.show_page("inspections")
    page.reload()
    lines = [page.table.topLevelItem(row) for row in range(page.table.topLevelItemCount())]
    return next(line for line in lines if line.data(0, Qt.ItemDataRole.UserRole) == inspection_id)


def _queued(db, kind: str, entity_id: str) -> str:  # type: ignore[no-untyped-def]
    return next(e.change_id for e in outbox.list_pending(db) if e.kind == kind and e.entity_id == entity_id)


def test_records_show_local_waiting_rejected_and_conflict_with_the_reason(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    db = ctx.db
    subject = subjects.create(db, kind="back_street", name="东四六条", jurisdiction=COMMUNITY)
    version = next(entry.version for entry in checklists.list_cached(db) if entry.id == BACK_STREET)
    draft = inspections.start(db, checklist_id=BACK_STREET, checklist_version=version, subject_id=subject.id,
                              inspector_id=profile.user_id(db))  # fmt: skip
    assert _inspection_line(window, draft.id).data(6, SYNC_STATE_ROLE) == "local"

    inspections.finish(db, draft.id, allow_incomplete=True)
    line = _inspection_line(window, draft.id)
    assert line.data(6, SYNC_STATE_ROLE) == "pending" and line.text(6) == "待同步"
    submitted = _queued(db, "inspection.submit", draft.id)
    server_answers.reject(db, submitted, "unknown_checklist", "服务器未发布这个检查表版本")
    ctx.notify(INSPECTIONS)
    line = _inspection_line(window, draft.id)
    assert line.data(6, SYNC_STATE_ROLE) == "rejected" and line.text(6) == "被拒绝"
    assert "原因：服务器未发布这个检查表版本" in line.toolTip(6)

    actor = profile.local_actor(db, COMMUNITY)
    payload = {"description": "占道经营", "category": "市容",
               "kind": "hazard", "source": "patrol", "severity": "general", "jurisdiction": COMMUNITY,
               "subject_id": subject.id}  # fmt: skip
    finding_id = findings.record_command(db, action="report", actor=actor, payload=payload).event.finding_id
    wait_today_badge(qtbot, window, finding_id, "pending")
    server_answers.conflict(db, _queued(db, "ledger.command", finding_id), "exists", "这条问题已在服务器上")
    wait_today_badge(qtbot, window, finding_id, "conflict")
    item = window.pages["today"].findings.item(0)
    assert "冲突" in item.text() and "原因：这条问题已在服务器上" in item.toolTip()
