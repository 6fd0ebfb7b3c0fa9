"""The sync part of the status bar: the sync button, the running cycle's progress with a cancel button, and a button
to the conflicts when the server refused changes."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QSizePolicy, QWidget

from inspector.ui.shared.context import AppContext
from inspector.ui.shared.resources import icon
from inspector.ui.sync.controller import SyncController, SyncState
from inspector.ui.sync.messages import phase_label, summary_text


class SyncStatusWidget(QWidget):
    """Sync button, progress and cancel, and the conflicts button; says how each cycle ended through `message`."""

    message = Signal(str)

    def __init__(self, ctx: AppContext, sync: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.sync = sync
        self.last_message = ""
        self.conflicts_dialog: Any = None
        self.conflicts_button = QPushButton(icon("warning"), "")
        self.conflicts_button.setFlat(True)
        self.conflicts_button.clicked.connect(self.open_conflicts)
        self.progress = QProgressBar()
        self.progress.setFixedWidth(170)
        self.progress.setTextVisible(True)
        self.sync_button = QPushButton(icon("sync"), "")
        self.sync_button.clicked.connect(self.sync_clicked)
        self.sync_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)  # never squeezed aside
        self.cancel_button = QPushButton("")
        self.cancel_button.clicked.connect(self.cancel_clicked)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # The sync button stays last: the progress and 取消 appear to its left, so a click meant to sync never lands
        # on 取消 (the status bar grows leftwards from its right edge).
        for widget in (self.conflicts_button, self.progress, self.cancel_button, self.sync_button):
            layout.addWidget(widget)
        sync.running_changed.connect(self._on_running)
        sync.progress.connect(self._on_progress)
        sync.cycle_finished.connect(self._on_finished)
        sync.state_changed.connect(self._on_state)
        self._on_running(sync.running)
        self.conflicts_button.hide()
        self.retranslate()

    # -- actions ------------------------------------------------------------------------------------------------

    def sync_clicked(self) -> None:
        """Sync now; without a login, go to the settings page to log in."""
        state = self.sync.state
        if state is not None and not (state.configured and state.logged_in):
            self._say(self.tr("请先在设置中登录同步服务器。"))
            show_page = getattr(self.window(), "show_page", None)
            if show_page is not None:
                show_page("settings")
            return
        self.sync.sync_now("manual")

    def cancel_clicked(self) -> None:
        self.sync.cancel()
        self.cancel_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat(self.tr("正在取消…"))

    def open_conflicts(self) -> Any:
        """Show the conflicts and rejected changes (one window, raised when already open)."""
        from inspector.ui.sync.conflicts_view import ConflictsDialog

        if self.conflicts_dialog is None:
            self.conflicts_dialog = ConflictsDialog(self.ctx, self.sync, self.window())
        self.conflicts_dialog.reload()
        self.conflicts_dialog.show()
        self.conflicts_dialog.raise_()
        return self.conflicts_dialog

    # -- what the controller says -----------------------------------------------------------------------------

    def _on_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.sync_button.setEnabled(not running)
        if running:
            self.progress.setRange(0, 0)
            self.progress.setFormat(phase_label("version"))

    def _on_progress(self, progress: Any) -> None:
        if self.sync.cancelling:
            return
        total = progress.total or 0
        self.progress.setRange(0, total)
        if total:
            self.progress.setValue(min(progress.done, total))
        self.progress.setFormat(f"{phase_label(progress.phase)} %v/%m" if total else phase_label(progress.phase))

    def _on_finished(self, summary: Any) -> None:
        self._say(summary_text(summary, self.ctx.language))

    def _on_state(self, state: SyncState) -> None:
        self.conflicts_button.setVisible(state.refused > 0)
        self._conflicts_text(state)

    def _say(self, text: str) -> None:
        self.last_message = text
        self.message.emit(text)

    # -- language ---------------------------------------------------------------------------------------------

    def _conflicts_text(self, state: SyncState | None) -> None:
        """冲突 (may be re-applied) and 被拒绝 (refused for good) are counted apart, as the conflicts view shows."""
        conflicts = int(state.status.open_conflicts) if state is not None else 0
        rejections = int(state.status.open_rejections) if state is not None else 0
        parts = []
        if conflicts or not rejections:
            parts.append(self.tr("冲突 %n 项", "", conflicts))
        if rejections:
            parts.append(self.tr("被拒绝 %n 项", "", rejections))
        self.conflicts_button.setText(" · ".join(parts))
        self.conflicts_button.setToolTip(self.tr("服务器拒绝或判为冲突的变更：查看原因，重新提交或放弃"))

    def retranslate(self) -> None:
        self.sync_button.setText(self.tr("同步"))
        self.sync_button.setToolTip(self.tr("立即与服务器同步"))
        self.cancel_button.setText(self.tr("取消"))
        self.cancel_button.setToolTip(self.tr("停止本次同步（已完成的部分保留，下次继续）"))
        self._conflicts_text(self.sync.state)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
