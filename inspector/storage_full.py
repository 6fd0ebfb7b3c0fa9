"""Recognises a full disk in an error raised by the operating system, SQLite or PostgreSQL."""

from __future__ import annotations

import errno
import sqlite3

STORAGE_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT})
POSTGRES_DISK_FULL = "53100"  # SQLSTATE disk_full


UNWRITABLE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS})


def is_unwritable(error: BaseException) -> bool:
    """Whether the error, or one it was raised from, is a file the process may not write: no permission, or a
    read-only filesystem."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in UNWRITABLE_ERRNOS:
            return True
        current = current.__cause__ or current.__context__
    return False


def is_storage_full(error: BaseException) -> bool:
    """Whether the error, or one it was raised from, says the disk (or the user's quota) is full: an OSError of
    ENOSPC/EDQUOT, SQLite's SQLITE_FULL ("database or disk is full") or PostgreSQL's disk_full."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, OSError) and current.errno in STORAGE_FULL_ERRNOS:
            return True
        if isinstance(current, sqlite3.Error) and getattr(current, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
            return True
        if getattr(current, "sqlstate", None) == POSTGRES_DISK_FULL:
            return True
        current = current.__cause__ or current.__context__
    return False
