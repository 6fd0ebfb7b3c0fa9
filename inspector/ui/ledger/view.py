"""隐患台账 (the hazard ledger): every finding, filtered and sorted in the database a page at a time, a detail pane
with the timeline, the before/after photos and the actions the user's role allows, and the exports (xlsx ledger,
PDF 整改通知书 / 检查记录 / 公示牌)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
)

from inspector import exports
from inspector.core.clock import local_date, utc_now
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import Action
from inspector.store import jurisdictions
from inspector.store.findings import LocalFinding
from inspector.store.ledger_queries import LedgerSort
from inspector.ui.ledger import lateness
from inspector.ui.ledger.action_dialogs import ActionDialog, open_action
from inspector.ui.ledger.detail import FindingDetail
from inspector.ui.ledger.exports import ExportRunner, WorkerProgress
from inspector.ui.ledger.filters import LedgerFilterBar
from inspector.ui.ledger.hotline_import import HotlineImportDialog
from inspector.ui.ledger.model import SORTABLE, LedgerTableModel
from inspector.ui.shared.context import FINDINGS, SUBJECTS, AppContext
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import Page, fit_header_labels, hint_label, page_header, title_label

COLUMN_WIDTHS = {"number": 150, "state": 92, "severity": 66, "category": 80, "description": 200, "subject": 104,
                 "street": 84, "reported_at": 118, "deadline": 84, "late": 130, "unit": 140, "sync": 100, "kind": 96,
                 "source": 84, "escalation": 84}  # fmt: skip
# Shown in the detail pane; the table keeps to what fits beside it on a laptop (the header's menu shows them).
HIDDEN_COLUMNS = ("street", "reported_at", "unit", "source", "escalation")
DESCRIPTION_MIN = 220
DESCENDING_FIRST = ("reported_at", "number")  # newest first on the first click; the others ascend first


class StreetNames:
    """街乡 names by 9-digit code, read once per reload."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def load(self, db: Any) -> None:
        self.names = jurisdictions.street_names(db)

    def __call__(self, jurisdiction: str) -> str:
        return self.names.get(street_of(jurisdiction), street_of(jurisdiction))


