"""The form of one ledger action (受理、不予立案、派遣、延期、整改反馈、核查、重新打开、督办).

The fields and which of them are required come from the state machine (`ledger.required_fields`), and the form is
checked with `ledger.validate_payload` before the command is queued, so each field shows exactly the rule's message.
Verification shows the after-photos beside the before-photos.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core import ledger
from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import Action, EscalationLevel, Severity
from inspector.store import documents, findings, photos, profile
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.ui.ledger.actions import record
from inspector.ui.shared.context import FINDINGS, AppContext
from inspector.ui.shared.labels import action_label, pending_label, severity_label
from inspector.ui.shared.photo_strip import PhotoStrip
from inspector.ui.shared.widgets import error_message, hint_label

translate = QCoreApplication.translate
DEFAULT_DEADLINE_DAYS = 15


@dataclass(frozen=True)
class FieldSpec:
    """One form field: the payload key and the kind of input."""

    name: str
    kind: str  # text / long / date / optional_date / past_date / severity / level / photos / flag


def _fields(*specs: tuple[str, str]) -> tuple[FieldSpec, ...]:
    return tuple(FieldSpec(name, kind) for name, kind in specs)


ACTION_FIELDS: dict[Action, tuple[FieldSpec, ...]] = {
    Action.ACCEPT: _fields(("severity", "severity"), ("note", "long")),
    Action.REJECT: _fields(("reason", "long")),
    Action.ASSIGN: _fields(
        ("responsible_unit", "text"),
        ("responsible_person", "text"),
        ("responsible_phone", "text"),
        ("deadline", "date"),
        ("measures", "long"),
        ("funds", "long"),
        ("contingency_plan", "long"),
        ("interim_controls", "long"),
        ("governance_plan", "photos"),
        ("reported_upward_to", "text"),
        ("reported_upward_on", "past_date"),
    ),
    Action.EXTEND: _fields(("deadline", "date"), ("reason", "long")),
    Action.REQUEST_EXTENSION: _fields(("deadline", "date"), ("reason", "long"), ("on_behalf_of_unit", "flag")),
    Action.APPROVE_EXTENSION: _fields(("note", "long")),
    Action.REFUSE_EXTENSION: _fields(("reason", "long")),
    Action.RECTIFY: _fields(("description", "long"), ("after_photos", "photos")),
    Action.VERIFY_PASS: _fields(("opinion", "long")),
    Action.VERIFY_FAIL: _fields(("reason", "long"), ("deadline", "optional_date")),
    Action.REOPEN: _fields(("reason", "long"), ("deadline", "date")),
    Action.ESCALATE: _fields(
        ("level", "level"), ("unit", "text"), ("doc_no", "text"), ("deadline", "date"), ("note", "long")
    ),
    Action.LIFT_ESCALATION: _fields(("note", "long")),
}
# Fields only a hazard has (a problem is not graded and needs no 五落实), and those only a 重大隐患 needs
_HAZARD_ONLY = frozenset({"severity", "funds", "contingency_plan"})
_MAJOR_ONLY = frozenset({"interim_controls", "governance_plan", "reported_upward_to", "reported_upward_on"})


def fields_for(action: Action, view: ledger.FindingState) -> tuple[FieldSpec, ...]:
    """The form of this action for this case: a problem's without grading or 五落实, a 重大隐患's with everything."""
    specs = ACTION_FIELDS[action]
    if view.kind == ledger.Kind.PROBLEM:
        return tuple(spec for spec in specs if spec.name not in _HAZARD_ONLY | _MAJOR_ONLY)
    if view.severity != Severity.MAJOR:
        return tuple(spec for spec in specs if spec.name not in _MAJOR_ONLY)
    return specs


_VERIFYING = (Action.VERIFY_PASS, Action.VERIFY_FAIL)


def escalation_label(level: str) -> str:
    """街乡督办 / 区级督办 / 市级督办."""
    return {
        "street": translate("ActionDialog", "街乡督办"),
        "district": translate("ActionDialog", "区级督办"),
        "city": translate("ActionDialog", "市级督办"),
    }.get(level, level)


def field_label(action: Action, name: str) -> str:
    """The label of a payload field in this action's form."""
    if name == "deadline":
        return {
            Action.EXTEND: translate("ActionDialog", "新的整改期限"),
            Action.VERIFY_FAIL: translate("ActionDialog", "新的整改期限"),
        }.get(action, translate("ActionDialog", "整改期限"))
    if name == "note" and action == Action.ESCALATE:
        return translate("ActionDialog", "督办意见")
    if name == "deadline" and action == Action.REQUEST_EXTENSION:
        return translate("ActionDialog", "申请延期至")
    return {
        "severity": translate("ActionDialog", "隐患等级"),
        "note": translate("ActionDialog", "备注"),
        "reason": translate("ActionDialog", "理由"),
        "responsible_unit": translate("ActionDialog", "责任单位"),
        "responsible_person": translate("ActionDialog", "责任人"),
        "responsible_phone": translate("ActionDialog", "联系电话"),
        "measures": translate("ActionDialog", "整改措施"),
        "funds": translate("ActionDialog", "整改资金"),
        "contingency_plan": translate("ActionDialog", "应急预案"),
        "description": translate("ActionDialog", "整改情况"),
        "after_photos": translate("ActionDialog", "整改后照片"),
        "opinion": translate("ActionDialog", "核查意见"),
        "level": translate("ActionDialog", "督办级别"),
        "unit": translate("ActionDialog", "督办单位"),
        "doc_no": translate("ActionDialog", "督办文号"),
        "interim_controls": translate("ActionDialog", "临时管控措施"),
        "governance_plan": translate("ActionDialog", "治理方案（PDF 或照片）"),
        "reported_upward_to": translate("ActionDialog", "已向上报告（报告对象）"),
        "reported_upward_on": translate("ActionDialog", "报告日期"),
        "on_behalf_of_unit": translate("ActionDialog", "代责任单位申请"),
    }.get(name, name)


