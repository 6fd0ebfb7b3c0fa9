"""Sync settings and the signed-in account, kept in the local settings table (never the token: see credentials)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from inspector.store import settings
from inspector.store.profile import (  # who works here, read by the app
    DISPLAY_NAME,
    USER_ID,
    USER_JURISDICTIONS,
    USER_ROLES,
    USERNAME,
)


@dataclass(frozen=True)
class HttpOptions:
    """Timeouts and the retry policy of one client."""

    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    max_attempts: int = 8
    max_retry_seconds: float = 120.0  # the whole time one request may take, retries and waits included
    backoff_base: float = 0.5
    backoff_cap: float = 20.0
    ca_bundle: str | None = None  # a PEM file of the CAs to trust (government intranets use private CAs)


# The keys this module writes (declared with their types and defaults in inspector.core.settings).
SERVER_URL = "sync.server_url"
CA_BUNDLE = "sync.ca_bundle"
TOKEN_EXPIRES_AT = "sync.token_expires_at"
TOKEN_STORAGE = "sync.token_storage"
LAST_SUCCESS = "sync.last_success_at"  # read by the status bar
LAST_ATTEMPT = "sync.last_attempt_at"
LAST_ERROR = "sync.last_error"
LAST_SUMMARY = "sync.last_summary"
# What an administrator (or a test) may tune; the defaults suit a slow intranet.
TUNABLES: tuple[str, ...] = (
    "sync.connect_timeout",
    "sync.read_timeout",
    "sync.max_attempts",
    "sync.max_retry_seconds",
    "sync.backoff_base",
    "sync.push_batch_size",
    "sync.feed_page_size",
    "sync.resumable_threshold",
    "sync.chunk_bytes",
    "sync.upload_batch_bytes",
    "sync.upload_workers",
    "sync.download_photos",
)


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


def read_config(db: Database) -> SyncConfig:
    """The sync configuration of this installation."""
    http = HttpOptions(
        connect_timeout=settings.get(db, "sync.connect_timeout"),
        read_timeout=settings.get(db, "sync.read_timeout"),
        max_attempts=settings.get(db, "sync.max_attempts"),
        max_retry_seconds=settings.get(db, "sync.max_retry_seconds"),
        backoff_base=settings.get(db, "sync.backoff_base"),
        ca_bundle=settings.get(db, CA_BUNDLE) or None,
    )
    return SyncConfig(
        server_url=settings.get(db, SERVER_URL),
        username=settings.get(db, USERNAME),
        device_id=settings.device_id(db),
        http=http,
        push_batch_size=settings.get(db, "sync.push_batch_size"),
        feed_page_size=settings.get(db, "sync.feed_page_size"),
        resumable_threshold=settings.get(db, "sync.resumable_threshold"),
        chunk_bytes=settings.get(db, "sync.chunk_bytes"),
        upload_batch_bytes=settings.get(db, "sync.upload_batch_bytes"),
        upload_workers=settings.get(db, "sync.upload_workers"),
        download_photos=settings.get(db, "sync.download_photos"),
    )


def save_account(
    db: Database, server_url: str, login_reply: dict[str, Any], storage: str, ca_bundle: str | None
) -> None:
    """Remember the server, the account and its scope after a login (one transaction)."""
    user = login_reply.get("user") or {}
    codes = [str(item.get("code")) for item in user.get("jurisdictions") or [] if isinstance(item, dict)]
    values: dict[str, Any] = {
        SERVER_URL: server_url,
        USERNAME: str(user.get("username") or ""),
        DISPLAY_NAME: str(user.get("display_name") or ""),
        USER_ROLES: sorted(str(role) for role in user.get("roles") or []),
        USER_ID: str(user.get("id") or ""),
        USER_JURISDICTIONS: codes,
        TOKEN_EXPIRES_AT: str(login_reply.get("expires_at") or ""),
        TOKEN_STORAGE: storage,
    }
    if ca_bundle is not None:
        values[CA_BUNDLE] = ca_bundle
    settings.put_many(db, values)


def record_outcome(db: Database, at: str, succeeded: bool, error: str | None, summary: dict[str, Any]) -> None:
    """Keep when the last cycle ran, how it ended, and its figures (for the status bar and `inspector status`)."""
    values: dict[str, Any] = {LAST_ATTEMPT: at, LAST_ERROR: error or "", LAST_SUMMARY: dict(summary)}
    if succeeded:
        values[LAST_SUCCESS] = at
    settings.put_many(db, values)
