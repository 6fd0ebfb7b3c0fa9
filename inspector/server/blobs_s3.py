"""The photo store in S3-compatible object storage (one bucket per district): verified before visible, conditional
writes, streamed or presigned downloads, direct uploads to presigned addresses confirmed before they count, resumable
uploads as multipart uploads whose state is kept in the database."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import io
import json
import logging
import secrets
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import select, update

from inspector.core.clock import now_iso
from inspector.server import metrics
from inspector.server.blobs import (
    PARTIAL_MAX_AGE_SECONDS,
    READ_CHUNK,
    BlobDownload,
    BlobStoreUnavailableError,
    ByteRange,
    ChunkTooLargeError,
    HashMismatchError,
    OffsetMismatchError,
    Receiving,
)
from inspector.server.db import Database
from inspector.server.models import BlobUpload

log = logging.getLogger("inspector.server")
T = TypeVar("T")

PART_MIN_BYTES = 5 * 1024 * 1024  # S3's smallest part but the last; smaller chunks wait in a tail object
SPOOL_BYTES = 8 * 1024 * 1024  # a blob being received is held in memory up to this size, then in a temporary file
# Replies that mean "the store is there but cannot serve now": tried again by the client after a 503.
TRANSIENT_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed"}
MISSING_CODES = {"404", "NoSuchKey", "NotFound"}
UPLOADER_META = "uploader"  # the metadata of a direct upload naming who sent it (a keyed hash of user and blob)


def object_key(sha256: str) -> str:
    """Where a blob lives in the bucket (the same fan-out as the filesystem store)."""
    return f"objects/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def checksum_of(sha256: str) -> str:
    """A SHA-256 as S3 carries it (`x-amz-checksum-sha256`: the digest in base64)."""
    return base64.b64encode(bytes.fromhex(sha256)).decode()


@dataclass(frozen=True)
class UploadTarget:
    """Where a laptop sends one blob itself: a presigned `PUT` with the headers it must carry (signed: leaving one out
    makes the store refuse the request)."""

    url: str
    headers: dict[str, str]
    expires_in: int


@dataclass(frozen=True)
class Confirmed:
    """A blob found whole at its content address: its size, and whether the caller's own direct upload wrote it."""

    size: int
    by_caller: bool


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _status(error: ClientError) -> int:
    return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)


def is_missing(error: ClientError) -> bool:
    return _code(error) in MISSING_CODES or _status(error) == 404


