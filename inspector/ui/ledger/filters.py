"""The ledger's filter bar: text, state, grade, category, 街乡, subject, overdue, waiting for the server, and a date
range on the report date, the deadline or the close-out date. It turns the choices into a store LedgerQuery."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import local_date, utc_now
from inspector.core.jurisdiction import Level
from inspector.core.ledger import OPEN_STATES
from inspector.store import jurisdictions, ledger_queries, subjects
from inspector.store.ledger_queries import ANY_ESCALATION, LedgerQuery
from inspector.ui.shared.labels import (
    ESCALATION_LEVELS,
    KINDS,
    SEVERITIES,
    SOURCES,
    STATES,
    escalation_label,
    kind_label,
    severity_label,
    source_label,
    state_label,
)
from inspector.ui.shared.widgets import Debouncer

if TYPE_CHECKING:
    from sqlite_utils import Database

OPEN = "open"  # the state filter's "all open findings" entry
DATE_FIELDS = ("", *ledger_queries.DATE_FIELDS)


def _qdate(day: date) -> QDate:
    return QDate(day.year, day.month, day.day)


class LedgerFilterBar(QWidget):
    """Two rows of filters; `changed` fires when the selection changes (typing waits for a pause)."""

    changed = Signal()

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(220)
        self.state_filter = QComboBox()
        self.kind_filter = QComboBox()
        self.source_filter = QComboBox()
        self.escalation_filter = QComboBox()
        self.severity_filter = QComboBox()
        self.category_filter = QComboBox()
        self.street_filter = QComboBox()
        self.subject_filter = QComboBox()
        self.subject_filter.setEditable(True)
        self.subject_filter.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.subject_filter.setMinimumWidth(180)
        completer = self.subject_filter.completer()
        if completer is not None:  # type any part of a name
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.overdue_only = QCheckBox()
        self.pending_only = QCheckBox()
        self.date_field = QComboBox()
        today = local_date(utc_now())
        self.date_from = QDateEdit(_qdate(today.replace(day=1)))
        self.date_to = QDateEdit(_qdate(today))
        self.date_dash = QLabel("—")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.clear_button = QPushButton()
        for combo in (self.state_filter, self.severity_filter, self.category_filter, self.street_filter,
                      self.date_field, self.kind_filter, self.source_filter, self.escalation_filter):  # fmt: skip
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)

        first = QHBoxLayout()
        first.setContentsMargins(0, 0, 0, 0)
        for head in (self.search, self.state_filter, self.severity_filter, self.category_filter, self.street_filter):
            first.addWidget(head)
        first.addStretch(1)
        second = QHBoxLayout()
        second.setContentsMargins(0, 0, 0, 0)
        for widget in (self.kind_filter, self.source_filter, self.escalation_filter, self.subject_filter,
                       self.date_field, self.date_from, self.date_dash, self.date_to, self.overdue_only,
                       self.pending_only, self.clear_button):  # fmt: skip
            second.addWidget(widget)
        second.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addLayout(first)
        layout.addLayout(second)

        self._filter_later = Debouncer(200, self.changed.emit, self)
        self.search.textChanged.connect(self._filter_later.poke)
        for combo in (self.state_filter, self.severity_filter, self.category_filter, self.street_filter,
                      self.subject_filter, self.date_field, self.kind_filter, self.source_filter,
                      self.escalation_filter):  # fmt: skip
            combo.currentIndexChanged.connect(self._emit)
        for edit in (self.date_from, self.date_to):
            edit.dateChanged.connect(self._dates_changed)
        self.overdue_only.toggled.connect(self._emit)
        self.pending_only.toggled.connect(self._emit)
        self.clear_button.clicked.connect(self.clear)
        self.retranslate()
        self.reload_choices()

    # -- the query --------------------------------------------------------------------------------------------------

    def query(self, now: datetime | None = None) -> LedgerQuery:
        """The selection as a store query (overdue judged at `now`)."""
        state = self.state_filter.currentData() or ""
        field = self.date_field.currentData() or ""
        return LedgerQuery(
            states=tuple(sorted(s.value for s in OPEN_STATES)) if state == OPEN else ((state,) if state else ()),
            severity=self.severity_filter.currentData() or "",
            category=self.category_filter.currentData() or "",
            street=self.street_filter.currentData() or "",
            subject_id=self.subject_filter.currentData() or "",
            overdue_at=(now or utc_now()) if self.overdue_only.isChecked() else None,
            pending_only=self.pending_only.isChecked(),
            date_field=field or "reported",
            date_from=self.date_from.date().toPython() if field else None,  # type: ignore[arg-type]
            date_to=self.date_to.date().toPython() if field else None,  # type: ignore[arg-type]
            text=self.search.text().strip(),
            kind=self.kind_filter.currentData() or "",
            source=self.source_filter.currentData() or "",
            escalation=self.escalation_filter.currentData() or "",
        )

    def describe(self) -> str:
        """The selection in words, for an export's summary sheet (全部 when nothing is filtered)."""
        parts = [combo.currentText() for combo in (self.street_filter, self.kind_filter, self.state_filter,
                                                   self.severity_filter, self.category_filter, self.source_filter,
                                                   self.escalation_filter) if combo.currentIndex() > 0]  # fmt: skip
        if self.subject_filter.currentIndex() > 0:
            parts.append(self.subject_filter.currentText())
        if self.date_field.currentIndex() > 0:
            parts.append(f"{self.date_field.currentText()} {self.date_from.text()} 至 {self.date_to.text()}")
        if self.overdue_only.isChecked():
            parts.append(self.overdue_only.text())
        if self.search.text().strip():
            parts.append(f"“{self.search.text().strip()}”")
        return "，".join(parts) or "全部"

    def clear(self) -> None:
        """Show everything again."""
        widgets = (self.state_filter, self.severity_filter, self.category_filter, self.street_filter,
                   self.subject_filter, self.date_field, self.overdue_only, self.pending_only, self.search)  # fmt: skip
        for widget in widgets:
            widget.blockSignals(True)
        for combo in widgets[:6]:
            combo.setCurrentIndex(0)  # type: ignore[attr-defined]
        for combo in (self.kind_filter, self.source_filter, self.escalation_filter):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.overdue_only.setChecked(False)
        self.pending_only.setChecked(False)
        self.search.clear()
        self._filter_later.cancel()
        for widget in widgets:
            widget.blockSignals(False)
        self._update_dates()
        self.changed.emit()

    def _emit(self) -> None:
        self._update_dates()
        self.changed.emit()

    def _dates_changed(self) -> None:
        if self.date_field.currentIndex() > 0:
            self.changed.emit()

    def _update_dates(self) -> None:
        active = self.date_field.currentIndex() > 0
        for widget in (self.date_from, self.date_dash, self.date_to):
            widget.setEnabled(active)

    # -- choices ------------------------------------------------------------------------------------------------

    def reload_choices(self) -> None:
        """Categories, 街乡 and subjects as the database knows them now (keeping what is chosen)."""
        streets = [(j.code, j.name) for j in jurisdictions.list_all(self.db) if j.level == Level.STREET]
        self._fill(self.street_filter, self.tr("全部街乡"), streets)
        categories = ledger_queries.categories(self.db)
        self._fill(self.category_filter, self.tr("全部类别"), [(c, c) for c in categories])
        listed = [(s.id, f"{s.name}" + (f" · {s.code}" if s.code else "")) for s in subjects.list_subjects(self.db)]
        self._fill(self.subject_filter, self.tr("全部检查对象"), listed)

    def _fill(self, combo: QComboBox, everything: str, entries: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for value, label in entries:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def select_subject(self, subject_id: str) -> None:
        self.subject_filter.setCurrentIndex(max(0, self.subject_filter.findData(subject_id)))

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.search.setPlaceholderText(self.tr("搜索描述、类别、编号、责任单位或检查对象"))
        states = [(OPEN, self.tr("未结（待受理至待核查）")), *[(s, state_label(s)) for s in STATES]]
        self._fill(self.state_filter, self.tr("全部状态"), states)
        self._fill(self.severity_filter, self.tr("全部等级"), [(s, severity_label(s)) for s in SEVERITIES])
        self._fill(self.kind_filter, self.tr("问题和隐患"), [(k, kind_label(k)) for k in KINDS])
        self._fill(self.source_filter, self.tr("全部发现方式"), [(s, source_label(s)) for s in SOURCES])
        levels = [(ANY_ESCALATION, self.tr("督办案件")), *[(e, escalation_label(e)) for e in ESCALATION_LEVELS]]
        self._fill(self.escalation_filter, self.tr("督办不限"), levels)
        date_names = {"": self.tr("不限日期"), "reported": self.tr("上报日期"), "deadline": self.tr("整改期限"),
                      "closed": self.tr("销账日期")}  # fmt: skip
        self._fill(self.date_field, date_names[""], [(f, date_names[f]) for f in DATE_FIELDS if f])
        for combo, text in ((self.category_filter, self.tr("全部类别")), (self.street_filter, self.tr("全部街乡")),
                            (self.subject_filter, self.tr("全部检查对象"))):  # fmt: skip
            if combo.count():
                combo.setItemText(0, text)
        self.overdue_only.setText(self.tr("只看逾期"))
        self.pending_only.setText(self.tr("只看待同步"))
        self.clear_button.setText(self.tr("清除筛选"))
        self._update_dates()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
