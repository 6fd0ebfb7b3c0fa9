"""月度报告 on the statistics page: choose a month, save each of the month's documents (月检查, 月曝光 after the
supervisor's choice of cases, 月排名通报 PDF and xlsx) through a file dialog on a worker with progress, record a 约谈
tied to the ranking, and see the half-monthly patrol alert (门前三包 units not yet patrolled this half-month)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QEvent, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector import month_report
from inspector.core.clock import utc_now
from inspector.core.ledger import Role
from inspector.core.month import BASIS_OTHER, Talk, TalkCandidate, talk_candidates
from inspector.store import profile, talks
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.widgets import card, error_message, hint_label, title_label
from inspector.ui.shared.workers import FunctionWorker, Worker
from inspector.ui.statistics.data import recent_months

if TYPE_CHECKING:
    from inspector.reports.month_report import MonthReport  # its writers load on the worker, not with this page

TALKS = "talks"  # the kind of change the page is told about after a 约谈 is recorded
MONTHS_SHOWN = 12


class ExposureDialog(QDialog):
    """The cases the exposure rule preselected, each ticked; the supervisor unticks those not to publish."""

    def __init__(self, report: MonthReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("选择曝光问题"))
        self.list = QListWidget()
        for case in report.exposed:
            text = f"{case.ledger_number or '—'}  {case.street}  {case.description}（{'、'.join(case.reasons)}）"
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, case.finding_id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel(self.tr("按规则预选：市级、区级、第三方检查发现的，督办的，逾期的。取消勾选的不曝光。"))
        )
        layout.addWidget(self.list)
        layout.addWidget(buttons)

    def chosen_ids(self) -> set[str]:
        return {
            str(self.list.item(row).data(Qt.ItemDataRole.UserRole))
            for row in range(self.list.count())
            if self.list.item(row).checkState() == Qt.CheckState.Checked
        }


class TalkDialog(QDialog):
    """A 约谈: the ranking entry that led to it, who, which unit, when, why."""

    def __init__(self, month: str, candidates: list[TalkCandidate], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.month = month
        self.setWindowTitle(self.tr("记录约谈"))
        self.basis = QComboBox()
        for candidate in candidates:
            self.basis.addItem(f"{candidate.name}：{candidate.text}", candidate)
        self.basis.addItem(self.tr("其他（不对应排名条目）"), None)
        self.street = QLineEdit()
        self.street.setPlaceholderText(self.tr("9 位街乡代码"))
        self.person = QLineEdit()
        self.unit = QLineEdit()
        self.held_on = QDateEdit(QDate.currentDate())
        self.held_on.setCalendarPopup(True)
        self.held_on.setDisplayFormat("yyyy-MM-dd")
        self.reason = QPlainTextEdit()
        self.basis.currentIndexChanged.connect(self._basis_changed)
        form = QFormLayout()
        form.addRow(self.tr("依据"), self.basis)
        form.addRow(self.tr("街乡"), self.street)
        form.addRow(self.tr("约谈对象"), self.person)
        form.addRow(self.tr("单位"), self.unit)
        form.addRow(self.tr("约谈日期"), self.held_on)
        form.addRow(self.tr("事由"), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self._basis_changed()

    def _basis_changed(self) -> None:
        candidate = self.basis.currentData()
        if isinstance(candidate, TalkCandidate):
            self.street.setText(candidate.street)
            if not self.reason.toPlainText():
                self.reason.setPlainText(f"{self.month} {candidate.text}")

    def talk(self) -> Talk:
        candidate = self.basis.currentData()
        day = self.held_on.date()
        return Talk(
            talk_id="",
            month=self.month,
            held_on=date(day.year(), day.month(), day.day()),
            person=self.person.text().strip(),
            unit=self.unit.text().strip(),
            street=self.street.text().strip(),
            reason=self.reason.toPlainText().strip(),
            basis=candidate.basis if isinstance(candidate, TalkCandidate) else BASIS_OTHER,
            basis_ref=candidate.ref if isinstance(candidate, TalkCandidate) else "",
            basis_text=candidate.text if isinstance(candidate, TalkCandidate) else "",
        )


class MonthReportArea(QWidget):
    """The 月度报告 card of the statistics page."""

    saved = Signal(object)  # the path of a document just written

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.report: MonthReport | None = None
        self.alert: list[tuple[str, str, str]] = []
        self.worker: Worker | None = None
        self.stale = False  # asked to read again while a worker ran: read when it ends
        self.title = title_label(name="sectionTitle")
        self.month_label = QLabel()
        self.month = QComboBox()
        months = recent_months(utc_now(), MONTHS_SHOWN)
        for key in reversed(months):
            self.month.addItem(key, key)
        self.month.setCurrentIndex(1 if len(months) > 1 else 0)  # the last finished month
        self.buttons: dict[str, QPushButton] = {output: QPushButton() for output in month_report.OUTPUTS}
        self.talk_button = QPushButton()
        self.progress = QProgressBar()
        self.progress.setRange(0, len(month_report.OUTPUTS))
        self.progress.hide()
        self.status = hint_label()
        self.alert_title = QLabel()
        self.alert_title.setObjectName("sectionTitle")
        self.alert_list = QListWidget()
        self.alert_list.setMaximumHeight(120)
        frame, inner = card(self)
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        head.addWidget(self.month_label)
        head.addWidget(self.month)
        row = QHBoxLayout()
        for output in month_report.OUTPUTS:
            row.addWidget(self.buttons[output])
            self.buttons[output].clicked.connect(lambda _c=False, key=output: self.export(key))
        row.addWidget(self.talk_button)
        row.addStretch(1)
        inner.addLayout(head)
        inner.addLayout(row)
        inner.addWidget(self.progress)
        inner.addWidget(self.status)
        inner.addWidget(self.alert_title)
        inner.addWidget(self.alert_list)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)
        self.month.currentIndexChanged.connect(lambda _i: self.load())
        self.talk_button.clicked.connect(lambda: self.record_talk())
        self.retranslate()

    # -- reading ------------------------------------------------------------------------------------------------

    def load(self) -> Worker | None:
        """Read the month's figures and the patrol alert on a worker."""
        if self.worker is not None:
            self.stale = True
            return None
        self.stale = False
        folder, month = self.ctx.folder, str(self.month.currentData())

        def compute(_worker: Any) -> tuple[MonthReport, list[tuple[str, str, str]]]:
            return month_report.load_month(folder, month), month_report.patrol_alert(folder)

        worker = FunctionWorker(compute)
        worker.signals.finished.connect(self._loaded)
        worker.signals.failed.connect(self._failed)
        self._busy(worker, self.tr("正在读取 %1 的数据…").replace("%1", month))
        return worker

    def _loaded(self, result: Any) -> None:
        self.worker = None
        self._set_enabled(True)
        self.progress.hide()
        if self.stale:
            self.load()
            return
        if not isinstance(result, tuple):
            return
        self.report, self.alert = result
        self.status.setText(
            self.tr("%1：检查 %2 次，曝光预选 %3 个，约谈 %4 次")
            .replace("%1", self.report.month).replace("%2", str(self.report.checks.total))
            .replace("%3", str(len(self.report.exposed))).replace("%4", str(len(self.report.talks)))
        )  # fmt: skip
        self._show_alert()

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self._set_enabled(True)
        self.progress.hide()
        self.status.setText(error_message(error))
        if self.stale:
            self.load()

    def _show_alert(self) -> None:
        self.alert_list.clear()
        for _subject_id, name, street in self.alert:
            self.alert_list.addItem(f"{name}（{street}）")
        self.alert_title.setText(
            self.tr("半月巡查提醒：本半月尚无街乡巡查的门前三包单位 %1 个").replace("%1", str(len(self.alert)))
        )

    # -- writing ------------------------------------------------------------------------------------------------

    def export(self, output: str, path: Path | None = None, chosen: set[str] | None = None) -> Worker | None:
        """Save one document: for the exposure, the cases ticked in the dialog (or `chosen`); the file from a file
        dialog (or `path`); written on a worker."""
        report = self.report
        if report is None or self.worker is not None:
            return None
        if output == month_report.EXPOSURE:
            if chosen is None:
                dialog = ExposureDialog(report, self)
                if dialog.exec() != QDialog.DialogCode.Accepted:
                    return None
                chosen = dialog.chosen_ids()
            report = month_report.choose_exposed(report, chosen)
        if path is None:
            suggested = str(Path.home() / month_report.FILE_NAMES[output].format(month=report.month))
            xlsx = output == month_report.RANKING_XLSX
            kinds = self.tr("Excel 表格 (*.xlsx)") if xlsx else self.tr("PDF 文件 (*.pdf)")
            name, _filter = QFileDialog.getSaveFileName(self, self.tr("保存"), suggested, kinds)
            if not name:
                return None
            path = Path(name)
        target = path

        def write(worker: Worker) -> Path:
            worker.signals.progress.emit(0, 1, output)
            done = month_report.write_output(report, output, target)
            worker.signals.progress.emit(1, 1, output)
            return done

        worker = FunctionWorker(write)
        worker.signals.progress.connect(self._progress)
        worker.signals.finished.connect(self._written)
        worker.signals.failed.connect(self._failed)
        self._busy(worker, self.tr("正在生成…"))
        return worker

    def _progress(self, done: int, total: int, _what: str) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(done)

    def _written(self, path: Any) -> None:
        self.worker = None
        self._set_enabled(True)
        self.progress.hide()
        if isinstance(path, Path):
            self.status.setText(self.tr("已保存：%1").replace("%1", str(path)))
            self.saved.emit(path)
        if self.stale:
            self.load()

    def _busy(self, worker: Worker, text: str) -> None:
        self.worker = worker
        self._set_enabled(False)
        self.progress.setValue(0)
        self.progress.show()
        self.status.setText(text)
        self.ctx.run(worker)

    def _set_enabled(self, enabled: bool) -> None:
        ready = enabled and self.report is not None
        for button in self.buttons.values():
            button.setEnabled(ready)
        self.talk_button.setEnabled(ready and self.is_supervisor())

    def is_supervisor(self) -> bool:
        return Role.SUPERVISOR in profile.user_roles(self.ctx.db)

    # -- 约谈 -------------------------------------------------------------------------------------------------------

    def record_talk(self, talk: Talk | None = None) -> Talk | None:
        """Record a 约谈 of the month (from the dialog unless given) and queue it for the server."""
        report = self.report
        if report is None or not self.is_supervisor():
            return None
        if talk is None:
            dialog = TalkDialog(report.month, talk_candidates(report.ranking, report.red_black), self)
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            talk = dialog.talk()
        try:
            made = talks.record(self.ctx.db, talk, profile.user_id(self.ctx.db))
        except ValueError as error:
            self.status.setText(self.tr("约谈未保存：%1").replace("%1", str(error)))
            return None
        self.status.setText(self.tr("已记录约谈：%1").replace("%1", made.person))
        self.ctx.notify(TALKS)
        self.load()
        return made

    # -- language -----------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("月度报告（月检查、月曝光、月排名）"))
        self.month_label.setText(self.tr("报告月份"))
        labels = {
            month_report.CHECKS: self.tr("月检查 PDF…"),
            month_report.EXPOSURE: self.tr("月曝光 PDF…"),
            month_report.RANKING_PDF: self.tr("月排名通报 PDF…"),
            month_report.RANKING_XLSX: self.tr("月排名通报 xlsx…"),
        }
        for output, button in self.buttons.items():
            button.setText(labels[output])
        self.talk_button.setText(self.tr("记录约谈…"))
        self.talk_button.setToolTip(self.tr("督导员记录约谈（对象、时间、事由），对应本月排名或黑榜条目"))
        self._show_alert()
        self._set_enabled(self.worker is None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
