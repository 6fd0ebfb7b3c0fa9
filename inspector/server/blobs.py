"""Content-addressed photo stores behind one interface (`BlobStore`): verified writes, batches of blobs in one body
and resumable partial uploads; the filesystem store (the embedded default) lives here, the S3 one in blobs_s3."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from starlette.requests import ClientDisconnect

from inspector.server import metrics
from inspector.server.blob_files import BlobFile, FileMaker
from inspector.server.schemas import SHA_RE

PARTIAL_MAX_AGE_SECONDS = 7 * 24 * 3600
READ_CHUNK = 1024 * 1024
HOLD_BYTES = 1024 * 1024  # received bytes held in memory before they are hashed and written in one go


class BlobTooLargeError(ValueError):
    """More bytes arrived than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} bytes")
        self.limit = limit


class HashMismatchError(ValueError):
    """The bytes do not hash to the expected SHA-256."""

    def __init__(self, expected: str, actual: str) -> None:
        super().__init__(f"the bytes hash to {actual}, not {expected}")
        self.expected = expected
        self.actual = actual


class BlobStoreUnavailableError(RuntimeError):
    """The photo store does not answer (an object store down or unreachable): the request may be tried again later;
    nothing was made visible."""


class OffsetMismatchError(ValueError):
    """A chunk of a resumable upload was sent for another offset than the one the store has reached."""

    def __init__(self, current: int) -> None:
        super().__init__(f"the store has {current} bytes")
        self.current = current


class UploadBusyError(RuntimeError):
    """Another request is writing the same resumable upload right now."""


class ChunkTooLargeError(ValueError):
    """A chunk would take a resumable upload past its declared size."""

    def __init__(self, room: int) -> None:
        super().__init__(f"more than {room} bytes")
        self.room = room


def valid_hash(sha256: str) -> bool:
    """Whether a text is a SHA-256 as blobs are named (64 lower-case hex characters)."""
    return re.fullmatch(SHA_RE, sha256) is not None


@dataclass(frozen=True)
class BlobDownload:
    """How a stored blob is sent: a local file (`path`), a redirect to a signed address (`url`), or a stream of its
    bytes (`chunks`, `size`)."""

    path: Path | None = None
    url: str | None = None
    chunks: Iterator[bytes] | None = None
    size: int | None = None  # the bytes `chunks` yields (the part's length when a range was asked for)
    content_range: str | None = None  # "bytes a-b/total" when `chunks` is one part of the blob (a 206 reply)
    unsatisfiable: int | None = None  # the blob's size, when the range asked for lies past its end (a 416 reply)


@dataclass(frozen=True)
class ByteRange:
    """One byte range of a `Range: bytes=` header: `first`-`last` (inclusive, `last` None: to the end) or, with
    `first` None, the last `last` bytes."""

    first: int | None
    last: int | None

    def header(self) -> str:
        """The range as an HTTP `Range` value (what an object store is asked for)."""
        if self.first is None:
            return f"bytes=-{self.last}"
        return f"bytes={self.first}-{'' if self.last is None else self.last}"


_RANGE = re.compile(r"bytes=(\d*)-(\d*)")


def parse_range(value: str | None) -> ByteRange | None:
    """The one range of a `Range` header, or None for none, several, or one that cannot be read (RFC 9110 lets a
    server answer those with the whole content)."""
    match = _RANGE.fullmatch((value or "").strip())
    if match is None:
        return None
    first, last = match.group(1), match.group(2)
    if not first and not last:
        return None
    if not first:
        return ByteRange(None, int(last)) if int(last) > 0 else None
    if last and int(last) < int(first):
        return None
    return ByteRange(int(first), int(last) if last else None)