class FindingsView(Page):
    """The ledger page."""

    adhoc_requested = Signal()  # record a problem without a checklist (随手拍)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.action_dialog: ActionDialog | None = None
        self.title = title_label()
        self.count = hint_label()
        self.status = hint_label()
        self.calendar_note = hint_label()  # where the holidays come from, when not from the shipped data
        self.adhoc_button = QPushButton(icon("camera"), "")
        self.export_button = QPushButton(icon("template"), "")
        self.hotline_button = QPushButton(icon("template"), "")  # 12345 work orders in and status out
        self.filters = LedgerFilterBar(ctx.db, self)
        # the filter widgets, as the page's own (tests and the review page use them)
        self.search = self.filters.search
        self.state_filter = self.filters.state_filter
        self.severity_filter = self.filters.severity_filter
        self.category_filter = self.filters.category_filter
        self.overdue_only = self.filters.overdue_only
        self.pending_only = self.filters.pending_only
        self._filter_later = self.filters._filter_later
        self.street_names = StreetNames()
        self.street_names.load(ctx.db)
        self.model = LedgerTableModel(ctx.db, self.street_names)
        self.table = self._make_table()
        self.detail = FindingDetail(ctx)
        detail_scroll = QScrollArea()
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # the pane wraps instead
        detail_scroll.setWidget(self.detail)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.table)
        splitter.addWidget(detail_scroll)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([820, 340])
        self.exports = ExportRunner(ctx, self)
        self.exports.done.connect(lambda _done: self.status.setText(self.exports.last_message))
        self.exports.failed.connect(self.status.setText)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addLayout(
            page_header(self.title, self.count, self.hotline_button, self.export_button, self.adhoc_button)
        )
        layout.addWidget(self.filters)
        layout.addWidget(self.calendar_note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)

        self.filters.changed.connect(self.apply_filters)
        self.adhoc_button.clicked.connect(self.adhoc_requested)
        self.export_button.clicked.connect(self.export_ledger)
        self.hotline_button.clicked.connect(self.open_hotline_import)
        self.table.selectionModel().currentRowChanged.connect(self._row_changed)
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.detail.action_requested.connect(self.start_action)
        self.detail.document_requested.connect(self.export_document)
        ctx.changed.connect(self._data_changed)
        self.retranslate()
        self.apply_filters()

    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setAlternatingRowColors(True)
        table.verticalHeader().hide()
        table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        table.verticalHeader().setDefaultSectionSize(26)
        table.setWordWrap(False)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        for column, key in enumerate(LedgerTableModel.COLUMNS):
            table.setColumnWidth(column, COLUMN_WIDTHS[key])
            if key in HIDDEN_COLUMNS:
                table.hideColumn(column)
        # 描述 takes the room the other columns leave, never less than DESCRIPTION_MIN (the table scrolls sideways
        # on a narrow screen rather than squeeze it to nothing).
        table.viewport().installEventFilter(self)
        header.sectionResized.connect(lambda column, _old, _new: self._fit_description(column))
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(lambda point: self._column_menu(header.mapToGlobal(point)))
        self._show_sort_indicator(header)
        return table

    def _column_menu(self, where: QPoint) -> None:
        """Show or hide columns (right click on the header)."""
        menu = QMenu(self)
        for column, title in enumerate(self.model.titles().values()):
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(column))
            action.toggled.connect(lambda shown, c=column: self.table.setColumnHidden(c, not shown))
        menu.exec(where)

    def open_hotline_import(self) -> HotlineImportDialog:
        """The 12345 import dialog; the ledger reads again when it imported."""
        dialog = HotlineImportDialog(self.ctx, self)
        dialog.imported.connect(lambda _result: self.apply_filters())
        dialog.open()
        return dialog

    # -- reading --------------------------------------------------------------------------------------------------

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the choices and the rows again (keeping filters, order and selection)."""
        self.street_names.load(self.ctx.db)
        self.filters.reload_choices()
        note = lateness.calendar_notice(self.ctx.db)
        self.calendar_note.setText(note)
        self.calendar_note.setVisible(bool(note))
        self.apply_filters()

    def _data_changed(self, kind: str) -> None:
        """Read again when shown; a hidden page reads when it is next opened (activate)."""
        if not self.isVisible():
            return
        if kind == FINDINGS:
            self.apply_filters()
        elif kind == SUBJECTS:
            self.filters.reload_choices()

    def apply_filters(self) -> None:
        selected = self.selected_id()
        self.model.set_query(self.filters.query())
        self.count.setText(self.tr("共 %n 条", "", self.model.total))
        if selected and self._select_row_of(selected):
            return
        self.detail.show_finding(None)

    def selected_id(self) -> str | None:
        return self.detail.finding.id if self.detail.finding is not None else None

    def selected_finding(self) -> LocalFinding | None:
        return self.detail.finding

    def select_finding(self, finding_id: str, show_page: bool = True) -> None:
        """Select a finding (clearing filters that hide it) and show its detail."""
        if self._select_row_of(finding_id) or not show_page:
            return
        self.filters.clear()  # the selection shows everything now
        self._select_row_of(finding_id)

    def _select_row_of(self, finding_id: str) -> bool:
        row = self.model.row_of(finding_id)
        if row is None:
            return False
        self.table.selectRow(row)
        self.table.scrollTo(self.model.index(row, 0))
        self.detail.show_finding(self.model.finding_at(row))
        return True

    def _row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        finding = self.model.finding_at(current.row()) if current.isValid() else None
        if finding is not None and (self.detail.finding is None or self.detail.finding.id != finding.id):
            self.detail.show_finding(finding)

    # -- order ----------------------------------------------------------------------------------------------------

    def _header_clicked(self, section: int) -> None:
        key = LedgerTableModel.COLUMNS[section]
        if key not in SORTABLE:
            self._show_sort_indicator(self.table.horizontalHeader())
            return
        order = self.model.order
        descending = not order.descending if order.key == SORTABLE[key] else key in DESCENDING_FIRST
        self.sort_by(SORTABLE[key], descending)

    def sort_by(self, key: str, descending: bool) -> None:
        """Order the rows by a store sort key (the selection stays selected)."""
        selected = self.selected_id()
        self.model.set_order(LedgerSort(key, descending))
        self._show_sort_indicator(self.table.horizontalHeader())
        if selected:
            self._select_row_of(selected)

    def _show_sort_indicator(self, header: QHeaderView) -> None:
        order = self.model.order
        column = next((c for c, key in enumerate(LedgerTableModel.COLUMNS) if SORTABLE.get(key) == order.key), -1)
        direction = Qt.SortOrder.DescendingOrder if order.descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, direction)

    # -- actions --------------------------------------------------------------------------------------------------

    def start_action(self, action: Action) -> ActionDialog | None:
        """Open the form of an action on the shown finding."""
        finding = self.detail.finding
        if finding is None:
            return None
        self.action_dialog = open_action(self.ctx, finding, action, self, self._action_done)
        return self.action_dialog

    def _action_done(self, dialog: ActionDialog) -> None:
        self.action_dialog = None
        self.select_finding(dialog.finding.id)
        self.status.setText(self.tr("已保存，等待服务器确认。"))

    # -- exports --------------------------------------------------------------------------------------------------

    def export_ledger(self, target: Path | None = None) -> Any:
        """Export the current selection as the xlsx ledger (in a worker, with progress)."""
        day = local_date(utc_now()).isoformat()
        path = target or self.exports.choose_target(f"隐患排查治理台账-{day}.xlsx", self.tr("Excel 工作簿 (*.xlsx)"))
        if path is None:
            return None
        folder, query, order, scope = self.ctx.folder, self.filters.query(), self.model.order, self.filters.describe()
        return self.exports.start(
            lambda worker: exports.export_ledger(folder, query, order, path, scope, WorkerProgress(worker)),
            self.tr("正在导出台账…"),
        )

    def export_document(self, kind: str, target: Path | None = None) -> Any:
        """Export a PDF of the shown finding: 整改通知书 (notice), 检查记录 (inspection) or 公示牌 (signboard)."""
        finding = self.detail.finding
        if finding is None:
            return None
        folder = self.ctx.folder
        suggested = exports.document_file_name(folder, kind, finding.id)
        path = target or self.exports.choose_target(suggested, self.tr("PDF 文件 (*.pdf)"))
        if path is None:
            return None
        jobs = {
            "notice": lambda _w: exports.export_notice(folder, finding.id, path),
            "inspection": lambda _w: exports.export_inspection(folder, finding.inspection_id or "", path),
            "signboard": lambda _w: exports.export_signboard(folder, finding.view.subject_id or "", path),
        }
        return self.exports.start(jobs[kind], self.tr("正在生成 PDF…"))

    # -- language -------------------------------------------------------------------------------------------------

    def fit_columns(self) -> None:
        """Columns of labels as wide as their longest label in the current language, headers never cut, and 描述
        the rest of the width."""
        for key, width in self.model.label_widths(self.table.fontMetrics()).items():
            self.table.setColumnWidth(LedgerTableModel.COLUMNS.index(key), max(COLUMN_WIDTHS[key], width))
        fit_header_labels(self.table)
        self._fit_description()

    def _fit_description(self, resized: int | None = None) -> None:
        column = LedgerTableModel.COLUMNS.index("description")
        if resized == column or getattr(self, "table", None) is None:
            return
        others = sum(self.table.columnWidth(c) for c in range(len(LedgerTableModel.COLUMNS))
                     if c != column and not self.table.isColumnHidden(c))  # fmt: skip
        width = max(DESCRIPTION_MIN, self.table.viewport().width() - others)
        if self.table.columnWidth(column) != width:
            self.table.setColumnWidth(column, width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self._fit_description()
        return super().eventFilter(watched, event)

    def retranslate(self) -> None:
        self.title.setText(self.tr("隐患台账"))
        self.adhoc_button.setText(self.tr("随手拍"))
        self.export_button.setText(self.tr("导出台账"))
        self.hotline_button.setText(self.tr("12345 工单…"))
        self.hotline_button.setToolTip(self.tr("导入 12345 工单表，或导出工单办理情况"))
        self.export_button.setToolTip(self.tr("把当前筛选出的隐患导出为 Excel 台账"))
        self.count.setText(self.tr("共 %n 条", "", self.model.total))
        self.model.retranslate()
        self.fit_columns()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
