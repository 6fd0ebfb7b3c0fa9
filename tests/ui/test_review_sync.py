"""Offline, then synced, against the real server on 127.0.0.1: a supervisor takes a finding from 待受理 to 已销账 in
the app while an inspector's laptop reports and rectifies it; a command made on a stale state becomes a conflict.

The server and the inspector's laptop are the end-to-end tests' own (`tests/e2e/e2e_support.py`), through
`sync_gui_helpers` (one server template for every GUI sync test of the run)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from ledger_helpers import fill, save
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from sync_gui_helpers import (
    FAST_SYNC,
    PASSWORD,
    Client,
    ServerProcess,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    own_server_fixture,  # noqa: F401  (the `server` fixture)
    )

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action
from inspector.store import findings, settings
from inspector.sync.engine import SyncEngine, SyncSummary, login
from inspector.ui.shared.context import FINDINGS


def _sync(ctx) -> SyncSummary:  # type: ignore[no-untyped-def]
    """What the status bar's sync button does: one cycle, then every page reads again."""
    summary = SyncEngine(ctx.folder).run_cycle()
    assert summary.outcome in ("ok", "incomplete"), summary.error  # incomplete: the server refused a change
    ctx.notify(FINDINGS)
    QApplication.processEvents()
    return summary


def _click(qtbot, button) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def test_review_to_closed_offline_then_synced_and_a_stale_command_conflicts(  # type: ignore[no-untyped-def]
    started, qtbot, server: ServerProcess, tmp_path: Path
) -> None:
    inspector = Client.create(tmp_path / "inspector-laptop")
    other_supervisor = Client.create(tmp_path / "other-supervisor")
    inspector.login(server.url, "ins")
    other_supervisor.login(server.url, "sup2")
    subject_id = inspector.subject("三里屯北小街", code="CY-SLT-0101")
    _inspection, finding_id = inspector.inspection_with_finding(1, subject_id)
    _other_inspection, contested_id = inspector.inspection_with_finding(2, subject_id)
    assert inspector.sync().all_acknowledged

    window, ctx = started.window, started.ctx
    for key, value in FAST_SYNC.items():
        settings.put_text(ctx.db, key, value)
    login(ctx.folder, server.url, "sup", PASSWORD)
    assert _sync(ctx).all_acknowledged
    assert other_supervisor.sync().outcome == "ok"

    review = window.show_page("review")
    assert review.model.total == 2 and not review.role_hint.isVisibleTo(review)

    # Offline: the server is down; the supervisor accepts and assigns one finding and rejects the other.
    server.stop()
    review.select_row(review.model.row_of(finding_id))
    _click(qtbot, review.accept_general)
    review.select_row(review.model.row_of(contested_id))
    _click(qtbot, review.reject_button)
    fill(review.action_dialog, reason="重复上报")
    save(qtbot, review.action_dialog)
    assert review.model.total == 0
    page = window.show_page("findings")
    page.select_finding(finding_id)
    _click(qtbot, page.detail.action_buttons[Action.ASSIGN])
    fill(page.action_dialog, responsible_unit="三里屯物业", responsible_person="李四", measures="拆除违建",
         deadline=local_date(utc_now()) + timedelta(days=10))  # fmt: skip
    save(qtbot, page.action_dialog)
    assert "等待服务器确认" in page.detail.banner.text()
    assert page.detail.values["state"].text().startswith("整改中")
    assert page.detail.heading.text().startswith("待编号")

    # Back online. Another supervisor acted on the contested finding first; then this laptop syncs.
    server.start()
    other_supervisor.command(contested_id, "accept", {"severity": "general"})
    assert other_supervisor.sync().all_acknowledged
    summary = _sync(ctx)
    assert summary.conflicts == 1 and summary.acknowledged == 2 and summary.pending_after == 0
    page.select_finding(finding_id)
    synced = findings.get(ctx.db, finding_id)
    assert synced.view.state.value == "assigned" and not synced.has_pending
    number = synced.view.ledger_number
    assert number and number.startswith("朝阳-三里屯-") and page.detail.heading.text().startswith(number)
    assert page.detail.banner.text() == "已同步"
    row = page.model.row_of(finding_id)
    assert page.model.data(page.model.index(row, 0)) == number

    page.select_finding(contested_id)
    contested = findings.get(ctx.db, contested_id)
    assert contested.has_conflict and contested.view.state.value == "registered"  # the other supervisor's accept
    assert page.detail.banner.text().startswith("冲突")
    sync_column = page.model.COLUMNS.index("sync")
    assert page.model.data(page.model.index(page.model.row_of(contested_id), sync_column)) == "冲突"
    assert any("冲突" in page.detail.timeline.item(i).text() for i in range(page.detail.timeline.count()))

    # The inspector's laptop reports the fix with an after-photo; the supervisor verifies it beside the before-photo.
    assert inspector.sync().outcome == "ok"
    after = inspector.photo(7)
    inspector.command(finding_id, "rectify", {"description": "已拆除", "after_photos": [after]})
    assert inspector.sync().all_acknowledged
    _sync(ctx)
    page.select_finding(finding_id)
    assert page.detail.values["state"].text() == "待复查验收"  # a hazard's words (复查验收)
    _click(qtbot, page.detail.action_buttons[Action.VERIFY_PASS])
    dialog = page.action_dialog
    assert len(dialog.before_strip.photos) == 1 and [p.sha256 for p in dialog.after_strip.photos] == [after]
    fill(dialog, opinion="现场核查，整改到位")
    save(qtbot, dialog)
    assert "等待服务器确认" in page.detail.banner.text()
    assert _sync(ctx).all_acknowledged
    page.select_finding(finding_id)
    closed = findings.get(ctx.db, finding_id)
    assert closed.view.state.value == "closed" and not closed.has_pending and not closed.has_conflict
    assert page.detail.values["state"].text() == "已销账" and page.detail.banner.text() == "已同步"
    timeline = [page.detail.timeline.item(i).text() for i in range(page.detail.timeline.count())]
    assert len(timeline) == 5 and all("已生效" in line for line in timeline)

    assert inspector.sync().outcome == "ok"
    assert inspector.finding(finding_id).view.state.value == "closed"
