"""检查对象 (Subjects): search (works for one or two Chinese characters), create/edit, import from Excel or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import local_date, utc_now
from inspector.core.unit_cycle import PledgeStanding
from inspector.store import profile, subjects, unit_cycle
from inspector.store.subjects import Subject
from inspector.ui.shared.context import SUBJECTS, AppContext
from inspector.ui.shared.labels import SUBJECT_KINDS, subject_kind_label, sync_state_label
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import (
    Debouncer,
    Page,
    error_message,
    fit_header_labels,
    hint_label,
    page_header,
    shortcut,
    title_label,
    warning_box,
)
from inspector.ui.shared.workers import FunctionWorker, Worker
from inspector.ui.subjects.dialog import SubjectDialog
from inspector.ui.subjects.patrols import PatrolLogDialog
from inspector.ui.subjects.sheet import ImportReport, import_rows, read_sheet, write_error_report, write_template
from inspector.ui.subjects.unit_file import UnitFileDialog

_Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class SubjectsModel(QAbstractTableModel):
    """Subjects as table rows."""

    COLUMNS = ("name", "kind", "code", "address", "responsible_person", "phone", "jurisdiction", "sync_state")

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Subject] = []

    def set_rows(self, rows: list[Subject]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        subject = self.rows[index.row()]
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if column == "kind":
                return subject_kind_label(subject.kind)
            if column == "sync_state":
                return sync_state_label(subject.sync_state)
            return getattr(subject, column) or ""
        if role == Qt.ItemDataRole.UserRole:
            return subject.id
        if role == Qt.ItemDataRole.ToolTipRole and column in ("name", "address"):
            return getattr(subject, column)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        titles = {
            "name": self.tr("名称"),
            "kind": self.tr("类型"),
            "code": self.tr("编码"),
            "address": self.tr("地址"),
            "responsible_person": self.tr("责任人"),
            "phone": self.tr("电话"),
            "jurisdiction": self.tr("辖区编码"),
            "sync_state": self.tr("同步"),
        }
        return titles[self.COLUMNS[section]]

    def retranslate(self) -> None:
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(self.COLUMNS) - 1)
        if self.rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.rows) - 1, len(self.COLUMNS) - 1))


class SubjectsView(Page):
    """The subjects page."""

    new_inspection_requested = Signal(str)  # the selected subject's id ('' when none is selected)

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.last_import: ImportReport | None = None
        self.title = title_label()
        self.count = hint_label()
        self.search = QLineEdit()
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(280)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.kind_filter = QComboBox()
        self.new_button = QPushButton(icon("add"), "")
        self.edit_button = QPushButton(icon("edit"), "")
        self.file_button = QPushButton(icon("template"), "")
        self.patrol_button = QPushButton(icon("inspection"), "")
        self.renewals = hint_label(name="warning")
        self.inspect_button = QPushButton(icon("inspection"), "")
        self.inspect_button.setObjectName("primary")
        self.import_button = QPushButton(icon("import"), "")
        self.template_button = QPushButton(icon("template"), "")
        self.model = SubjectsModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(26)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate((200, 130, 100, 260, 80, 110, 130)):
            self.table.setColumnWidth(column, width)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 2)
        bar.addWidget(self.kind_filter)
        bar.addStretch(1)
        for button in (
            self.inspect_button,
            self.new_button,
            self.edit_button,
            self.file_button,
            self.patrol_button,
            self.import_button,
            self.template_button,
        ):
            bar.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addLayout(page_header(self.title, self.count))
        layout.addLayout(bar)
        layout.addWidget(self.renewals)
        layout.addWidget(self.table, 1)

        self._search_later = Debouncer(150, self.reload, self)
        self.search.textChanged.connect(self._search_later.poke)
        self.search.returnPressed.connect(self._search_later.flush)
        self.kind_filter.currentIndexChanged.connect(self.reload)
        self.new_button.clicked.connect(self.create_subject)
        self.edit_button.clicked.connect(self.edit_subject)
        self.file_button.clicked.connect(self.open_file)
        self.patrol_button.clicked.connect(self.open_patrols)
        self.inspect_button.clicked.connect(self.inspect_subject)
        self.import_button.clicked.connect(self.choose_import_file)
        self.template_button.clicked.connect(self.save_template)
        self.table.doubleClicked.connect(lambda _index: self.edit_subject())
        self.table.activated.connect(lambda _index: self.edit_subject())
        shortcut(QKeySequence.StandardKey.Find, self, self.search.setFocus)
        shortcut(QKeySequence.StandardKey.New, self, self.create_subject, Qt.ShortcutContext.WidgetWithChildrenShortcut)
        ctx.changed.connect(lambda kind: self.reload() if kind == SUBJECTS else None)
        self.retranslate()
        self.reload()

    # -- data -------------------------------------------------------------------------------------------------

    def reload(self) -> None:
        """Run the search (a substring match, so 1–2 characters such as “胡同” work)."""
        selected = self.selected_id()
        kind = self.kind_filter.currentData()
        rows = subjects.list_subjects(self.ctx.db, kind=kind or None, search=self.search.text().strip() or None)
        self.model.set_rows(rows)
        self.count.setText(self.tr("共 %n 个", "", len(rows)))
        self._show_renewals()
        if selected:
            self.select(selected)

    def selected_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.rows[rows[0].row()].id if rows else None

    def select(self, subject_id: str) -> None:
        for row, subject in enumerate(self.model.rows):
            if subject.id == subject_id:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return

    # -- actions ----------------------------------------------------------------------------------------------

    def create_subject(self) -> None:
        dialog = SubjectDialog(self.ctx, self)
        if dialog.exec() and dialog.subject_id:
            self.select(dialog.subject_id)

    def edit_subject(self) -> None:
        subject_id = self.selected_id()
        if subject_id is None:
            return
        dialog = SubjectDialog(self.ctx, self, subjects.get(self.ctx.db, subject_id))
        dialog.exec()

    def open_file(self) -> UnitFileDialog | None:
        """The selected street-front unit's file (一户一码一档), opened without blocking."""
        subject_id = self.selected_id()
        if subject_id is None or subjects.get(self.ctx.db, subject_id).kind != unit_cycle.STREET_FRONT:
            warning_box(self, self.tr("一户一码一档"), self.tr("请先选择一个门前三包责任单位"))
            return None
        dialog = UnitFileDialog(self.ctx, subject_id, self)
        dialog.open()
        return dialog

    def open_patrols(self) -> PatrolLogDialog:
        """The 巡查日志 of 街巷长 and 小巷管家, opened without blocking."""
        dialog = PatrolLogDialog(self.ctx, self)
        dialog.open()
        return dialog

    def _show_renewals(self) -> None:
        """"责任书 N 家临期、M 家已过期" above the list while any is due (hidden otherwise)."""
        due = unit_cycle.renewals_due(self.ctx.db, local_date(utc_now()))
        expired = sum(1 for row in due if row.standing == PledgeStanding.EXPIRED)
        self.renewals.setText(
            self.tr("责任书：%1 家 30 天内到期待续签，%2 家已过期")
            .replace("%1", str(len(due) - expired))
            .replace("%2", str(expired))
        )
        self.renewals.setVisible(bool(due))

    def inspect_subject(self) -> None:
        self.new_inspection_requested.emit(self.selected_id() or "")

    def save_template(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("保存导入模板"), str(Path.home() / "检查对象导入模板.xlsx"), "Excel (*.xlsx);;CSV (*.csv)"
        )
        if path:
            self.ctx.run(FunctionWorker(lambda _w: write_template(Path(path))))

    def choose_import_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择要导入的表格"), str(Path.home()), self.tr("表格 (*.xlsx *.csv)")
        )
        if path:
            self.import_file(Path(path))

    def import_file(self, path: Path) -> Worker:
        """Import a sheet in the background with a progress dialog; the report dialog lists skipped rows."""
        progress = QProgressDialog(self.tr("正在导入…"), self.tr("取消"), 0, 0, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        default = profile.default_jurisdiction(self.ctx.db)
        folder = self.ctx.folder

        def job(worker: Worker) -> ImportReport:
            rows = read_sheet(path)
            db = folder.connect()
            try:

                def step(done: int) -> bool:
                    worker.signals.progress.emit(done, len(rows), "")
                    return not worker.cancelled

                return import_rows(db, rows, default, worker.language, step)
            finally:
                db.close()

        worker = FunctionWorker(job)
        worker.signals.progress.connect(lambda done, total, _n: _show_progress(progress, done, total))
        progress.canceled.connect(worker.cancel)
        worker.signals.finished.connect(lambda report: self._imported(progress, report))
        worker.signals.failed.connect(lambda error: self._import_failed(progress, error_message(error)))
        return self.ctx.run(worker)

    def _imported(self, progress: QProgressDialog, report: ImportReport | None) -> None:
        progress.close()
        self.ctx.notify(SUBJECTS)
        if report is None:
            return
        self.last_import = report
        ImportReportDialog(report, self).open()

    def _import_failed(self, progress: QProgressDialog, message: str) -> None:
        progress.close()
        warning_box(self, self.tr("无法导入"), message)

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("检查对象"))
        self.search.setPlaceholderText(self.tr("搜索名称、地址或编码（Ctrl+F）"))
        current = self.kind_filter.currentData()
        self.kind_filter.blockSignals(True)
        self.kind_filter.clear()
        self.kind_filter.addItem(self.tr("全部类型"), "")
        for kind in SUBJECT_KINDS:
            self.kind_filter.addItem(subject_kind_label(kind), kind)
        self.kind_filter.setCurrentIndex(max(0, self.kind_filter.findData(current)))
        self.kind_filter.blockSignals(False)
        self.new_button.setText(self.tr("新建"))
        self.edit_button.setText(self.tr("编辑"))
        self.file_button.setText(self.tr("档案"))
        self.patrol_button.setText(self.tr("巡查日志"))
        self.file_button.setToolTip(self.tr("一户一码一档：责任书、检查记录、问题与隐患、月度积分"))
        self._show_renewals()
        self.inspect_button.setText(self.tr("开始检查"))
        self.import_button.setText(self.tr("导入表格…"))
        self.template_button.setText(self.tr("下载模板…"))
        self.count.setText(self.tr("共 %n 个", "", len(self.model.rows)))
        self.model.retranslate()
        fit_header_labels(self.table)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _show_progress(progress: QProgressDialog, done: int, total: int) -> None:
    progress.setMaximum(total)
    progress.setValue(done)


