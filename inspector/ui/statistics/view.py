"""统计 (Statistics): the monthly figures (月检查、月曝光、月排名) from `inspector.core.statistics` — findings per
month by category, closure rate and time to close, overdue count and trend, the 街乡 ranking, back streets' 十无
status and the 红黑榜 of street-front units. The figures are computed on a worker and shown as soon as they arrive;
the charts draw them once pyqtgraph is imported (warm_up.py, in the background after start-up). The 月度报告 area reads
its month after the figures are shown, so the two never compete. Each panel exports as PNG, and each chart's
month-by-month figures as CSV (its months can be read from the keyboard, see charts.py)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QDate, QEvent, QLocale, Qt, QTimer
from PySide6.QtGui import QColor, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import utc_now
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT
from inspector.core.statistics import RedBlackList, StreetRank
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, SUBJECTS, AppContext
from inspector.ui.shared.labels import tier_label
from inspector.ui.shared.widgets import Page, card, error_message, hint_label, page_header, title_label
from inspector.ui.shared.workers import ON_SCREEN, FunctionWorker
from inspector.ui.statistics import charts, warm_up
from inspector.ui.statistics.data import StatisticsData, load_statistics, recent_months
from inspector.ui.statistics.month_area import MonthReportArea

RANGES = (6, 12)
RED = QColor("#c62828")
GREEN = QColor("#2e7d32")


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table(headers: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setAlternatingRowColors(True)
    table.setFixedHeight(270)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(False)
    return table


def _stretch(table: QTableWidget, stretched: int) -> None:
    """The name column takes the room that is left; the others keep their own width (nothing cut off)."""
    header = table.horizontalHeader()
    for column in range(table.columnCount()):
        mode = QHeaderView.ResizeMode.Stretch if column == stretched else QHeaderView.ResizeMode.ResizeToContents
        header.setSectionResizeMode(column, mode)


def _fill(
    table: QTableWidget, rows: Sequence[Sequence[Any]], colours: Sequence[QColor | None] = (), stretched: int = 0
) -> None:
    # Fixed widths while the items go in: a column sized to its contents measures every row again at each item
    # (hundreds of units took seconds); the columns are sized once, at the end.
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.setUpdatesEnabled(False)
    try:
        table.setRowCount(len(rows))
        for row, values in enumerate(rows):
            colour = colours[row] if row < len(colours) else None
            for column, value in enumerate(values):
                item = QTableWidgetItem(str(value))
                if isinstance(value, int | float):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                if colour is not None:
                    item.setForeground(colour)
                table.setItem(row, column, item)
    finally:
        table.setUpdatesEnabled(True)
    _stretch(table, stretched)


class Panel(QWidget):
    """A titled card holding one chart or table, with a line of figures, an "export PNG" button and, for a chart,
    an "export CSV" button (its figures as a table, month by series)."""

    def __init__(self, content: QWidget, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.content = content
        self.name = name  # the suggested file name
        frame, inner = card(self)
        self.title = title_label(name="sectionTitle")
        self.summary = hint_label()
        self.export_button = QPushButton()
        self.export_button.clicked.connect(lambda: self.export_png())
        self.csv_button: QPushButton | None = None
        head = QHBoxLayout()
        head.addWidget(self.title, 1)
        if isinstance(content, charts.ChartWidget):
            self.csv_button = QPushButton()
            self.csv_button.clicked.connect(lambda: self.export_csv())
            head.addWidget(self.csv_button)
        head.addWidget(self.export_button)
        inner.addLayout(head)
        inner.addWidget(self.summary)
        inner.addWidget(content, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(frame)

    def export_png(self, path: Path | None = None) -> Path | None:
        """Save the chart (drawn again, wider than on screen) or the table (a picture of it) as PNG."""
        if path is None:
            suggested = str(Path.home() / f"{self.name}.png")
            kinds = self.tr("PNG 图片 (*.png)")
            name, _filter = QFileDialog.getSaveFileName(self, self.tr("导出 PNG"), suggested, kinds)
            if not name:
                return None
            path = Path(name)
        exporter = getattr(self.content, "export_png", None)
        if exporter is not None:
            return Path(exporter(path))
        self.content.grab().save(str(path), "PNG")
        return path

    def export_csv(self, path: Path | None = None) -> Path | None:
        """Save the chart's figures as CSV (UTF-8 with BOM, so Excel shows the Chinese names)."""
        if not isinstance(self.content, charts.ChartWidget):
            return None
        if path is None:
            suggested = str(Path.home() / f"{self.name}.csv")
            kinds = self.tr("CSV 表格 (*.csv)")
            name, _filter = QFileDialog.getSaveFileName(self, self.tr("导出 CSV"), suggested, kinds)
            if not name:
                return None
            path = Path(name)
        return self.content.export_csv(path)

    def set_title(self, text: str) -> None:
        """The panel's heading, which is also the accessible name of its chart or table."""
        self.title.setText(text)
        self.content.setAccessibleName(text)


