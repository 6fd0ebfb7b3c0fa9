"""一户一码一档: a street-front unit's file on the laptop — its 责任书 (recorded or renewed here, with a scanned copy),
its inspections, cases and monthly 积分 — and the file as a PDF."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from inspector import exports
from inspector.core.clock import local_date, utc_now
from inspector.core.unit_cycle import STANDING_ZH, pledge_of
from inspector.reports.pdf_unit_file import UnitFileDocument
from inspector.store import subjects, unit_cycle
from inspector.store.errors import StoreError
from inspector.ui.shared.context import SUBJECTS, AppContext
from inspector.ui.shared.widgets import error_message, hint_label, on_error
from inspector.ui.shared.workers import FunctionWorker


class UnitFileDialog(QDialog):
    """The unit's file: the 责任书 form on top, the record below in tabs, and the PDF export."""

    def __init__(self, ctx: AppContext, subject_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.subject_id = subject_id
        self.scan: str | None = None
        self.scan_worker: FunctionWorker | None = None  # a chosen scan being stored
        self.exported: Path | None = None
        self.loaded = False  # the file's tables are filled (they are read on a worker)
        self.setWindowTitle(self.tr("一户一码一档"))
        self.resize(820, 620)
        self.heading = QLabel()
        self.heading.setObjectName("title")
        self.standing = hint_label()
        self.signed_on = QDateEdit()
        self.signed_on.setCalendarPopup(True)
        self.signed_on.setDisplayFormat("yyyy-MM-dd")
        self.term = QSpinBox()
        self.term.setRange(1, 120)
        self.term.setValue(12)
        self.term.setSuffix(self.tr(" 个月"))
        self.signer = QLineEdit()
        self.scan_label = hint_label()
        self.scan_button = QPushButton(self.tr("选择扫描件…"))
        self.save_button = QPushButton(self.tr("保存责任书"))
        self.save_button.setObjectName("primary")
        self.error = hint_label(name="error")
        self.error.hide()
        scan_row = QHBoxLayout()
        scan_row.addWidget(self.scan_button)
        scan_row.addWidget(self.scan_label, 1)
        form = QFormLayout()
        form.addRow(self.tr("签订日期"), self.signed_on)
        form.addRow(self.tr("期限"), self.term)
        form.addRow(self.tr("签字人"), self.signer)
        form.addRow(self.tr("扫描件"), scan_row)
        form.addRow("", self.save_button)
        pledge_box = QGroupBox(self.tr("门前三包责任书"))
        box_layout = QVBoxLayout(pledge_box)
        box_layout.addWidget(self.standing)
        box_layout.addLayout(form)
        box_layout.addWidget(self.error)

        self.tabs = QTabWidget()
        self.inspections = self._table([self.tr("日期"), self.tr("检查表"), self.tr("检查层级"), self.tr("得分"),
                                        self.tr("结论")])  # fmt: skip
        self.cases = self._table([self.tr("编号"), self.tr("发现日期"), self.tr("问题"), self.tr("状态"),
                                  self.tr("整改期限")])  # fmt: skip
        self.points = self._table([self.tr("月份"), self.tr("检查次数"), self.tr("积分"), self.tr("红黑榜")])
        self.tabs.addTab(self.inspections, self.tr("检查记录"))
        self.tabs.addTab(self.cases, self.tr("问题与隐患"))
        self.tabs.addTab(self.points, self.tr("月度积分"))
        self.export_button = QPushButton(self.tr("导出档案 PDF…"))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addWidget(pledge_box)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(buttons)

        self.scan_button.clicked.connect(self.choose_scan)
        self.save_button.clicked.connect(self.save_pledge)
        self.export_button.clicked.connect(self.choose_export)
        self.refresh()

    @staticmethod
    def _table(headers: list[str]) -> QTableWidget:
        table = QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setStretchLastSection(True)
        return table

    def refresh(self) -> FunctionWorker:
        """Show the unit and its 责任书 at once; read the rest of its file (the ledger, for the 积分) on a worker."""
        subject = subjects.get(self.ctx.db, self.subject_id)
        heading = self.tr("%1（一户一码：%2）")
        self.heading.setText(heading.replace("%1", subject.name).replace("%2", subject.code or "—"))
        pledge = pledge_of(subject.extra)
        if pledge is None:
            self.standing.setText(self.tr("尚未录入责任书"))
            self.signed_on.setDate(QDate.currentDate())
        else:
            words = STANDING_ZH[pledge.standing(local_date(utc_now()))]
            self.standing.setText(
                self.tr("续签截止 %1 · %2").replace("%1", pledge.renewal_due.isoformat()).replace("%2", words)
            )
            day = pledge.signed_on
            self.signed_on.setDate(QDate(day.year, day.month, day.day))
            self.term.setValue(pledge.term_months)
            self.signer.setText(pledge.signer)
            self.scan = pledge.scan
        self.scan_label.setText(self.tr("已存扫描件") if self.scan else self.tr("无扫描件"))
        self.loaded = False
        folder, subject_id = self.ctx.folder, self.subject_id

        def read(_worker: object) -> object:
            db = folder.connect()
            try:
                return exports.unit_file_document(db, subject_id)
            finally:
                db.close()

        worker = FunctionWorker(read)
        worker.signals.finished.connect(self._show_file)
        worker.signals.failed.connect(lambda error: on_error(self, error, self.tr("一户一码一档")))
        self.ctx.run(worker)
        return worker

    def _show_file(self, document: object) -> None:
        if not isinstance(document, UnitFileDocument):
            return
        for table, rows in ((self.inspections, document.inspections), (self.cases, document.cases),
                            (self.points, document.points)):  # fmt: skip
            table.setRowCount(len(rows))
            for row, values in enumerate(rows):
                for column, value in enumerate(values):
                    table.setItem(row, column, QTableWidgetItem(str(value)))
        self.loaded = True

    def choose_scan(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择责任书扫描件"), str(Path.home()), self.tr("PDF 或照片 (*.pdf *.jpg *.jpeg *.png *.heic)")
        )
        if path:
            self.take_scan(Path(path))

    def take_scan(self, path: Path) -> FunctionWorker:
        """Keep the chosen file (a PDF as a document, else as a photo) as the scan to save with the 责任书: it is
        read, checked and stored on a worker; saving waits until it is in."""
        folder = self.ctx.folder

        def store(_worker: object) -> str:
            db = folder.connect()
            try:
                return unit_cycle.store_scan(folder, db, path)
            finally:
                db.close()

        worker = FunctionWorker(store)
        worker.signals.finished.connect(lambda scan: self._scan_stored(scan, path.name))
        worker.signals.failed.connect(self._scan_failed)
        self.scan_worker = worker
        self.scan_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.scan_label.setText(self.tr("正在读取扫描件…"))
        self.ctx.run(worker)
        return worker

    def _scan_stored(self, scan: object, name: str) -> None:
        self._scan_done()
        if isinstance(scan, str):
            self.scan = scan
            self.scan_label.setText(self.tr("已选：%1").replace("%1", name))

    def _scan_failed(self, error: BaseException) -> None:
        self._scan_done()
        self.scan_label.setText(self.tr("已存扫描件") if self.scan else self.tr("无扫描件"))
        self._show_error(error)

    def _scan_done(self) -> None:
        self.scan_worker = None
        self.scan_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def save_pledge(self) -> None:
        picked = self.signed_on.date()
        try:
            unit_cycle.record_pledge(
                self.ctx.db,
                self.subject_id,
                signed_on=date(picked.year(), picked.month(), picked.day()),
                term_months=self.term.value(),
                signer=self.signer.text(),
                scan=self.scan,
            )
        except StoreError as error:
            self._show_error(error)
            return
        self.error.hide()
        self.ctx.notify(SUBJECTS)
        self.refresh()

    def _show_error(self, error: BaseException) -> None:
        self.error.setText(error_message(error))
        self.error.show()

    def choose_export(self) -> None:
        subject = subjects.get(self.ctx.db, self.subject_id)
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("导出档案"), str(Path.home() / f"{subject.name}-档案.pdf"), "PDF (*.pdf)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, target: Path) -> FunctionWorker:
        """Write the file's PDF on a worker."""
        folder = self.ctx.folder
        worker = FunctionWorker(lambda _worker: exports.export_unit_file(folder, self.subject_id, target))
        worker.signals.finished.connect(lambda done: setattr(self, "exported", done.path if done else None))
        worker.signals.failed.connect(lambda error: on_error(self, error, self.tr("导出档案")))
        self.ctx.run(worker)
        return worker
