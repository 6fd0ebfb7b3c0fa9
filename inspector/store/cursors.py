"""Sync cursors: how far this client has read each server feed (moved in the transaction that applies a page)."""

from __future__ import annotations

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.store.database import transaction

MAIN_FEED = "feed"


def get(db: Database, feed: str = MAIN_FEED) -> int:
    """The last position read from a feed (0 before the first sync)."""
    row = db.execute("SELECT cursor FROM sync_cursors WHERE feed = ?", [feed]).fetchone()
    return int(row[0]) if row else 0


def put(db: Database, position: int, feed: str = MAIN_FEED) -> None:
    """Move a feed's cursor; call it inside the transaction that applied the page, so both commit together."""
    if position < 0:
        raise ValueError("a feed position cannot be negative")
    with transaction(db):
        db.execute(
            "INSERT INTO sync_cursors (feed, cursor, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (feed) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at",
            [feed, position, now_iso()],
        )
