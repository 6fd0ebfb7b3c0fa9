"""The name directory: the display names of the users whose ids the records hold (reporters, actors, inspectors),
as the server's `GET /people` and the feed's events gave them, plus this laptop's own user. Documents, lists and the
timeline show these names, never the ids."""

from __future__ import annotations

from collections.abc import Mapping

from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.store import profile, settings
from inspector.store.database import transaction

# Who a record names when this laptop has no name for the id (a user the server has not described yet).
UNKNOWN_ZH = "其他用户"
# Who worked on this laptop before any login (the actor is then the device id).
LOCAL_USER_ZH = "本机用户"


def save(db: Database, names: Mapping[str, str]) -> int:
    """Keep these id → display name pairs (blank names are skipped); returns how many were written."""
    rows = [(str(user_id), str(name).strip(), now_iso()) for user_id, name in names.items() if str(name).strip()]
    if rows:
        with transaction(db):
            db.conn.executemany(
                "INSERT INTO people (id, display_name, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE "
                "SET display_name = excluded.display_name, updated_at = excluded.updated_at",
                rows,
            )
    return len(rows)


def local_name(db: Database) -> str:
    """The name records made on this laptop show: the signed-in user's, else 本机用户."""
    return str(settings.get(db, profile.DISPLAY_NAME) or "") or LOCAL_USER_ZH


def display_names(db: Database) -> dict[str, str]:
    """Every user id this laptop can name, with its display name: the directory, the signed-in user and this
    device (records made before any login name the device)."""
    names = {str(row[0]): str(row[1]) for row in db.execute("SELECT id, display_name FROM people")}
    own = local_name(db)
    names[settings.device_id(db)] = own
    if settings.get(db, profile.USER_ID):
        names[profile.user_id(db)] = own
    return names


def name_of(names: Mapping[str, str], user_id: str | None) -> str:
    """The display name of a user id in a directory read by display_names; never the id itself."""
    if not user_id:
        return ""
    return names.get(user_id) or UNKNOWN_ZH