class ImportReportDialog(QDialog):
    """How many subjects were imported, and each skipped row with its reason; the list can be saved as CSV."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report = report
        self.setWindowTitle(self.tr("导入结果"))
        summary = (
            self.tr("已导入 %1 个检查对象，跳过 %2 行。")
            .replace("%1", str(report.created))
            .replace("%2", str(len(report.errors)))
        )
        if report.cancelled:
            summary += " " + self.tr("导入已取消，已导入的对象保留。")
        self.summary = hint_label(summary, "sectionTitle")
        self.table = QTableWidget(len(report.errors), 3)
        self.table.setHorizontalHeaderLabels([self.tr("行号"), self.tr("名称"), self.tr("原因")])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, error in enumerate(report.errors):
            for column, value in enumerate((str(error.number), error.name, error.message)):
                self.table.setItem(row, column, QTableWidgetItem(value))
        self.table.setColumnWidth(1, 160)
        self.table.setVisible(bool(report.errors))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        self.save_button = buttons.addButton(self.tr("保存错误报告…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button.setEnabled(bool(report.errors))
        self.save_button.clicked.connect(self.save_errors)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(720, 420 if report.errors else 140)

    def save_errors(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("保存错误报告"), str(Path.home() / "导入错误.csv"), "CSV (*.csv)"
        )
        if path:
            write_error_report(Path(path), self.report.errors)
