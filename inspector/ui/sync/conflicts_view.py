"""Conflicts and rejected changes: each refused change with the local command beside the server's current state,
and the user's decision — re-apply (a new command on the current state, checked by the ledger rules), edit the field
a rejection names and send it again (`inspector.store.resend`), or discard.

Nothing is lost either way: the conflict record stays with its resolution (`inspector.store.conflicts.resolve`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display
from inspector.core.errors import zh_text
from inspector.core.ledger import FindingState
from inspector.core.protocol import PHOTO_FIELDS, ChangeKind
from inspector.store import conflicts, findings, profile, resend, subjects
from inspector.store.conflicts import Conflict
from inspector.store.database import transaction
from inspector.store.errors import StoreError
from inspector.store.findings import RecordedCommand
from inspector.store.sync_state import CONFLICT, REJECTED, Refusal
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, SUBJECTS, AppContext
from inspector.ui.shared.jurisdiction_edit import JurisdictionEdit
from inspector.ui.shared.labels import action_label, change_kind_label, pending_label, severity_label, state_label
from inspector.ui.shared.resources import tinted_icon
from inspector.ui.shared.widgets import error_message, hint_label, restyle, title_label
from inspector.ui.sync.badges import badge_icon, badge_label, badge_tooltip

if TYPE_CHECKING:
    from sqlite_utils import Database

    from inspector.ui.sync.controller import SyncController

translate = QCoreApplication.translate  # each call names the "ConflictsView" context and a literal, for lupdate


# ----------------------------------------------------------------------------------------------------------------
# Decisions (store side; the view below only shows and asks)
# ----------------------------------------------------------------------------------------------------------------


def can_reapply(conflict: Conflict) -> bool:
    """Only conflicting ledger commands are re-applied here: they become a new command on the finding's current state.
    A rejected change is wrong for good (protocol: show it and drop it); sent again it would be rejected again."""
    return (
        conflict.status != REJECTED
        and conflict.kind == ChangeKind.LEDGER_COMMAND
        and bool(conflict.local_payload.get("action"))
    )


def reapply(db: Database, conflict: Conflict) -> RecordedCommand:
    """Queue the same command again against the current state, as the signed-in user, and mark the conflict
    re-applied (one transaction). Raises CommandRefusedError with the ledger rule's reason when it cannot apply."""
    command = conflict.local_payload
    with transaction(db):
        finding = findings.get(db, conflict.entity_id)
        actor = profile.local_actor(db, finding.view.jurisdiction)
        recorded = findings.record_command(
            db,
            action=str(command.get("action")),
            actor=actor,
            payload=dict(command.get("payload") or {}),
            finding_id=conflict.entity_id,
        )
        conflicts.resolve(db, conflict.id, "reapplied")
    return recorded


def discard(db: Database, conflict: Conflict) -> Conflict:
    """Drop the refused change (the record of it stays, marked dropped)."""
    return conflicts.resolve(db, conflict.id, "dropped")


# ----------------------------------------------------------------------------------------------------------------
# How a change and a server state read for people
# ----------------------------------------------------------------------------------------------------------------


def _field_names() -> dict[str, str]:
    return {
        "description": translate("ConflictsView", "描述"),
        "reason": translate("ConflictsView", "理由"),
        "severity": translate("ConflictsView", "等级"),
        "category": translate("ConflictsView", "类别"),
        "responsible_unit": translate("ConflictsView", "责任单位"),
        "responsible_person": translate("ConflictsView", "责任人"),
        "responsible_phone": translate("ConflictsView", "联系电话"),
        "deadline": translate("ConflictsView", "整改期限"),
        "measures": translate("ConflictsView", "整改措施"),
        "funds": translate("ConflictsView", "整改资金"),
        "contingency_plan": translate("ConflictsView", "应急预案"),
        "opinion": translate("ConflictsView", "核查意见"),
        "note": translate("ConflictsView", "备注"),
        "level": translate("ConflictsView", "督办级别"),
        "rectification": translate("ConflictsView", "整改情况"),
        "name": translate("ConflictsView", "名称"),
        "address": translate("ConflictsView", "地址"),
        "code": translate("ConflictsView", "编码"),
    }


