"""审核 (Review): the queue of reported findings a supervisor accepts onto the ledger or rejects."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from inspector.ui.context import AppContext
from inspector.ui.widgets import hint_label, title_label


class ReviewView(QWidget):
    """The review page."""

    def __init__(self, ctx: AppContext, main_window: Any) -> None:
        super().__init__()
        self.ctx = ctx
        self.main_window = main_window
        self.title = title_label()
        self.hint = hint_label()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 12)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        layout.addStretch(1)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("审核"))
        self.hint.setText(self.tr("待受理的问题在这里审核。"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
