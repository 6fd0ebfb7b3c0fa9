"""A change the real server refuses for a field the user can fix — a jurisdiction code not in the district's tree —
is edited in the conflicts page and sent again, not only dropped: the subject and the finding reach the server."""

from __future__ import annotations

from pathlib import Path

from sync_gui_helpers import (
    ServerProcess,
    click_sync,
    log_in,
    manual_sync,
    memory_keyring_fixture,  # noqa: F401  (autouse)
    sync_server_fixture,  # noqa: F401  (the sync_server fixture)
    wait_state,
)

from inspector.core.ledger import Action
from inspector.store import conflicts, findings, profile, subjects

NOT_IN_TREE = "110105004099000"  # well-formed, but the district has no such 社区
FIXED = "110105004032000"  # 幸福一村社区


def test_a_refused_jurisdiction_is_edited_and_sent_again(started, qtbot, sync_server: ServerProcess,  # type: ignore[no-untyped-def]
                                                          tmp_path: Path) -> None:  # fmt: skip
    window = started.window
    manual_sync(window)
    log_in(qtbot, window, sync_server.url, "ins")
    ctx = window.ctx
    lane = subjects.create(ctx.db, kind="back_street", name="三里屯南小街", jurisdiction=NOT_IN_TREE)
    payload = {"description": "井盖缺失", "category": "市政设施", "kind": "problem", "source": "patrol",
               "jurisdiction": NOT_IN_TREE, "location": {"address": "三里屯南小街东口"}}  # fmt: skip
    actor = profile.local_actor(ctx.db, NOT_IN_TREE)
    finding_id = findings.record_command(ctx.db, action=Action.REPORT, actor=actor, payload=payload).event.finding_id

    summary = click_sync(qtbot, window)[1]
    assert summary.rejected == 2, summary
    wait_state(qtbot, window, lambda state: state.refused == 2)
    status = window.status.sync_widget
    status.conflicts_button.click()
    view = status.conflicts_dialog.view
    assert len(view.items) == 2 and {c.code for c in view.items} == {"unknown_jurisdiction"}

    for entity in (lane.id, finding_id):
        view.select_row(view.row_of(entity))
        assert view.fix_row.isVisibleTo(view) and view.fix_label.text() == "需要修改：所属辖区"
        assert view.fix_jurisdiction.code() == NOT_IN_TREE and "改正后可重新提交" in view.server_text.text()
        view.fix_jurisdiction.setText("1101050040")  # a typo is refused here, in plain words
        assert not view.resend_selected() and "格式不对" in view.message.text()
        view.fix_jurisdiction.set_code(FIXED)
        assert "幸福一村社区" in view.fix_jurisdiction.text()
        assert view.resend_selected(), view.message.text()
        assert view.message.text() == "已修改并重新提交，下次同步时上传。"
    assert view.items == []
    assert findings.get(ctx.db, finding_id).has_pending

    summary = click_sync(qtbot, window)[1]
    assert summary.outcome == "ok" and summary.acknowledged == 2, summary
    assert subjects.get(ctx.db, lane.id).jurisdiction == FIXED and subjects.get(ctx.db, lane.id).sync_state == "synced"
    stored = findings.get(ctx.db, finding_id)
    assert stored.view.jurisdiction == FIXED and not stored.has_pending and not stored.has_conflict
    assert {c.resolution for c in conflicts.for_entity(ctx.db, finding_id)} == {"reapplied"}
