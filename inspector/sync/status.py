"""The sync state of a data folder as the status bar and `inspector status` show it, read without the HTTP client:
the window reads it at start, before any sync, and importing the sync engine (requests, the feed's schemas) would
hold the interpreter for a third of a second while the first page reads its data."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from inspector.core.protocol import Status
from inspector.store import conflicts, cursors, outbox, photos, settings
from inspector.store.database import DataFolder
from inspector.sync import config
from inspector.sync.credentials import CredentialStore, account_key


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and `inspector status` show."""

    server_url: str | None
    username: str | None
    logged_in: bool
    token_storage: str | None
    secure_keyring: bool
    pending_changes: int
    retry_later: int
    photos_waiting: int
    open_conflicts: int
    open_rejections: int
    cursor: int
    last_success_at: str | None
    last_attempt_at: str | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def status(folder: DataFolder, credentials: CredentialStore | None = None) -> SyncStatus:
    """The sync state of this data folder (reads only)."""
    store = credentials or CredentialStore()
    db = folder.connect()
    try:
        cfg = config.read_config(db)
        stored = None
        if cfg.server_url and cfg.username:
            stored = store.load(account_key(cfg.server_url, cfg.username, cfg.device_id))
        refused = conflicts.count_open(db)
        queued_photos = outbox.queued_photo_hashes(db)
        return SyncStatus(
            server_url=cfg.server_url,
            username=cfg.username,
            logged_in=stored is not None,
            token_storage=stored.storage if stored else None,
            secure_keyring=store.secure_keyring_available(),
            pending_changes=outbox.count_pending(db),
            retry_later=outbox.count_retry_later(db),
            photos_waiting=len(queued_photos - photos.uploaded_among(db, queued_photos)),
            open_conflicts=refused.get(Status.CONFLICT, 0),
            open_rejections=refused.get(Status.REJECTED, 0),
            cursor=cursors.get(db),
            last_success_at=settings.get(db, config.LAST_SUCCESS) or None,
            last_attempt_at=settings.get(db, config.LAST_ATTEMPT) or None,
            last_error=settings.get(db, config.LAST_ERROR) or None,
        )
    finally:
        db.close()