class SpoolFile:
    """A blob being received, held in memory (a temporary file past SPOOL_BYTES) until its hash is checked."""

    def __init__(self) -> None:
        self.spool: Any = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - closed by place/drop

    def write(self, data: bytes | memoryview) -> None:
        self.spool.write(data)

    def close_durable(self) -> None:
        """Nothing to make durable here: the object store makes the write durable when it answers."""
        self.spool.flush()

    def discard(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.spool.close()


class S3BlobStore(Receiving):
    """Blobs at objects/ab/cd/<sha256> in one bucket; resumable uploads under partial/ (their state in blob_uploads).

    A whole blob is received into a spool, hashed, and only then written with `If-None-Match: *` (and its SHA-256
    sent for the store to check the bytes it got): a blob is never visible before it was verified, and two writers of
    one blob cannot clash (the key is the hash of the bytes, so the second write would write the same bytes; a store
    that refuses it with 412 already has them).
    """

    kind = "s3"
    checks_presence = False

    def __init__(
        self,
        client: Any,
        bucket: str,
        db: Database,
        presign_seconds: int | None = None,
        public_client: Any = None,
        upload_seconds: int = 300,
        signing_key: bytes = b"",
    ) -> None:
        self.client = client
        self.bucket = bucket
        self.db = db
        self.presign_seconds = presign_seconds
        self.public_client = public_client  # signs the addresses laptops use (None: no direct uploads)
        self.upload_seconds = upload_seconds
        self.signing_key = signing_key or secrets.token_bytes(32)

    @classmethod
    def connect(
        cls,
        db: Database,
        bucket: str,
        endpoint_url: str | None = None,
        region: str = "us-east-1",
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        presign_seconds: int | None = None,
        pool: int = 50,
        public_endpoint_url: str | None = None,
        upload_seconds: int = 300,
    ) -> S3BlobStore:
        """A store on a bucket of an S3 service (AWS when `endpoint_url` is None); with `public_endpoint_url` (the
        bucket's address as laptops reach it) blobs may be uploaded there directly."""
        config = Config(
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=3,
            read_timeout=30,
            max_pool_connections=pool,
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        session = boto3.session.Session()

        def client_for(endpoint: str | None) -> Any:
            return session.client(
                "s3",
                endpoint_url=endpoint or None,
                region_name=region,
                aws_access_key_id=access_key_id or None,
                aws_secret_access_key=secret_access_key or None,
                # SigV4 signs every header a presigned upload needs (checksum, If-None-Match, uploader)
                config=config.merge(Config(signature_version="s3v4")),
            )

        client = client_for(endpoint_url)
        public = client_for(public_endpoint_url) if public_endpoint_url else None
        # the same key in every server process: a commit may reach another process than the one that signed
        key = hashlib.sha256(f"inspector-direct-upload:{secret_access_key or ''}:{bucket}".encode()).digest()
        return cls(client, bucket, db, presign_seconds, public, upload_seconds, key)

    # ---- calls to the store ----

    def _call(self, what: str, call: Callable[..., T], **arguments: Any) -> T:
        """One request to the store; an unreachable or overloaded store raises BlobStoreUnavailableError."""
        try:
            return call(Bucket=self.bucket, **arguments)
        except ClientError as error:
            if _status(error) >= 500 or _code(error) in TRANSIENT_CODES:
                raise BlobStoreUnavailableError(f"the object store failed to {what}: {_code(error)}") from error
            raise
        except BotoCoreError as error:
            raise BlobStoreUnavailableError(f"the object store did not answer ({what}): {error}") from error

    def _head(self, key: str) -> int | None:
        """The size of an object, or None when there is none."""
        try:
            reply = self._call("look up an object", self.client.head_object, Key=key)
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        return int(reply["ContentLength"])

    def _delete(self, key: str | None) -> None:
        if key:
            with contextlib.suppress(ClientError, BlobStoreUnavailableError):
                self._call("delete an object", self.client.delete_object, Key=key)

    def _get_bytes(self, key: str) -> bytes:
        reply = self._call("read an object", self.client.get_object, Key=key)
        return bytes(reply["Body"].read())

    def _put(self, key: str, body: Any, sha256: str | None = None, exclusive: bool = False) -> bool:
        """Write an object; with `sha256` the store checks the bytes it got; with `exclusive` only when the key is
        free (False when it was taken)."""
        arguments: dict[str, Any] = {"Key": key, "Body": body}
        if sha256 is not None:
            arguments["ChecksumSHA256"] = checksum_of(sha256)
        if exclusive:
            arguments["IfNoneMatch"] = "*"
        try:
            self._call("write an object", self.client.put_object, **arguments)
        except ClientError as error:
            if exclusive and (_status(error) == 412 or _code(error) == "PreconditionFailed"):
                return False
            raise
        return True

    def _place_body(self, sha256: str, body: Any) -> None:
        """Write a verified blob at its content address. A key already taken holds the same blob only if a look
        confirms it (a direct upload nobody confirmed may hold other bytes): else it is removed and written again."""
        for _ in range(3):
            with contextlib.suppress(AttributeError, OSError):
                body.seek(0)
            if self._put(object_key(sha256), body, sha256, exclusive=True):
                return
            if self._confirmed(sha256) is not None:
                return
        raise BlobStoreUnavailableError(f"the object store kept another object at the address of {sha256}")

    # ---- direct uploads ----

    @property
    def direct_uploads(self) -> bool:
        """Whether laptops may upload blobs straight to the bucket (a public address of it is set)."""
        return self.public_client is not None

    def uploader_tag(self, sha256: str, user_id: str) -> str:
        """What a direct upload of `sha256` by `user_id` carries in its metadata (unforgeable without the key)."""
        return hmac.new(self.signing_key, f"{user_id}:{sha256}".encode(), hashlib.sha256).hexdigest()[:32]

    def upload_target(self, sha256: str, user_id: str) -> UploadTarget | None:
        """A presigned `PUT` of the blob to its content address: the store checks the bytes against the signed
        SHA-256 and refuses to replace an object already there (`If-None-Match: *`)."""
        if self.public_client is None:
            return None
        checksum = checksum_of(sha256)
        tag = self.uploader_tag(sha256, user_id)
        params = {
            "Bucket": self.bucket,
            "Key": object_key(sha256),
            "ChecksumSHA256": checksum,
            "IfNoneMatch": "*",
            "Metadata": {UPLOADER_META: tag},
        }
        url = self.public_client.generate_presigned_url("put_object", Params=params, ExpiresIn=self.upload_seconds)
        headers = {"x-amz-checksum-sha256": checksum, "If-None-Match": "*", f"x-amz-meta-{UPLOADER_META}": tag}
        return UploadTarget(url, headers, self.upload_seconds)

    def confirm(self, sha256: str, user_id: str | None = None) -> Confirmed | None:
        """Whether the object at the blob's content address holds exactly its bytes: the SHA-256 the store checked
        on writing when it kept one, else the object read back and hashed. None when there is none; other bytes
        are removed (HashMismatchError): a blob is never present unverified."""
        key = object_key(sha256)
        try:
            reply = self._call("look up an object", self.client.head_object, Key=key, ChecksumMode="ENABLED")
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        by_caller = user_id is not None and hmac.compare_digest(
            str(reply.get("Metadata", {}).get(UPLOADER_META, "")), self.uploader_tag(sha256, user_id)
        )
        if reply.get("ChecksumSHA256") == checksum_of(sha256):
            return Confirmed(int(reply["ContentLength"]), by_caller)
        try:
            body = self._call("read an object", self.client.get_object, Key=key)["Body"]
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        actual, size = _hash_body(body)
        if actual != sha256:
            self._delete(key)
            raise HashMismatchError(sha256, actual)
        return Confirmed(size, by_caller)

    def problem(self) -> str | None:
        try:
            self._call("reach the bucket", self.client.head_bucket)
        except (BlobStoreUnavailableError, ClientError) as error:
            return f"bucket {self.bucket}: {error}"
        return None

    def ensure_bucket(self) -> None:
        """Create the district's bucket when it does not exist (set-up and tests)."""
        if self.problem() is None:
            return
        self._call("create the bucket", self.client.create_bucket)

    # ---- whole blobs ----

    def has(self, sha256: str) -> bool:
        return self._head(object_key(sha256)) is not None

    def new_file(self, prefix: str) -> tuple[Any, SpoolFile]:
        spool = SpoolFile()
        return spool, spool

    def place(self, handle: Any, sha256: str) -> None:
        spool: SpoolFile = handle
        try:
            self._place_body(sha256, spool.spool)
        finally:
            spool.discard()

    def drop(self, handle: Any) -> None:
        handle.discard()

    def download(self, sha256: str, byte_range: ByteRange | None = None) -> BlobDownload | None:
        key = object_key(sha256)
        if self.presign_seconds:  # the store itself answers the range of a signed address
            url = self.client.generate_presigned_url(
                "get_object", Params={"Bucket": self.bucket, "Key": key}, ExpiresIn=self.presign_seconds
            )
            return BlobDownload(url=url)
        arguments = {"Range": byte_range.header()} if byte_range is not None else {}
        try:
            reply = self._call("read an object", self.client.get_object, Key=key, **arguments)
        except ClientError as error:
            if is_missing(error):
                return None
            if _code(error) == "InvalidRange" or _status(error) == 416:
                size = self._head(key)
                return None if size is None else BlobDownload(unsatisfiable=size)
            raise
        body = reply["Body"]
        part = reply.get("ContentRange") if byte_range is not None else None
        return BlobDownload(chunks=_closing_chunks(body), size=int(reply["ContentLength"]), content_range=part)

    def iter_objects(self, prefix: str = "objects/") -> Iterator[dict[str, Any]]:
        """Every object under a prefix (key, size, last modified)."""
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                yield from page.get("Contents", [])
        except BotoCoreError as error:
            raise BlobStoreUnavailableError(f"the object store did not answer (list objects): {error}") from error

    def verify_object(self, sha256: str) -> str | None:
        """Read a stored blob back and hash it: its SHA-256 (None when it is missing)."""
        try:
            reply = self._call("read an object", self.client.get_object, Key=object_key(sha256))
        except ClientError as error:
            if is_missing(error):
                return None
            raise
        return _hash_body(reply["Body"])[0]

    # ---- resumable uploads ----

    def _row(self, sha256: str, user_id: str) -> BlobUpload | None:
        with self.db.read() as session:
            return session.get(BlobUpload, (sha256, user_id))

    def partial_size(self, sha256: str, user_id: str, upload: Any = None) -> int:
        row = upload if upload is not None else self._row(sha256, user_id)
        return int(row.received or 0) if row is not None else 0

    def discard_partial(self, sha256: str, user_id: str, upload: Any = None) -> None:
        """Abort the multipart upload and drop the tail; with `upload` (a row of the caller's session) its state is
        reset there, else in a transaction of its own."""
        row = upload if upload is not None else self._row(sha256, user_id)
        if row is None:
            return
        self._abort(row.store_key, row.store_upload_id)
        self._delete(row.store_tail)
        if upload is not None:
            upload.received, upload.store_upload_id, upload.store_key = 0, None, None
            upload.store_parts, upload.store_tail = None, None
            return
        with self.db.write_connection() as connection:
            connection.execute(
                update(BlobUpload)
                .where(BlobUpload.sha256 == sha256, BlobUpload.user_id == user_id)
                .values(received=0, store_upload_id=None, store_key=None, store_parts=None, store_tail=None)
            )

    def _abort(self, key: str | None, upload_id: str | None) -> None:
        if key and upload_id:
            with contextlib.suppress(ClientError, BlobStoreUnavailableError):
                self._call("abort an upload", self.client.abort_multipart_upload, Key=key, UploadId=upload_id)

    async def append_chunk(self, sha256: str, user_id: str, offset: int, room: int, body: AsyncIterator[bytes]) -> int:
        """The chunk is read whole (a broken one is dropped: the upload resumes at the last whole chunk), then sent as
        a part once the bytes waiting reach PART_MIN_BYTES, else kept in a new tail object; the row is moved on only
        if nobody else moved it meanwhile (compare and set on `received`), which replaces a lock."""
        data = bytearray()
        async for piece in body:
            if len(data) + len(piece) > room - offset:
                raise ChunkTooLargeError(room - offset)
            data += piece
        return await run_in_threadpool(self._append, sha256, user_id, offset, bytes(data))

    def _append(self, sha256: str, user_id: str, offset: int, data: bytes) -> int:
        row = self._row(sha256, user_id)
        received = int(row.received or 0) if row is not None else 0
        if row is None or offset != received:
            raise OffsetMismatchError(received)
        parts: list[list[Any]] = json.loads(row.store_parts or "[]")
        waiting = self._get_bytes(row.store_tail) if row.store_tail else b""
        upload_id, key, tail, created = row.store_upload_id, row.store_key, None, False
        if len(waiting) + len(data) >= PART_MIN_BYTES:
            if upload_id is None:
                key = f"partial/{sha256}/{user_id}/{secrets.token_hex(8)}"
                reply = self._call("start an upload", self.client.create_multipart_upload, Key=key)
                upload_id, created = reply["UploadId"], True
            number = len(parts) + 1
            reply = self._call(
                "store a part",
                self.client.upload_part,
                Key=key,
                UploadId=upload_id,
                PartNumber=number,
                Body=waiting + data,
            )
            parts.append([number, reply["ETag"], len(waiting) + len(data)])
        elif data:
            tail = f"partial/{sha256}.{user_id}.{secrets.token_hex(8)}.tail"
            self._put(tail, waiting + data)
        else:
            tail = row.store_tail
        new_offset = offset + len(data)
        with self.db.write_connection() as connection:
            moved = connection.execute(
                update(BlobUpload)
                .where(
                    BlobUpload.sha256 == sha256,
                    BlobUpload.user_id == user_id,
                    BlobUpload.size == row.size,
                    BlobUpload.received == row.received if row.received is not None else BlobUpload.received.is_(None),
                )
                .values(
                    received=new_offset,
                    store_upload_id=upload_id,
                    store_key=key,
                    store_parts=json.dumps(parts),
                    store_tail=tail,
                    updated_at=now_iso(),
                )
            ).rowcount
        if not moved:
            if tail != row.store_tail:
                self._delete(tail)
            if created:
                self._abort(key, upload_id)
            raise OffsetMismatchError(self.partial_size(sha256, user_id))
        if row.store_tail and tail != row.store_tail:
            self._delete(row.store_tail)
        return new_offset

    def complete_partial(self, sha256: str, user_id: str, place: bool = True) -> int:
        """Assemble the upload in a scratch object, read it back to check its hash, then copy it to its name (after a
        look that it is not there yet: the name is the hash, so a copy over it would write the same bytes)."""
        row = self._row(sha256, user_id)
        if row is None:
            raise HashMismatchError(sha256, "nothing received")
        final = object_key(sha256)
        if row.store_upload_id is None:
            data = self._get_bytes(row.store_tail) if row.store_tail else b""
            actual = hashlib.sha256(data).hexdigest()
            if actual != sha256:
                self.discard_partial(sha256, user_id)
                raise HashMismatchError(sha256, actual)
            if place:
                self._place_body(sha256, io.BytesIO(data))
                metrics.BLOB_BYTES.labels(self.kind).inc(len(data))
            self._delete(row.store_tail)
            return len(data)
        assembled = self._assemble(row)
        if assembled is None:  # finished by an earlier try whose reply was lost
            size = self._head(final)
            if size is not None:
                return size
            self.discard_partial(sha256, user_id)
            raise HashMismatchError(sha256, "the upload is gone")
        key = str(row.store_key)
        actual, size = _hash_body(self._call("read an object", self.client.get_object, Key=key)["Body"])
        if actual != sha256:
            self._delete(key)
            self.discard_partial(sha256, user_id)
            raise HashMismatchError(sha256, actual)
        if place and self._confirmed(sha256) is None:
            self._call(
                "copy an object", self.client.copy_object, Key=final, CopySource={"Bucket": self.bucket, "Key": key}
            )
            metrics.BLOB_BYTES.labels(self.kind).inc(size)
        self._delete(key)
        return size

    def _confirmed(self, sha256: str) -> Confirmed | None:
        """`confirm`, with other bytes at the address (now removed) counting as none."""
        try:
            return self.confirm(sha256)
        except HashMismatchError:
            return None

    def _assemble(self, row: BlobUpload) -> bool | None:
        """Complete the multipart upload (the tail as its last part); None when it is no longer there."""
        parts: list[list[Any]] = json.loads(row.store_parts or "[]")
        key, upload_id = str(row.store_key), str(row.store_upload_id)
        try:
            if row.store_tail:
                tail = self._get_bytes(row.store_tail)
                number = len(parts) + 1
                reply = self._call(
                    "store a part", self.client.upload_part, Key=key, UploadId=upload_id, PartNumber=number, Body=tail
                )
                parts.append([number, reply["ETag"], len(tail)])
            self._call(
                "finish an upload",
                self.client.complete_multipart_upload,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": number, "ETag": etag} for number, etag, _ in parts]},
            )
        except ClientError as error:
            if _code(error) != "NoSuchUpload":
                raise
            return True if self._head(key) is not None else None
        self._delete(row.store_tail)
        return True

    def remove_stale(self, max_age: float = PARTIAL_MAX_AGE_SECONDS) -> int:
        """Abort multipart uploads and delete tail objects untouched for max_age seconds; returns how many."""
        cutoff = time.time() - max_age
        removed = 0
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix="partial/"):
            for upload in page.get("Uploads", []):
                if upload["Initiated"].timestamp() < cutoff:
                    self._abort(upload["Key"], upload["UploadId"])
                    removed += 1
        for item in self.iter_objects("partial/"):
            if item["LastModified"].timestamp() < cutoff:
                self._delete(item["Key"])
                removed += 1
        return removed

    def held_uploads(self) -> set[tuple[str, str]]:
        """The resumable uploads the database still knows (sha256, user id)."""
        with self.db.read() as session:
            return {(sha, user) for sha, user in session.execute(select(BlobUpload.sha256, BlobUpload.user_id))}


def _closing_chunks(body: Any) -> Iterator[bytes]:
    try:
        yield from body.iter_chunks(READ_CHUNK)
    finally:
        body.close()


def _hash_body(body: Any) -> tuple[str, int]:
    hasher = hashlib.sha256()
    size = 0
    try:
        for chunk in body.iter_chunks(READ_CHUNK):
            hasher.update(chunk)
            size += len(chunk)
    finally:
        body.close()
    return hasher.hexdigest(), size
