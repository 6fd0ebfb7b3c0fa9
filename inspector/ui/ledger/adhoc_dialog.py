"""随手拍 (ad-hoc finding): record a problem without a checklist — subject or place, category, grade, photos."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.core.ledger import Action
from inspector.store import checklists, findings, jurisdiction_tree, photos, profile, subjects
from inspector.store.errors import StoreError
from inspector.ui.shared.context import FINDINGS, AppContext
from inspector.ui.shared.jurisdiction_edit import JurisdictionEdit
from inspector.ui.shared.labels import (
    KINDS,
    SEVERITIES,
    SOURCES,
    kind_label,
    severity_label,
    source_label,
    subject_kind_label,
)
from inspector.ui.shared.photo_strip import PhotoStrip
from inspector.ui.shared.widgets import error_message, hint_label


def known_categories(ctx: AppContext) -> list[str]:
    """The ledger categories used by the shipped checklists' items, for the category picker."""
    found: set[str] = set()
    for entry in ctx.catalog:
        try:
            checklist = checklists.get(ctx.db, entry.id, entry.version)
        except StoreError:
            continue
        found.update(item.on_fail.category for item in checklist.items if item.on_fail)
    return sorted(found)


class AdhocFindingDialog(QDialog):
    """After accept(), `finding_id` names the reported finding."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, subject_id: str | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.finding_id: str | None = None
        self.setWindowTitle(self.tr("随手拍：记录问题"))
        self.subject = QComboBox()
        self.subject.setEditable(True)
        self.subject.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.subject.addItem(self.tr("（不选检查对象）"), "")
        for subject in subjects.list_subjects(ctx.db):
            self.subject.addItem(f"{subject.name} · {subject_kind_label(subject.kind)}", subject.id)
        completer = self.subject.completer()
        if completer is not None:  # type any part of the name, e.g. “炸酱”
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        if subject_id:
            self.subject.setCurrentIndex(max(0, self.subject.findData(subject_id)))
        self.address = QLineEdit()
        self.address.setPlaceholderText(self.tr("不选检查对象时必填，如：东四北大街 12 号门前"))
        self.jurisdiction = JurisdictionEdit(ctx)
        self.jurisdiction.set_code(jurisdiction_tree.user_area(ctx.db))  # the signed-in user's own area
        self.category = QComboBox()
        self.category.setEditable(True)
        self.category.addItems(known_categories(ctx))
        self.category.setCurrentText("")
        category_edit = self.category.lineEdit()
        if category_edit is not None:
            category_edit.setPlaceholderText(self.tr("如：乱堆乱放、燃气安全"))
        self.kind = QComboBox()
        for kind in KINDS:
            self.kind.addItem(kind_label(kind), kind)
        self.source = QComboBox()
        for source in SOURCES:
            self.source.addItem(source_label(source), source)
        self.severity = QComboBox()
        for severity in SEVERITIES:
            self.severity.addItem(severity_label(severity), severity)
        self.description = QPlainTextEdit()
        self.description.setTabChangesFocus(True)
        self.description.setFixedHeight(80)
        self.photos = PhotoStrip(ctx, self)
        settings = profile.photo_settings(ctx.db)
        self.photos.configure(
            "adhoc",
            lambda folder, db, path: photos.import_photo(folder, db, path, link=None, settings=settings),
            lambda _sha: None,
        )
        self.error = hint_label(name="error")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("检查对象"), self.subject)
        form.addRow(self.tr("地点"), self.address)
        form.addRow(self.tr("所属辖区"), self.jurisdiction)
        form.addRow(self.tr("类别 *"), self.category)
        form.addRow(self.tr("案件类型 *"), self.kind)
        form.addRow(self.tr("发现方式 *"), self.source)
        form.addRow(self.tr("隐患等级"), self.severity)
        self.form = form
        form.addRow(self.tr("描述 *"), self.description)
        form.addRow(self.tr("照片"), self.photos)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.save_button = buttons.addButton(self.tr("上报问题"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setObjectName("primary")
        self.save_button.clicked.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.subject.currentIndexChanged.connect(self._subject_changed)
        for edited in (self.address.textChanged, self.jurisdiction.textChanged, self.category.currentTextChanged,
                       self.description.textChanged, self.subject.currentIndexChanged):  # fmt: skip
            edited.connect(self.error.hide)  # a message about the form goes once the form is changed
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self._subject_changed()
        self._kind_changed()
        self.resize(640, 560)

    def _kind_changed(self) -> None:
        """A problem is not graded: the grade is asked only for a hazard."""
        self.form.setRowVisible(self.severity, self.kind.currentData() == "hazard")

    def _subject_changed(self) -> None:
        subject_id = self.subject.currentData()
        if subject_id:
            subject = subjects.get(self.ctx.db, subject_id)
            self.jurisdiction.set_code(subject.jurisdiction)
            if not self.address.text() and subject.address:
                self.address.setText(subject.address)
        self.jurisdiction.setReadOnly(bool(subject_id))

    def payload(self) -> dict[str, object]:
        """The report's payload from the form."""
        subject_id = self.subject.currentData() or None
        payload: dict[str, object] = {
            "description": self.description.toPlainText().strip(),
            "category": self.category.currentText().strip(),
            "kind": self.kind.currentData(),
            "source": self.source.currentData(),
            "jurisdiction": self.jurisdiction.code(),
            "photos": self.photos.hashes(),
            "adhoc": True,
        }
        if self.kind.currentData() == "hazard":
            payload["severity"] = self.severity.currentData()
        if subject_id:
            payload["subject_id"] = subject_id
        if self.address.text().strip():
            payload["location"] = {"address": self.address.text().strip()}
        return payload

    def save(self) -> None:
        """Report the finding (the state machine checks it; its reason is shown if it refuses)."""
        if self.photos.worker is not None:
            self._show_error(self.tr("请等待照片导入完成。"))
            return
        payload = self.payload()
        if not payload.get("subject_id") and not payload.get("location"):
            self._show_error(error_message(StoreError(code="place_missing")))
            self.address.setFocus()
            return
        try:
            if not payload.get("subject_id"):  # a subject brings its own; a typed place needs one the server knows
                payload["jurisdiction"] = jurisdiction_tree.check(self.ctx.db, str(payload["jurisdiction"]))
            actor = profile.local_actor(self.ctx.db, str(payload["jurisdiction"]))
            recorded = findings.record_command(self.ctx.db, action=Action.REPORT, actor=actor, payload=payload)
        except StoreError as error:
            self._show_error(error_message(error))
            return
        self.finding_id = recorded.event.finding_id
        self.ctx.notify(FINDINGS)
        self.accept()

    def _show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
