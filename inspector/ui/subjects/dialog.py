"""Create or edit a subject (检查对象): a street-front unit, a back street or a site, each with its code; a back
street also shows its tier (精品/优美/达标) with the tier's history and its monthly 达标/不达标 status."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display
from inspector.core.statistics import back_street_status
from inspector.core.tiers import TierChange
from inspector.store import jurisdiction_tree, profile, scoring_rules, statistics_facts, subjects, tiers
from inspector.store.errors import StoreError
from inspector.store.subjects import Subject
from inspector.ui.shared.context import SUBJECTS, AppContext
from inspector.ui.shared.jurisdiction_edit import JurisdictionEdit
from inspector.ui.shared.labels import SUBJECT_KINDS, TIERS, subject_kind_label, tier_label
from inspector.ui.shared.widgets import error_message, hint_label

# Kind-specific fields kept in the subject's `extra`, and the kinds that show them.
EXTRA_FIELDS: dict[str, str] = {
    "street_chief": "back_street",
    "extent": "back_street",
    "zone": "street_front_unit",
    "site_type": "site",
}


class SubjectDialog(QDialog):
    """The subject form; `subject_id` holds the saved subject after accept()."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, subject: Subject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.subject = subject
        self.subject_id: str | None = subject.id if subject else None
        self.kind = QComboBox()
        for kind in SUBJECT_KINDS:
            self.kind.addItem(subject_kind_label(kind), kind)
        self.name = QLineEdit()
        self.code = QLineEdit()
        self.address = QLineEdit()
        self.jurisdiction = JurisdictionEdit(ctx)
        self.jurisdiction_name = hint_label()
        self.jurisdiction.textChanged.connect(self._show_jurisdiction_name)
        self.responsible_person = QLineEdit()
        self.phone = QLineEdit()
        self.extra_edits = {name: QLineEdit() for name in EXTRA_FIELDS}
        self.tier = QComboBox()  # a back street's tier; a change is kept in the tier's history (store.tiers)
        self.tier.setObjectName("backStreetTier")
        self.tier.addItem(self.tr("未定级"), "")
        for tier in TIERS:
            self.tier.addItem(tier_label(tier), tier)
        self.tier_history = QLabel()
        self.tier_history.setObjectName("tierHistory")
        self.tier_history.setWordWrap(True)
        self.error = hint_label(name="error")
        self.error.hide()
        self.form = QFormLayout()
        self.labels: dict[str, str] = {}
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self._build_form()
        self.kind.currentIndexChanged.connect(self._show_kind_fields)
        self._fill(subject)
        self._show_kind_fields()
        for edit in (self.name, self.code, self.address, self.jurisdiction, self.responsible_person, self.phone):
            edit.textChanged.connect(self.error.hide)  # a message about the form goes once the form is changed
        self.setMinimumWidth(520)

    def _build_form(self) -> None:
        rows = [
            (self.tr("类型"), self.kind),
            (self.tr("名称 *"), self.name),
            (self.tr("编码（一户一码）"), self.code),
            (self.tr("地址"), self.address),
            (self.tr("所属辖区 *"), self.jurisdiction),
            ("", self.jurisdiction_name),
            (self.tr("责任人"), self.responsible_person),
            (self.tr("电话"), self.phone),
            (self.tr("街巷长"), self.extra_edits["street_chief"]),
            (self.tr("起止范围"), self.extra_edits["extent"]),
            (self.tr("责任区"), self.extra_edits["zone"]),
            (self.tr("场所类型"), self.extra_edits["site_type"]),
            (self.tr("街巷等级"), self.tier),
            (self.tr("等级与达标记录"), self.tier_history),
        ]
        for label, widget in rows:
            self.form.addRow(label, widget)
        self.code.setPlaceholderText(self.tr("如 MQ-0001"))
        self.setWindowTitle(self.tr("编辑检查对象") if self.subject else self.tr("新建检查对象"))

    def _fill(self, subject: Subject | None) -> None:
        if subject is None:
            self.jurisdiction.set_code(jurisdiction_tree.user_area(self.ctx.db))
            return
        self.kind.setCurrentIndex(max(0, self.kind.findData(subject.kind)))
        self.kind.setEnabled(False)
        self.name.setText(subject.name)
        self.code.setText(subject.code or "")
        self.address.setText(subject.address or "")
        self.jurisdiction.set_code(subject.jurisdiction or "")
        self.responsible_person.setText(subject.responsible_person or "")
        self.phone.setText(subject.phone or "")
        for name, edit in self.extra_edits.items():
            edit.setText(str(subject.extra.get(name, "")))
        if subject.kind == "back_street":
            history = tiers.history(self.ctx.db, subject.id)
            if history:
                self.tier.setCurrentIndex(max(0, self.tier.findData(history[-1].tier.value)))
            self.tier_history.setText(self._history_text(subject.id, history))

    def _history_text(self, subject_id: str, history: list[TierChange]) -> str:
        """The tier's changes (when, which, by whom) and the status of the last months (the 降档/复档 rule)."""
        lines = [
            "  ".join(part for part in (display(change.at)[:10], tier_label(change.tier.value), change.by) if part)
            for change in history
        ]
        facts = statistics_facts.inspection_facts(self.ctx.db, subject_id=subject_id)
        rule = scoring_rules.active_rule(self.ctx.db)
        months = back_street_status(facts, rules=rule.rules).get(subject_id, [])[-6:]
        lines += [
            f"{month.month}  {month.status}" + (f"（{month.score:g}）" if month.score is not None else "")
            for month in months
        ]
        return "\n".join(lines) or self.tr("尚无记录")

    def _show_jurisdiction_name(self, text: str) -> None:
        """The name of the typed code when this laptop knows it (the tree comes from the server or demo data)."""
        from inspector.core.jurisdiction import JurisdictionCodeError
        from inspector.store import jurisdictions

        code = self.jurisdiction.code()
        try:
            name = jurisdictions.name_of(self.ctx.db, code) if code else None
        except JurisdictionCodeError:
            name = None
        self.jurisdiction_name.setText(name or "")

    def _show_kind_fields(self) -> None:
        kind = self.kind.currentData()
        for name, edit in self.extra_edits.items():
            self.form.setRowVisible(edit, EXTRA_FIELDS[name] == kind)
        self.form.setRowVisible(self.tier, kind == "back_street")
        self.form.setRowVisible(self.tier_history, kind == "back_street" and self.subject is not None)

    def _extra(self) -> dict[str, str]:
        kept = dict(self.subject.extra) if self.subject else {}
        for name, edit in self.extra_edits.items():
            value = edit.text().strip()
            if value and EXTRA_FIELDS[name] == self.kind.currentData():
                kept[name] = value
            else:
                kept.pop(name, None)
        return kept

    def save(self) -> None:
        """Create or update the subject; a problem is shown in the dialog, which stays open."""
        fields: dict[str, Any] = {
            "name": self.name.text(),
            "code": self.code.text().strip() or None,
            "address": self.address.text().strip() or None,
            "jurisdiction": self.jurisdiction.code(),
            "responsible_person": self.responsible_person.text().strip() or None,
            "phone": self.phone.text().strip() or None,
            "extra": self._extra(),
        }
        try:
            if self.subject is None or fields["jurisdiction"] != self.subject.jurisdiction:
                fields["jurisdiction"] = jurisdiction_tree.check(self.ctx.db, fields["jurisdiction"])
            if self.subject is None:
                saved = subjects.create(self.ctx.db, kind=str(self.kind.currentData()), **fields)
            else:
                changed = {key: value for key, value in fields.items() if value != _current(self.subject, key)}
                saved = subjects.update(self.ctx.db, self.subject.id, **changed)
            self._save_tier(saved)
        except StoreError as error:
            self.error.setText(error_message(error))
            self.error.show()
            return
        self.subject_id = saved.id
        self.ctx.notify(SUBJECTS)
        self.accept()

    def _save_tier(self, saved: Subject) -> None:
        """A back street's tier, when chosen and not the one in force, becomes a new row of its history."""
        chosen = str(self.tier.currentData() or "")
        if saved.kind != "back_street" or not chosen:
            return
        history = tiers.history(self.ctx.db, saved.id)
        if not history or history[-1].tier.value != chosen:
            tiers.set_tier(self.ctx.db, saved.id, chosen, profile.user_id(self.ctx.db))


def _current(subject: Subject, key: str) -> object:
    return subject.extra if key == "extra" else getattr(subject, key)
