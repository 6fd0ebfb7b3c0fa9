"""设置 (Settings): language, photo size and originals, default jurisdiction, data folder, backup and restore, and
the sync server login."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from inspector.store import jurisdiction_tree, profile, settings
from inspector.store.backup import create_backup
from inspector.store.errors import StoreError
from inspector.ui.shared.context import SETTINGS, AppContext
from inspector.ui.shared.i18n import LANGUAGES
from inspector.ui.shared.jurisdiction_edit import JurisdictionEdit
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import (
    Page,
    error_message,
    hint_label,
    page_header,
    restyle,
    set_form_label,
    title_label,
)
from inspector.ui.shared.workers import FunctionWorker
from inspector.ui.sync.login_panel import LoginPanel

if TYPE_CHECKING:
    from inspector.ui.sync.controller import SyncController

PHOTO_EDGE_CHOICES = (1600, 2048, 2560, 3200, 4096)  # longest edge of a stored photo, in pixels

log = logging.getLogger(__name__)


def _folder_row(path_label: QLabel, button: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(path_label, 1)
    row.addWidget(button)
    return row


class SettingsView(Page):
    """The settings page; every choice takes effect at once."""

    save_pending_requested = Signal()  # save edits waiting for a pause in typing (before the language changes)
    restore_requested = Signal(Path)  # a backup archive to replace this folder's data with

    def __init__(self, ctx: AppContext, sync: SyncController) -> None:
        super().__init__()
        self.ctx = ctx
        self.title = title_label()
        self.language = QComboBox()
        for code, name in LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(0, self.language.findData(ctx.language)))
        self.language.currentIndexChanged.connect(self._language_chosen)

        self.photo_edge = QComboBox()
        for edge in PHOTO_EDGE_CHOICES:
            self.photo_edge.addItem(f"{edge} px", edge)
        self.keep_originals = QCheckBox()
        current = profile.photo_settings(ctx.db)
        self.photo_edge.setCurrentIndex(max(0, self.photo_edge.findData(current.max_edge)))
        self.keep_originals.setChecked(current.keep_original)
        self.photo_edge.currentIndexChanged.connect(self._save_photo_settings)
        self.keep_originals.toggled.connect(self._save_photo_settings)
        self.keep_damaged = QCheckBox()
        self.keep_damaged.setChecked(current.keep_damaged)
        self.keep_damaged.toggled.connect(self._save_photo_settings)
        self.photo_hint = hint_label()

        self.jurisdiction = JurisdictionEdit(ctx)
        self.jurisdiction.set_code(profile.default_jurisdiction(ctx.db))
        self.jurisdiction_save = QPushButton()
        self.jurisdiction_save.clicked.connect(self._save_jurisdiction)
        self.jurisdiction.returnPressed.connect(self._save_jurisdiction)
        self.jurisdiction_message = hint_label()

        self.data_path = QLabel(str(ctx.folder.root))
        self.data_path.setWordWrap(True)
        self.open_data = QPushButton(icon("folder"), "")
        self.open_data.clicked.connect(lambda: self._open_folder(ctx.folder.root))
        self.logs_path = QLabel(str(ctx.folder.logs_dir))
        self.logs_path.setWordWrap(True)
        self.open_logs = QPushButton(icon("folder"), "")
        self.open_logs.clicked.connect(lambda: self._open_folder(ctx.folder.logs_dir))
        self.data_hint = hint_label()

        self.backup_button = QPushButton(icon("backup"), "")
        self.backup_button.clicked.connect(self.choose_backup_file)
        self.restore_button = QPushButton(icon("import"), "")
        self.restore_button.clicked.connect(self.choose_restore_file)
        self.backup_message = hint_label()

        self.login_panel = LoginPanel(ctx, sync)

        self.groups = {name: QGroupBox() for name in ("interface", "photos", "work", "data", "backup", "sync")}
        interface = QFormLayout(self.groups["interface"])
        interface.addRow(QLabel(), self.language)
        photos_form = QFormLayout(self.groups["photos"])
        photos_form.addRow(QLabel(), self.photo_edge)
        photos_form.addRow(QLabel(), self.keep_originals)
        photos_form.addRow(QLabel(), self.keep_damaged)
        photos_form.addRow(self.photo_hint)
        work = QFormLayout(self.groups["work"])
        jurisdiction_row = QHBoxLayout()
        jurisdiction_row.addWidget(self.jurisdiction)
        jurisdiction_row.addWidget(self.jurisdiction_save)
        work.addRow(QLabel(), jurisdiction_row)
        work.addRow(self.jurisdiction_message)
        data = QFormLayout(self.groups["data"])
        data.addRow(QLabel(), _folder_row(self.data_path, self.open_data))
        data.addRow(QLabel(), _folder_row(self.logs_path, self.open_logs))
        data.addRow(self.data_hint)
        backup = QVBoxLayout(self.groups["backup"])
        backup_row = QHBoxLayout()
        backup_row.addWidget(self.backup_button)
        backup_row.addWidget(self.restore_button)
        backup_row.addStretch(1)
        backup.addLayout(backup_row)
        backup.addWidget(self.backup_message)
        sync_group = QVBoxLayout(self.groups["sync"])
        sync_group.addWidget(self.login_panel)
        self.forms = {"interface": interface, "photos": photos_form, "work": work, "data": data}

        content = QWidget()
        body = QVBoxLayout(content)
        body.setContentsMargins(24, 18, 24, 18)
        body.addLayout(page_header(self.title))
        columns = QHBoxLayout()
        left, right = QVBoxLayout(), QVBoxLayout()
        for name in ("interface", "photos", "work"):
            left.addWidget(self.groups[name])
        for name in ("data", "backup", "sync"):
            right.addWidget(self.groups[name])
        left.addStretch(1)
        right.addStretch(1)
        columns.addLayout(left, 1)
        columns.addSpacing(16)
        columns.addLayout(right, 1)
        body.addLayout(columns)
        body.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll)
        self.retranslate()

    # -- choices ----------------------------------------------------------------------------------------------

    def _language_chosen(self) -> None:
        code = self.language.currentData()
        if code and code != self.ctx.language:
            self.save_pending_requested.emit()
            self.ctx.set_language(code)

    def _save_photo_settings(self) -> None:
        profile.save_photo_settings(
            self.ctx.db, int(self.photo_edge.currentData()), self.keep_originals.isChecked(),
            self.keep_damaged.isChecked(),
        )
        self.ctx.notify(SETTINGS)

    def _save_jurisdiction(self) -> None:
        text = self.jurisdiction.code()
        try:  # picked from the tree (or typed and checked against it); a district-wide default is allowed
            code = jurisdiction_tree.check(self.ctx.db, text, finest=False) if text else ""
        except StoreError as error:
            restyle(self.jurisdiction_message, "error")
            self.jurisdiction_message.setText(error_message(error))
            return
        settings.put(self.ctx.db, profile.DEFAULT_JURISDICTION, code)
        self.jurisdiction.set_code(code)
        restyle(self.jurisdiction_message, "hint")
        self.jurisdiction_message.setText(self.tr("已保存。"))
        self.ctx.notify(SETTINGS)

    def _open_folder(self, path: Path) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    # -- backup and restore -----------------------------------------------------------------------------------

    def choose_backup_file(self) -> None:
        name = f"inspector-backup-{datetime.now():%Y%m%d-%H%M}.zip"
        path, _filter = QFileDialog.getSaveFileName(
            self, self.tr("保存备份"), str(Path.home() / name), self.tr("备份文件 (*.zip)")
        )
        if path:
            self.backup_to(Path(path))

    def backup_to(self, path: Path) -> FunctionWorker:
        """Write a backup in the background (the database copy is consistent while the app keeps working)."""
        progress = QProgressDialog(self.tr("正在备份…"), "", 0, 0, self)
        progress.setCancelButton(None)
        progress.setMinimumDuration(400)
        folder = self.ctx.folder
        worker = FunctionWorker(lambda _w: create_backup(folder, path))
        worker.signals.finished.connect(lambda summary: self._backed_up(progress, summary))
        worker.signals.failed.connect(lambda error: self._backup_failed(progress, error))
        self.ctx.run(worker)
        return worker

    def _backed_up(self, progress: QProgressDialog, summary: Any) -> None:
        progress.close()
        size = summary.bytes / (1024 * 1024)
        restyle(self.backup_message, "hint")
        text = self.tr("备份完成：%1（%2 MB）").replace("%1", str(summary.path)).replace("%2", f"{size:.1f}")
        missing = getattr(summary, "missing_photos", ())
        if missing:
            restyle(self.backup_message, "error")
            text += self.tr("数据文件夹中缺少 %1 张照片的文件，备份中没有它们（详见日志）。").replace(
                "%1", str(len(missing))
            )
            log.warning("backup written without %d photo file(s) missing from the folder: %s", len(missing), missing)
        self.backup_message.setText(text)

    def _backup_failed(self, progress: QProgressDialog, error: BaseException) -> None:
        progress.close()
        restyle(self.backup_message, "error")
        self.backup_message.setText(error_message(error))

    def choose_restore_file(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(
            self, self.tr("选择备份文件"), str(Path.home()), self.tr("备份文件 (*.zip)")
        )
        if not path:
            return
        answer = QMessageBox.question(
            self,
            self.tr("从备份恢复"),
            self.tr("恢复会用备份替换本机当前的数据（当前数据会移到数据文件夹中的 replaced-… 文件夹保留）。继续吗？"),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.restore_requested.emit(Path(path))

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.title.setText(self.tr("设置"))
        titles = {
            "interface": self.tr("界面"),
            "photos": self.tr("照片"),
            "work": self.tr("工作"),
            "data": self.tr("数据文件夹"),
            "backup": self.tr("备份与恢复"),
            "sync": self.tr("同步"),
        }
        for name, group in self.groups.items():
            group.setTitle(titles[name])
        self._label(self.forms["interface"], 0, self.tr("界面语言"))
        self._label(self.forms["photos"], 0, self.tr("照片最长边"))
        self._label(self.forms["photos"], 1, self.tr("原始照片"))
        self._label(self.forms["work"], 0, self.tr("默认辖区编码"))
        self._label(self.forms["data"], 0, self.tr("数据"))
        self._label(self.forms["data"], 1, self.tr("日志"))
        self.keep_originals.setText(self.tr("同时保留原始照片文件（占用更多磁盘空间）"))
        self.keep_damaged.setText(self.tr("照片数据不完整时仍保存，标记为“已损坏”并保留原始文件（否则拒收）"))
        self.photo_hint.setText(self.tr("照片按最长边缩小后保存和上传；2560 px 足够看清现场细节。"))
        self.jurisdiction_save.setText(self.tr("保存"))
        self.open_data.setText(self.tr("打开文件夹"))
        self.open_logs.setText(self.tr("打开文件夹"))
        self.data_hint.setText(
            self.tr("数据库、照片和日志都在这个文件夹里。启动时可用 --data-dir 指定其他位置（如 U 盘）。")
        )
        self.backup_button.setText(self.tr("备份…"))
        self.restore_button.setText(self.tr("从备份恢复…"))

    @staticmethod
    def _label(form: QFormLayout, row: int, text: str) -> None:
        set_form_label(form, row, text)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)