class BlobStore(Protocol):
    """Where the server keeps photo bytes, named by their SHA-256. A blob becomes visible (`download`, `has`) only
    after its bytes were verified against its name; writing the same blob twice is harmless (same name, same bytes).
    Failures to reach the store raise BlobStoreUnavailableError."""

    kind: str
    checks_presence: bool  # `has` is cheap and the database row alone does not prove the bytes are there

    def has(self, sha256: str) -> bool: ...

    def receive(self, sha256: str, limit: int, verify_only: bool = False) -> IncomingBlob: ...

    def receive_batch(
        self, items: list[BatchItem], skip: set[int], verify: set[int] | None = None
    ) -> IncomingBatch: ...

    def new_file(self, prefix: str) -> tuple[Any, BlobFile]:
        """A scratch place for a blob being received (a handle for `place`/`drop`) and its writer."""

    def place(self, handle: Any, sha256: str) -> None:
        """Make a complete, verified blob visible under its name."""

    def drop(self, handle: Any) -> None:
        """Forget a scratch place."""

    def put_bytes(self, data: bytes) -> str: ...

    def download(self, sha256: str, byte_range: ByteRange | None = None) -> BlobDownload | None:
        """How to send a stored blob (or, when the store streams it, the asked-for part), or None when the store
        does not have it. A local file is sent whole here and its range cut by the reply."""

    def problem(self) -> str | None:
        """Why no blob could be stored or read now, or None (the readiness check)."""

    # resumable uploads; `upload` is the caller's blob_uploads row for (sha256, user_id) when it has one
    def partial_size(self, sha256: str, user_id: str, upload: Any = None) -> int: ...

    def discard_partial(self, sha256: str, user_id: str, upload: Any = None) -> None: ...

    async def append_chunk(self, sha256: str, user_id: str, offset: int, room: int, body: AsyncIterator[bytes]) -> int:
        """Append the body at `offset` (OffsetMismatchError when the upload is elsewhere, UploadBusyError when another
        request writes it, ChunkTooLargeError past `room` bytes); returns the upload's new size. ClientDisconnect
        passes through (the filesystem keeps the bytes that arrived, an object store drops the broken chunk)."""

    def complete_partial(self, sha256: str, user_id: str, place: bool = True) -> int: ...

    def remove_stale(self, max_age: float = PARTIAL_MAX_AGE_SECONDS) -> int: ...


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class IncomingBlob:
    """Bytes being received into a temporary file while their SHA-256 and size are counted.

    The receiving side only counts and holds chunks (`accept`); creating the file, hashing and writing
    (`write_held`) happen a megabyte at a time, meant for a worker thread, where they do not hold up the server's
    event loop (hashing and writing release the interpreter lock, so several uploads hash on several cores).

    With `verify_only` (the server already has the blob) the bytes are hashed and counted but not written: the stored
    file is left as it is, and `finish` only checks that the sender really had those bytes.
    """

    def __init__(self, store: BlobStore, sha256: str, limit: int, verify_only: bool = False) -> None:
        self.store = store
        self.sha256 = sha256
        self.limit = limit
        self.verify_only = verify_only
        self.size = 0
        self._hasher = hashlib.sha256()
        self._held: list[bytes | memoryview] = []
        self._held_bytes = 0
        self._handle: Any = None
        self._file: BlobFile | None = None

    def _opened(self) -> BlobFile:
        if self._file is None:
            self._handle, self._file = self.store.new_file(self.sha256[:16] + "-")
        return self._file

    def accept(self, chunk: bytes | memoryview) -> bool:
        """Count a received chunk and hold it; True when enough is held to be written out now."""
        self.size += len(chunk)
        if self.size > self.limit:
            raise BlobTooLargeError(self.limit)
        self._held.append(chunk)
        self._held_bytes += len(chunk)
        return self._held_bytes >= HOLD_BYTES

    def write_held(self) -> None:
        """Hash and write the chunks held so far (only hash them when verifying)."""
        target = None if self.verify_only else self._opened()
        for chunk in self._held:
            self._hasher.update(chunk)
            if target is not None:
                target.write(chunk)
        self._held.clear()
        self._held_bytes = 0

    def write(self, chunk: bytes) -> None:
        """Accept a chunk and write it at once."""
        self.accept(chunk)
        self.write_held()

    def finish(self) -> int:
        """Write what is held, verify the hash, make the file durable and move it into place (when verifying, only
        check the hash); returns the size."""
        self.write_held()
        actual = self._hasher.hexdigest()
        if actual != self.sha256:
            self.abort()
            raise HashMismatchError(self.sha256, actual)
        if self.verify_only:
            return self.size
        self._opened().close_durable()
        try:
            self.store.place(self._handle, self.sha256)
        except BaseException:
            self.store.drop(self._handle)
            raise
        metrics.BLOB_BYTES.labels(self.store.kind).inc(self.size)
        return self.size

    def abort(self) -> None:
        """Drop what was received."""
        self._held.clear()
        if self._file is not None:
            self._file.discard()
        if self._handle is not None:
            self.store.drop(self._handle)


