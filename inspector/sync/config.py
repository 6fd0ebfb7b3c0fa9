"""Sync settings and the signed-in account, kept in the local settings table (never the token: see credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.store import jsonutil, settings
from inspector.store.database import transaction
from inspector.store.profile import USER_ID, USER_JURISDICTIONS, USER_ROLES  # who works here, read by the app
from inspector.sync.client import HttpOptions

SERVER_URL = "sync.server_url"
USERNAME = "sync.username"
CA_BUNDLE = "sync.ca_bundle"
DISPLAY_NAME = "sync.display_name"
TOKEN_EXPIRES_AT = "sync.token_expires_at"
TOKEN_STORAGE = "sync.token_storage"
LAST_SUCCESS = "sync.last_success_at"  # read by the status bar
LAST_ATTEMPT = "sync.last_attempt_at"
LAST_ERROR = "sync.last_error"
LAST_SUMMARY = "sync.last_summary"

# Tunables an administrator (or a test) may set in the settings table; defaults suit a slow intranet.
TUNABLES: dict[str, tuple[type, float | int]] = {
    "sync.connect_timeout": (float, 10.0),
    "sync.read_timeout": (float, 60.0),
    "sync.max_attempts": (int, 8),
    "sync.max_retry_seconds": (float, 120.0),
    "sync.backoff_base": (float, 0.5),
    "sync.push_batch_size": (int, 500),
    "sync.feed_page_size": (int, 500),
    "sync.resumable_threshold": (int, 4 * 1024 * 1024),
    "sync.chunk_bytes": (int, 2 * 1024 * 1024),
    "sync.upload_batch_bytes": (int, 8 * 1024 * 1024),
    "sync.upload_workers": (int, 4),
    "sync.download_photos": (int, 1),
}


@dataclass(frozen=True)
class SyncConfig:
    """What a cycle needs to know before it starts."""

    server_url: str | None
    username: str | None
    device_id: str
    http: HttpOptions
    push_batch_size: int
    feed_page_size: int
    resumable_threshold: int
    chunk_bytes: int
    upload_batch_bytes: int
    upload_workers: int
    download_photos: bool


def _tunable(db: Database, key: str) -> Any:
    kind, default = TUNABLES[key]
    raw = settings.get(db, key)
    try:
        value = kind(raw) if raw not in (None, "") else default
    except ValueError:
        return default
    return value if value > 0 or key == "sync.download_photos" else default


def read_config(db: Database) -> SyncConfig:
    """The sync configuration of this installation."""
    http = HttpOptions(
        connect_timeout=_tunable(db, "sync.connect_timeout"),
        read_timeout=_tunable(db, "sync.read_timeout"),
        max_attempts=_tunable(db, "sync.max_attempts"),
        max_retry_seconds=_tunable(db, "sync.max_retry_seconds"),
        backoff_base=_tunable(db, "sync.backoff_base"),
        ca_bundle=settings.get(db, CA_BUNDLE) or None,
    )
    return SyncConfig(
        server_url=settings.get(db, SERVER_URL),
        username=settings.get(db, USERNAME),
        device_id=settings.device_id(db),
        http=http,
        push_batch_size=_tunable(db, "sync.push_batch_size"),
        feed_page_size=_tunable(db, "sync.feed_page_size"),
        resumable_threshold=_tunable(db, "sync.resumable_threshold"),
        chunk_bytes=_tunable(db, "sync.chunk_bytes"),
        upload_batch_bytes=_tunable(db, "sync.upload_batch_bytes"),
        upload_workers=_tunable(db, "sync.upload_workers"),
        download_photos=bool(_tunable(db, "sync.download_photos")),
    )


def save_account(
    db: Database, server_url: str, login_reply: dict[str, Any], storage: str, ca_bundle: str | None
) -> None:
    """Remember the server, the account and its scope after a login (one transaction)."""
    user = login_reply.get("user") or {}
    codes = [str(item.get("code")) for item in user.get("jurisdictions") or [] if isinstance(item, dict)]
    values = {
        SERVER_URL: server_url,
        USERNAME: str(user.get("username") or ""),
        DISPLAY_NAME: str(user.get("display_name") or ""),
        USER_ROLES: jsonutil.dumps(sorted(str(role) for role in user.get("roles") or [])),
        USER_ID: str(user.get("id") or ""),
        USER_JURISDICTIONS: jsonutil.dumps(codes),
        TOKEN_EXPIRES_AT: str(login_reply.get("expires_at") or ""),
        TOKEN_STORAGE: storage,
    }
    with transaction(db):
        for key, value in values.items():
            settings.put(db, key, value)
        if ca_bundle is not None:
            settings.put(db, CA_BUNDLE, ca_bundle)


def user_roles(db: Database) -> list[str]:
    """The roles of the signed-in account (empty before the first login)."""
    roles = jsonutil.loads(settings.get(db, USER_ROLES), [])
    return [str(role) for role in roles] if isinstance(roles, list) else []


def user_jurisdictions(db: Database) -> list[str]:
    codes = jsonutil.loads(settings.get(db, USER_JURISDICTIONS), [])
    return [str(code) for code in codes] if isinstance(codes, list) else []


def record_outcome(db: Database, at: str, succeeded: bool, error: str | None, summary: dict[str, Any]) -> None:
    """Keep when the last cycle ran, how it ended, and its figures (for the status bar and `inspector status`)."""
    with transaction(db):
        settings.put(db, LAST_ATTEMPT, at)
        settings.put(db, LAST_ERROR, error or "")
        settings.put(db, LAST_SUMMARY, jsonutil.dumps(summary))
        if succeeded:
            settings.put(db, LAST_SUCCESS, at)
