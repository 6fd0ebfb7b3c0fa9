"""导入 12345 工单: pick an .xlsx/.csv, map its columns (remembered per header layout), preview the orders and every bad
row, import on a worker with progress, and show the result; also the template and the status workbook (docs/hotline.md).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core import hotline as rules
from inspector.core.clock import display
from inspector.core.hotline import Order, RowProblem
from inspector.reports.hotline_sheet import headers_of, read_table, write_status, write_template
from inspector.store import hotline, profile
from inspector.store.hotline import HotlineImportError, ImportResult
from inspector.ui.shared.context import FINDINGS, AppContext
from inspector.ui.shared.i18n import CHINESE, current_language
from inspector.ui.shared.widgets import error_message, hint_label, title_label
from inspector.ui.shared.workers import FunctionWorker, Worker

PREVIEW_ROWS = 50
NOT_MAPPED = -1


class HotlineImportDialog(QDialog):
    """The four steps of an import: file, columns, preview, result."""

    imported = Signal(object)  # the ImportResult

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path: Path | None = None
        self.table: list[list[Any]] = []
        self.headers: list[str] = []
        self.orders: list[Order] = []
        self.problems: list[RowProblem] = []
        self.worker: Worker | None = None
        self.last_result: ImportResult | None = None
        self.setWindowTitle(self.tr("导入 12345 工单"))
        self.resize(860, 600)
        self.steps = QStackedWidget()
        self.steps.addWidget(self._file_step())
        self.steps.addWidget(self._mapping_step())
        self.steps.addWidget(self._preview_step())
        self.steps.addWidget(self._result_step())
        self.status = hint_label()
        layout = QVBoxLayout(self)
        layout.addWidget(title_label(self.tr("导入 12345 工单")))
        layout.addWidget(self.steps, 1)
        layout.addWidget(self.status)

    # -- step 1: the file ---------------------------------------------------------------------------------------

    def _file_step(self) -> QWidget:
        page = QWidget()
        self.choose_button = QPushButton(self.tr("选择文件…"))
        self.template_button = QPushButton(self.tr("下载导入模板…"))
        self.export_button = QPushButton(self.tr("导出办理情况…"))
        self.choose_button.clicked.connect(self.choose_file)
        self.template_button.clicked.connect(self.save_template)
        self.export_button.clicked.connect(self.export_status)
        explain = QLabel(self.tr("选择热线平台导出的 .xlsx 或 .csv 工单表。按模板表头可直接导入；其他表头在下一步对应一次，以后自动沿用。"))  # noqa: E501
        explain.setWordWrap(True)
        row = QHBoxLayout()
        for button in (self.choose_button, self.template_button, self.export_button):
            row.addWidget(button)
        row.addStretch(1)
        layout = QVBoxLayout(page)
        layout.addWidget(explain)
        layout.addLayout(row)
        layout.addStretch(1)
        return page

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择 12345 工单表"), str(Path.home()), self.tr("表格 (*.xlsx *.csv)")
        )
        if path:
            self.open_file(Path(path))

    def open_file(self, path: Path) -> Worker:
        """Read the sheet on a worker, then go to the column step."""
        self.path = path
        self.status.setText(self.tr("正在读取 %1…").replace("%1", path.name))
        worker = FunctionWorker(lambda _w: read_table(path))
        worker.signals.finished.connect(self._read)
        worker.signals.failed.connect(lambda error: self.status.setText(error_message(error)))
        self.worker = worker
        return self.ctx.run(worker)

    def _read(self, table: list[list[Any]] | None) -> None:
        self.worker = None
        if table is None:
            return
        self.table = table
        self.headers = headers_of(table)
        remembered = hotline.remembered_mapping(self.ctx.db, self.headers)
        mapping = remembered or rules.guess_mapping(self.headers)
        for key, combo in self.columns.items():
            combo.clear()
            combo.addItem(self.tr("（无此列）"), NOT_MAPPED)
            for index, header in enumerate(self.headers):
                combo.addItem(header or self.tr("第 %1 列").replace("%1", str(index + 1)), index)
            combo.setCurrentIndex(max(0, combo.findData(mapping.get(key, NOT_MAPPED))))
        self.mapping_note.setText(
            self.tr("已按上次对应此表头的设置填好。") if remembered else self.tr("请确认每个字段对应的列（* 为必填）。")
        )
        self.status.setText(self.tr("%1：%2 行数据").replace("%1", self.path.name if self.path else "")
                            .replace("%2", str(len(table) - 1)))  # fmt: skip
        self.steps.setCurrentIndex(1)

    # -- step 2: the columns ------------------------------------------------------------------------------------

    def _mapping_step(self) -> QWidget:
        page = QWidget()
        self.mapping_note = hint_label()
        form = QFormLayout()
        self.columns: dict[str, QComboBox] = {}
        for field in rules.FIELDS:
            combo = QComboBox()
            combo.setObjectName(f"column-{field.key}")
            self.columns[field.key] = combo
            form.addRow(field.header + (" *" if field.required else ""), combo)
        self.default_street = QLineEdit(profile.default_jurisdiction(self.ctx.db))
        self.default_street.setPlaceholderText(self.tr("15 位辖区编码"))
        form.addRow(self.tr("未填街乡的工单归入"), self.default_street)
        back = QPushButton(self.tr("上一步"))
        self.preview_button = QPushButton(self.tr("预览"))
        back.clicked.connect(lambda: self.steps.setCurrentIndex(0))
        self.preview_button.clicked.connect(self.preview)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(back)
        buttons.addWidget(self.preview_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.mapping_note)
        layout.addLayout(form)
        layout.addStretch(1)
        layout.addLayout(buttons)
        return page

    def mapping(self) -> dict[str, int]:
        """The columns chosen, field key → column index."""
        chosen = {key: combo.currentData() for key, combo in self.columns.items()}
        return {key: int(index) for key, index in chosen.items() if index is not None and index != NOT_MAPPED}

    def preview(self) -> None:
        """Check every row with the chosen columns and show the orders and the bad rows."""
        try:
            default = self.default_street.text().strip() or None
            self.orders, self.problems = hotline.read_orders(self.ctx.db, self.table, self.mapping(), default)
        except Exception as error:
            self.status.setText(error_message(error))
            return
        held = hotline.known_numbers(self.ctx.db, self.orders)
        self.summary.setText(
            self.tr("可导入 %1 个工单（其中 %2 个已导入过，不会重复建案）；有误 %3 行")
            .replace("%1", str(len(self.orders))).replace("%2", str(len(held)))
            .replace("%3", str(len({problem.row for problem in self.problems})))
        )  # fmt: skip
        self._fill_preview()
        self.import_button.setEnabled(bool(self.orders) and not self.problems)
        self.steps.setCurrentIndex(2)

    # -- step 3: the preview ------------------------------------------------------------------------------------

    def _preview_step(self) -> QWidget:
        page = QWidget()
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.preview_table = QTableWidget(0, 5)
        self.preview_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.problem_list = QListWidget()
        self.problem_list.setMaximumHeight(140)
        self.progress = QProgressBar()
        self.progress.setVisible(False)
        back = QPushButton(self.tr("上一步"))
        self.import_button = QPushButton(self.tr("导入"))
        back.clicked.connect(lambda: self.steps.setCurrentIndex(1))
        self.import_button.clicked.connect(self.start_import)
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(back)
        buttons.addWidget(self.import_button)
        layout = QVBoxLayout(page)
        layout.addWidget(self.summary)
        layout.addWidget(self.preview_table, 1)
        layout.addWidget(self.problem_list)
        layout.addLayout(buttons)
        return page

    def _fill_preview(self) -> None:
        titles = [self.tr("工单编号"), self.tr("诉求内容"), self.tr("诉求地址"), self.tr("回复期限"), self.tr("辖区")]
        self.preview_table.setHorizontalHeaderLabels(titles)
        shown = self.orders[:PREVIEW_ROWS]
        self.preview_table.setRowCount(len(shown))
        for row, order in enumerate(shown):
            cells = (order.order_number, order.demand, order.address, display(order.reply_deadline), order.jurisdiction)
            for column, text in enumerate(cells):
                self.preview_table.setItem(row, column, QTableWidgetItem(text))
        self.problem_list.clear()
        for problem in self.problems:
            self.problem_list.addItem(_problem_text(problem))
        self.problem_list.setVisible(bool(self.problems))

    def start_import(self) -> Worker:
        """Import on a worker (its own connection), remembering the columns for this layout; progress below."""
        folder, headers, mapping = self.ctx.folder, list(self.headers), self.mapping()
        orders, name = list(self.orders), self.path.name if self.path else ""

        def job(worker: Worker) -> ImportResult:
            db = folder.connect()
            try:
                hotline.remember_mapping(db, headers, mapping)
                return hotline.import_orders(
                    db, orders, [], name, source=rules.SOURCE_12345,
                    progress=lambda done, total: worker.signals.progress.emit(done, total, ""),
                )  # fmt: skip
            finally:
                db.close()

        worker = FunctionWorker(job)
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._done)
        worker.signals.failed.connect(self._failed)
        self.import_button.setEnabled(False)
        self.progress.setVisible(True)
        self.progress.setRange(0, max(1, len(orders)))
        self.progress.setValue(0)
        self.worker = worker
        return self.ctx.run(worker)

    def _progress(self, done: int, total: int, _what: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    # -- step 4: the result -------------------------------------------------------------------------------------

    def _result_step(self) -> QWidget:
        page = QWidget()
        self.result_label = QLabel()
        self.result_label.setWordWrap(True)
        self.result_list = QListWidget()
        close = QPushButton(self.tr("关闭"))
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(page)
        layout.addWidget(self.result_label)
        layout.addWidget(self.result_list, 1)
        layout.addWidget(close, 0, Qt.AlignmentFlag.AlignRight)
        return page

    def _done(self, result: ImportResult | None) -> None:
        self.worker = None
        self.last_result = result
        if result is None:
            return
        self.result_label.setText(
            self.tr("已导入 %1 个工单并建案；%2 个工单已导入过，未重复建案。")
            .replace("%1", str(len(result.created))).replace("%2", str(len(result.already)))
        )  # fmt: skip
        self.result_list.clear()
        self.result_list.addItems(result.created)
        self.steps.setCurrentIndex(3)
        self.ctx.notify(FINDINGS)
        self.imported.emit(result)

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self.result_label.setText(self.tr("没有导入任何工单：") + error_message(error))
        self.result_list.clear()
        if isinstance(error, HotlineImportError):
            self.result_list.addItems([_problem_text(problem) for problem in error.problems])
        self.steps.setCurrentIndex(3)

    # -- template and status ------------------------------------------------------------------------------------

    def save_template(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("保存导入模板"), str(Path.home() / "12345工单导入模板.xlsx"), self.tr("Excel (*.xlsx)")
        )
        if path:
            self.ctx.run(FunctionWorker(lambda _w: write_template(Path(path))))

    def export_status(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出办理情况"), str(Path.home() / "12345工单办理情况.xlsx"), self.tr("Excel (*.xlsx)")
        )
        if path:
            self.write_status_file(Path(path))

    def write_status_file(self, path: Path) -> Worker:
        """Write the status workbook on a worker."""
        folder = self.ctx.folder

        def job(_worker: Worker) -> int:
            db = folder.connect()
            try:
                return write_status(path, hotline.status_rows(db))
            finally:
                db.close()

        worker = FunctionWorker(job)
        worker.signals.finished.connect(
            lambda count: self.status.setText(self.tr("已导出 %1 个工单的办理情况").replace("%1", str(count or 0)))
        )
        worker.signals.failed.connect(lambda error: self.status.setText(error_message(error)))
        return self.ctx.run(worker)


def _problem_text(problem: RowProblem) -> str:
    reason = problem.zh if current_language() == CHINESE else problem.en
    text = QCoreApplication.translate("HotlineImportDialog", "第 %1 行 %2：%3")
    return text.replace("%1", str(problem.row)).replace("%2", problem.field).replace("%3", reason)
