"""One finding in detail: its fields, whether the server has confirmed it, the before- and after-photos side by side,
the timeline of its events, the actions the user's role allows, and its documents."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from inspector.core import ledger
from inspector.core.clock import display
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import Action
from inspector.core.protocol import ChangeKind
from inspector.store import (
    conflicts,
    documents,
    findings,
    jurisdictions,
    people,
    photos,
    photos_wanted,
    places,
    subjects,
)
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.store.sync_state import REJECTED
from inspector.ui.ledger import lateness
from inspector.ui.ledger.action_dialogs import escalation_label
from inspector.ui.ledger.actions import actor_for, event_sync_label
from inspector.ui.shared.context import FINDINGS, AppContext
from inspector.ui.shared.labels import (
    action_label,
    kind_label,
    pending_label,
    severity_label,
    source_label,
    state_label,
    translate,
)
from inspector.ui.shared.photo_strip import PhotoStrip
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import hint_label, restyle, set_form_label, title_label
from inspector.ui.shared.workers import FunctionWorker, Worker

# Actions offered on an existing finding, in the order of the ledger's life.
FINDING_ACTIONS: tuple[Action, ...] = (
    Action.ACCEPT, Action.REJECT, Action.ASSIGN, Action.EXTEND, Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION,
    Action.REFUSE_EXTENSION, Action.RECTIFY, Action.VERIFY_PASS, Action.VERIFY_FAIL, Action.REOPEN, Action.ESCALATE,
    Action.LIFT_ESCALATION,
)  # fmt: skip
DOCUMENTS = ("notice", "inspection", "signboard")
_NOTE_FIELDS = ("reason", "opinion", "note", "measures", "description", "rectification")
_FIELDS = ("state", "severity", "category", "subject", "street", "deadline", "unit", "person", "measures", "funds",
           "plan", "escalation", "reported", "origin", "place", "reporter", "rectifier", "clock",
           "kind", "source", "interim", "governance", "upward", "extensions")  # fmt: skip


def _escalation_text(view: ledger.FindingState) -> str:
    """督办: level, unit, 文号 and its own deadline."""
    if view.escalation is None:
        return ""
    parts = [escalation_label(view.escalation.value), view.escalation_unit or "", view.escalation_doc_no or ""]
    if view.escalation_deadline:
        parts.append(translate("FindingDetail", "督办期限 %1").replace("%1", view.escalation_deadline.isoformat()))
    return " · ".join(part for part in parts if part)


def _extension_text(view: ledger.FindingState) -> str:
    """How often the deadline moved and why, and a request waiting for a decision."""
    parts = []
    if view.extension_count:
        reasons = "；".join(view.extension_reasons)
        parts.append(translate("FindingDetail", "已延期 %1 次：%2").replace("%1", str(view.extension_count))
                     .replace("%2", reasons))  # fmt: skip
    if view.requested_deadline:
        parts.append(
            translate("FindingDetail", "申请延期至 %1，待审批").replace("%1", view.requested_deadline.isoformat())
        )
    return "\n".join(parts)


def event_note(payload: Any) -> str:
    """The text a person wrote with an event (reason, opinion, note, measures…), if any."""
    for key in _NOTE_FIELDS:
        value = payload.get(key) if hasattr(payload, "get") else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


def street_name(db: Any, jurisdiction: str) -> str:
    """The 街乡 a jurisdiction code lies in, by name when known."""
    street = street_of(jurisdiction)
    return jurisdictions.street_names(db).get(street) or street


log = logging.getLogger(__name__)


class FindingDetail(QWidget):
    """The detail pane; emits action_requested / document_requested for the page to handle."""

    action_requested = Signal(object)  # an Action
    document_requested = Signal(str)  # notice / inspection / signboard

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, with_documents: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.finding: LocalFinding | None = None
        self.fetch_asked: set[str] = set()  # photos not yet here that this view asked for
        self.heading = title_label(name="sectionTitle")
        self.heading.setWordWrap(True)
        self.banner = hint_label()
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.actions_box = QWidget()
        self.actions_grid = QGridLayout(self.actions_box)
        self.actions_grid.setContentsMargins(0, 0, 0, 0)
        self.action_buttons: dict[Action, QPushButton] = {}
        for action in FINDING_ACTIONS:
            button = QPushButton()
            button.clicked.connect(lambda _checked=False, a=action: self.action_requested.emit(a))
            self.action_buttons[action] = button
        self.form = QFormLayout()
        self.values = {name: QLabel() for name in _FIELDS}
        for label in self.values.values():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(QLabel(), label)
        self.before_title = QLabel()
        self.after_title = QLabel()
        self.photos = PhotoStrip(ctx, self, editable=False)  # before (evidence)
        self.after_photos = PhotoStrip(ctx, self, editable=False)
        photo_grid = QGridLayout()
        photo_grid.addWidget(self.before_title, 0, 0)
        photo_grid.addWidget(self.after_title, 0, 1)
        photo_grid.addWidget(self.photos, 1, 0)
        photo_grid.addWidget(self.after_photos, 1, 1)
        self.timeline_title = title_label(name="sectionTitle")
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)
        self.timeline.setMinimumHeight(140)
        self.document_buttons = {kind: QPushButton(icon("template"), "") for kind in DOCUMENTS}
        documents = QHBoxLayout()
        for kind, button in self.document_buttons.items():
            button.clicked.connect(lambda _checked=False, k=kind: self.document_requested.emit(k))
            button.setVisible(with_documents)
            documents.addWidget(button)
        documents.addStretch(1)
        self.empty = hint_label()
        self.body = QWidget()
        body = QVBoxLayout(self.body)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.heading)
        body.addWidget(self.banner)
        body.addWidget(self.description)
        body.addWidget(self.actions_box)
        body.addLayout(self.form)
        self.open_plan = QPushButton()  # the 治理方案's PDFs, in the system's viewer
        self.open_plan.clicked.connect(self.open_plan_documents)
        body.addWidget(self.open_plan)
        body.addLayout(photo_grid)
        body.addLayout(documents)
        body.addWidget(self.timeline_title)
        body.addWidget(self.timeline, 1)
        # As wide as the pane it sits in (a scroll area would otherwise keep it at its preferred width); long text
        # wraps.
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.empty)
        layout.addStretch(0)
        self.retranslate()

    # -- showing a finding ----------------------------------------------------------------------------------------

    def show_finding(self, finding: LocalFinding | None) -> None:
        self.finding = finding
        self.body.setVisible(finding is not None)
        self.empty.setVisible(finding is None)
        if finding is None:
            return
        view = finding.view
        self.heading.setText(f"{view.ledger_number or pending_label()} · {view.category}")
        self.description.setText(view.description)
        self._show_banner(finding)
        self._show_actions(finding)
        self._show_fields(finding)
        self.open_plan.setText(self.tr("打开治理方案（PDF）"))
        self.open_plan.setVisible(bool(self.plan_documents()))
        db = self.ctx.db
        self.photos.configure(None, None, None, photos.photos_of(db, "finding", finding.id, "evidence"), editable=False)
        self.after_photos.configure(None, None, None, photos.photos_of(db, "finding", finding.id, "after"),
                                    editable=False)  # fmt: skip
        self._fetch_waiting_photos(finding)
        self._show_documents(finding)
        self._show_timeline(finding)

    def _fetch_waiting_photos(self, finding: LocalFinding) -> None:
        """Photos of this finding not downloaded yet (records come first, photos after): say so, and fetch them at
        once, each only once while this view lives."""
        waiting = photos_wanted.photos_of(self.ctx.db, "finding", finding.id)
        if waiting:
            line = self.tr("照片尚未下载：%1 张，正在获取……").replace("%1", str(len(waiting)))
            self.banner.setText(f"{self.banner.text()}\n{line}")
        asked = [sha for sha in waiting if sha not in self.fetch_asked]
        if not asked:
            return
        self.fetch_asked.update(asked)
        folder = self.ctx.folder

        def fetch(_worker: Worker) -> int:
            from inspector.sync.engine import fetch_photos_now

            return fetch_photos_now(folder, asked)

        worker = FunctionWorker(fetch)
        worker.signals.finished.connect(lambda _count: self.ctx.notify(FINDINGS))
        worker.signals.failed.connect(lambda error: log.info("photos not fetched now: %s", error))
        self.ctx.run(worker)

    def plan_documents(self) -> list[Path]:
        """The shown case's 治理方案 PDFs stored on this laptop (photos of the plan show as photos)."""
        if self.finding is None:
            return []
        folder = self.ctx.folder
        stored = documents.stored_among(folder, self.finding.view.governance_plan)
        return [documents.document_path(folder, sha) for sha in self.finding.view.governance_plan if sha in stored]

    def open_plan_documents(self) -> None:
        """Open each 治理方案 PDF with the system's viewer."""
        for path in self.plan_documents():
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def allowed_actions(self) -> list[Action]:
        """What the current user may do to the shown finding now (state, role and jurisdiction)."""
        if self.finding is None:
            return []
        actor = actor_for(self.ctx.db, self.finding.view.jurisdiction)
        return [action for action in ledger.allowed_actions(self.finding.view, actor) if action in FINDING_ACTIONS]

    def _show_actions(self, finding: LocalFinding) -> None:
        """The allowed actions' buttons, three to a row in the order of the ledger's life."""
        allowed = set(self.allowed_actions())
        for action, button in self.action_buttons.items():
            button.setText(action_label(action.value, finding.view.kind.value))  # each kind's words
        for button in self.action_buttons.values():
            self.actions_grid.removeWidget(button)
            button.hide()
        shown = [button for action, button in self.action_buttons.items() if action in allowed]
        for number, button in enumerate(shown):
            self.actions_grid.addWidget(button, number // 3, number % 3)
            button.show()
        self.actions_box.setVisible(bool(shown))

    def _show_banner(self, finding: LocalFinding) -> None:
        if finding.has_conflict:
            self._show_refusals(finding)
        elif finding.has_pending:
            restyle(self.banner, "hint")
            self.banner.setText(self.tr("等待服务器确认：本机的操作已保存，同步后生效。"))
        else:
            restyle(self.banner, "hint")
            self.banner.setText(self.tr("已同步"))

    def _show_refusals(self, finding: LocalFinding) -> None:
        """冲突 (stale: may be re-applied) and/or 被拒绝 (for good), each with the server's latest reason."""
        refused = [c for c in conflicts.for_entity(self.ctx.db, finding.id)
                   if c.resolved_at is None and c.kind == ChangeKind.LEDGER_COMMAND]  # fmt: skip
        stale = [c.message for c in refused if c.status != REJECTED]
        rejected = [c.message for c in refused if c.status == REJECTED]
        lines = []
        if stale or not rejected:
            lines.append(self.tr("冲突：服务器未采纳本机的操作。") + (f"\n{stale[-1]}" if stale and stale[-1] else ""))
        if rejected:
            reason = self.tr("原因：%1").replace("%1", rejected[-1]) if rejected[-1] else ""
            lines.append(self.tr("被拒绝：服务器拒绝了本机的操作，它不会生效。") + (f"\n{reason}" if reason else ""))
        restyle(self.banner, "warning" if stale or not rejected else "error")
        self.banner.setText("\n".join(lines))

    def _show_fields(self, finding: LocalFinding) -> None:
        view = finding.view
        db = self.ctx.db
        subject = ""
        if view.subject_id:
            try:
                stored = subjects.get(db, view.subject_id)
                subject = stored.name + (f"（{stored.address}）" if stored.address else "")
            except StoreError:
                subject = view.subject_id
        person = "，".join(part for part in (view.responsible_person, view.responsible_phone) if part)
        origin = self.tr("检查表 %1").replace("%1", finding.item_id) if finding.item_id else self.tr("随手拍")
        place = places.reported_place(db, finding.id).text()
        names = people.display_names(db)
        texts = {
            "state": state_label(view.state.value, view.kind.value),
            "severity": severity_label(view.severity.value if view.severity else None),
            "category": view.category,
            "subject": subject,
            "street": street_name(db, view.jurisdiction),
            "deadline": view.deadline.isoformat() if view.deadline else self.tr("未定"),
            "unit": view.responsible_unit or self.tr("未派遣"),
            "person": person,
            "measures": view.measures or "",
            "funds": view.funds or "",
            "plan": view.contingency_plan or "",
            "escalation": _escalation_text(view),
            "reported": display(view.reported_at),
            "origin": origin,
            "place": place,
            "reporter": people.name_of(names, view.reported_by),
            "rectifier": people.name_of(names, view.rectified_by),  # 整改反馈人: who reported the fix
            "clock": lateness.detail_line(db, finding.id),  # the open stage, its limit, due time and lateness
            "kind": kind_label(view.kind.value),
            "source": source_label(view.source.value),
            "interim": view.interim_controls or "",
            "governance": self.tr("%1 个文件").replace("%1", str(len(view.governance_plan)))
            if view.governance_plan
            else "",
            "upward": "，".join(
                part
                for part in (view.reported_upward_to, view.reported_upward_on and view.reported_upward_on.isoformat())
                if part
            ),
            "extensions": _extension_text(view),
        }
        optional = {
            "person",
            "measures",
            "funds",
            "plan",
            "escalation",
            "interim",
            "governance",
            "upward",
            "extensions",
            "place",
            "rectifier",
            "clock",
        }
        if view.kind == ledger.Kind.PROBLEM:
            texts["severity"] = ""
            optional.add("severity")
        for name, label in self.values.items():
            label.setText(texts[name])
            self.form.setRowVisible(label, bool(texts[name]) or name not in optional)

    def _show_documents(self, finding: LocalFinding) -> None:
        view = finding.view
        self.document_buttons["notice"].setEnabled(
            bool(view.ledger_number and view.responsible_unit and view.measures and view.deadline)
        )
        self.document_buttons["inspection"].setEnabled(bool(finding.inspection_id))
        kind = ""
        if view.subject_id:
            try:
                kind = subjects.get(self.ctx.db, view.subject_id).kind
            except StoreError:
                kind = ""
        self.document_buttons["signboard"].setEnabled(kind == "street_front_unit")

    def _show_timeline(self, finding: LocalFinding) -> None:
        self.timeline.clear()
        names = people.display_names(self.ctx.db)
        for stored in findings.events(self.ctx.db, finding.id):
            event = stored.event
            note = event_note(event.payload)
            who = people.name_of(names, event.actor_id)
            words = action_label(event.action.value, finding.view.kind.value)
            head = f"{display(event.at)}  {who}  {words}  ·  {event_sync_label(stored.sync_state)}"
            text = head + (f"\n{note}" if note else "") + (f"\n{stored.reason}" if stored.reason else "")
            symbol = {"pending": "sync", "conflict": "warning", "rejected": "fail"}.get(stored.sync_state, "pass")
            line = QListWidgetItem(icon(symbol), text)
            line.setToolTip(who)
            self.timeline.addItem(line)

    # -- language -------------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        labels = (self.tr("状态"), self.tr("等级"), self.tr("类别"), self.tr("检查对象"), self.tr("街乡"),
                  self.tr("整改期限"), self.tr("责任单位"), self.tr("责任人"), self.tr("整改措施"), self.tr("整改资金"),
                  self.tr("应急预案"), self.tr("督办"), self.tr("上报时间"), self.tr("来源"), self.tr("地点"),
                  self.tr("发现人"), self.tr("整改反馈人"), self.tr("时限"), self.tr("案件类型"), self.tr("发现方式"),
                  self.tr("临时管控措施"), self.tr("治理方案"), self.tr("向上报告"), self.tr("延期"))  # fmt: skip
        for row, text in enumerate(labels):
            set_form_label(self.form, row, text)
        for action, button in self.action_buttons.items():
            button.setText(action_label(action.value, self.finding.view.kind.value if self.finding else "hazard"))
        self.document_buttons["notice"].setText(self.tr("整改通知书"))
        self.document_buttons["inspection"].setText(self.tr("检查记录"))
        self.document_buttons["signboard"].setText(self.tr("公示牌"))
        self.document_buttons["notice"].setToolTip(self.tr("导出整改通知书 PDF（已派遣的隐患）"))
        self.document_buttons["inspection"].setToolTip(self.tr("导出发现该问题的检查记录 PDF"))
        self.document_buttons["signboard"].setToolTip(self.tr("导出门前三包责任公示牌 PDF"))
        self.before_title.setText(self.tr("整改前"))
        self.after_title.setText(self.tr("整改后"))
        self.timeline_title.setText(self.tr("处理记录"))
        self.empty.setText(self.tr("在左侧选择一个问题查看详情。"))
        self.show_finding(self.finding)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
