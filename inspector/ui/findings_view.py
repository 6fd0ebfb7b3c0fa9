"""问题 (Findings): the list with filters, and a detail pane with the photos and the timeline of events."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display, utc_now
from inspector.store import findings, photos, subjects
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.ui.context import FINDINGS, AppContext
from inspector.ui.labels import (
    SEVERITIES,
    STATES,
    action_label,
    pending_label,
    severity_label,
    state_label,
)
from inspector.ui.photo_strip import PhotoStrip
from inspector.ui.resources import icon
from inspector.ui.widgets import Debouncer, hint_label, set_form_label, title_label

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class FindingsModel(QAbstractTableModel):
    """Findings as table rows."""

    COLUMNS = ("number", "state", "severity", "category", "description", "subject", "reported_at", "deadline", "sync")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[LocalFinding] = []
        self.subject_names: dict[str, str] = {}
        self.now: datetime = utc_now()

    def set_rows(self, rows: list[LocalFinding], subject_names: dict[str, str]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.subject_names = subject_names
        self.now = utc_now()
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        finding = self.rows[index.row()]
        view = finding.view
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(finding, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == "severity" and view.severity.value == "major":
                return QBrush(QColor("#c62828"))
            if column == "deadline" and finding.is_overdue(self.now):
                return QBrush(QColor("#c62828"))
        if role == Qt.ItemDataRole.ToolTipRole and column == "description":
            return view.description
        if role == Qt.ItemDataRole.UserRole:
            return finding.id
        return None

    def _text(self, finding: LocalFinding, column: str) -> str:
        view = finding.view
        if column == "number":
            return view.ledger_number or pending_label()
        if column == "state":
            overdue = " · " + self.tr("逾期") if finding.is_overdue(self.now) else ""
            return state_label(view.state.value) + overdue
        if column == "severity":
            return severity_label(view.severity.value)
        if column == "category":
            return view.category
        if column == "description":
            return view.description.replace("\n", " ")
        if column == "subject":
            return self.subject_names.get(view.subject_id or "", "")
        if column == "reported_at":
            return display(view.reported_at)
        if column == "deadline":
            return view.deadline.isoformat() if view.deadline else ""
        if finding.has_conflict:
            return self.tr("冲突")
        return self.tr("待同步") if finding.has_pending else self.tr("已同步")

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "number": self.tr("编号"),
            "state": self.tr("状态"),
            "severity": self.tr("等级"),
            "category": self.tr("类别"),
            "description": self.tr("描述"),
            "subject": self.tr("检查对象"),
            "reported_at": self.tr("上报时间"),
            "deadline": self.tr("整改期限"),
            "sync": self.tr("同步"),
        }
        return titles[self.COLUMNS[section]]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))


class FindingDetail(QWidget):
    """One finding: its fields, photos and the timeline of its events."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.finding: LocalFinding | None = None
        self.heading = title_label(name="sectionTitle")
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.form = QFormLayout()
        self.values = {name: QLabel() for name in ("state", "severity", "category", "subject", "deadline",
                                                   "unit", "reported", "origin")}
        for label in self.values.values():
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.form.addRow(QLabel(), label)
        self.photos_title = title_label(name="sectionTitle")
        self.photos = PhotoStrip(ctx, self, editable=False)
        self.timeline_title = title_label(name="sectionTitle")
        self.timeline = QListWidget()
        self.timeline.setWordWrap(True)
        self.empty = hint_label()
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(self.description)
        layout.addLayout(self.form)
        layout.addWidget(self.photos_title)
        layout.addWidget(self.photos)
        layout.addWidget(self.timeline_title)
        layout.addWidget(self.timeline, 1)
        layout.addWidget(self.empty)
        self.retranslate()
        self.show_finding(None)

    def show_finding(self, finding: LocalFinding | None) -> None:
        self.finding = finding
        for widget in (self.heading, self.description, self.photos_title, self.photos, self.timeline_title,
                       self.timeline):
            widget.setVisible(finding is not None)
        for label in self.values.values():
            label.setVisible(finding is not None)
        self.empty.setVisible(finding is None)
        if finding is None:
            return
        db = self.ctx.db
        view = finding.view
        self.heading.setText(f"{view.ledger_number or pending_label()} · {view.category}")
        self.description.setText(view.description)
        subject = ""
        if view.subject_id:
            try:
                stored = subjects.get(db, view.subject_id)
                subject = f"{stored.name}" + (f"（{stored.address}）" if stored.address else "")
            except StoreError:
                subject = view.subject_id
        overdue = "  " + self.tr("逾期") if finding.is_overdue() else ""
        self.values["state"].setText(state_label(view.state.value) + overdue)
        self.values["severity"].setText(severity_label(view.severity.value))
        self.values["category"].setText(view.category)
        self.values["subject"].setText(subject)
        self.values["deadline"].setText(view.deadline.isoformat() if view.deadline else self.tr("未定"))
        self.values["unit"].setText(view.responsible_unit or self.tr("未派遣"))
        self.values["reported"].setText(display(view.reported_at))
        origin = self.tr("检查表 %1").replace("%1", finding.item_id) if finding.item_id else self.tr("随手拍")
        self.values["origin"].setText(origin)
        self.photos.configure(f"finding/{finding.id}", None, None, photos.photos_of(db, "finding", finding.id),
                              editable=False)
        self.timeline.clear()
        for stored_event in findings.events(db, finding.id):
            event = stored_event.event
            sync = {
                "pending": self.tr("待同步"),
                "acknowledged": self.tr("已同步"),
                "conflict": self.tr("冲突"),
                "rejected": self.tr("被拒绝"),
            }.get(stored_event.sync_state, stored_event.sync_state)
            note = _event_note(event.payload)
            text = f"{display(event.at)}  {action_label(event.action.value)}  ·  {sync}" + (f"\n{note}" if note else "")
            line = QListWidgetItem(icon("sync" if stored_event.sync_state == "pending" else "pass"), text)
            if stored_event.reason:
                line.setToolTip(stored_event.reason)
            self.timeline.addItem(line)

    def retranslate(self) -> None:
        labels = (self.tr("状态"), self.tr("等级"), self.tr("类别"), self.tr("检查对象"), self.tr("整改期限"),
                  self.tr("责任单位"), self.tr("上报时间"), self.tr("来源"))
        for row, text in enumerate(labels):
            set_form_label(self.form, row, text)
        self.photos_title.setText(self.tr("照片"))
        self.timeline_title.setText(self.tr("处理记录"))
        self.empty.setText(self.tr("在左侧选择一个问题查看详情。"))
        self.show_finding(self.finding)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _event_note(payload: Any) -> str:
    for key in ("reason", "opinion", "note", "measures", "rectification"):
        value = payload.get(key) if hasattr(payload, "get") else None
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


