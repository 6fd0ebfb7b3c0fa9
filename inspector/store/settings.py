"""The laptop's settings, kept in the database's settings table: typed reads and writes of the keys declared in
inspector.core.settings (any other key, or a value of the wrong type, is refused), and the device id."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.settings import SETTINGS, Setting, SettingError, SettingTypeError, UnknownSettingError, setting
from inspector.paths import DB_FILENAME
from inspector.store.transactions import transaction

if TYPE_CHECKING:
    from sqlite_utils import Database

__all__ = [
    "SETTINGS",
    "Setting",
    "SettingError",
    "SettingTypeError",
    "UnknownSettingError",
    "device_id",
    "ensure_device_id",
    "get",
    "peek",
    "put",
    "put_many",
    "put_text",
    "reset",
]

DEVICE_ID = "device.id"

_UPSERT = (
    "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at"
)


def get(db: Database, key: str) -> Any:
    """The value of a declared setting, of its declared type; its default when it is not set."""
    declared = setting(key)
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return declared.decode(row[0] if row else None)


def put(db: Database, key: str, value: Any) -> None:
    """Set a declared setting to a value of its type (None unsets one whose default is None)."""
    put_many(db, {key: value})


def put_many(db: Database, values: Mapping[str, Any]) -> None:
    """Set several declared settings in one transaction; nothing is written when one key or value is refused."""
    rows = [(key, _text(setting(key), value)) for key, value in values.items()]
    at = now_iso()
    with transaction(db):
        for key, text in rows:
            if text is None:
                db.execute("DELETE FROM settings WHERE key = ?", [key])
            else:
                db.execute(_UPSERT, [key, text, at])


def put_text(db: Database, key: str, text: str) -> None:
    """Set a declared setting from text as a person writes it ("8", "0.5", "1"); empty text resets it."""
    declared = setting(key)
    if text == "":
        reset(db, key)
    else:
        put(db, key, declared.parse(text))


def reset(db: Database, key: str) -> None:
    """Forget a setting's value: it reads as its default again."""
    setting(key)
    with transaction(db):
        db.execute("DELETE FROM settings WHERE key = ?", [key])


def peek(root: Path, keys: Iterable[str]) -> dict[str, Any]:
    """Settings read straight from the database of the data folder at root before the folder is opened (the first
    frame's language and geometry): read-only, without migrating; defaults for what is not there or cannot be
    read. Imports no more than sqlite3, so the first frame does not wait for the store's libraries."""
    declared = {key: setting(key) for key in keys}
    db_path = root / DB_FILENAME
    stored: dict[str, str] = {}
    if db_path.is_file():
        try:
            conn = sqlite3.connect(f"{db_path.as_uri()}?mode=ro", uri=True, timeout=1.0)
            try:
                marks = ", ".join("?" for _ in declared)
                query = f"SELECT key, value FROM settings WHERE key IN ({marks})"
                stored = dict(conn.execute(query, list(declared)).fetchall())
            finally:
                conn.close()
        except sqlite3.Error:
            stored = {}  # an older, newer or damaged database: opening it proper says what is wrong
    return {key: item.decode(stored.get(key)) for key, item in declared.items()}


def ensure_device_id(db: Database) -> str:
    """The device id of this installation, created once and never changed."""
    with transaction(db):
        db.execute("INSERT OR IGNORE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
                   [DEVICE_ID, new_id(), now_iso()])  # fmt: skip
    value = get(db, DEVICE_ID)
    assert value is not None
    return str(value)


def device_id(db: Database) -> str:
    """The device id (created if the database has none yet)."""
    return str(get(db, DEVICE_ID) or ensure_device_id(db))


def _text(declared: Setting, value: Any) -> str | None:
    if value is None and declared.default is None:
        return None
    return declared.encode(value)
