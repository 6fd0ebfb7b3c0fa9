"""Key/value settings of this installation, including the device id made on first start."""

from __future__ import annotations

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.store.database import transaction

DEVICE_ID = "device_id"


def get(db: Database, key: str, default: str | None = None) -> str | None:
    """The value of a setting, or the default when it is not set."""
    row = db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
    return row[0] if row else default


def put(db: Database, key: str, value: str) -> None:
    """Set a setting (insert or replace)."""
    with transaction(db):
        db.execute(
            "INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
            [key, value, now_iso()],
        )


def ensure_device_id(db: Database) -> str:
    """The device id of this installation, created once and never changed."""
    with transaction(db):
        db.execute(
            "INSERT OR IGNORE INTO settings (key, value, updated_at) VALUES (?, ?, ?)",
            [DEVICE_ID, new_id(), now_iso()],
        )
    value = get(db, DEVICE_ID)
    assert value is not None
    return value


def device_id(db: Database) -> str:
    """The device id (created if the database has none yet)."""
    return get(db, DEVICE_ID) or ensure_device_id(db)
