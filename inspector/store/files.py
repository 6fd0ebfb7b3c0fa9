"""Atomic file writes inside a data folder: temp file in tmp/, flush, fsync, rename, fsync the directory."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from inspector.store.database import DataFolder

_CHUNK = 1024 * 1024


def fsync_directory(path: Path) -> None:
    """Make a rename or a new entry in this directory durable (POSIX; Windows has no directory handles for this)."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_directory(path: Path) -> None:
    """Create a directory (and parents) and make its creation durable."""
    if path.is_dir():
        return
    path.mkdir(parents=True, exist_ok=True)
    fsync_directory(path.parent)


def write_atomic(folder: DataFolder, target: Path, data: bytes) -> None:
    """Write bytes so that target either does not exist or holds all of them, even after a crash or power loss.

    The temp file lives in the data folder's tmp/ (same file system, so the rename is atomic); leftovers of an
    interrupted write are removed by the next open_data_folder().
    """
    ensure_directory(target.parent)
    fd, temp_name = tempfile.mkstemp(dir=folder.tmp_dir, prefix="write-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    fsync_directory(target.parent)


def sha256_bytes(data: bytes) -> str:
    """Lower-case hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    """Lower-case hex SHA-256 of a file's content, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
