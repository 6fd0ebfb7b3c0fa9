"""The status bar: online/offline, items waiting to sync, the last sync (Beijing time), and the sync button with
progress and cancel; "未配置同步" until a server is set up."""

from __future__ import annotations

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

from inspector.core.clock import display
from inspector.store import settings
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, SUBJECTS, AppContext
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import error_message
from inspector.ui.sync.controller import SERVER_URL, SyncController, SyncState
from inspector.ui.sync.status import SyncStatusWidget


class StatusBar(QStatusBar):
    """Shows the network state and the sync queue; refreshes when data changes."""

    ICON_SIZE = 16

    def __init__(self, ctx: AppContext, sync: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.online: bool | None = sync.network.online
        self.state: SyncState | None = None
        self.configured = bool(settings.get(ctx.db, SERVER_URL))  # known at once; the full state follows
        self.network_icon = QLabel()
        self.network_label = QLabel()
        self.pending_label = QLabel()
        self.sync_label = QLabel()
        self.jobs_label = QLabel()
        self.sync_widget = SyncStatusWidget(ctx, sync)
        for widget in (self.jobs_label, self.network_icon, self.network_label, self.pending_label, self.sync_label,
                       self.sync_widget):  # fmt: skip
            self.addPermanentWidget(widget)
        self.pending_label.setObjectName("pendingLabel")
        self.pending_count = 0
        self.last_sync: str | None = None
        self.running_jobs = 0
        ctx.changed.connect(self._on_changed)
        ctx.pool.busy_changed.connect(self._on_jobs)
        sync.state_changed.connect(self._on_state)
        sync.network.online_changed.connect(self._on_online)
        self.sync_widget.message.connect(lambda text: self.showMessage(text, 15_000))
        self.retranslate()

    def _on_online(self, online: bool | None) -> None:
        self.online = online
        self.retranslate()

    def _on_state(self, state: SyncState) -> None:
        self.state = state
        self.configured = state.configured
        self.pending_count = state.waiting
        self.last_sync = state.status.last_success_at
        self.retranslate()

    def _on_changed(self, kind: str) -> None:
        if kind in (SUBJECTS, INSPECTIONS, FINDINGS):
            self.refresh_pending()

    def _on_jobs(self, count: int) -> None:
        self.running_jobs = count
        self.retranslate()

    def refresh_pending(self) -> None:
        """Read the sync state again (on a worker); the labels follow."""
        self.sync.refresh_state()

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
        self._sync_texts()
        self.jobs_label.setText(self.tr("后台任务 %n 个", "", self.running_jobs))
        self.jobs_label.setVisible(self.running_jobs > 0)

    def _sync_texts(self) -> None:
        state = self.state
        if state is not None:
            self.pending_label.setToolTip(
                self.tr("待上传的变更 %1 项，照片 %2 张")
                .replace("%1", str(state.status.pending_changes))
                .replace("%2", str(state.status.photos_waiting))
            )
        if not self.configured:
            self.sync_label.setText(self.tr("未配置同步"))
            self.sync_label.setToolTip(self.tr("同步功能尚未配置：数据保存在本机，在设置中登录服务器后再上传。"))
            return
        if state is not None and not state.logged_in:
            self.sync_label.setText(self.tr("需要登录"))
        elif self.last_sync:
            self.sync_label.setText(self.tr("上次同步 %1").replace("%1", display(self.last_sync)))
        else:
            self.sync_label.setText(self.tr("尚未同步"))
        error = state.status.last_error if state is not None else None
        server = state.status.server_url if state is not None else ""
        tooltip = self.tr("服务器：%1").replace("%1", server or "")
        if error:  # this run's failure in the interface language; an earlier run's as it was recorded (both)
            last = self.sync.last_summary
            said = error_message(last.failure) if last is not None and last.failure is not None else error
            tooltip += "\n" + self.tr("上次同步未完成：%1").replace("%1", said)
        self.sync_label.setToolTip(tooltip)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
