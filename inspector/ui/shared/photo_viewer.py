"""The photo viewer: the stored photo with zoom (wheel, +/−, fit), its EXIF time and GPS, previous/next."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap, QWheelEvent
from PySide6.QtWidgets import (
    QDialog,
    QGraphicsPixmapItem,
    QGraphicsScene,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from inspector.core.clock import display
from inspector.store.photos import Photo
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.resources import icon
from inspector.ui.shared.widgets import shortcut
from inspector.ui.shared.workers import FunctionWorker

ZOOM_STEP = 1.25


class ZoomView(QGraphicsView):
    """A graphics view that zooms with the mouse wheel around the cursor."""

    def __init__(self) -> None:
        super().__init__()
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.AnchorUnderMouse)
        self.setDragMode(QGraphicsView.DragMode.ScrollHandDrag)
        self.zoom = 1.0

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.zoom_by(ZOOM_STEP if event.angleDelta().y() > 0 else 1 / ZOOM_STEP)

    def zoom_by(self, factor: float) -> None:
        self.zoom *= factor
        self.scale(factor, factor)

    def fit(self) -> None:
        self.resetTransform()
        self.zoom = 1.0
        if self.scene() and not self.scene().itemsBoundingRect().isEmpty():
            self.fitInView(self.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)
            self.zoom = self.transform().m11()


class PhotoViewer(QDialog):
    """Shows one photo of a list at a time; the image is decoded in a worker."""

    def __init__(self, ctx: AppContext, photos: Sequence[Photo], index: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.photos = list(photos)
        self.index = index
        self.scene = QGraphicsScene(self)
        self.item = QGraphicsPixmapItem()
        self.item.setTransformationMode(Qt.TransformationMode.SmoothTransformation)
        self.scene.addItem(self.item)
        self.view = ZoomView()
        self.view.setScene(self.scene)
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for text, icon_name, slot, keys in (
            (self.tr("上一张"), "", self.previous, "Left"),
            (self.tr("下一张"), "", self.next, "Right"),
            (self.tr("放大"), "zoom-in", lambda: self.view.zoom_by(ZOOM_STEP), "+"),
            (self.tr("缩小"), "zoom-out", lambda: self.view.zoom_by(1 / ZOOM_STEP), "-"),
            (self.tr("适合窗口"), "", self.view.fit, "0"),
            (self.tr("原始大小"), "", self.actual_size, "1"),
        ):
            button = QPushButton(icon(icon_name) if icon_name else QIcon(), f"{text} ({keys})")
            button.clicked.connect(slot)
            buttons.addWidget(button)
            shortcut(keys, self, slot)
        shortcut("=", self, lambda: self.view.zoom_by(ZOOM_STEP))
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.info)
        layout.addLayout(buttons)
        self.resize(1000, 680)
        self.show_photo()

    def show_photo(self) -> None:
        photo = self.photos[self.index]
        self.setWindowTitle(
            self.tr("照片 %1/%2").replace("%1", str(self.index + 1)).replace("%2", str(len(self.photos)))
        )
        self.info.setText(photo_summary(photo).replace("\n", "   ·   "))
        path = str(self.ctx.folder.photo_path(photo.sha256))
        wanted = self.index
        worker = FunctionWorker(lambda _w: QImageReader(path).read())
        worker.signals.finished.connect(lambda image: self._loaded(wanted, image))
        self.ctx.run(worker)

    def _loaded(self, index: int, image: QImage | None) -> None:
        if index != self.index or image is None or image.isNull():
            return
        self.item.setPixmap(QPixmap.fromImage(image))
        self.scene.setSceneRect(self.item.boundingRect())
        self.view.fit()

    def actual_size(self) -> None:
        self.view.resetTransform()
        self.view.zoom = 1.0

    def next(self) -> None:
        if self.index + 1 < len(self.photos):
            self.index += 1
            self.show_photo()

    def previous(self) -> None:
        if self.index > 0:
            self.index -= 1
            self.show_photo()


def photo_summary(photo: Photo) -> str:
    """Taken-at, GPS, size and name of a photo, one per line."""
    translate = QCoreApplication.translate
    taken = display(photo.taken_at) if photo.taken_at else translate("PhotoStrip", "未知")
    lines = [photo.original_name or photo.sha256[:12]]
    if photo.damaged:
        lines.append(translate("PhotoStrip", "已损坏：照片数据不完整，原始文件已保留"))
    lines.append(translate("PhotoStrip", "拍摄时间：") + taken)
    if photo.taken_at is None and photo.file_time:
        lines.append(translate("PhotoStrip", "文件时间（不是拍摄时间）：") + display(photo.file_time))
    if photo.gps_lat is not None and photo.gps_lon is not None:
        where = f"{photo.gps_lat:.6f}, {photo.gps_lon:.6f}"
    elif photo.gps_unsigned is not None:
        where = f"{photo.gps_unsigned[0]:.6f}, {photo.gps_unsigned[1]:.6f} " + translate("PhotoStrip", "（半球未知）")
    else:
        where = translate("PhotoStrip", "照片中没有 GPS 信息")
    lines.append(translate("PhotoStrip", "位置：") + where)
    lines.append(f"{photo.width} × {photo.height}, {photo.bytes / 1024:.0f} KB")
    return "\n".join(lines)
