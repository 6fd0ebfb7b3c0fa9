"""New blob files written durably: with O_DIRECT where the filesystem takes it (no copy into the page cache), else
buffered."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import logging
import mmap
import os
import secrets
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

log = logging.getLogger("inspector.server")

BLOCK = 4096  # O_DIRECT writes whole blocks from page-aligned memory
BUFFER_BYTES = 1024 * 1024  # one direct write
POOLED_BUFFERS = 16
UNSUPPORTED = (errno.EINVAL, errno.EOPNOTSUPP)  # what open or write answer where O_DIRECT is not supported


class BlobFile(Protocol):
    """A new file being written."""

    def write(self, data: bytes | memoryview) -> None: ...

    def close_durable(self) -> None:
        """Write what is left, flush the file to disk (fsync) and close it."""

    def discard(self) -> None:
        """Close without caring what reached the disk (the caller removes the file)."""


class BufferedFile:
    """Written through the page cache, then fsync."""

    def __init__(self, fd: int) -> None:
        self._file = os.fdopen(fd, "wb")

    def write(self, data: bytes | memoryview) -> None:
        self._file.write(data)

    def close_durable(self) -> None:
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()

    def discard(self) -> None:
        with contextlib.suppress(OSError):
            self._file.close()


class BufferPool:
    """Page-aligned buffers (anonymous memory maps) reused from file to file."""

    def __init__(self, size: int = BUFFER_BYTES, keep: int = POOLED_BUFFERS) -> None:
        self.size = size
        self.keep = keep
        self._free: list[mmap.mmap] = []
        self._lock = threading.Lock()

    def take(self) -> mmap.mmap:
        with self._lock:
            if self._free:
                return self._free.pop()
        return mmap.mmap(-1, self.size)

    def give(self, buffer: mmap.mmap) -> None:
        with self._lock:
            if len(self._free) < self.keep:
                self._free.append(buffer)
                return
        buffer.close()


class DirectFile:
    """Written with O_DIRECT in whole blocks from a page-aligned buffer; the last block is padded with zeros and the
    file then cut to its size before the fsync (which still writes the file's metadata).

    A direct write the filesystem refuses (EINVAL, EOPNOTSUPP: e.g. a disk whose blocks are larger than BLOCK, or a
    folder that now lies on another filesystem) is made again through the page cache, with O_DIRECT taken off the
    open file, and so is the rest of the file; `on_refused` hears of it (once per file)."""

    def __init__(self, fd: int, pool: BufferPool, on_refused: Callable[[OSError], None] | None = None) -> None:
        self._fd = fd
        self._pool = pool
        self._buffer: mmap.mmap | None = pool.take()
        self._filled = 0
        self._size = 0
        self._direct = True
        self._on_refused = on_refused

    def write(self, data: bytes | memoryview) -> None:
        buffer = self._live_buffer()
        view = memoryview(data)
        start = 0
        while start < len(view):
            take = min(len(view) - start, len(buffer) - self._filled)
            buffer[self._filled : self._filled + take] = view[start : start + take]
            self._filled += take
            self._size += take
            start += take
            if self._filled == len(buffer):
                self._write_out(self._filled)

    def close_durable(self) -> None:
        try:
            if self._filled and self._direct:
                buffer = self._live_buffer()
                padded = min(-(-self._filled // BLOCK) * BLOCK, len(buffer))
                buffer[self._filled : padded] = bytes(padded - self._filled)
                self._write_out(padded)
            if self._filled:
                self._write_out(self._filled)  # what is left once the writes went through the page cache
            os.ftruncate(self._fd, self._size)
            os.fsync(self._fd)
        finally:
            self.discard()

    def discard(self) -> None:
        if self._fd >= 0:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = -1
        if self._buffer is not None:
            self._pool.give(self._buffer)
            self._buffer = None

    def _live_buffer(self) -> mmap.mmap:
        if self._buffer is None:
            raise ValueError("the file is closed")
        return self._buffer

    def _write_out(self, length: int) -> None:
        with memoryview(self._live_buffer()) as whole, whole[:length] as piece:
            try:
                written = os.write(self._fd, piece)
            except OSError as error:
                if not self._direct or error.errno not in UNSUPPORTED:
                    raise
                self._go_buffered(error)
                written = os.write(self._fd, piece)
        if written != length:
            raise OSError(errno.EIO, f"short write: {written} of {length} bytes")
        self._filled = 0

    def _go_buffered(self, refusal: OSError) -> None:
        flags = fcntl.fcntl(self._fd, fcntl.F_GETFL)
        fcntl.fcntl(self._fd, fcntl.F_SETFL, flags & ~getattr(os, "O_DIRECT", 0))
        self._direct = False
        if self._on_refused is not None:
            self._on_refused(refusal)


def _create(folder: Path, prefix: str, extra_flags: int) -> tuple[int, Path]:
    """A new file with a unique name in `folder`, open for writing only by this process."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | extra_flags
    while True:
        path = folder / f"{prefix}{secrets.token_hex(8)}"
        try:
            return os.open(path, flags, 0o600), path
        except FileExistsError:
            continue


def direct_io_refusal(folder: Path) -> str | None:
    """Why files in `folder` cannot be written with O_DIRECT (None when they can): tried on a scratch file."""
    flag = getattr(os, "O_DIRECT", None)
    if flag is None:
        return "this system has no O_DIRECT"
    pool = BufferPool(BLOCK, keep=0)
    path: Path | None = None
    try:
        fd, path = _create(folder, ".direct-probe-", flag)
        probe = DirectFile(fd, pool)
        probe.write(b"probe")
        probe.close_durable()
    except OSError as error:
        if error.errno not in UNSUPPORTED:
            raise
        return f"the filesystem refuses O_DIRECT ({error.strerror})"
    finally:
        if path is not None:
            path.unlink(missing_ok=True)
    return None


class FileMaker:
    """Creates the new files of one folder. Whether they are written with O_DIRECT is decided once, on the first file
    (`direct` None), and logged; `direct` False forces buffered writes."""

    def __init__(self, folder: Path, direct: bool | None = None) -> None:
        self.folder = folder
        self.direct = direct
        self.pool = BufferPool()
        self._lock = threading.Lock()

    def _refused(self, error: OSError) -> None:
        """A direct write was refused after the first file's test passed: later files are written buffered."""
        with self._lock:
            if self.direct:
                log.warning("blob files go through the page cache from now on: a direct write failed: %s", error)
            self.direct = False

    def _decide(self) -> bool:
        with self._lock:
            if self.direct is None:
                refusal = direct_io_refusal(self.folder)
                self.direct = refusal is None
                if refusal is None:
                    log.info("blob files are written with O_DIRECT")
                else:
                    log.info("blob files are written through the page cache: %s", refusal)
            return self.direct

    def create(self, prefix: str) -> tuple[Path, BlobFile]:
        """A new file in the folder and its writer."""
        if self._decide():
            fd, path = _create(self.folder, prefix, os.O_DIRECT)
            return path, DirectFile(fd, self.pool, self._refused)
        fd, path = _create(self.folder, prefix, 0)
        return path, BufferedFile(fd)
