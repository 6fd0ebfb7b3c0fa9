"""The conflicts view against the real server on 127.0.0.1: two supervisors act on the same findings; the app's
refused commands appear beside the server's current state, one is re-applied on the new state and accepted, one
cannot be re-applied (the ledger rule says why) and is discarded, and a change the server rejects for good is listed
with its reason."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from sync_gui_helpers import (
    Client,
    ServerProcess,
    assign_payload,
    click_sync,
    deadline_in,
    log_in,
    manual_sync,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    sync_server_fixture,  # noqa: F401  (the sync_server fixture)
    wait_state,
)

from inspector.core.errors import zh_text
from inspector.store import conflicts, findings, profile
from inspector.ui.sync.badges import SYNC_STATE_ROLE


def _command(ctx, finding_id: str, action: str, payload: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    """What the ledger page's action buttons do: a command as the signed-in user, checked and queued."""
    finding = findings.get(ctx.db, finding_id)
    actor = profile.local_actor(ctx.db, finding.view.jurisdiction)
    findings.record_command(ctx.db, action=action, actor=actor, payload=payload, finding_id=finding_id)


def _answer(monkeypatch, button: QMessageBox.StandardButton) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(QMessageBox, "question", lambda *args, **kwargs: button)


def test_conflicts_are_shown_beside_the_server_state_and_re_applied_or_discarded(  # type: ignore[no-untyped-def]
    started, qtbot, sync_server: ServerProcess, tmp_path: Path, monkeypatch
) -> None:
    inspector = Client.create(tmp_path / "inspector")
    other = Client.create(tmp_path / "other-supervisor")
    inspector.login(sync_server.url, "ins")
    other.login(sync_server.url, "sup2")
    street = inspector.subject("三里屯西五街")
    _, extended = inspector.inspection_with_finding(11, street)
    _, accepted = inspector.inspection_with_finding(12, street)
    _, refused = inspector.inspection_with_finding(13, street)
    assert inspector.sync().all_acknowledged
    assert other.sync().outcome == "ok"
    other.command(extended, "accept", {"severity": "general"})
    other.command(extended, "assign", assign_payload())
    assert other.sync().all_acknowledged

    window = started.window
    manual_sync(window)
    log_in(qtbot, window, sync_server.url, "sup")
    assert click_sync(qtbot, window)[1].outcome == "ok"
    ctx = window.ctx
    assert findings.get(ctx.db, extended).view.state.value == "assigned"

    # This supervisor extends one finding and accepts another; meanwhile the other supervisor rejects the second,
    # and the inspector reports the first one fixed.
    _command(ctx, extended, "extend", {"deadline": deadline_in(20), "reason": "材料未到"})
    _command(ctx, accepted, "accept", {"severity": "general"})
    other.command(accepted, "reject", {"reason": "不属于城管职责"})
    assert other.sync().all_acknowledged
    assert inspector.sync().outcome == "ok"
    inspector.command(extended, "rectify", {"description": "已拆除", "after_photos": [inspector.photo(14)]})
    assert inspector.sync().all_acknowledged

    summary = click_sync(qtbot, window)[1]
    assert summary.outcome == "incomplete" and summary.conflicts == 2
    status = window.status.sync_widget
    wait_state(qtbot, window, lambda state: state.refused == 2)
    assert status.conflicts_button.isVisibleTo(window.status) and status.conflicts_button.text() == "冲突 2 项"

    # The other supervisor finds the fix insufficient: the finding is back in 整改中, where an extension fits again.
    assert other.sync().outcome == "ok"
    other.command(extended, "verify_fail", {"reason": "仍有残留"})
    assert other.sync().all_acknowledged
    assert click_sync(qtbot, window)[1].outcome == "ok"

    qtbot.mouseClick(status.conflicts_button, Qt.MouseButton.LeftButton)
    view = status.conflicts_dialog.view
    assert status.conflicts_dialog.isVisible() and len(view.items) == 2
    assert [view.table.topLevelItem(row).text(0) for row in range(2)] == ["冲突", "冲突"]

    view.select_row(view.row_of(extended))
    local, server = view.local_text.text(), view.server_text.text()
    assert local.startswith("延期") and "当时看到的状态：整改中" in local and "理由：材料未到" in local
    assert "状态：整改中" in server and "台账编号：朝阳-三里屯-" in server and "最后一次操作：复查验收不通过" in server
    assert view.reapply_button.isEnabled()
    assert view.reapply_selected()
    assert view.message.text() == "已重新提交，下次同步时上传。" and len(view.items) == 1
    assert findings.get(ctx.db, extended).has_pending
    summary = click_sync(qtbot, window)[1]
    assert summary.outcome == "ok" and summary.acknowledged == 1
    mine = findings.get(ctx.db, extended)
    assert mine.view.deadline is not None and mine.view.deadline.isoformat() == deadline_in(20)
    assert not mine.has_pending and not mine.has_conflict

    view.select_row(view.row_of(accepted))
    assert view.local_text.text().startswith("受理挂账") and "状态：不予挂账" in view.server_text.text()
    assert not view.reapply_selected()  # the ledger rules refuse it on the current state, and say why
    assert view.message.objectName() == "error"
    assert view.message.text().startswith("不能重新提交：隐患当前为不予挂账，不能「受理挂账」")
    assert len(view.items) == 1
    _answer(monkeypatch, QMessageBox.StandardButton.No)
    assert not view.discard_selected() and len(view.items) == 1
    _answer(monkeypatch, QMessageBox.StandardButton.Yes)
    assert view.discard_selected() and view.items == []
    assert view.message.text() == "已放弃这项变更。"
    assert not findings.get(ctx.db, accepted).has_conflict
    [dropped] = [c for c in conflicts.for_entity(ctx.db, accepted)]
    assert dropped.resolution == "dropped"
    wait_state(qtbot, window, lambda state: state.refused == 0)
    assert not status.conflicts_button.isVisibleTo(window.status)

    # The district takes the supervisor role away; the app still acts on the last login's roles, the server refuses.
    with sqlite3.connect(sync_server.db_path, timeout=30) as server_db:
        server_db.execute("UPDATE users SET roles = 'inspector' WHERE username = 'sup'")
    _command(ctx, refused, "accept", {"severity": "major"})
    summary = click_sync(qtbot, window)[1]
    assert summary.rejected == 1 and summary.conflicts == 0
    wait_state(qtbot, window, lambda state: state.refused == 1)
    assert status.conflicts_button.text() == "被拒绝 1 项"  # refused for good, not a conflict to re-apply
    view.reload()
    [row] = [view.table.topLevelItem(0)]
    assert row.text(0) == "被拒绝" and "forbidden_role" not in row.text(3) and row.text(3)
    assert view.items[0].status == "rejected" and view.items[0].code == "forbidden_role"
    shown = zh_text(view.items[0].message)  # the Chinese reason without its English aside
    assert shown and "服务器的答复：" + shown in view.server_text.text() and "(" not in shown
    rows = window.show_page("findings")
    rows.select_finding(refused)
    assert rows.detail.photos.list.item(0).data(SYNC_STATE_ROLE) == "synced"
