"""巡查日志: the walks of 街巷长 and 小巷管家 through back streets — listed, and a new one recorded (time, streets, a
few checks, photos)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display, to_iso
from inspector.core.unit_cycle import ROLE_ZH, PatrolRole
from inspector.store import people, photos, profile, subjects, unit_cycle
from inspector.store.errors import StoreError
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.labels import sync_state_label
from inspector.ui.shared.widgets import error_message, hint_label
from inspector.ui.shared.workers import PhotoImported, PhotoImportWorker

CHECK_ROWS = 3


class PatrolLogDialog(QDialog):
    """The patrol logs, newest first, and the form for a new one."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.photo_hashes: list[str] = []
        self.photo_worker: PhotoImportWorker | None = None  # photos being taken into the store
        self.setWindowTitle(self.tr("巡查日志"))
        self.resize(860, 660)
        self.logs = QTableWidget(0, 5)
        self.logs.setHorizontalHeaderLabels(
            [self.tr("开始"), self.tr("巡查人"), self.tr("街巷"), self.tr("检查"), self.tr("同步")]
        )
        self.logs.verticalHeader().hide()
        self.logs.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.logs.horizontalHeader().setStretchLastSection(True)

        self.role = QComboBox()
        for role in PatrolRole:
            self.role.addItem(ROLE_ZH[role], role.value)
        now = QDateTime.currentDateTime()
        self.started = QDateTimeEdit(now.addSecs(-3600))
        self.ended = QDateTimeEdit(now)
        for edit in (self.started, self.ended):
            edit.setDisplayFormat("yyyy-MM-dd HH:mm")
            edit.setCalendarPopup(True)
        self.streets = QListWidget()
        self.streets.setMaximumHeight(120)
        self.checks: list[tuple[QLineEdit, QComboBox]] = []
        checks_box = QVBoxLayout()
        for _row in range(CHECK_ROWS):
            item = QLineEdit()
            item.setPlaceholderText(self.tr("检查内容，如：暴露垃圾"))
            result = QComboBox()
            result.addItem(self.tr("合格"), "pass")
            result.addItem(self.tr("不合格"), "fail")
            row = QHBoxLayout()
            row.addWidget(item, 1)
            row.addWidget(result)
            checks_box.addLayout(row)
            self.checks.append((item, result))
        self.photo_label = hint_label()
        self.photo_button = QPushButton(self.tr("添加照片…"))
        photo_row = QHBoxLayout()
        photo_row.addWidget(self.photo_button)
        photo_row.addWidget(self.photo_label, 1)
        self.notes = QLineEdit()
        self.save_button = QPushButton(self.tr("保存巡查日志"))
        self.save_button.setObjectName("primary")
        self.error = hint_label(name="error")
        self.error.hide()
        form = QFormLayout()
        form.addRow(self.tr("身份"), self.role)
        form.addRow(self.tr("开始"), self.started)
        form.addRow(self.tr("结束"), self.ended)
        form.addRow(self.tr("走过的街巷"), self.streets)
        form.addRow(self.tr("检查"), checks_box)
        form.addRow(self.tr("照片"), photo_row)
        form.addRow(self.tr("备注"), self.notes)
        form.addRow("", self.save_button)
        new_box = QGroupBox(self.tr("新建巡查日志"))
        new_layout = QVBoxLayout(new_box)
        new_layout.addLayout(form)
        new_layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.logs, 1)
        layout.addWidget(new_box)
        layout.addWidget(buttons)
        self.photo_button.clicked.connect(self.choose_photos)
        self.save_button.clicked.connect(self.save)
        self._fill_streets()
        self.refresh()

    def _fill_streets(self) -> None:
        for street in subjects.list_subjects(self.ctx.db, kind=unit_cycle.BACK_STREET):
            if not street.active:
                continue
            item = QListWidgetItem(street.name)
            item.setData(Qt.ItemDataRole.UserRole, street.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.streets.addItem(item)

    def refresh(self) -> None:
        """List the logs again."""
        names = {street.id: street.name for street in subjects.list_subjects(self.ctx.db, kind=unit_cycle.BACK_STREET)}
        entries = unit_cycle.list_patrols(self.ctx.db)
        directory = people.display_names(self.ctx.db)
        self.logs.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            log = entry.log
            who = entry.patroller_name or directory.get(log.patroller_id or "", "")
            failed = sum(1 for check in log.checks if check.result == "fail")
            values = (
                display(log.started_at),
                f"{ROLE_ZH[log.role]} {who}".strip(),
                "、".join(names.get(street, street[:8]) for street in log.streets),
                self.tr("%1 项，%2 项不合格").replace("%1", str(len(log.checks))).replace("%2", str(failed)),
                sync_state_label(entry.sync_state),
            )
            for column, value in enumerate(values):
                self.logs.setItem(row, column, QTableWidgetItem(value))

    def choose_photos(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("添加照片"), str(Path.home()), self.tr("照片 (*.jpg *.jpeg *.png *.heic *.webp)")
        )
        self.add_photos([Path(path) for path in paths])

    def add_photos(self, paths: list[Path]) -> PhotoImportWorker | None:
        """Take photo files into the photo store for the log being written, on a worker (as the runner's photo
        strip does); saving waits until they are in."""
        if not paths:
            return None
        settings = profile.photo_settings(self.ctx.db)

        def store(folder: Any, db: Any, path: Path) -> Any:
            return photos.import_photo(folder, db, path, settings=settings)

        worker = PhotoImportWorker(self.ctx.folder, paths, store)
        worker.signals.item_done.connect(self._photo_added)
        worker.signals.item_failed.connect(self._show_error)
        worker.signals.failed.connect(self._show_error)
        worker.signals.finished.connect(lambda _count: self._photos_done())
        worker.signals.failed.connect(lambda _error: self._photos_done())
        self.photo_worker = worker
        self.photo_button.setEnabled(False)
        self.save_button.setEnabled(False)
        self.ctx.run(worker)
        return worker

    def _photo_added(self, imported: PhotoImported) -> None:
        sha = imported.result.photo.sha256
        if sha not in self.photo_hashes:
            self.photo_hashes.append(sha)
        self.photo_label.setText(self.tr("%n 张照片", "", len(self.photo_hashes)))

    def _photos_done(self) -> None:
        self.photo_worker = None
        self.photo_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def walked(self) -> list[str]:
        """The ids of the streets ticked."""
        out = []
        for index in range(self.streets.count()):
            item = self.streets.item(index)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def save(self) -> None:
        checks = [
            {"item": item.text().strip(), "result": result.currentData()}
            for item, result in self.checks
            if item.text().strip()
        ]
        streets = self.walked()
        if not streets:
            self.error.setText(self.tr("请勾选走过的街巷"))
            self.error.show()
            return
        try:
            unit_cycle.record_patrol(
                self.ctx.db,
                role=str(self.role.currentData()),
                patroller_id=profile.user_id(self.ctx.db),
                started_at=_instant(self.started),
                ended_at=_instant(self.ended),
                streets=streets,
                checks=checks,
                photo_hashes=self.photo_hashes,
                notes=self.notes.text().strip(),
            )
        except StoreError as error:
            self._show_error(error)
            return
        self.error.hide()
        self.photo_hashes = []
        self.photo_label.setText("")
        self.notes.clear()
        for item, _result in self.checks:
            item.clear()
        self.refresh()

    def _show_error(self, error: BaseException) -> None:
        self.error.setText(error_message(error))
        self.error.show()


def _instant(edit: QDateTimeEdit) -> str:
    """The edit's time (shown in the computer's zone) as a UTC instant."""
    return to_iso(datetime.fromtimestamp(edit.dateTime().toSecsSinceEpoch(), UTC))
