"""The window's remembered state lives in the settings table: geometry, page, splitters and language come back after
a restart with no `ui-state.ini` written, and the file an older version left is taken in once and removed."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QApplication, QSplitter
from ui_helpers import close_app, open_app

from inspector.store import settings
from inspector.store.database import DataFolder
from inspector.ui.main_window import OLD_STATE_FILENAME, MainWindow

DEFAULT_PARTS = [820, 340]  # the findings page's own split


def test_geometry_page_and_language_come_back_from_the_settings_table(app, qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    first = open_app(data_dir)
    assert first.ctx is not None
    first.window.resize(1040, 640)
    findings = first.window.show_page("findings")
    first.ctx.set_language("en")
    QApplication.processEvents()
    (splitter,) = findings.findChildren(QSplitter)
    splitter.setSizes([300, 700])
    QApplication.processEvents()
    size, parts = first.window.size(), splitter.sizes()
    assert parts != DEFAULT_PARTS
    close_app(first)

    assert not (data_dir / OLD_STATE_FILENAME).exists()
    assert not list(data_dir.rglob("*.ini"))
    db = DataFolder(data_dir).connect()
    assert settings.get(db, "window.page") == "findings"
    assert settings.get(db, "ui.language") == "en"
    assert settings.get(db, "window.splitters")["findings"] == [parts]
    geometry = settings.get(db, "window.geometry")
    db.close()
    assert isinstance(geometry, bytes) and geometry
    # Known before the data folder is opened: the first frame has its language and size at once.
    assert MainWindow.saved_language(data_dir) == "en"
    frame = MainWindow(data_dir)
    try:
        assert frame.size() == size
    finally:
        frame.deleteLater()

    second = open_app(data_dir)
    try:
        assert second.window.current_page_key() == "findings"
        assert second.window.size() == size
        QApplication.processEvents()
        assert second.window.pages["findings"].findChildren(QSplitter)[0].sizes() == parts
    finally:
        close_app(second)
    assert not (data_dir / OLD_STATE_FILENAME).exists()


def test_the_state_file_of_an_older_version_is_taken_in_once(app, qtbot, data_dir: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    shaper = open_app(tmp_path / "elsewhere")  # a window of a known size gives the geometry to write
    shaper.window.resize(1060, 660)
    QApplication.processEvents()
    size, geometry = shaper.window.size(), shaper.window.saveGeometry()
    close_app(shaper)

    data_dir.mkdir(parents=True, exist_ok=True)
    old = QSettings(str(data_dir / OLD_STATE_FILENAME), QSettings.Format.IniFormat)
    old.setValue("window/geometry", QByteArray(geometry))
    old.setValue("window/page", "subjects")
    old.setValue("ui/language", "en")  # a mirror of the table's language: not taken in
    old.sync()
    del old

    opened = open_app(data_dir)
    try:
        assert opened.ctx is not None
        assert opened.window.current_page_key() == "subjects"
        assert opened.window.size() == size
        assert not (data_dir / OLD_STATE_FILENAME).exists()
        assert settings.get(opened.ctx.db, "window.page") == "subjects"
        assert settings.get(opened.ctx.db, "window.geometry") == geometry.data()
        assert settings.get(opened.ctx.db, "ui.language") == "zh_CN"
    finally:
        close_app(opened)