@dataclass(frozen=True)
class BatchItem:
    """One blob named in a batch manifest."""

    sha256: str
    size: int


class ManifestError(ValueError):
    """A batch manifest that cannot be used: `kind` is "malformed" (not JSON), "invalid" (wrong fields, duplicate
    hashes) or "too_large" (more blobs or a bigger blob than allowed; `limit` says how many)."""

    def __init__(self, kind: str, message: str, limit: int | None = None) -> None:
        super().__init__(message)
        self.kind = kind
        self.limit = limit


def parse_manifest(line: bytes, max_blobs: int, max_blob_bytes: int) -> list[BatchItem]:
    """The blobs a batch manifest line names, in order, checked: valid hashes, sizes within the limit, no hash twice,
    at most `max_blobs` entries (unknown fields are ignored)."""
    try:
        document = json.loads(line)
    except (ValueError, RecursionError):
        raise ManifestError("malformed", "the manifest line is not valid JSON") from None
    entries = document.get("blobs") if isinstance(document, dict) else None
    if not isinstance(entries, list):
        raise ManifestError("invalid", "the manifest must be an object with a list `blobs`")
    if len(entries) > max_blobs:
        raise ManifestError("too_large", f"more than {max_blobs} blobs", max_blobs)
    items = [_manifest_item(entry, max_blob_bytes) for entry in entries]
    if len({item.sha256 for item in items}) != len(items):
        raise ManifestError("invalid", "a hash is named more than once")
    return items


def _manifest_item(entry: object, max_blob_bytes: int) -> BatchItem:
    sha256 = entry.get("sha256") if isinstance(entry, dict) else None
    size = entry.get("size") if isinstance(entry, dict) else None
    if not isinstance(sha256, str) or not valid_hash(sha256):
        raise ManifestError("invalid", "every blob needs a `sha256` of 64 lower-case hex characters")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError("invalid", "every blob needs a `size`, a whole number of bytes")
    if size > max_blob_bytes:
        raise ManifestError("too_large", f"a blob of more than {max_blob_bytes} bytes", max_blob_bytes)
    return BatchItem(sha256, size)


class BatchOverrunError(ValueError):
    """More bytes arrived than the manifest of a batch declares."""


