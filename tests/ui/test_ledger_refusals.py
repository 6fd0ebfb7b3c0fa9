"""A command the server rejected for good is shown as 被拒绝 with the server's reason, apart from one that conflicted
(冲突, which may be re-applied): in the ledger list's sync column, the detail pane and the conflicts view.

The data folder is a real one, written through the store as a sync writes it (`server_answers.reject` /
`server_answers.conflict`), closed, and then opened by the app."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ledger_helpers import COMMUNITY, SUPERVISOR, name_places, work_as
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from ui_helpers import close_app, open_app

from inspector.core.clock import utc_now
from inspector.core.ids import new_id
from inspector.core.ledger import Action, Actor, Event, Role, apply
from inspector.store import findings, server_answers
from inspector.store.database import open_data_folder
from inspector.ui.ledger.actions import record
from inspector.ui.sync.badges import SYNC_STATE_ROLE
from inspector.ui.sync.conflicts_view import ConflictsDialog

REPORTER = Actor("ins-1", frozenset({Role.INSPECTOR}), frozenset({"110105000000000"}))
OUT_OF_SCOPE = "隐患不在您的辖区内"
STALE = "该问题已被其他人处理，请按当前状态重新操作"


@dataclass(frozen=True)
class Refused:
    """The two findings whose accept the server refused: one rejected for good, one in conflict."""

    rejected: str
    conflicting: str


def _synced_report(db: Any, description: str) -> str:
    """A finding an inspector reported and the server applied (its answer settled through the outbox)."""
    body = {"description": description, "category": "乱堆乱放",
            "kind": "hazard", "source": "patrol", "severity": "general", "jurisdiction": COMMUNITY,
            "location": {"address": "三里屯路 19 号"}}  # fmt: skip
    recorded = findings.record_command(db, action=Action.REPORT, actor=REPORTER, payload=body)
    result = {"event": {**findings.event_to_json(recorded.event), "index": 1},
              "finding": findings.finding_to_json(recorded.finding)}  # fmt: skip
    server_answers.acknowledge(db, recorded.change_id, result)
    return recorded.event.finding_id


def _accepted_elsewhere(db: Any, finding_id: str) -> dict[str, Any]:
    """The finding as the server has it after another supervisor accepted it first (the conflict's `current`)."""
    confirmed = findings.get(db, finding_id).confirmed
    assert confirmed is not None
    event = Event(new_id(), finding_id, Action.ACCEPT, "sup-2", utc_now() - timedelta(minutes=5),
                  {"severity": "major"}, confirmed.state)  # fmt: skip
    return findings.finding_to_json(apply(confirmed, event))


def _refused_store(data_dir: Path) -> Refused:
    folder = open_data_folder(data_dir)
    db = folder.connect()
    try:
        name_places(db)
        rejected = _synced_report(db, "店外堆放纸箱，占用人行道")
        conflicting = _synced_report(db, "楼门口私接电线")
        work_as(db, SUPERVISOR, "supervisor")
        first = record(db, findings.get(db, rejected), Action.ACCEPT, {"severity": "general"})
        second = record(db, findings.get(db, conflicting), Action.ACCEPT, {"severity": "general"})
        server_answers.reject(db, first.change_id, "out_of_jurisdiction", OUT_OF_SCOPE)
        server_answers.conflict(db, second.change_id, "stale", STALE, _accepted_elsewhere(db, conflicting))
    finally:
        db.close()
    return Refused(rejected, conflicting)


@pytest.fixture
def refused_app(app, qtbot, data_dir: Path) -> Iterator[tuple[Any, Refused]]:  # type: ignore[no-untyped-def]
    refused = _refused_store(data_dir)
    controller = open_app(data_dir)
    try:
        yield controller, refused
    finally:
        close_app(controller)


def _sync_cell(page: Any, finding_id: str, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
    model = page.model
    row = model.row_of(finding_id)
    assert row is not None
    return model.data(model.index(row, model.COLUMNS.index("sync")), role)


def _timeline(page: Any) -> list[str]:
    return [page.detail.timeline.item(i).text() for i in range(page.detail.timeline.count())]


def test_the_ledger_list_and_detail_tell_rejected_from_conflict(refused_app) -> None:  # type: ignore[no-untyped-def]
    controller, refused = refused_app
    page = controller.window.show_page("findings")
    assert findings.get(controller.ctx.db, refused.rejected).has_conflict  # the row's flag alone says only "refused"

    assert _sync_cell(page, refused.rejected) == "被拒绝"
    assert _sync_cell(page, refused.rejected, SYNC_STATE_ROLE) == "rejected"
    assert "原因：" + OUT_OF_SCOPE in _sync_cell(page, refused.rejected, Qt.ItemDataRole.ToolTipRole)
    assert _sync_cell(page, refused.conflicting) == "冲突"
    assert _sync_cell(page, refused.conflicting, SYNC_STATE_ROLE) == "conflict"
    assert "原因：" + STALE in _sync_cell(page, refused.conflicting, Qt.ItemDataRole.ToolTipRole)
    rejected_icon = _sync_cell(page, refused.rejected, Qt.ItemDataRole.DecorationRole)
    conflict_icon = _sync_cell(page, refused.conflicting, Qt.ItemDataRole.DecorationRole)
    assert not rejected_icon.isNull() and not conflict_icon.isNull()
    assert rejected_icon.cacheKey() != conflict_icon.cacheKey()
    red, orange = (_sync_cell(page, f, Qt.ItemDataRole.ForegroundRole).color().name()
                   for f in (refused.rejected, refused.conflicting))  # fmt: skip
    assert (red, orange) == ("#c62828", "#ef6c00")

    page.select_finding(refused.rejected)
    banner = page.detail.banner
    assert banner.text() == "被拒绝：服务器拒绝了本机的操作，它不会生效。\n原因：" + OUT_OF_SCOPE
    assert banner.objectName() == "error"
    rejected_lines = [line for line in _timeline(page) if "受理挂账" in line]
    assert len(rejected_lines) == 1 and "被拒绝" in rejected_lines[0] and OUT_OF_SCOPE in rejected_lines[0]

    page.select_finding(refused.conflicting)
    assert banner.text() == "冲突：服务器未采纳本机的操作。\n" + STALE and banner.objectName() == "warning"
    conflict_lines = [line for line in _timeline(page) if "受理挂账" in line]
    assert len(conflict_lines) == 1 and "冲突" in conflict_lines[0] and "被拒绝" not in conflict_lines[0]

    controller.ctx.set_language("en")
    QApplication.processEvents()  # LanguageChange reaches the widgets through the event loop
    assert _sync_cell(page, refused.rejected) == "Rejected" and _sync_cell(page, refused.conflicting) == "Conflict"
    page.select_finding(refused.rejected)
    assert banner.text().startswith("Rejected: ") and banner.text().endswith("Reason: " + OUT_OF_SCOPE)


def test_the_conflicts_view_offers_re_apply_for_a_conflict_only(refused_app, qtbot) -> None:  # type: ignore[no-untyped-def]
    controller, refused = refused_app
    ctx = controller.ctx
    dialog = ConflictsDialog(ctx, None, controller.window)
    view = dialog.view
    rows = {view.items[row].entity_id: view.table.topLevelItem(row) for row in range(len(view.items))}
    assert rows.keys() == {refused.rejected, refused.conflicting}
    assert [rows[refused.rejected].text(0), rows[refused.rejected].text(3)] == ["被拒绝", OUT_OF_SCOPE]
    assert [rows[refused.conflicting].text(0), rows[refused.conflicting].text(3)] == ["冲突", STALE]
    assert "服务器拒绝了这项变更" in rows[refused.rejected].toolTip(0)

    view.select_row(view.row_of(refused.rejected))
    assert not view.reapply_button.isEnabled() and view.discard_button.isEnabled()
    assert "服务器的答复：" + OUT_OF_SCOPE in view.server_text.text()
    assert "重新提交也会被拒绝，只能放弃" in view.server_text.text()
    assert not view.reapply_selected()  # nothing queued
    assert not findings.get(ctx.db, refused.rejected).has_pending

    view.select_row(view.row_of(refused.conflicting))
    assert view.reapply_button.isEnabled()
    assert "可按当前状态重新提交" in view.server_text.text()
    assert view.reapply_selected()
    assert findings.get(ctx.db, refused.conflicting).has_pending

    view.select_row(view.row_of(refused.rejected))
    assert view.discard_selected(confirm=False) and view.items == []
    QApplication.processEvents()
    page = controller.window.show_page("findings")
    assert _sync_cell(page, refused.conflicting) == "等待服务器确认"
    assert _sync_cell(page, refused.rejected) == "已同步"
    page.select_finding(refused.rejected)
    assert page.detail.banner.text() == "已同步"
    dialog.close()
