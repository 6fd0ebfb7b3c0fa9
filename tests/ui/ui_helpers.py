"""Helpers of the desktop app's tests: open and close the real window, make photo files, drive dialogs."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog

from inspector.ui.app import AppController
from inspector.ui.runner.new_inspection import NewInspectionDialog
from inspector.ui.shared.i18n import CHINESE
from inspector.ui.shared.logs import CrashReporter, setup_logging
from inspector.ui.subjects.dialog import SubjectDialog

BACK_STREET = "beijie-xiaoxiang"


def under_wine() -> bool:
    """True in a Windows Python run by Wine (ntdll has wine_get_version), whose fonts have no Chinese glyphs."""
    if sys.platform != "win32":
        return False
    import ctypes

    return hasattr(ctypes.WinDLL("ntdll"), "wine_get_version")  # type: ignore[attr-defined,unused-ignore]


def qt_platform_path(path: Path) -> str:
    """A file path for Qt's platform arguments (`offscreen:configfile=...`), which split at every colon: relative
    to the working directory, or without its drive letter when on another drive, so Windows' `C:` cannot break it."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # Windows: the path is on another drive than the working directory
        return Path(path).as_posix().split(":", 1)[-1]


def open_app(root: Path) -> AppController:
    """Open the real main window on a data folder, with the shipped checklists cached synchronously."""
    reporter = CrashReporter(setup_logging(root / "logs"))
    reporter.show_dialogs = False
    controller = AppController(QApplication.instance(), root, reporter, load_checklists=False)  # type: ignore[arg-type]
    controller.open_window()
    assert controller.ctx is not None
    controller.ctx.load_checklists_now()
    return controller


def close_app(controller: AppController) -> None:
    """Close the window and its connection; the interface language goes back to Chinese for the next test."""
    if controller.ctx is not None:
        controller.ctx.pool.wait()
        controller.ctx.translations.apply(CHINESE)
    QApplication.processEvents()
    controller.close_window()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # the window is gone before the next opens
    QApplication.processEvents()


def make_photo(path: Path, size: tuple[int, int] = (800, 600), color: tuple[int, int, int] = (180, 90, 40),
               gps: tuple[float, float] | None = None) -> Path:
    """A JPEG with EXIF taken-at (and GPS when given), like a phone photo copied to the laptop."""
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = "2026:05:12 09:30:00"  # DateTimeOriginal, as cameras write it
    if gps is not None:
        lat, lon = gps
        gps_ifd = exif.get_ifd(0x8825)
        gps_ifd[1], gps_ifd[3] = "N", "E"
        gps_ifd[2] = (float(int(lat)), float(int((lat % 1) * 60)), round(((lat * 60) % 1) * 60, 2))
        gps_ifd[4] = (float(int(lon)), float(int((lon % 1) * 60)), round(((lon * 60) % 1) * 60, 2))
    image.save(path, "JPEG", exif=exif.tobytes(), quality=85)
    return path


def create_back_street(started, qtbot) -> str:  # type: ignore[no-untyped-def]
    """Fill in and save the subject form as a user would."""
    dialog = SubjectDialog(started.ctx, started.window)  # closed with the window
    dialog.kind.setCurrentIndex(dialog.kind.findData("back_street"))
    dialog.name.insert("东四六条")  # Chinese arrives through the input method; QTest types ASCII only
    qtbot.keyClicks(dialog.code, "JX-0001")
    dialog.address.insert("朝阳区三里屯街道")
    dialog.jurisdiction.clear()
    qtbot.keyClicks(dialog.jurisdiction, "110105004000000")
    dialog.extra_edits["street_chief"].insert("李明")
    dialog.save()
    assert dialog.result() == QDialog.DialogCode.Accepted, dialog.error.text()
    assert dialog.subject_id is not None
    return dialog.subject_id


def start_inspection(started, qtbot, subject_id: str, checklist_id: str = BACK_STREET) -> str:  # type: ignore[no-untyped-def]
    dialog = NewInspectionDialog(started.ctx, started.window, subject_id=subject_id)  # closed with the window
    dialog.choose(subject_id, checklist_id)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.inspection_id is not None, dialog.error.text()
    started.window.open_inspection(dialog.inspection_id)
    return dialog.inspection_id


def add_photos_by_dialog(runner, qtbot, monkeypatch, files: list[Path]):  # type: ignore[no-untyped-def]
    """Click "add photos" with the file dialog answering with these files; wait for the worker."""
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(f) for f in files], ""))
    strip = runner.panel.photos
    qtbot.mouseClick(strip.add_button, Qt.MouseButton.LeftButton)
    worker = strip.last_worker
    assert worker is not None
    qtbot.waitUntil(lambda: strip.worker is None, timeout=20_000)
    return worker


def activate(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    """Make the window the active one, so that its keyboard shortcuts work as for a user."""
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=3000)