class IncomingBatch:
    """The blobs of a batch body, received one at a time in manifest order.

    Chunks of the body are split at blob boundaries; each blob's bytes go to its own IncomingBlob; blobs the caller
    already holds (`skip`, by index) are read past, and blobs the server has but the caller does not hold yet
    (`verify`, by index) are only hashed. Blobs whose last byte arrived wait in `completed` until
    the caller takes them (to finish them, where the hash is checked). Blobs of no bytes are complete as soon as the
    bytes before them are.
    """

    def __init__(self, store: BlobStore, items: list[BatchItem], skip: set[int], verify: set[int]) -> None:
        self.store = store
        self.items = items
        self.skip = skip
        self.verify = verify
        self.index = -1
        self.left = 0
        self.current: IncomingBlob | None = None
        self.completed: list[tuple[int, IncomingBlob]] = []
        self._next()

    @property
    def done(self) -> bool:
        """Whether every blob of the manifest has had all its bytes."""
        return self.index >= len(self.items)

    def _next(self) -> None:
        while True:
            self.index += 1
            self.current = None
            if self.done:
                return
            item = self.items[self.index]
            self.left = item.size
            if self.index not in self.skip:
                self.current = self.store.receive(item.sha256, item.size, self.index in self.verify)
            if self.left:
                return
            self._complete()

    def _complete(self) -> None:
        if self.current is not None:
            self.completed.append((self.index, self.current))

    def accept(self, chunk: bytes) -> IncomingBlob | None:
        """Take the next bytes of the body; returns the blob whose held bytes are due to be written now, if any."""
        due: IncomingBlob | None = None
        offset = 0
        while offset < len(chunk):
            if self.done:
                raise BatchOverrunError("more bytes than the manifest declares")
            take = min(self.left, len(chunk) - offset)
            piece = chunk if take == len(chunk) else memoryview(chunk)[offset : offset + take]
            offset += take
            self.left -= take
            if self.current is not None and self.current.accept(piece):
                due = self.current
            if self.left == 0:
                if due is self.current:
                    due = None  # finishing writes what it holds
                self._complete()
                self._next()
        return due

    def take_completed(self) -> list[tuple[int, IncomingBlob]]:
        """The blobs that became whole since the last call, with their index in the manifest."""
        completed, self.completed = self.completed, []
        return completed

    def abort(self) -> None:
        """Drop the blob being received (the body broke off); blobs already complete are left to their finishing."""
        if self.current is not None:
            self.current.abort()
            self.current = None


class Receiving:
    """What every store does the same way on top of its scratch places (`new_file`, `place`, `drop`)."""

    def receive(self, sha256: str, limit: int, verify_only: bool = False) -> IncomingBlob:
        """Start receiving a whole blob (with `verify_only`, one the store has: its bytes are only hashed)."""
        return IncomingBlob(self, sha256, limit, verify_only)  # type: ignore[arg-type]

    def receive_batch(self, items: list[BatchItem], skip: set[int], verify: set[int] | None = None) -> IncomingBatch:
        """Start receiving the blobs of a batch body (those at the indexes in `skip` are read past, those in `verify`
        only hashed)."""
        return IncomingBatch(self, items, skip, verify or set())  # type: ignore[arg-type]

    def put_bytes(self, data: bytes) -> str:
        """Store bytes directly (import tools and tests); returns their SHA-256."""
        sha256 = hashlib.sha256(data).hexdigest()
        incoming = self.receive(sha256, len(data))
        incoming.write(data)
        incoming.finish()
        return sha256


