"""专项行动 (Campaigns): the district's campaigns with their progress, a campaign's sites checked or not, an inspection
of a site with the campaign's checklist, and the campaign's summary as PDF or xlsx."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.campaigns import Campaign, Progress, percent
from inspector.exports import export_campaign_summary
from inspector.store import campaigns, profile, settings
from inspector.ui.ledger.exports import ExportRunner, WorkerProgress
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.widgets import Page, error_message, hint_label, page_header, title_label
from inspector.ui.shared.workers import FunctionWorker, Worker


def _cell(text: Any, align_right: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(str(text))
    item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
    if align_right:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


class CampaignsView(Page):
    """The campaigns list (top; those assigned to this account in bold), the chosen campaign's sites (bottom); the
    window starts the inspections."""

    # a site's subject id, the checklist id to use, and the campaign (the inspection's programme)
    campaign_inspection_requested = Signal(str, str, str)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.rows: list[tuple[Campaign, Progress]] = []
        self.worker: FunctionWorker | None = None
        self.stale = False
        self.exports = ExportRunner(ctx, self)

        self.title = title_label()
        self.status = hint_label()
        self.refresh_button = QPushButton()
        self.refresh_button.clicked.connect(self.load)
        self.export_button = QPushButton()
        self.export_button.clicked.connect(self.export_summary)
        self.campaign_table = QTableWidget(0, 6)
        self.site_table = QTableWidget(0, 4)
        for table in (self.campaign_table, self.site_table):
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
            table.horizontalHeader().setStretchLastSection(True)
        self.campaign_table.itemSelectionChanged.connect(self._show_sites)
        self.site_table.itemSelectionChanged.connect(self._site_chosen)
        self.site_table.doubleClicked.connect(lambda _index: self.start_inspection())
        self.checklist = QComboBox()
        self.start_button = QPushButton()
        self.start_button.setEnabled(False)
        self.start_button.clicked.connect(self.start_inspection)
        self.figures = QLabel()
        self.figures.setWordWrap(True)

        sites = QWidget()
        sites_layout = QVBoxLayout(sites)
        sites_layout.setContentsMargins(0, 0, 0, 0)
        sites_layout.addWidget(self.figures)
        actions = QHBoxLayout()
        self.checklist_label = QLabel()
        actions.addWidget(self.checklist_label)
        actions.addWidget(self.checklist, 1)
        actions.addWidget(self.start_button)
        sites_layout.addLayout(actions)
        sites_layout.addWidget(self.site_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.campaign_table)
        splitter.addWidget(sites)
        layout = QVBoxLayout(self)
        layout.addLayout(page_header(self.title, self.status, self.refresh_button, self.export_button))
        layout.addWidget(splitter, 1)
        ctx.changed.connect(self._data_changed)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("专项行动"))
        self.refresh_button.setText(self.tr("刷新"))
        self.export_button.setText(self.tr("导出总结…"))
        self.start_button.setText(self.tr("用此检查表检查该点位"))
        self.checklist_label.setText(self.tr("检查表："))
        headers = [self.tr("名称"), self.tr("类型"), self.tr("期间"), self.tr("已检查/点位"), self.tr("发现/整改"),
                   self.tr("整改率")]  # fmt: skip
        self.campaign_table.setHorizontalHeaderLabels(headers)
        self.site_table.setHorizontalHeaderLabels([self.tr("检查点位"), self.tr("街乡编码"), self.tr("地址"),
                                                   self.tr("检查情况")])  # fmt: skip

    def activate(self) -> None:
        self.load()

    def _data_changed(self, *_kinds: Any) -> None:
        if self.isVisible():
            self.load()

    # -- loading ------------------------------------------------------------------------------------------------

    def load(self) -> FunctionWorker | None:
        """Read the campaigns and their progress on a worker; the page shows them when it ends."""
        if self.worker is not None:
            self.stale = True
            return None
        folder = self.ctx.folder

        def compute(_worker: Worker) -> list[tuple[Campaign, Progress]]:
            db = folder.connect()
            try:
                return campaigns.overview(db)
            finally:
                db.close()

        worker = FunctionWorker(compute)
        worker.signals.finished.connect(self._loaded)
        worker.signals.failed.connect(self._failed)
        self.worker = worker
        self.stale = False
        self.status.setText(self.tr("正在计算…"))
        self.ctx.run(worker)
        return worker

    def _loaded(self, rows: Any) -> None:
        self.worker = None
        if isinstance(rows, list):
            self.show_rows(rows)
        if self.stale:
            self.load()

    def _failed(self, error: BaseException) -> None:
        self.worker = None
        self.status.setText(error_message(error))

    def show_rows(self, rows: list[tuple[Campaign, Progress]]) -> None:
        chosen = self.selected()
        self.rows = rows
        me = str(settings.get(self.ctx.db, profile.USERNAME) or "")
        mine = 0
        self.campaign_table.setRowCount(len(rows))
        for index, (campaign, figures) in enumerate(rows):
            total = figures.total
            assigned = bool(me) and me in campaign.inspectors
            mine += assigned
            for column, value in enumerate((
                campaign.name, campaign.kind_label, f"{campaign.starts} – {campaign.ends}",
                f"{total.checked}/{total.sites}", f"{total.found}/{total.fixed}", percent(total.rate),
            )):  # fmt: skip
                item = _cell(value, column >= 3)
                if assigned:  # the campaigns this account is assigned to stand out
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.campaign_table.setItem(index, column, item)
        if rows:
            self.status.setText(self.tr("共 %1 项，其中分配给我 %2 项").replace("%1", str(len(rows)))
                                .replace("%2", str(mine)))  # fmt: skip
        else:
            self.status.setText(self.tr("还没有专项行动：区里建立后，同步即可收到。"))
        self.export_button.setEnabled(bool(rows))
        row = next((i for i, (c, _p) in enumerate(rows) if chosen and c.id == chosen.id), 0 if rows else -1)
        if row >= 0:
            self.campaign_table.selectRow(row)
        self._show_sites()

    def selected(self) -> Campaign | None:
        row = self.campaign_table.currentRow()
        return self.rows[row][0] if 0 <= row < len(self.rows) else None

    def _show_sites(self) -> None:
        row = self.campaign_table.currentRow()
        if not 0 <= row < len(self.rows):
            self.site_table.setRowCount(0)
            self.figures.setText("")
            self.checklist.clear()
            return
        campaign, figures = self.rows[row]
        total = figures.total
        self.figures.setText(
            self.tr("隐患挂账 %1、销账 %2（一般 %3、重大 %4）；问题立案 %5、结案 %6；检查人员：%7")
            .replace("%1", str(total.hazards_open)).replace("%2", str(total.hazards_closed))
            .replace("%3", str(total.hazards_general)).replace("%4", str(total.hazards_major))
            .replace("%5", str(total.problems_filed)).replace("%6", str(total.problems_closed))
            .replace("%7", "、".join(campaign.inspectors) or "—")
        )  # fmt: skip
        self.checklist.clear()
        titles = campaigns.checklist_titles(self.ctx.db, campaign.checklists)
        for checklist_id in campaign.checklists:
            self.checklist.addItem(titles.get(checklist_id, checklist_id), checklist_id)
        self.site_table.setRowCount(len(campaign.sites))
        for index, site in enumerate(campaign.sites):
            done = site.subject_id in figures.checked_sites
            values = (site.name, site.jurisdiction[:9], site.address, self.tr("已检查") if done else self.tr("未检查"))
            for column, value in enumerate(values):
                self.site_table.setItem(index, column, _cell(value))
        self._site_chosen()

    def _site_chosen(self) -> None:
        self.start_button.setEnabled(self.site_table.currentRow() >= 0 and self.checklist.count() > 0)

    # -- actions ------------------------------------------------------------------------------------------------

    def start_inspection(self) -> None:
        """Ask the window to start an inspection of the chosen site with the chosen checklist of the campaign."""
        campaign, row = self.selected(), self.site_table.currentRow()
        if campaign is None or not 0 <= row < len(campaign.sites) or self.checklist.count() == 0:
            return
        site = campaign.sites[row].subject_id
        self.campaign_inspection_requested.emit(site, str(self.checklist.currentData()), campaign.id)

    def export_summary(self) -> FunctionWorker | None:
        """Choose a file (.pdf or .xlsx) and write the chosen campaign's summary on a worker."""
        campaign = self.selected()
        if campaign is None:
            return None
        target = self.exports.choose_target(f"{campaign.name}-总结.pdf", self.tr("PDF (*.pdf);;Excel (*.xlsx)"))
        if target is None:
            return None
        folder = self.ctx.folder
        return self.exports.start(
            lambda worker: export_campaign_summary(folder, campaign.id, target, WorkerProgress(worker)),
            self.tr("正在导出专项行动总结…"),
        )
