"""Icons, the style sheet and translation files shipped in `resources/`, loaded once and cached."""

from __future__ import annotations

import functools
from pathlib import Path

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QIcon, QPainter, QPixmap

from inspector.paths import resources_dir


def icons_dir() -> Path:
    """The folder of SVG icons."""
    return resources_dir() / "icons"


def translations_dir() -> Path:
    """The folder of `.ts` sources and built `.qm` translations."""
    return resources_dir() / "i18n"


@functools.cache
def icon(name: str) -> QIcon:
    """The icon `resources/icons/<name>.svg` (an empty icon when the file is missing)."""
    path = icons_dir() / f"{name}.svg"
    return QIcon(str(path)) if path.is_file() else QIcon()


@functools.cache
def style_sheet() -> str:
    """The application's Qt style sheet (empty when the file is missing)."""
    path = resources_dir() / "style" / "inspector.qss"
    return path.read_text(encoding="utf-8") if path.is_file() else ""


@functools.cache
def tinted_icon(name: str, color: str, size: int = 48) -> QIcon:
    """An icon drawn in another stroke colour (e.g. light icons on the dark navigation bar)."""
    path = icons_dir() / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    from PySide6.QtSvg import QSvgRenderer

    text = path.read_text(encoding="utf-8")
    for original in ("#1f5fa8", "#616161", "#2e7d32", "#c62828", "#ef6c00"):
        text = text.replace(original, color)
    renderer = QSvgRenderer(QByteArray(text.encode("utf-8")))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter)
    painter.end()
    return QIcon(pixmap)
