"""Fixtures for the desktop app's tests: a real data folder in tmp_path, the real window offscreen, photo files."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication
from ui_helpers import close_app, make_photo, open_app, qt_platform_path

from inspector.ui.app import AppController, create_application

LAPTOP_SCREEN = Path(__file__).with_name("laptop-screen.json")


@pytest.fixture(scope="session")
def app() -> QApplication:
    """The one QApplication of the test session, set up as the app sets itself up (style, CJK font).

    Offscreen, the virtual screen is a 1366×768 laptop's (Qt's default offscreen screen is 800×600)."""
    if QApplication.instance() is None and os.environ.get("QT_QPA_PLATFORM") == "offscreen":
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={qt_platform_path(LAPTOP_SCREEN)}"
    return create_application(["inspector-tests"])


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def started(app: QApplication, qtbot, data_dir: Path) -> Iterator[AppController]:  # type: ignore[no-untyped-def]
    """A running window on a fresh data folder, closed (and its workers awaited) after the test."""
    controller = open_app(data_dir)
    assert controller.window is not None
    yield controller  # closed by close_app (a restore replaces the window, so qtbot does not own it)
    close_app(controller)


@pytest.fixture
def photo_files(tmp_path: Path) -> list[Path]:
    """Three photo files outside the data folder."""
    folder = tmp_path / "camera"
    folder.mkdir()
    return [
        make_photo(folder / "IMG_0001.jpg", gps=(39.9289, 116.4170)),
        make_photo(folder / "IMG_0002.jpg", color=(40, 120, 180)),
        make_photo(folder / "IMG_0003.jpg", color=(60, 160, 60)),
    ]


@pytest.fixture(scope="session")
def qapp(app: QApplication) -> QApplication:
    """pytest-qt's application fixture is the app's own."""
    return app