class FileBlobStore(Receiving):
    """Blobs live at objects/ab/cd/<sha256>; uploads in progress in partial/, scratch files in tmp/.

    New blobs are written to scratch files with O_DIRECT where the filesystem takes it, else through the page cache
    (`direct_io` False forces that; None decides on the first file).
    """

    kind = "filesystem"
    checks_presence = True

    def __init__(self, root: Path, direct_io: bool | None = None) -> None:
        self.root = root
        self.objects_dir = root / "objects"
        self.partial_dir = root / "partial"
        self.tmp_dir = root / "tmp"
        for folder in (self.objects_dir, self.partial_dir, self.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.files = FileMaker(self.tmp_dir, direct_io)

    def write_problem(self) -> str | None:
        """Why no blob could be stored now (a scratch file cannot be created), or None."""
        try:
            handle, name = tempfile.mkstemp(prefix="probe-", dir=self.tmp_dir)
            os.close(handle)
            os.unlink(name)
        except OSError as error:
            return f"{error.filename or self.tmp_dir}: {error.strerror or error}"
        for folder in (self.objects_dir, self.partial_dir):
            if not os.access(folder, os.W_OK | os.X_OK):
                return f"{folder}: not writable"
        return None

    def problem(self) -> str | None:
        return self.write_problem()

    @staticmethod
    def valid_hash(sha256: str) -> bool:
        return valid_hash(sha256)

    def path(self, sha256: str) -> Path:
        return self.objects_dir / sha256[:2] / sha256[2:4] / sha256

    def has_file(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def has(self, sha256: str) -> bool:
        return self.has_file(sha256)

    def download(self, sha256: str, byte_range: ByteRange | None = None) -> BlobDownload | None:
        path = self.path(sha256)
        return BlobDownload(path=path) if path.is_file() else None

    def drop(self, handle: Any) -> None:
        Path(handle).unlink(missing_ok=True)

    def new_file(self, prefix: str) -> tuple[Path, BlobFile]:
        """A new scratch file for a blob being received, and its writer."""
        return self.files.create(prefix)

    def place(self, source: Path, sha256: str) -> None:
        """Atomically move a complete, verified file to its final name."""
        target = self.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        _fsync_dir(target.parent)

    # ---- resumable uploads ----

    def partial_path(self, sha256: str, user_id: str) -> Path:
        return self.partial_dir / f"{sha256}.{user_id}.part"

    def partial_size(self, sha256: str, user_id: str, upload: Any = None) -> int:
        path = self.partial_path(sha256, user_id)
        return path.stat().st_size if path.exists() else 0

    async def append_chunk(self, sha256: str, user_id: str, offset: int, room: int, body: AsyncIterator[bytes]) -> int:
        """The partial file is appended to under a non-blocking exclusive lock (flock: across the processes of one
        host, not across hosts: several hosts use an object store)."""
        from fastapi.concurrency import run_in_threadpool

        with open(self.partial_path(sha256, user_id), "ab") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise UploadBusyError("another request is writing this upload") from None
            current = os.fstat(handle.fileno()).st_size
            if offset != current:
                raise OffsetMismatchError(current)
            written = await _append(body, handle, current, room - current)
            handle.flush()
            await run_in_threadpool(os.fsync, handle.fileno())
        return current + written

    @contextlib.contextmanager
    def locked_partial(self, sha256: str, user_id: str) -> Iterator[BinaryIO]:
        """The partial file opened for appending under an exclusive lock (also across server processes)."""
        path = self.partial_path(sha256, user_id)
        with open(path, "ab") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def complete_partial(self, sha256: str, user_id: str, place: bool = True) -> int:
        """Verify a fully received partial upload and move it into place (discarding it on a mismatch; and after
        verifying when not `place`, for a blob the store already has)."""
        path = self.partial_path(sha256, user_id)
        hasher = hashlib.sha256()
        size = 0
        with open(path, "rb") as handle:
            while chunk := handle.read(READ_CHUNK):
                hasher.update(chunk)
                size += len(chunk)
            os.fsync(handle.fileno())
        actual = hasher.hexdigest()
        if actual != sha256:
            path.unlink(missing_ok=True)
            raise HashMismatchError(sha256, actual)
        if place:
            self.place(path, sha256)
            metrics.BLOB_BYTES.labels(self.kind).inc(size)
        else:
            path.unlink(missing_ok=True)
        return size

    def discard_partial(self, sha256: str, user_id: str, upload: Any = None) -> None:
        self.partial_path(sha256, user_id).unlink(missing_ok=True)

    def remove_stale(self, max_age: float = PARTIAL_MAX_AGE_SECONDS) -> int:
        """Delete partial uploads and scratch files untouched for max_age seconds; returns how many."""
        cutoff = time.time() - max_age
        removed = 0
        for folder in (self.partial_dir, self.tmp_dir):
            for path in folder.iterdir():
                with contextlib.suppress(OSError):
                    if path.stat().st_mtime < cutoff:
                        path.unlink()
                        removed += 1
        return removed


async def _append(body: AsyncIterator[bytes], handle: Any, start: int, room: int) -> int:
    """Append a body to a partial file; refuse (and undo) more bytes than `room`. When the client goes away mid-chunk
    the bytes that did arrive are kept: the upload resumes after them."""
    written = 0
    try:
        async for chunk in body:
            if written + len(chunk) > room:
                raise ChunkTooLargeError(room)
            handle.write(chunk)
            written += len(chunk)
    except ClientDisconnect:
        handle.flush()
        os.fsync(handle.fileno())
        raise
    except BaseException:
        handle.flush()
        handle.truncate(start)
        raise
    return written