def describe_fields(payload: Mapping[str, Any]) -> list[str]:
    """The fields of a command's payload, one line each (photos counted, ids left out)."""
    names = _field_names()
    lines = []
    for key, value in payload.items():
        if key in PHOTO_FIELDS and isinstance(value, list):
            lines.append(translate("ConflictsView", "照片 %1 张").replace("%1", str(len(value))))
        elif key in names and value not in (None, "", [], {}):
            shown = severity_label(str(value)) if key == "severity" else str(value)
            lines.append(translate("ConflictsView", "%1：%2").replace("%1", names[key]).replace("%2", shown))
    return lines


def describe_local(conflict: Conflict) -> str:
    """What this laptop sent: the action, the state the user saw, when, and the fields."""
    payload = conflict.local_payload
    if conflict.kind != ChangeKind.LEDGER_COMMAND:
        fields = payload.get("fields")
        body: Mapping[str, Any] = fields if isinstance(fields, Mapping) else payload  # subject.update: its fields
        return "\n".join([change_kind_label(conflict.kind), *describe_fields(body)])
    lines = [action_label(str(payload.get("action") or ""))]
    if payload.get("base_state"):
        seen = state_label(str(payload["base_state"]))
        lines.append(translate("ConflictsView", "当时看到的状态：%1").replace("%1", seen))
    if payload.get("at"):
        lines.append(translate("ConflictsView", "操作时间：%1").replace("%1", display(str(payload["at"]))))
    inner = payload.get("payload")
    lines += describe_fields(inner if isinstance(inner, Mapping) else {})
    return "\n".join(lines)


def server_finding(db: Database, conflict: Conflict) -> FindingState | None:
    """The finding as the server last said: the newer of the confirmed projection kept here (pulled after the
    conflict) and the state the push's answer carried."""
    local = findings.get_or_none(db, conflict.entity_id)
    confirmed = local.confirmed if local is not None else None
    answered = None
    if conflict.server_current:
        try:
            answered = findings.finding_from_json(conflict.server_current)
        except StoreError:
            answered = None
    known = [finding for finding in (confirmed, answered) if finding is not None]
    return max(known, key=lambda finding: finding.event_count) if known else None


def describe_server(db: Database, conflict: Conflict) -> str:
    """The record as the server has it now: for a finding its state, ledger number and last event."""
    if conflict.kind != ChangeKind.LEDGER_COMMAND:
        current = conflict.server_current or {}
        if not current:
            return translate("ConflictsView", "服务器没有给出当前记录。")
        lines = describe_fields(current)
        if current.get("version"):
            lines.append(translate("ConflictsView", "版本：%1").replace("%1", str(current["version"])))
        return "\n".join(lines) or translate("ConflictsView", "服务器上已有这条记录。")
    finding = server_finding(db, conflict)
    if finding is None:
        return translate("ConflictsView", "服务器上没有这条问题（或不在您的辖区内）。")
    lines = [
        translate("ConflictsView", "状态：%1").replace("%1", state_label(finding.state.value, finding.kind.value)),
        translate("ConflictsView", "台账编号：%1").replace("%1", finding.ledger_number or pending_label()),
        translate("ConflictsView", "等级：%1").replace(
            "%1", severity_label(finding.severity.value if finding.severity else None)
        ),
    ]
    last = next((e for e in findings.events(db, finding.finding_id) if e.event.event_id == finding.last_event_id), None)
    if last is not None:
        lines.append(
            translate("ConflictsView", "最后一次操作：%1（%2）")
            .replace("%1", action_label(last.event.action.value))
            .replace("%2", display(last.event.at))
        )
    lines.append(translate("ConflictsView", "共 %1 次操作").replace("%1", str(finding.event_count)))
    return "\n".join(lines)


