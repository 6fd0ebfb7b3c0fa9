"""The runner's right-hand panel: one checklist item with its guidance and provenance, the answer buttons, note,
photos (with the item's photo rule) and, on failure, the finding it prepares. One panel is reused for every item."""

from __future__ import annotations

import html
import itertools
from collections.abc import Callable
from datetime import timedelta

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QDoubleValidator
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from inspector.core.checklist import Item
from inspector.core.clock import local_date, utc_now
from inspector.store import inspections, profile
from inspector.store.errors import StoreError
from inspector.store.inspections import FindingDraft
from inspector.ui.runner.session import InspectionSession
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.labels import SEVERITIES, provenance_explanation, provenance_label, severity_label
from inspector.ui.shared.photo_strip import PhotoStrip
from inspector.ui.shared.widgets import Debouncer, error_message, hint_label, restyle, set_form_label

_BADGES = {
    "current_rule": "badgeOfficial",
    "repealed_rule": "badgeRepealed",
    "notice": "badgeSeed",
    "news_summary": "badgeNews",
    "district_plan": "badgeSeed",
    "seed": "badgeSeed",
    "reconstructed": "badgeReconstructed",
    "legacy_official": "badgeRepealed",
}
RESULT_KEYS = {"pass": "1", "fail": "2", "na": "3"}


def _number_text(value: float) -> str:
    return f"{value:g}"


