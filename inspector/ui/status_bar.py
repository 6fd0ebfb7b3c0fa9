"""The status bar: online/offline, changes waiting to sync, last sync (until sync is configured: "not configured")."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtNetwork import QNetworkInformation
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from inspector.core.clock import display
from inspector.store import outbox, settings
from inspector.ui import store_adapter
from inspector.ui.context import FINDINGS, INSPECTIONS, SUBJECTS, AppContext
from inspector.ui.resources import icon


class StatusBar(QStatusBar):
    """Shows the network state and the sync queue; refreshes when data changes."""

    ICON_SIZE = 16

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.online: bool | None = None
        self.network_icon = QLabel()
        self.network_label = QLabel()
        self.pending_label = QLabel()
        self.sync_label = QLabel()
        self.jobs_label = QLabel()
        for widget in (self.jobs_label, self.network_icon, self.network_label, self.pending_label, self.sync_label):
            self.addPermanentWidget(widget)
        self.pending_label.setObjectName("pendingLabel")
        self.pending_count = 0
        self.last_sync: str | None = None
        self.running_jobs = 0
        ctx.changed.connect(self._on_changed)
        ctx.pool.busy_changed.connect(self._on_jobs)
        self.retranslate()
        self.refresh_pending()
        QTimer.singleShot(0, self._watch_network)

    def _watch_network(self) -> None:
        """Follow reachability through Qt's network information backend where the platform has one."""
        if not QNetworkInformation.loadDefaultBackend():
            self.online = None
            self.retranslate()
            return
        info = QNetworkInformation.instance()
        info.reachabilityChanged.connect(lambda _r: self._update_network())
        self._update_network()

    def _update_network(self) -> None:
        info = QNetworkInformation.instance()
        reach = info.reachability() if info else QNetworkInformation.Reachability.Unknown
        if reach == QNetworkInformation.Reachability.Unknown:
            self.online = None
        else:
            self.online = reach == QNetworkInformation.Reachability.Online
        self.retranslate()

    def _on_changed(self, kind: str) -> None:
        if kind in (SUBJECTS, INSPECTIONS, FINDINGS):
            self.refresh_pending()

    def _on_jobs(self, count: int) -> None:
        self.running_jobs = count
        self.retranslate()

    def refresh_pending(self) -> None:
        self.pending_count = outbox.count_pending(self.ctx.db)
        self.last_sync = settings.get(self.ctx.db, store_adapter.LAST_SYNC)
        self.retranslate()

    def retranslate(self) -> None:
        if self.online is None:
            self.network_icon.setPixmap(icon("offline").pixmap(self.ICON_SIZE, self.ICON_SIZE))
            self.network_label.setText(self.tr("网络状态未知（离线可用）"))
        elif self.online:
            self.network_icon.setPixmap(icon("online").pixmap(self.ICON_SIZE, self.ICON_SIZE))
            self.network_label.setText(self.tr("在线"))
        else:
            self.network_icon.setPixmap(icon("offline").pixmap(self.ICON_SIZE, self.ICON_SIZE))
            self.network_label.setText(self.tr("离线"))
        self.pending_label.setText(self.tr("待同步 %n 项", "", self.pending_count))
        if self.last_sync:
            self.sync_label.setText(self.tr("上次同步 %1").replace("%1", display(self.last_sync)))
        else:
            self.sync_label.setText(self.tr("未配置同步"))
        self.sync_label.setToolTip(self.tr("同步功能尚未配置：数据保存在本机，配置服务器后再上传。"))
        self.jobs_label.setText(self.tr("后台任务 %n 个", "", self.running_jobs))
        self.jobs_label.setVisible(self.running_jobs > 0)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