def record_name(db: Database, conflict: Conflict) -> str:
    """Which record a refused change is about, as people know it."""
    if conflict.kind == ChangeKind.LEDGER_COMMAND:
        local = findings.get_or_none(db, conflict.entity_id)
        if local is None:
            return conflict.entity_id[:8]
        number = local.view.ledger_number or pending_label()
        return f"{number} · {local.view.category} · {local.view.description[:24]}"
    if conflict.kind.startswith("subject."):
        try:
            return subjects.get(db, conflict.entity_id).name
        except StoreError:
            return str(conflict.local_payload.get("name") or conflict.entity_id[:8])
    return f"{change_kind_label(conflict.kind)} {conflict.entity_id[:8]}"


# ----------------------------------------------------------------------------------------------------------------
# The view
# ----------------------------------------------------------------------------------------------------------------


class ConflictsView(QWidget):
    """The list of open conflicts and rejected changes, the selected one side by side, and the two decisions."""

    COLUMNS = ("status", "record", "action", "reason", "at")

    def __init__(self, ctx: AppContext, sync: SyncController | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.items: list[Conflict] = []
        self.title = title_label()
        self.hint = hint_label()
        self.table = QTreeWidget()
        self.table.setRootIsDecorated(False)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setColumnCount(len(self.COLUMNS))
        for column, width in enumerate((84, 250, 110, 260)):
            self.table.setColumnWidth(column, width)
        self.table.currentItemChanged.connect(lambda _current, _previous: self._show_selected())
        self.local_box, self.local_text = self._side()
        self.server_box, self.server_text = self._side()
        self.message = hint_label()
        self.reapply_button = QPushButton(tinted_icon("sync", "#ffffff"), "")
        self.reapply_button.setObjectName("primary")
        self.reapply_button.clicked.connect(self.reapply_selected)
        self.discard_button = QPushButton(badge_icon(REJECTED), "")
        self.discard_button.clicked.connect(lambda: self.discard_selected())
        # A rejection for a field the user can fix: edit it here and send the change again.
        self.fix_label = QLabel()
        self.fix_jurisdiction = JurisdictionEdit(ctx)
        self.fix_code = QLineEdit()
        self.resend_button = QPushButton(tinted_icon("sync", "#ffffff"), "")
        self.resend_button.setObjectName("primary")
        self.resend_button.clicked.connect(self.resend_selected)
        self.fix_row = QWidget()
        fix = QHBoxLayout(self.fix_row)
        fix.setContentsMargins(0, 0, 0, 0)
        fix.addWidget(self.fix_label)
        fix.addWidget(self.fix_jurisdiction, 1)
        fix.addWidget(self.fix_code, 1)
        fix.addWidget(self.resend_button)
        self.fix_row.hide()

        sides = QHBoxLayout()
        sides.addWidget(self.local_box, 1)
        sides.addWidget(self.server_box, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.message, 1)
        buttons.addWidget(self.reapply_button)
        buttons.addWidget(self.discard_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addWidget(self.table, 1)
        layout.addLayout(sides)
        layout.addWidget(self.fix_row)
        layout.addLayout(buttons)
        ctx.changed.connect(self._on_changed)
        self.retranslate()
        self.reload()

    @staticmethod
    def _side() -> tuple[QGroupBox, QLabel]:
        box = QGroupBox()
        text = QLabel()
        text.setWordWrap(True)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        text.setMinimumHeight(120)
        QVBoxLayout(box).addWidget(text)
        return box, text

    # -- the list -----------------------------------------------------------------------------------------------

    def _on_changed(self, kind: str) -> None:
        if kind in (FINDINGS, INSPECTIONS, SUBJECTS) and self.isVisible():
            self.reload()

    def reload(self) -> None:
        """Read the open conflicts again, keeping the selection where it can."""
        selected = self.selected()
        self.items = conflicts.list_open(self.ctx.db)
        self.table.clear()
        for conflict in self.items:
            status = REJECTED if conflict.status == REJECTED else CONFLICT
            line = QTreeWidgetItem([
                badge_label(status),
                record_name(self.ctx.db, conflict),
                self._action_text(conflict),
                self._reason(conflict),
                display(conflict.created_at),
            ])  # fmt: skip
            line.setIcon(0, badge_icon(status))
            line.setToolTip(0, badge_tooltip(status, Refusal(status, self._reason(conflict))))
            line.setToolTip(3, self._reason(conflict))
            line.setData(0, Qt.ItemDataRole.UserRole, conflict.id)
            self.table.addTopLevelItem(line)
        ids = [conflict.id for conflict in self.items]
        if self.items:
            self.select_row(ids.index(selected.id) if selected is not None and selected.id in ids else 0)
        self._show_selected()
        count = len(self.items)
        meaning = self.tr("冲突：记录在服务器上已变化；被拒绝：规则或权限不允许。")
        self.hint.setText(self.tr("服务器未接受的变更 %n 项。", "", count) + meaning)

    def _reason(self, conflict: Conflict) -> str:
        """The server's reason in the interface language: the Chinese without its English aside and codes."""
        return conflict.message if self.ctx.language.startswith("en") else zh_text(conflict.message)

    @staticmethod
    def _action_text(conflict: Conflict) -> str:
        if conflict.kind == ChangeKind.LEDGER_COMMAND:
            return action_label(str(conflict.local_payload.get("action") or ""))
        return change_kind_label(conflict.kind)

    def select_row(self, row: int) -> None:
        item = self.table.topLevelItem(row)
        if item is not None:
            self.table.setCurrentItem(item)

    def row_of(self, entity_id: str) -> int:
        """The row of the (first) open conflict about a record, or -1."""
        return next((row for row, c in enumerate(self.items) if c.entity_id == entity_id), -1)

    def selected(self) -> Conflict | None:
        item = self.table.currentItem()
        if item is None:
            return None
        conflict_id = item.data(0, Qt.ItemDataRole.UserRole)
        return next((c for c in self.items if c.id == conflict_id), None)

    def _show_selected(self) -> None:
        conflict = self.selected()
        self.reapply_button.setEnabled(conflict is not None and can_reapply(conflict))
        self.discard_button.setEnabled(conflict is not None)
        self._show_fix(conflict)
        if conflict is None:
            self.local_text.setText(self.tr("没有需要处理的变更。"))
            self.server_text.setText("")
            return
        self.local_text.setText(describe_local(conflict))
        reason = self.tr("服务器的答复：%1").replace("%1", self._reason(conflict) or conflict.code)
        server = describe_server(self.ctx.db, conflict)
        self.server_text.setText(f"{server}\n\n{reason}\n{self._meaning(conflict)}")

    def _show_fix(self, conflict: Conflict | None) -> None:
        """The field a rejection names, ready to edit, when it is one the user can fix."""
        field = resend.fixable_field(conflict) if conflict is not None else None
        self.fix_row.setVisible(field is not None)
        if conflict is None or field is None:
            return
        self.fix_jurisdiction.setVisible(field == "jurisdiction")
        self.fix_code.setVisible(field == "code")
        label = {"jurisdiction": self.tr("所属辖区"), "code": self.tr("编码")}[field]
        self.fix_label.setText(self.tr("需要修改：%1").replace("%1", label))
        if field == "jurisdiction":
            self.fix_jurisdiction.set_code(resend.current_value(conflict))
        else:
            self.fix_code.setText(resend.current_value(conflict))

    def _meaning(self, conflict: Conflict) -> str:
        """What the user can do: a conflict may be re-applied on the current state, a rejected change dropped or, when
        the refusal names a field the user can fix, edited and sent again."""
        if resend.fixable_field(conflict) is not None:
            return self.tr("被拒绝：上面标出的一项填写有误，改正后可重新提交，或放弃。")
        if conflict.status == REJECTED:
            return self.tr("被拒绝：规则或权限不允许这项变更，重新提交也会被拒绝，只能放弃。")
        if can_reapply(conflict):
            return self.tr("冲突：记录在服务器上已变化，可按当前状态重新提交，或放弃。")
        return self.tr("冲突：记录在服务器上已变化，这项变更只能放弃。")

    # -- decisions ----------------------------------------------------------------------------------------------

    def reapply_selected(self) -> bool:
        """Queue the selected command again on the current state; the rule's reason is shown when it cannot."""
        conflict = self.selected()
        if conflict is None or not can_reapply(conflict):
            return False
        try:
            reapply(self.ctx.db, conflict)
        except StoreError as error:
            self._say(self.tr("不能重新提交：%1").replace("%1", error_message(error)), error=True)
            return False
        self._decided(self.tr("已重新提交，下次同步时上传。"))
        if self.sync is not None:
            self.sync.sync_automatically("reapply")
        return True

    def resend_selected(self) -> bool:
        """Send the selected rejected change again with the field as edited; the reason is shown when it cannot."""
        conflict = self.selected()
        field = resend.fixable_field(conflict) if conflict is not None else None
        if conflict is None or field is None:
            return False
        value = self.fix_jurisdiction.code() if field == "jurisdiction" else self.fix_code.text()
        try:
            resend.resend(self.ctx.db, conflict, value)
        except StoreError as error:
            self._say(self.tr("不能重新提交：%1").replace("%1", error_message(error)), error=True)
            return False
        self._decided(self.tr("已修改并重新提交，下次同步时上传。"))
        if self.sync is not None:
            self.sync.sync_automatically("reapply")
        return True

    def discard_selected(self, confirm: bool = True) -> bool:
        """Drop the selected change after the user confirms."""
        conflict = self.selected()
        if conflict is None:
            return False
        if confirm:
            answer = QMessageBox.question(
                self,
                self.tr("放弃这项变更"),
                self.tr("放弃后这项变更不会再上传，服务器上的记录保持现状。确定放弃吗？"),
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        discard(self.ctx.db, conflict)
        self._decided(self.tr("已放弃这项变更。"))
        return True

    def _decided(self, text: str) -> None:
        self.ctx.notify(FINDINGS, INSPECTIONS, SUBJECTS)
        if self.sync is not None:
            self.sync.refresh_state()
        self.reload()
        self._say(text)

    def _say(self, text: str, error: bool = False) -> None:
        restyle(self.message, "error" if error else "hint")
        self.message.setText(text)

    # -- language -----------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("冲突与被拒绝的变更"))
        self.table.setHeaderLabels([self.tr("状态"), self.tr("记录"), self.tr("本机的操作"), self.tr("原因"),
                                    self.tr("时间")])  # fmt: skip
        self.local_box.setTitle(self.tr("本机的操作"))
        self.server_box.setTitle(self.tr("服务器当前状态"))
        self.reapply_button.setText(self.tr("重新提交"))
        self.reapply_button.setToolTip(self.tr("按服务器的当前状态再提交一次同样的操作（仍按台账规则检查）"))
        self.discard_button.setText(self.tr("放弃…"))
        self.resend_button.setText(self.tr("修改后重新提交"))
        self.discard_button.setToolTip(self.tr("不再上传这项变更"))
        if self.items or self.table.topLevelItemCount():
            self.reload()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


class ConflictsDialog(QDialog):
    """The conflicts view in its own window (opened from the status bar and the settings page)."""

    def __init__(self, ctx: AppContext, sync: SyncController | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = ConflictsView(ctx, sync, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(960, 600)
        self.retranslate()

    def reload(self) -> None:
        self.view.reload()

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("冲突与被拒绝的变更"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