class FindingsView(QWidget):
    """The findings page."""

    def __init__(self, ctx: AppContext, main_window: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.main_window = main_window
        self.all_rows: list[LocalFinding] = []
        self.title = title_label()
        self.count = hint_label()
        self.state_filter = QComboBox()
        self.severity_filter = QComboBox()
        self.category_filter = QComboBox()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(200)
        self.overdue_only = QCheckBox()
        self.pending_only = QCheckBox()
        self.adhoc_button = QPushButton(icon("camera"), "")
        self.model = FindingsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((150, 88, 72, 84, 200, 104, 118, 84, 60)):
            self.table.setColumnWidth(column, width)
        self.table.hideColumn(FindingsModel.COLUMNS.index("reported_at"))  # shown in the detail pane
        header.setSectionResizeMode(FindingsModel.COLUMNS.index("description"), QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.detail = FindingDetail(ctx)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([800, 360])

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addSpacing(12)
        top.addWidget(self.count, 1)
        top.addWidget(self.adhoc_button)
        filters = QHBoxLayout()
        for widget in (self.search, self.state_filter, self.severity_filter, self.category_filter,
                       self.overdue_only, self.pending_only):
            filters.addWidget(widget)
        filters.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(splitter, 1)

        self._filter_later = Debouncer(150, self.apply_filters, self)
        self.search.textChanged.connect(self._filter_later.poke)
        for combo in (self.state_filter, self.severity_filter, self.category_filter):
            combo.currentIndexChanged.connect(self.apply_filters)
        self.overdue_only.toggled.connect(self.apply_filters)
        self.pending_only.toggled.connect(self.apply_filters)
        self.adhoc_button.clicked.connect(main_window.report_adhoc)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        ctx.changed.connect(lambda kind: self.reload() if kind == FINDINGS else None)
        self.retranslate()
        self.reload()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.all_rows = findings.list_findings(self.ctx.db, limit=5000)
        categories = sorted({finding.view.category for finding in self.all_rows})
        current = self.category_filter.currentData()
        self.category_filter.blockSignals(True)
        self.category_filter.clear()
        self.category_filter.addItem(self.tr("全部类别"), "")
        for category in categories:
            self.category_filter.addItem(category, category)
        self.category_filter.setCurrentIndex(max(0, self.category_filter.findData(current)))
        self.category_filter.blockSignals(False)
        self.apply_filters()

    def apply_filters(self) -> None:
        selected = self.selected_id()
        state = self.state_filter.currentData()
        severity = self.severity_filter.currentData()
        category = self.category_filter.currentData()
        text = self.search.text().strip()
        now = utc_now()
        rows = [
            finding for finding in self.all_rows
            if (not state or finding.view.state.value == state)
            and (not severity or finding.view.severity.value == severity)
            and (not category or finding.view.category == category)
            and (not self.overdue_only.isChecked() or finding.is_overdue(now))
            and (not self.pending_only.isChecked() or finding.has_pending)
            and (not text or text in finding.view.description or text in finding.view.category
                 or text in (finding.view.ledger_number or ""))
        ]
        names = self._subject_names(rows)
        self.model.set_rows(rows, names)
        self.count.setText(self.tr("共 %n 个", "", len(rows)))
        if selected:
            self.select_finding(selected, show_page=False)
        else:
            self.detail.show_finding(None)

    def _subject_names(self, rows: list[LocalFinding]) -> dict[str, str]:
        names: dict[str, str] = {}
        for finding in rows:
            subject_id = finding.view.subject_id
            if subject_id and subject_id not in names:
                try:
                    names[subject_id] = subjects.get(self.ctx.db, subject_id).name
                except StoreError:
                    names[subject_id] = ""
        return names

    def selected_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return self.model.rows[index.row()].id if index.isValid() and index.row() < len(self.model.rows) else None

    def select_finding(self, finding_id: str, show_page: bool = True) -> None:
        """Select a finding (clearing filters that hide it) and show its detail."""
        if show_page and all(row.id != finding_id for row in self.model.rows):
            self.reload()
            if all(row.id != finding_id for row in self.model.rows):
                self._clear_filters()
        for row, finding in enumerate(self.model.rows):
            if finding.id == finding_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                self.detail.show_finding(finding)
                return

    def _clear_filters(self) -> None:
        for combo in (self.state_filter, self.severity_filter, self.category_filter):
            combo.setCurrentIndex(0)
        self.search.clear()
        self.overdue_only.setChecked(False)
        self.pending_only.setChecked(False)
        self.apply_filters()

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.model.rows[current.row()] if current.isValid() and current.row() < len(self.model.rows) else None
        self.detail.show_finding(finding)

    def retranslate(self) -> None:
        self.title.setText(self.tr("问题"))
        self.search.setPlaceholderText(self.tr("搜索描述、类别或编号"))
        self._fill_combo(self.state_filter, self.tr("全部状态"), [(s, state_label(s)) for s in STATES])
        self._fill_combo(self.severity_filter, self.tr("全部等级"), [(s, severity_label(s)) for s in SEVERITIES])
        if self.category_filter.count():
            self.category_filter.setItemText(0, self.tr("全部类别"))
        self.overdue_only.setText(self.tr("只看逾期"))
        self.pending_only.setText(self.tr("只看待同步"))
        self.adhoc_button.setText(self.tr("随手拍"))
        self.count.setText(self.tr("共 %n 个", "", len(self.model.rows)))
        self.model.retranslate()

    def _fill_combo(self, combo: QComboBox, everything: str, entries: list[tuple[str, str]]) -> None:
        current = combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(everything, "")
        for value, label in entries:
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(current)))
        combo.blockSignals(False)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
