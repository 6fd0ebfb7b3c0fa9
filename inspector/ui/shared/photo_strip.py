"""A row of photo thumbnails: add by file dialog (multi-select), drag and drop or paste; imported in a worker with
progress and cancel; thumbnails appear one by one; double-click opens the viewer; Delete removes (while editable)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSize, Qt, Signal
from PySide6.QtGui import (
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QIcon,
    QImage,
    QKeySequence,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QListView,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.store.photos import Photo, ensure_thumbnail
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.photo_viewer import PhotoViewer, photo_summary
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import error_message, hint_label, restyle, shortcut
from inspector.ui.shared.workers import PhotoImported, PhotoImporter, PhotoImportWorker
from inspector.ui.sync.badges import SYNC_STATE_ROLE, badge_label, photo_state, with_badge

IMAGE_FILTER = "*.jpg *.jpeg *.png *.heic *.heif *.webp *.JPG *.JPEG *.PNG *.HEIC *.HEIF *.WEBP"
THUMB_SIZE = 96


class PhotoStrip(QWidget):
    """Thumbnails of one owner's photos (an inspection item, a finding, an ad-hoc report)."""

    photo_imported = Signal(str, object)  # owner key, ImportResult: a photo was stored for that owner
    photos_changed = Signal()  # the user removed photos
    import_finished = Signal(int, list)  # how many imported, error messages

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, editable: bool = True) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.editable = editable
        self.owner_key: str | None = None
        self.importer: PhotoImporter | None = None
        self.remover: Callable[[str], None] | None = None
        self.photos: list[Photo] = []
        self.worker: PhotoImportWorker | None = None
        self.errors: list[str] = []
        self.warnings: list[str] = []  # the photo warnings (catalogued) of the current import
        self.last_worker: PhotoImportWorker | None = None

        self.list = QListWidget()
        self.list.setViewMode(QListView.ViewMode.IconMode)
        self.list.setFlow(QListView.Flow.LeftToRight)
        self.list.setWrapping(False)
        self.list.setIconSize(QSize(THUMB_SIZE, THUMB_SIZE))
        self.list.setGridSize(QSize(THUMB_SIZE + 14, THUMB_SIZE + 14))
        self.list.setMovement(QListView.Movement.Static)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setFixedHeight(THUMB_SIZE + 34)
        self.list.setAcceptDrops(False)
        self.list.itemActivated.connect(self._view)
        self.add_button = QPushButton(icon("photo"), "")
        self.paste_button = QPushButton("")
        self.remove_button = QPushButton(icon("delete"), "")
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(180)
        self.cancel_button = QPushButton("")
        self.message = hint_label()
        self.message.hide()
        self.add_button.clicked.connect(self.choose_files)
        self.paste_button.clicked.connect(self.paste)
        self.remove_button.clicked.connect(self.remove_selected)
        self.cancel_button.clicked.connect(self.cancel)

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for widget in (self.add_button, self.paste_button, self.remove_button, self.progress, self.cancel_button):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        self.setAcceptDrops(True)
        self.paste_shortcut = shortcut(
            QKeySequence.StandardKey.Paste, self, self.paste, Qt.ShortcutContext.WidgetWithChildrenShortcut
        )
        shortcut(QKeySequence.StandardKey.Delete, self.list, self.remove_selected, Qt.ShortcutContext.WidgetShortcut)
        self._show_progress(False)
        self.retranslate()

    # -- configuration ----------------------------------------------------------------------------------------

    def configure(
        self,
        owner_key: str | None,
        importer: PhotoImporter | None,
        remover: Callable[[str], None] | None = None,
        photos: Sequence[Photo] = (),
        editable: bool = True,
    ) -> None:
        """Point the strip at another owner: how to import into it, how to remove from it, what it holds now."""
        self.owner_key = owner_key
        self.importer = importer
        self.remover = remover
        self.editable = editable and importer is not None
        self.message.hide()
        self.set_photos(photos)
        busy = self.worker is not None and self.worker.owner_key == owner_key  # type: ignore[attr-defined]
        self._show_progress(busy)
        self._update_buttons()

    def set_photos(self, photos: Sequence[Photo]) -> None:
        self.photos = list(photos)
        self.list.clear()
        for photo in self.photos:
            self._add_thumbnail(photo)
        self._update_buttons()

    def hashes(self) -> list[str]:
        return [photo.sha256 for photo in self.photos]

    def _add_thumbnail(self, photo: Photo, image: QImage | None = None) -> None:
        """Show a photo's thumbnail: the one the worker already scaled, else read from the thumbnails folder."""
        if image is not None and not image.isNull():
            pixmap = QPixmap.fromImage(image)
        else:
            path = self.ctx.folder.thumb_path(photo.sha256)
            if not path.exists():
                with contextlib.suppress(OSError):  # the photo file itself is missing: show the placeholder icon
                    path = ensure_thumbnail(self.ctx.folder, photo.sha256)
            pixmap = QPixmap.fromImage(scaled_thumbnail(path))
        state = photo_state(photo.uploaded)
        mark = self.tr("已损坏") if photo.damaged else ""  # a photo kept although incomplete (photos.keep_damaged)
        item = QListWidgetItem(QIcon(with_badge(pixmap, state)) if not pixmap.isNull() else icon("photo"), mark)
        item.setData(Qt.ItemDataRole.UserRole, photo.sha256)
        item.setData(SYNC_STATE_ROLE, state)
        item.setToolTip(photo_summary(photo) + "\n" + badge_label(state))
        self.list.addItem(item)

    def _update_buttons(self) -> None:
        for button in (self.add_button, self.paste_button, self.remove_button):
            button.setVisible(self.editable)
        self.remove_button.setEnabled(bool(self.photos))

    # -- adding -------------------------------------------------------------------------------------------------

    def choose_files(self) -> None:
        if not self.editable:
            return
        paths, _filter = QFileDialog.getOpenFileNames(
            self, self.tr("选择照片"), str(Path.home()), self.tr("图片") + f" ({IMAGE_FILTER})"
        )
        if paths:
            self.add_sources([Path(p) for p in paths])

    def paste(self) -> None:
        """Paste files copied in the file manager, or an image copied from another program."""
        if not self.editable:
            return
        data = QGuiApplication.clipboard().mimeData()
        files = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()] if data.hasUrls() else []
        if files:
            self.add_sources(files)
        elif data.hasImage():
            image = QImage(data.imageData())
            if not image.isNull():
                self.add_sources([image])
        else:
            self._show_message(self.tr("剪贴板里没有图片。"))

    def add_sources(self, sources: Sequence[Path | QImage]) -> PhotoImportWorker | None:
        """Import files or images in the background; thumbnails appear as each one is stored."""
        if not self.editable or self.importer is None or not sources:
            return None
        if self.worker is not None:
            self._show_message(self.tr("请等待正在导入的照片完成。"))
            return None
        worker = PhotoImportWorker(self.ctx.folder, sources, self.importer, thumbnail=scaled_thumbnail)
        worker.owner_key = self.owner_key  # type: ignore[attr-defined]
        self.errors = []
        self.warnings = []
        worker.signals.progress.connect(self._on_progress)
        worker.signals.item_done.connect(lambda done, w=worker: self._on_imported(w, done))
        worker.signals.item_failed.connect(lambda error: self.errors.append(error_message(error)))
        worker.signals.finished.connect(lambda result, w=worker: self._on_finished(w, result))
        worker.signals.failed.connect(lambda error, w=worker: self._on_finished(w, None, error_message(error)))
        self.worker = worker
        self.last_worker = worker
        self.progress.setRange(0, len(sources))
        self.progress.setValue(0)
        self._show_progress(True)
        self.ctx.run(worker)
        return worker

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()

    def _on_progress(self, done: int, total: int, _name: str) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)

    def _on_imported(self, worker: PhotoImportWorker, imported: PhotoImported) -> None:
        owner = worker.owner_key  # type: ignore[attr-defined]
        self.photo_imported.emit(owner, imported.result)
        self.warnings.extend(error_message(warning) for warning in getattr(imported.result, "warnings", ()))
        if owner == self.owner_key and imported.result.photo.sha256 not in self.hashes():
            self.photos.append(imported.result.photo)
            self._add_thumbnail(imported.result.photo, imported.thumbnail)
            self._update_buttons()

    def _on_finished(self, worker: PhotoImportWorker, result: Any, failure: str | None = None) -> None:
        if worker is self.worker:
            self.worker = None
        self._show_progress(False)
        errors = [*self.errors, *([failure] if failure else [])]
        if errors:
            self._show_message("\n".join([*errors, *self.warnings]), error=True)
        elif self.warnings:  # stored, but the user must know: no time taken, a guessless position, damage kept…
            self._show_message("\n".join(self.warnings))
        self.import_finished.emit(worker.imported, errors)

    def _show_progress(self, visible: bool) -> None:
        self.progress.setVisible(visible)
        self.cancel_button.setVisible(visible)

    def _show_message(self, text: str, error: bool = False) -> None:
        restyle(self.message, "error" if error else "hint")
        self.message.setText(text)
        self.message.show()

    # -- removing and viewing ---------------------------------------------------------------------------------

    def remove_selected(self) -> None:
        if not self.editable or self.remover is None:
            return
        chosen = [item.data(Qt.ItemDataRole.UserRole) for item in self.list.selectedItems()]
        if not chosen and self.list.currentItem() is not None:
            chosen = [self.list.currentItem().data(Qt.ItemDataRole.UserRole)]
        for sha in chosen:
            self.remover(sha)
        self.photos = [photo for photo in self.photos if photo.sha256 not in chosen]
        self.set_photos(self.photos)
        if chosen:
            self.photos_changed.emit()

    def _view(self, item: QListWidgetItem) -> None:
        viewer = PhotoViewer(self.ctx, self.photos, self.list.row(item), self)
        viewer.open()

    # -- drag and drop ----------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        data = event.mimeData()
        if self.editable and (data.hasUrls() or data.hasImage()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        data = event.mimeData()
        files = [Path(url.toLocalFile()) for url in data.urls() if url.isLocalFile()]
        if files:
            self.add_sources(files)
        elif data.hasImage():
            self.add_sources([QImage(data.imageData())])
        event.acceptProposedAction()

    # -- language ---------------------------------------------------------------------------------------------

    def retranslate(self) -> None:
        self.add_button.setText(self.tr("添加照片…"))
        self.add_button.setToolTip(self.tr("选择一张或多张照片，也可以把照片拖到这里"))
        self.paste_button.setText(self.tr("粘贴"))
        self.paste_button.setToolTip("Ctrl+V")
        self.remove_button.setText(self.tr("移除"))
        self.remove_button.setToolTip(self.tr("移除选中的照片（Delete）"))
        self.cancel_button.setText(self.tr("取消"))
        self.list.setToolTip(self.tr("双击查看大图；可拖入或粘贴照片"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)


def scaled_thumbnail(path: Path) -> QImage:
    """A stored thumbnail scaled to the strip's size (QImage works on any thread, so workers can do this)."""
    image = QImage(str(path))
    if image.isNull():
        return image
    return image.scaled(
        THUMB_SIZE, THUMB_SIZE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
    )