class ItemPanel(QWidget):
    """Shows and edits one item of the open inspection; every change is saved at once (typing after a pause)."""

    changed = Signal(str)  # the item whose answer, photos or prepared finding changed
    failed = Signal(str)  # a message when saving was refused

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session: InspectionSession | None = None
        self.item: Item | None = None
        self._loading = False

        self.section_label = hint_label()
        self.id_label = QLabel()
        self.badge = QLabel()
        self.points_label = hint_label()
        self.text_label = QLabel()
        self.text_label.setObjectName("itemText")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.guidance_frame = QFrame()
        self.guidance_frame.setObjectName("guidance")
        self.guidance_title = QLabel()
        self.guidance_title.setObjectName("sectionTitle")
        self.guidance_label = QLabel()
        self.guidance_label.setWordWrap(True)
        self.guidance_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.source_label = QLabel()
        self.source_label.setWordWrap(True)
        self.source_label.setOpenExternalLinks(True)
        self.source_label.setTextFormat(Qt.TextFormat.RichText)
        guidance_layout = QVBoxLayout(self.guidance_frame)
        guidance_layout.addWidget(self.guidance_title)
        guidance_layout.addWidget(self.guidance_label)
        guidance_layout.addWidget(self.source_label)

        self.result_buttons: dict[str, QPushButton] = {}
        self.result_group = QButtonGroup(self)
        self.result_group.setExclusive(False)
        results_row = QHBoxLayout()
        for result, name in (("pass", "resultPass"), ("fail", "resultFail"), ("na", "resultNa")):
            button = QPushButton()
            button.setObjectName(name)
            button.setCheckable(True)
            button.clicked.connect(lambda _checked, r=result: self.choose_result(r))
            self.result_buttons[result] = button
            self.result_group.addButton(button)
            results_row.addWidget(button)
        self.clear_button = QPushButton()
        self.clear_button.clicked.connect(lambda: self.choose_result(None))
        results_row.addWidget(self.clear_button)
        results_row.addStretch(1)

        self.value_edit = QLineEdit()
        self.value_edit.setValidator(QDoubleValidator())
        self.value_edit.setMaximumWidth(160)
        self.value_edit.editingFinished.connect(self._save_value)
        self.unit_label = QLabel()
        self.range_label = hint_label()
        self.value_row = QWidget()
        value_layout = QHBoxLayout(self.value_row)
        value_layout.setContentsMargins(0, 0, 0, 0)
        self.value_title = QLabel()
        for widget in (self.value_title, self.value_edit, self.unit_label, self.range_label):
            value_layout.addWidget(widget)
        value_layout.addStretch(1)
        self.observation_edit = QLineEdit()
        self._observation_later = Debouncer(500, self._save_observation, self)
        self.observation_edit.textEdited.connect(lambda _t: self._observation_later.poke())

        self.occurrences = QSpinBox()
        self.occurrences.setRange(1, 99)
        self.occurrences.valueChanged.connect(self._save_occurrences)
        self.occurrences_title = QLabel()
        self.occurrences_row = QWidget()
        occurrences_layout = QHBoxLayout(self.occurrences_row)
        occurrences_layout.setContentsMargins(0, 0, 0, 0)
        occurrences_layout.addWidget(self.occurrences_title)
        occurrences_layout.addWidget(self.occurrences)
        self.deduction_label = hint_label()
        occurrences_layout.addWidget(self.deduction_label)
        occurrences_layout.addStretch(1)

        self.note_title = QLabel()
        self.note_edit = QPlainTextEdit()
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(64)
        self._note_later = Debouncer(400, self._save_note, self)
        self.note_edit.textChanged.connect(self._note_edited)

        self.photos_box = QGroupBox()
        self.photo_rule = hint_label()
        self.photos = PhotoStrip(ctx, self)
        self.photos.photos_changed.connect(self._photos_changed)
        photos_layout = QVBoxLayout(self.photos_box)
        photos_layout.addWidget(self.photo_rule)
        photos_layout.addWidget(self.photos)

        self.finding_box = QGroupBox()
        self.finding_create = QCheckBox()
        self.finding_description = QPlainTextEdit()
        self.finding_description.setTabChangesFocus(True)
        self.finding_description.setFixedHeight(60)
        self.finding_category = QLineEdit()
        self.finding_severity = QComboBox()
        for severity in SEVERITIES:
            self.finding_severity.addItem(severity_label(severity), severity)
        self.finding_days = QSpinBox()
        self.finding_days.setRange(0, 365)
        self.finding_deadline = hint_label()
        days_row = QHBoxLayout()
        days_row.addWidget(self.finding_days)
        days_row.addWidget(self.finding_deadline, 1)
        self.finding_form = QFormLayout(self.finding_box)
        self.finding_form.addRow(self.finding_create)
        self.finding_form.addRow(QLabel(), self.finding_description)
        self.finding_form.addRow(QLabel(), self.finding_category)
        self.finding_form.addRow(QLabel(), self.finding_severity)
        self.finding_form.addRow(QLabel(), days_row)
        self._draft_later = Debouncer(400, self._save_draft, self)
        self.finding_create.toggled.connect(self._draft_edited)
        self.finding_description.textChanged.connect(self._draft_edited)
        self.finding_category.textEdited.connect(self._draft_edited)
        self.finding_severity.currentIndexChanged.connect(self._draft_edited)
        self.finding_days.valueChanged.connect(self._draft_edited)

        head = QHBoxLayout()
        head.addWidget(self.id_label)
        head.addWidget(self.badge)
        head.addWidget(self.points_label, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addWidget(self.section_label)
        layout.addLayout(head)
        layout.addWidget(self.text_label)
        layout.addWidget(self.guidance_frame)
        layout.addLayout(results_row)
        layout.addWidget(self.value_row)
        layout.addWidget(self.observation_edit)
        layout.addWidget(self.occurrences_row)
        layout.addWidget(self.note_title)
        layout.addWidget(self.note_edit)
        layout.addWidget(self.photos_box)
        layout.addWidget(self.finding_box)
        layout.addStretch(1)
        self._set_tab_order()
        self.retranslate()
        self.setEnabled(False)

    def _set_tab_order(self) -> None:
        chain = [
            *self.result_buttons.values(),
            self.clear_button,
            self.value_edit,
            self.observation_edit,
            self.occurrences,
            self.note_edit,
            self.photos.add_button,
            self.photos.paste_button,
            self.photos.list,
            self.photos.remove_button,
            self.finding_create,
            self.finding_description,
            self.finding_category,
            self.finding_severity,
            self.finding_days,
        ]
        for first, second in itertools.pairwise(chain):
            self.setTabOrder(first, second)

    # -- showing an item --------------------------------------------------------------------------------------

    def show_item(self, session: InspectionSession, item: Item) -> None:
        """Fill the panel with an item (pending edits of the previous item are saved first)."""
        self.flush()
        self.session = session
        self.item = item
        self._loading = True
        try:
            self._fill_static(session, item)
            self._fill_answer(session, item)
            self._fill_photos(session, item)
            self._fill_finding(session, item)
        finally:
            self._loading = False
        self.setEnabled(True)
        editable = session.is_draft
        for widget in (
            *self.result_buttons.values(),
            self.clear_button,
            self.value_edit,
            self.observation_edit,
            self.occurrences,
            self.note_edit,
            self.finding_box,
        ):
            widget.setEnabled(editable)

    def _fill_static(self, session: InspectionSession, item: Item) -> None:
        owner = session.list_of(item.id)
        section = owner.section(item.section_id)
        self.section_label.setText(section.title if len(session.lists) == 1 else f"{owner.title} · {section.title}")
        self.id_label.setText(item.id)
        status = item.provenance.status
        restyle(self.badge, _BADGES.get(status, "badgeSeed"))
        self.badge.setText(provenance_label(status))
        self.points_label.setText(self._points_text(item))
        self.text_label.setText(item.text)
        self.guidance_label.setText(item.guidance or self.tr("（本项没有补充说明）"))
        self.source_label.setText(self._source_html(session, item))

    def _points_text(self, item: Item) -> str:
        if session_scoring(self.session, item) != "deduction" or not item.points:
            return ""
        if item.deduct_per:
            return (
                self.tr("%1 分，每处扣 %2 分")
                .replace("%1", _number_text(item.points))
                .replace("%2", _number_text(item.deduct_per))
            )
        return self.tr("%1 分").replace("%1", _number_text(item.points))

    def _source_html(self, session: InspectionSession, item: Item) -> str:
        provenance = item.provenance
        source = session.list_of(item.id).source(provenance.source_id)
        basis, note = self.tr("依据："), self.tr("说明：")
        # Only the text of a rule in force is called 原文; any other source's words are an excerpt.
        quote = self.tr("原文：") if provenance.status == "current_rule" else self.tr("摘录：")
        parts: list[str] = []
        if source is not None:
            citation = html.escape(source.citation())
            if source.url:
                citation = f'<a href="{html.escape(source.url)}">{citation}</a>'
            parts.append(f"<b>{html.escape(basis)}</b>{citation}")
        if provenance.quote:
            parts.append(f"<b>{html.escape(quote)}</b>“{html.escape(provenance.quote)}”")
        if provenance.note:
            parts.append(f"<b>{html.escape(note)}</b>{html.escape(provenance.note)}")
        explanation = provenance_explanation(provenance.status)
        if explanation:
            parts.append(html.escape(explanation))
        return "<br>".join(parts)

    def _fill_answer(self, session: InspectionSession, item: Item) -> None:
        stored = session.response(item.id)
        result = session.result(item.id)
        for name, button in self.result_buttons.items():
            button.setChecked(name == result)
            button.setVisible(item.can_fail and (item.response == "pass_fail" or name == "na"))
        self.clear_button.setVisible(item.can_fail)
        self.value_row.setVisible(item.response == "number")
        self.observation_edit.setVisible(item.response == "text")
        if item.response == "number":
            value = stored.value if stored else None
            self.value_edit.setText(_number_text(value) if isinstance(value, int | float) else "")
            self.unit_label.setText(item.unit or "")
            self.range_label.setText(self._range_text(item))
        if item.response == "text":
            self.observation_edit.setText(str(stored.value) if stored and stored.value is not None else "")
        show_count = result == "fail" and item.deduct_per is not None
        self.occurrences_row.setVisible(show_count)
        self.occurrences.setValue(stored.occurrences if stored else 1)
        self.deduction_label.setText(self._deduction_text(item, stored.occurrences if stored else 1))
        self.note_edit.setPlainText(stored.note if stored else "")

    def _range_text(self, item: Item) -> str:
        low = _number_text(item.min) if item.min is not None else ""
        high = _number_text(item.max) if item.max is not None else ""
        if low and high:
            return self.tr("合格范围 %1–%2").replace("%1", low).replace("%2", high)
        if low:
            return self.tr("不低于 %1").replace("%1", low)
        return self.tr("不高于 %1").replace("%1", high)

    def _deduction_text(self, item: Item, occurrences: int) -> str:
        if not item.deduct_per:
            return ""
        lost = min(item.points, item.deduct_per * occurrences)
        return self.tr("扣 %1 分").replace("%1", _number_text(lost))

    def _fill_photos(self, session: InspectionSession, item: Item) -> None:
        inspection_id, item_id = session.id, item.id
        settings = profile.photo_settings(self.ctx.db)

        def importer(folder, db, path):  # type: ignore[no-untyped-def]
            return inspections.add_photo(folder, db, inspection_id, str(path), item_id, settings)

        self.photos.configure(
            f"{inspection_id}/{item_id}",
            importer if session.is_draft else None,
            lambda sha: self._remove_photo(item_id, sha),
            session.item_photos(item_id),
            editable=session.is_draft,
        )
        self._update_photo_rule()

    def _update_photo_rule(self) -> None:
        if self.session is None or self.item is None:
            return
        item = self.item
        failed = self.session.result(item.id) == "fail"
        required = bool(item.on_fail and item.on_fail.photo_required)
        count = len(self.session.photos.get(item.id, []))
        missing = failed and required and not count
        restyle(self.photo_rule, "error" if missing else "hint")
        if missing:
            self.photo_rule.setText(self.tr("本项不合格时必须拍照取证：请添加至少一张照片。"))
        elif required:
            self.photo_rule.setText(self.tr("不合格时需要至少一张照片。"))
        else:
            self.photo_rule.setText(self.tr("照片可选。"))

    def _fill_finding(self, session: InspectionSession, item: Item) -> None:
        draft = session.draft(item.id)
        self.finding_box.setVisible(draft is not None)
        if draft is None or item.on_fail is None:
            return
        required = item.on_fail.finding_required
        self.finding_create.setChecked(draft.create or required)
        self.finding_create.setEnabled(not required and session.is_draft)
        self.finding_create.setText(self.tr("生成问题（必需）") if required else self.tr("生成问题（可选）"))
        self.finding_description.setPlainText(draft.description)
        hint = self.tr("写明发现的问题（检查项：%1）").replace("%1", item.text)
        self.finding_description.setPlaceholderText(hint)
        self.finding_category.setText(draft.category)
        self.finding_severity.setCurrentIndex(max(0, self.finding_severity.findData(draft.severity)))
        self.finding_days.setValue(draft.deadline_days or 0)
        self._update_deadline_label()
        for widget in (self.finding_description, self.finding_category, self.finding_severity, self.finding_days):
            widget.setEnabled(self.finding_create.isChecked() and session.is_draft)

    def _update_deadline_label(self) -> None:
        days = self.finding_days.value()
        if days:
            day = local_date(utc_now()) + timedelta(days=days)
            self.finding_deadline.setText(self.tr("天，建议 %1 前整改完毕").replace("%1", day.isoformat()))
        else:
            self.finding_deadline.setText(self.tr("天（0 表示不建议期限）"))

    # -- editing ----------------------------------------------------------------------------------------------

    def choose_result(self, result: str | None) -> bool:
        """Answer the shown item (from a button or the 1/2/3/0 keys); saved at once. False when not answered."""
        if self.session is None or self.item is None or not self.session.is_draft or not self.item.can_fail:
            return False
        if result is not None and self.item.response == "number" and result != "na":
            self.value_edit.setFocus()  # a number item's result comes from its measured value
            self.result_buttons["pass"].setChecked(self.session.result(self.item.id) == "pass")
            self.result_buttons["fail"].setChecked(self.session.result(self.item.id) == "fail")
            return False
        self.flush()
        self._guarded(self.session.set_result, self.item.id, result)
        self._refresh_after_answer()
        return True

    def _refresh_after_answer(self) -> None:
        assert self.session is not None and self.item is not None
        self._loading = True
        try:
            self._fill_answer(self.session, self.item)
            self._fill_finding(self.session, self.item)
        finally:
            self._loading = False
        self._update_photo_rule()
        self.changed.emit(self.item.id)

    def _save_value(self) -> None:
        if self._loading or self.session is None or self.item is None or self.item.response != "number":
            return
        text = self.value_edit.text().strip().replace(",", ".")
        try:
            value: float | None = float(text) if text else None
        except ValueError:
            return
        stored = self.session.response(self.item.id)
        if stored is not None and stored.value == value and stored.result != "na":
            return
        self._guarded(self.session.set_value, self.item.id, value)
        if stored is not None and stored.result == "na":
            self._guarded(self.session.set_result, self.item.id, None)
        self._refresh_after_answer()

    def _save_observation(self) -> None:
        if self.session is None or self.item is None:
            return
        text = self.observation_edit.text().strip()
        self._guarded(self.session.set_value, self.item.id, text or None)
        self.changed.emit(self.item.id)

    def _save_occurrences(self, value: int) -> None:
        if self._loading or self.session is None or self.item is None:
            return
        self._guarded(self.session.set_occurrences, self.item.id, value)
        self.deduction_label.setText(self._deduction_text(self.item, value))
        self.changed.emit(self.item.id)

    def _note_edited(self) -> None:
        if not self._loading:
            self._note_later.poke()

    def _save_note(self) -> None:
        if self.session is None or self.item is None or not self.session.is_draft:
            return
        note = self.note_edit.toPlainText()
        self._guarded(self.session.set_note, self.item.id, note)

    def _draft_edited(self) -> None:
        if self._loading:
            return
        for widget in (self.finding_description, self.finding_category, self.finding_severity, self.finding_days):
            widget.setEnabled(self.finding_create.isChecked())
        self._update_deadline_label()
        self._draft_later.poke()

    def _save_draft(self) -> None:
        if self.session is None or self.item is None or self.session.draft(self.item.id) is None:
            return
        draft = FindingDraft(
            description=self.finding_description.toPlainText(),
            category=self.finding_category.text(),
            severity=str(self.finding_severity.currentData()),
            deadline_days=self.finding_days.value() or None,
            create=self.finding_create.isChecked(),
        )
        self._guarded(self.session.set_draft, self.item.id, draft)
        self.changed.emit(self.item.id)

    def _photos_changed(self) -> None:
        self._update_photo_rule()
        if self.item is not None:
            self.changed.emit(self.item.id)

    def photo_imported(self, item_id: str, photo: object) -> None:
        """A photo for some item of this inspection was stored (maybe while another item is shown)."""
        if self.session is not None:
            self.session.photo_added(item_id, photo)  # type: ignore[arg-type]
            self.changed.emit(item_id)
            if self.item is not None and self.item.id == item_id:
                self._update_photo_rule()

    def _remove_photo(self, item_id: str, sha256: str) -> None:
        if self.session is not None:
            self._guarded(self.session.remove_photo, item_id, sha256)

    def _guarded(self, action: Callable[..., object], *args: object) -> None:
        try:
            action(*args)
        except StoreError as error:
            self.failed.emit(error_message(error))

    def flush(self) -> None:
        """Save the note, observation and finding edits that wait for a pause in typing."""
        self._note_later.flush()
        self._observation_later.flush()
        self._draft_later.flush()

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.guidance_title.setText(self.tr("怎么查"))
        self.result_buttons["pass"].setText(self.tr("合格") + "  [1]")
        self.result_buttons["fail"].setText(self.tr("不合格") + "  [2]")
        self.result_buttons["na"].setText(self.tr("不适用") + "  [3]")
        self.clear_button.setText(self.tr("清除") + " [0]")
        self.value_title.setText(self.tr("测量值"))
        self.value_edit.setPlaceholderText(self.tr("输入数值"))
        self.observation_edit.setPlaceholderText(self.tr("记录观察到的情况"))
        self.occurrences_title.setText(self.tr("发现处数"))
        self.note_title.setText(self.tr("备注"))
        self.note_edit.setPlaceholderText(self.tr("现场情况、位置等（自动保存）"))
        self.photos_box.setTitle(self.tr("照片"))
        self.finding_box.setTitle(self.tr("问题（完成检查时上报）"))
        labels = (self.tr("描述"), self.tr("类别"), self.tr("等级"), self.tr("整改期限建议"))
        for row, text in enumerate(labels, start=1):
            set_form_label(self.finding_form, row, text)
        for index, severity in enumerate(SEVERITIES):
            self.finding_severity.setItemText(index, severity_label(severity))
        if self.session is not None and self.item is not None:
            self.show_item(self.session, self.item)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def session_scoring(session: InspectionSession | None, item: Item | None = None) -> str:
    """The scoring method of the item's list (or of the inspection's first list)."""
    if session is None:
        return ""
    return (session.list_of(item.id) if item is not None else session.checklist).scoring.method