class StatisticsView(Page):
    """The statistics page."""

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.data: StatisticsData | None = None
        self.worker: FunctionWorker | None = None
        self.stale = True
        self.month_area_due = False  # the 月度报告 area reads once the figures are in
        self.month_area_after_paint = False  # … and painted
        self.title = title_label()
        self.range = QComboBox()
        self.range.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.month = QComboBox()
        self.month_label = QLabel()
        self.refresh_button = QPushButton()
        self.status = hint_label()
        # The figures are computed while the rest of the page is built (the worker's SQL runs beside it).
        self._fill_ranges()
        self._fill_months()
        self.load()
        self.month_area_due = True
        self.findings_chart = charts.ChartWidget()
        self.closure_chart = charts.ChartWidget()
        self.overdue_chart = charts.ChartWidget()
        self.ranking_table = _table(["", "", "", "", "", "", ""])
        self.streets_table = _table(["", ""])
        self.hotline_table = _table(["", "", "", "", "", ""])
        self.red_table = _table(["", "", "", ""])
        self.black_table = _table(["", "", "", ""])
        lists = QWidget()
        lists_layout = QHBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
        self.red_title, self.black_title = QLabel(), QLabel()
        for heading, table in ((self.red_title, self.red_table), (self.black_title, self.black_table)):
            column = QVBoxLayout()
            column.addWidget(heading)
            column.addWidget(table)
            lists_layout.addLayout(column)
        self.panels = {
            "findings": Panel(self.findings_chart, "findings-by-month"),
            "closure": Panel(self.closure_chart, "closure-rate"),
            "overdue": Panel(self.overdue_chart, "overdue-trend"),
            "ranking": Panel(self.ranking_table, "street-ranking"),
            "streets": Panel(self.streets_table, "back-streets"),
            "units": Panel(lists, "red-black-list"),
            "hotline": Panel(self.hotline_table, "hotline-12345"),
        }
        self.month_area = MonthReportArea(ctx)  # 月度报告: the month's documents, 约谈, the patrol alert
        grid = QGridLayout()
        grid.addWidget(self.month_area, 0, 0, 1, 2)
        for number, panel in enumerate(self.panels.values()):
            grid.addWidget(panel, 1 + number // 2, number % 2)
        body = QWidget()
        body.setLayout(grid)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidgetResizable(True)
        self.scroll_area.setWidget(body)
        top = page_header(self.title, self.status,
                          controls=(self.range, self.month_label, self.month, self.refresh_button))  # fmt: skip
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addLayout(top)
        layout.addWidget(self.scroll_area, 1)

        self.retranslate()
        self.range.currentIndexChanged.connect(self._range_changed)
        self.month.currentIndexChanged.connect(lambda _i: self.load())
        self.refresh_button.clicked.connect(self.load)
        ctx.changed.connect(self._data_changed)

    # -- reading ----------------------------------------------------------------------------------------------------

    def activate(self) -> None:
        if self.stale:
            self.load()
            self._load_month_area()

    def _data_changed(self, kind: str) -> None:
        if kind in (FINDINGS, INSPECTIONS, SUBJECTS):
            self.stale = True
            if self.isVisible():
                self.load()
                self._load_month_area()

    def _load_month_area(self) -> None:
        """The 月度报告 area reads its month now, or after the figures being computed are shown."""
        if self.worker is None:
            self.month_area.load()
        else:
            self.month_area_due = True

    def _month_area_after_figures(self) -> None:
        """Once the figures are in, the 月度报告 area reads its month after the page next paints and the chart library
        is imported: its reading (aggregate queries and the exposure's candidates, about half a second on 100,000
        findings) would otherwise share the interpreter with them."""
        if self.month_area_due and self.worker is None:
            self.month_area_due = False
            self.month_area_after_paint = True
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self.month_area_after_paint:
            self.month_area_after_paint = False
            QTimer.singleShot(0, self, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """The figures are on screen: the chart library's import begins if it had not (the page was opened before
        the background warm-up), and the 月度报告 area reads once it has ended, so neither slows the other."""
        warm_up.start(self.ctx)
        warm_up.after_imports(lambda: self.month_area.load() if shiboken6.isValid(self) else None)

    def months(self) -> list[str]:
        return recent_months(utc_now(), int(self.range.currentData() or RANGES[0]))

    def _fill_months(self) -> None:
        current = self.month.currentData()
        months = self.months()
        self.month.blockSignals(True)
        self.month.clear()
        for key in reversed(months):
            self.month.addItem(key, key)
        self.month.setCurrentIndex(max(0, self.month.findData(current)))
        self.month.blockSignals(False)

    def _range_changed(self) -> None:
        self._fill_months()
        self.load()

    def load(self) -> FunctionWorker | None:
        """Compute the figures on a worker; the page shows them when it ends."""
        if self.worker is not None:
            self.stale = True
            return None
        months, month, folder = self.months(), str(self.month.currentData()), self.ctx.folder
        ahead = warm_up.take_figures(folder, months, month)  # computed in the background since start-up, if valid

        def compute(_worker: Any) -> StatisticsData:
            return ahead if isinstance(ahead, StatisticsData) else load_statistics(folder, months, month)

        worker = FunctionWorker(compute)
        worker.signals.finished.connect(self._loaded)
        worker.signals.failed.connect(self._failed)
        self.worker = worker
        self.stale = False
        self.status.setText(self.tr("正在计算…"))
        self.ctx.run(worker, ON_SCREEN)
        return worker

    def _loaded(self, data: Any) -> None:
        self.worker = None
        if isinstance(data, StatisticsData):
            warm_up.reserve()  # opened before the background warm-up: the charts wait for it, begun once painted
            self.show_data(data)
        if self.stale:
            self.load()
        self._month_area_after_figures()

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self.status.setText(error_message(error))
        self._month_area_after_figures()

    # -- showing ----------------------------------------------------------------------------------------------------

    def show_data(self, data: StatisticsData) -> None:
        self.data = data
        labels = self._chart_labels()
        charts.draw_findings_by_month(self.findings_chart, data.months, data.by_month, labels)
        charts.draw_closure(self.closure_chart, data.months, data.closure_by_month, labels)
        charts.draw_overdue(self.overdue_chart, data.months, data.overdue_trend, labels)
        self._show_summaries(data)
        self._show_ranking(data.ranking)
        self._show_back_streets(data)
        self._show_hotline(data)
        if data.red_black is not None:
            self._show_units(data.red_black, data)
        self.status.setText(self.tr("共 %n 个问题", "", data.findings))

    def _show_summaries(self, data: StatisticsData) -> None:
        total = sum(sum(counts.values()) for counts in data.by_month.values())
        reported = self.tr("所选月份共上报 %1 个（不含不予立案）")
        self.panels["findings"].summary.setText(reported.replace("%1", str(total)))
        closure = data.closure
        if closure is not None:
            days = "—" if closure.mean_days_to_close is None else f"{closure.mean_days_to_close:.1f}"
            self.panels["closure"].summary.setText(
                self.tr("挂账 %1，已销账 %2；销账率 %3，按期销账率 %4，平均销账用时 %5 天")
                .replace("%1", str(closure.on_ledger)).replace("%2", str(closure.closed))
                .replace("%3", _percent(closure.closure_rate)).replace("%4", _percent(closure.on_time_rate))
                .replace("%5", days)
            )  # fmt: skip
        self.panels["overdue"].summary.setText(
            self.tr("当前逾期 %1 个").replace("%1", str(data.overdue_now)) + self._late_by_stage_text(data)
        )
        weights = data.rules.ranking
        formula = self.tr("%1 月排名：得分 = 100 ×（%2 按期销账 + %3 逾期 + %4 检查覆盖）；规则 %5")
        self.panels["ranking"].summary.setText(
            formula.replace("%1", data.month).replace("%2", f"{weights.on_time_closure:g}")
            .replace("%3", f"{weights.overdue:g}").replace("%4", f"{weights.coverage:g}").replace("%5", data.rule)
        )  # fmt: skip

    def _show_hotline(self, data: StatisticsData) -> None:
        """Per 街乡 and month of receipt: orders, 响应率, 解决率, 满意率 (of those rated at the callback)."""
        rows = [
            (row.month, data.street_names.get(row.street, row.street), row.received, _percent(row.response_rate),
             _percent(row.solution_rate), _percent(row.satisfaction_rate))
            for row in data.hotline
        ]  # fmt: skip
        _fill(self.hotline_table, rows, stretched=1)
        total = sum(row.received for row in data.hotline)
        self.panels["hotline"].summary.setText(self.tr("所选月份共 %1 个 12345 工单").replace("%1", str(total)))

    def _late_by_stage_text(self, data: StatisticsData) -> str:
        """Open cases late now at each stage (受理/立案, 派遣, 处置, 核查), after the overdue count."""
        names = {"accept": self.tr("受理/立案"), "dispatch": self.tr("派遣"), "dispose": self.tr("处置"),
                 "verify": self.tr("核查")}  # fmt: skip
        parts = [f"{names[stage]} {data.late_by_stage.get(stage, 0)}" for stage in names]
        return self.tr("；各阶段超时限：%1").replace("%1", self.tr("，").join(parts))

    def _show_ranking(self, ranking: list[StreetRank]) -> None:
        rows = [
            (rank.rank, rank.name or rank.street, f"{rank.score:.2f}", _percent(rank.on_time_rate),
             f"{rank.overdue_score:.2f}", _percent(rank.coverage), rank.overdue)
            for rank in ranking
        ]  # fmt: skip
        _fill(self.ranking_table, rows, stretched=1)

    def _show_back_streets(self, data: StatisticsData) -> None:
        months = data.months[-4:]
        headers = [self.tr("背街小巷"), self.tr("街巷等级"), *months, self.tr("当前")]
        self.streets_table.setColumnCount(len(headers))
        self.streets_table.setHorizontalHeaderLabels(headers)
        rows, colours = [], []
        streets = sorted({*data.back_streets, *data.tiers}, key=lambda key: data.subject_names.get(key, key))
        for subject_id in streets:
            statuses = data.back_streets.get(subject_id, [])
            by_month = {status.month: status for status in statuses}
            cells = [_status_text(by_month.get(key)) for key in months]
            latest = statuses[-1].status if statuses else COMPLIANT
            history = data.tiers.get(subject_id, [])
            tier = tier_label(history[-1].tier.value) if history else self.tr("未定级")
            rows.append([data.subject_names.get(subject_id, subject_id), tier, *cells, latest])
            colours.append(RED if latest == NON_COMPLIANT else None)
        _fill(self.streets_table, rows, colours)
        failing = sum(1 for statuses in data.back_streets.values() if statuses[-1].status == NON_COMPLIANT)
        self.panels["streets"].summary.setText(
            self.tr("%1 条背街小巷，其中不达标 %2 条（第三方检查90分以下降档，市级检查连续三个月90分及以上复档；"
                    "规则 %3）")
            .replace("%1", str(len(streets))).replace("%2", str(failing)).replace("%3", data.rule)
        )  # fmt: skip

    def _show_units(self, lists: RedBlackList, data: StatisticsData) -> None:
        for table, entries, colour in ((self.red_table, lists.red, RED), (self.black_table, lists.black, None)):
            rows = [[unit.name or unit.subject_id, self._street(unit.street), f"{unit.points:g}", unit.inspections]
                    for unit in entries]  # fmt: skip
            _fill(table, rows, [colour] * len(entries))
        self.panels["units"].summary.setText(
            self.tr("%1 个门前三包责任单位：红榜 %2，黑榜 %3（积分 ≥%4 且当月被检查为红榜，<%5 为黑榜；规则 %6）")
            .replace("%1", str(len(lists.units))).replace("%2", str(len(lists.red)))
            .replace("%3", str(len(lists.black))).replace("%4", f"{data.rules.units.red_at_least:g}")
            .replace("%5", f"{data.rules.units.black_below:g}").replace("%6", data.rule)
        )  # fmt: skip

    def _street(self, code: str) -> str:
        return self.data.street_names.get(code, code) if self.data is not None else code

    def _month_label(self, key: str) -> str:
        """A month tick: 3月 in Chinese, Mar in English (a Qt date format, translated)."""
        locale = QLocale("en_US" if self.ctx.language == "en" else "zh_CN")
        return locale.toString(QDate(int(key[:4]), int(key[5:7]), 1), self.tr("M月"))

    def _chart_labels(self) -> charts.ChartLabels:
        return charts.ChartLabels(
            month=self._month_label,
            others=self.tr("其他"),
            closure_rate=self.tr("销账率"),
            on_time_rate=self.tr("按期销账率"),
            overdue=self.tr("月末逾期"),
            empty=self.tr("所选月份没有数据"),
            waiting=self.tr("正在准备图表…"),
            words=charts.ReadoutWords(
                month_column=self.tr("月份"),
                total=self.tr("合计"),
                readout=self.tr("%1：%2"),
                separator=self.tr("，"),
                hint=self.tr("点击图表或用 ←/→ 键逐月查看数值"),
            ),
        )

    # -- language -----------------------------------------------------------------------------------------------------

    def _fill_ranges(self) -> None:
        current = self.range.currentData()
        self.range.blockSignals(True)
        self.range.clear()
        for count in RANGES:
            self.range.addItem(self.tr("近 %n 个月", "", count), count)
        self.range.setCurrentIndex(max(0, self.range.findData(current)))
        self.range.blockSignals(False)

    def retranslate(self) -> None:
        self.title.setText(self.tr("统计"))
        self._fill_ranges()
        self.month_label.setText(self.tr("排名月份"))
        self.refresh_button.setText(self.tr("刷新"))
        titles = {
            "findings": self.tr("每月问题数（按类别）"),
            "closure": self.tr("销账率与按期销账率"),
            "overdue": self.tr("逾期趋势（月末逾期数，本月为当前数）"),
            "ranking": self.tr("街乡月排名"),
            "streets": self.tr("背街小巷十无达标"),
            "units": self.tr("门前三包红黑榜"),
            "hotline": self.tr("12345 工单：响应率、解决率、满意率"),
        }
        for key, panel in self.panels.items():
            panel.set_title(titles[key])
            panel.export_button.setText(self.tr("导出 PNG…"))
            if panel.csv_button is not None:
                panel.csv_button.setText(self.tr("导出 CSV…"))
                panel.csv_button.setToolTip(self.tr("把图表的逐月数值导出为 CSV 表格（Excel 可直接打开）"))
        ranking_headers = [self.tr("名次"), self.tr("街乡"), self.tr("得分"), self.tr("按期销账"), self.tr("逾期分"),
                           self.tr("检查覆盖"), self.tr("月末逾期")]  # fmt: skip
        self.ranking_table.setHorizontalHeaderLabels(ranking_headers)
        hotline_headers = [self.tr("月份"), self.tr("街乡"), self.tr("工单数"), self.tr("响应率"), self.tr("解决率"),
                           self.tr("满意率")]  # fmt: skip
        self.hotline_table.setHorizontalHeaderLabels(hotline_headers)
        unit_headers = [self.tr("单位"), self.tr("街乡"), self.tr("积分"), self.tr("检查次数")]
        self.red_table.setHorizontalHeaderLabels(unit_headers)
        self.black_table.setHorizontalHeaderLabels(unit_headers)
        self.red_title.setText(self.tr("红榜"))
        self.black_title.setText(self.tr("黑榜"))
        if self.data is not None:
            self.show_data(self.data)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def _status_text(status: Any) -> str:
    if status is None:
        return "—"
    score = "—" if status.score is None else f"{status.score:g}"
    return f"{score} {status.status}"