def required_names(action: Action, finding: LocalFinding) -> set[str]:
    """The fields the rules demand for this action on this finding (for a 重大隐患, assign needs all 五落实)."""
    names = set(ledger.required_fields(action, finding.view.severity, finding.view.kind))
    if action == Action.VERIFY_FAIL and finding.view.deadline is None:
        names.add("deadline")
    return names


class ActionDialog(QDialog):
    """After accept(), `recorded` holds the queued command."""

    def __init__(self, ctx: AppContext, finding: LocalFinding, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.finding = finding
        self.action = action
        self.recorded: Any = None
        self.inputs: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self.use_deadline: QCheckBox | None = None
        self.plan_documents: list[str] = []  # 治理方案 PDFs attached (hashes), beside its photos
        self.plan_names: list[str] = []
        view = finding.view
        self.setWindowTitle(f"{action_label(action.value, view.kind.value)} · {view.ledger_number or pending_label()}")
        summary = QLabel(f"{view.category}：{view.description}")
        summary.setWordWrap(True)
        summary.setObjectName("hint")
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        if action in _VERIFYING:
            layout.addLayout(self._before_and_after())
            layout.addWidget(self._rectification_text())
        elif action == Action.RECTIFY:  # the unit reports its fix with the problem's own photos in view
            layout.addLayout(self._before_and_after(after=False))
        self.form = QFormLayout()
        required = required_names(action, finding)
        for spec in fields_for(action, view):
            widget = self._input(spec)
            self.inputs[spec.name] = widget
            error = hint_label(name="error")
            error.hide()
            self.errors[spec.name] = error
            cell = QWidget()
            cell_layout = QVBoxLayout(cell)
            cell_layout.setContentsMargins(0, 0, 0, 0)
            cell_layout.setSpacing(2)
            cell_layout.addWidget(widget)
            if spec.name == "governance_plan":
                cell_layout.addLayout(self._plan_documents_row())
            cell_layout.addWidget(error)
            mark = " *" if spec.name in required else ""
            self.form.addRow(QLabel(field_label(action, spec.name) + mark), cell)
        layout.addLayout(self.form)
        if action == Action.ASSIGN and view.kind == ledger.Kind.HAZARD and view.severity == Severity.MAJOR:
            layout.addWidget(
                hint_label(
                    self.tr(
                        "重大隐患须落实责任、措施、资金、时限和预案（五落实），并写明临时管控措施、附治理方案、"
                        "记录向上报告的对象和日期。"
                    )
                )
            )
        self.error = hint_label(name="error")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton(
            action_label(action.value, view.kind.value), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720 if action in _VERIFYING else 560, 0)

    # -- inputs ---------------------------------------------------------------------------------------------------

    def _input(self, spec: FieldSpec) -> QWidget:
        view = self.finding.view
        if spec.kind == "text":
            return QLineEdit()
        if spec.kind == "long":
            edit = QPlainTextEdit()
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(64)
            return edit
        if spec.kind == "severity":
            combo = QComboBox()
            for severity in Severity:
                combo.addItem(severity_label(severity.value), severity.value)
            combo.setCurrentIndex(max(0, combo.findData(view.severity.value if view.severity else "general")))
            return combo
        if spec.kind == "level":
            combo = QComboBox()
            for level in EscalationLevel:
                combo.addItem(escalation_label(level.value), level.value)
            current = view.escalation.value if view.escalation else EscalationLevel.STREET.value
            combo.setCurrentIndex(combo.findData(current))
            return combo
        if spec.kind == "flag":
            return QCheckBox(field_label(self.action, spec.name))
        if spec.kind == "photos":
            strip = PhotoStrip(self.ctx, self)
            settings = profile.photo_settings(self.ctx.db)
            strip.configure(
                f"{'plan' if spec.name == 'governance_plan' else 'rectify'}/{self.finding.id}",
                lambda folder, db, path: photos.import_photo(folder, db, path, link=None, settings=settings),
                lambda _sha: None,
            )
            return strip
        return self._date_input(spec)

    def _date_input(self, spec: FieldSpec) -> QWidget:
        today = local_date(utc_now())
        if spec.kind == "past_date":
            past = QDateEdit(_qdate(today))
            past.setCalendarPopup(True)
            past.setDisplayFormat("yyyy-MM-dd")
            past.setMaximumDate(_qdate(today))
            return past
        extending = self.action in (Action.EXTEND, Action.REQUEST_EXTENSION)
        start = self.finding.view.deadline if extending and self.finding.view.deadline else today
        suggested = self._suggested_deadline() if self.action == Action.ASSIGN else None
        first = start + timedelta(days=DEFAULT_DEADLINE_DAYS)
        if suggested is not None and suggested >= today:
            first = suggested
        edit = QDateEdit(_qdate(first))
        edit.setCalendarPopup(True)
        edit.setDisplayFormat("yyyy-MM-dd")
        # No minimum date: a past day typed in is kept and refused on saving with the rule's reason, not reverted.
        if spec.kind != "optional_date":
            return edit
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        self.use_deadline = QCheckBox(self.tr("给出新期限"))
        self.use_deadline.setChecked(self.finding.view.deadline is None)
        edit.setEnabled(self.use_deadline.isChecked())
        self.use_deadline.toggled.connect(edit.setEnabled)
        row.addWidget(self.use_deadline)
        row.addWidget(edit, 1)
        self.date_edit = edit
        return box

    def _suggested_deadline(self) -> date | None:
        """The deadline the inspector suggested in the report, if any (the 派遣 form starts from it)."""
        for stored in findings.events(self.ctx.db, self.finding.id):
            value = stored.event.payload.get("suggested_deadline")
            if stored.event.action in (Action.REPORT, Action.REPORT_FIXED_ON_SITE) and isinstance(value, str):
                try:
                    return date.fromisoformat(value)
                except ValueError:
                    return None
        return None

    def _rectification_text(self) -> QLabel:
        """What the unit reported as done (the latest 整改反馈's text), shown to the one who verifies it."""
        text = ""
        for stored in findings.events(self.ctx.db, self.finding.id):
            if stored.event.action in (Action.RECTIFY, Action.REPORT_FIXED_ON_SITE):
                said = stored.event.payload.get("description") or stored.event.payload.get("rectification")
                text = str(said or text)
        self.rectification_label = QLabel(self.tr("整改情况：%1").replace("%1", text or self.tr("（未填写）")))
        self.rectification_label.setWordWrap(True)
        return self.rectification_label

    def _before_and_after(self, after: bool = True) -> QGridLayout:
        """整改前 | 整改后, read-only, side by side (整改前 alone for a 整改反馈, whose after-photos are its input)."""
        db = self.ctx.db
        grid = QGridLayout()
        self.before_strip = PhotoStrip(self.ctx, self, editable=False)
        self.after_strip = PhotoStrip(self.ctx, self, editable=False)
        self.before_strip.configure(None, None, None, photos.photos_of(db, "finding", self.finding.id, "evidence"),
                                    editable=False)  # fmt: skip
        self.after_strip.configure(None, None, None, photos.photos_of(db, "finding", self.finding.id, "after"),
                                   editable=False)  # fmt: skip
        grid.addWidget(QLabel(self.tr("整改前")), 0, 0)
        grid.addWidget(self.before_strip, 1, 0)
        if after:
            grid.addWidget(QLabel(self.tr("整改后")), 0, 1)
            grid.addWidget(self.after_strip, 1, 1)
        return grid

    def _plan_documents_row(self) -> QHBoxLayout:
        """附 PDF 文件… and the names of the PDFs attached as the 治理方案."""
        row = QHBoxLayout()
        self.plan_button = QPushButton(self.tr("附 PDF 文件…"))
        self.plan_button.clicked.connect(self._choose_documents)
        self.plan_files = QLabel()
        self.plan_files.setWordWrap(True)
        row.addWidget(self.plan_button)
        row.addWidget(self.plan_files, 1)
        return row

    def _choose_documents(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileNames(self, self.tr("治理方案"), "", self.tr("PDF 文件 (*.pdf)"))
        self.attach_documents([Path(name) for name in chosen])

    def attach_documents(self, paths: list[Path]) -> bool:
        """Store the chosen PDFs (content-addressed) and add them to the 治理方案; a file that is not a PDF is refused
        with the reason, and nothing of it is stored."""
        error = self.errors["governance_plan"]
        error.hide()
        for path in paths:
            try:
                sha = documents.import_document(self.ctx.folder, path)
            except StoreError as refused:
                error.setText(error_message(refused))
                error.show()
                return False
            if sha not in self.plan_documents:
                self.plan_documents.append(sha)
                self.plan_names.append(path.name)
        names = "、".join(self.plan_names)
        self.plan_files.setText(self.tr("已附：%1").replace("%1", names) if names else "")
        return True

    # -- the payload ------------------------------------------------------------------------------------------------

    def payload(self) -> dict[str, Any]:
        """The command's payload from the form (empty fields left out, so the rules name what is missing)."""
        values: dict[str, Any] = {}
        for spec in fields_for(self.action, self.finding.view):
            value = self._value(spec, self.inputs[spec.name])
            if value not in (None, "", []):
                values[spec.name] = value
        return values

    def _value(self, spec: FieldSpec, widget: QWidget) -> Any:
        if isinstance(widget, QLineEdit):
            return widget.text().strip()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        if isinstance(widget, QCheckBox):
            return True if widget.isChecked() else None
        if isinstance(widget, QComboBox):
            return widget.currentData()
        if isinstance(widget, PhotoStrip):
            if spec.name == "governance_plan":
                return [*widget.hashes(), *self.plan_documents]
            return widget.hashes()
        if isinstance(widget, QDateEdit):
            return _iso(widget.date())
        if spec.kind == "optional_date" and self.use_deadline is not None and self.use_deadline.isChecked():
            return _iso(self.date_edit.date())
        return None

    def photos_busy(self) -> bool:
        return any(isinstance(strip, PhotoStrip) and strip.worker is not None for strip in self.inputs.values())

    def save(self) -> None:
        """Check the form with the ledger's rules, then queue the command (or show what is wrong)."""
        self._clear_errors()
        if self.photos_busy():
            self._show_error(self.tr("请等待照片导入完成。"))
            return
        payload = self.payload()
        problems = ledger.validate_payload(self.action, payload, self.finding.view, utc_now())
        if problems:
            self._show_problems(problems)
            return
        try:
            self.recorded = record(self.ctx.db, self.finding, self.action, payload)
        except StoreError as error:
            self._show_error(error_message(error))
            return
        self.ctx.notify(FINDINGS)
        self.accept()

    def _show_problems(self, problems: list[str]) -> None:
        general: list[str] = []
        for problem in problems:
            name, _colon, message = problem.partition(": ")
            label = self.errors.get(name)
            if label is None:
                general.append(problem)
                continue
            label.setText(message)
            label.show()
        if general:
            self._show_error("\n".join(general))

    def _clear_errors(self) -> None:
        for label in self.errors.values():
            label.hide()
        self.error.hide()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _iso(day: QDate) -> str:
    return f"{day.year():04d}-{day.month():02d}-{day.day():02d}"


def open_action(
    ctx: AppContext, finding: LocalFinding, action: Action, parent: QWidget, done: Callable[[ActionDialog], None]
) -> ActionDialog:
    """Show the action's form (window-modal, without blocking); `done(dialog)` runs after a command was queued."""
    dialog = ActionDialog(ctx, finding, action, parent)
    dialog.accepted.connect(lambda: done(dialog))
    dialog.finished.connect(dialog.deleteLater)
    dialog.open()
    return dialog
