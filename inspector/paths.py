"""Where things live: the shipped checklists and resources (source tree, wheel or frozen bundle) and the data folder."""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "Inspector"
APP_AUTHOR = "Inspector"
DB_FILENAME = "inspector.db"  # the database file in a data folder


def _bundle_root() -> Path:
    """The folder that holds `checklists/` and `resources/`: the PyInstaller bundle, the wheel, or the source tree."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    packaged = Path(__file__).resolve().parent / "_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent


def shipped_checklists_dir() -> Path:
    """The folder of checklist files that ship with the app."""
    return _bundle_root() / "checklists"


def resources_dir() -> Path:
    """The folder of icons, style sheets and translations."""
    return _bundle_root() / "resources"


def default_data_dir() -> Path:
    """The per-user application-data folder of this platform (e.g. %LOCALAPPDATA%\\Inspector on Windows)."""
    from platformdirs import user_data_path

    return user_data_path(APP_NAME, APP_AUTHOR, roaming=False)


def resolve_data_dir(override: str | Path | None) -> Path:
    """The data folder to use: the --data-dir override when given, else the platform default."""
    return Path(override).expanduser().resolve() if override else default_data_dir()
