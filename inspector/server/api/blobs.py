"""Photo blobs: which are missing, whole, batched, direct (to the object store, then confirmed) and resumable uploads
(verified by SHA-256), scoped downloads."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, StreamingResponse
from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from inspector.core.clock import now_iso
from inspector.core.protocol import ErrorCode, Status
from inspector.server import metrics
from inspector.server.api.deps import Context, CurrentPrincipal, CurrentScope, ServerContext
from inspector.server.auth import Principal
from inspector.server.blobs import (
    BatchItem,
    BatchOverrunError,
    BlobTooLargeError,
    ChunkTooLargeError,
    HashMismatchError,
    IncomingBatch,
    IncomingBlob,
    ManifestError,
    OffsetMismatchError,
    UploadBusyError,
    parse_manifest,
    parse_range,
    valid_hash,
)
from inspector.server.db import insert_ignore, run_core_transaction, run_transaction
from inspector.server.errors import ApiError, not_found
from inspector.server.models import Blob, BlobHolder, BlobUpload
from inspector.server.schemas import CommitIn, MissingIn, TargetsIn, UploadStartIn
from inspector.server.scope import scope_of
from inspector.server.settings import Settings

router = APIRouter(prefix="/api/v1/blobs", tags=["blobs"])

MANIFEST_BYTES_PER_BLOB = 256  # room for one manifest entry, spaces included; the line may not be longer
MAX_FINISHING = 4  # completed blobs of one batch verified and written at once while the next ones arrive


def _check_hash(sha256: str) -> str:
    if not valid_hash(sha256):
        raise ApiError(
            422,
            ErrorCode.VALIDATION_FAILED,
            "路径中的 SHA-256 无效 (the path must end in a lower-case hex SHA-256)",
            {"details": [{"loc": ["path", "sha256"], "msg": "must be 64 lower-case hex characters"}]},
        )
    return sha256


def _mismatch(error: HashMismatchError) -> ApiError:
    return ApiError(
        422,
        ErrorCode.HASH_MISMATCH,
        f"上传内容的 SHA-256 与地址不符 (the bytes hash to {error.actual}, not {error.expected})",
        {"actual": error.actual},
    )


def _too_large(limit: int) -> ApiError:
    return ApiError(413, ErrorCode.PAYLOAD_TOO_LARGE, f"超过 {limit} 字节 (more than {limit} bytes)", {"limit": limit})


class _Standing:
    """What the server has of some blobs, as one caller sees it (the server has a blob when its file is in place and
    its row written).

    `held`: the stored size of each blob the caller holds or may read — for it the server has them. `stored`: the
    stored size of each other blob the server has; to the caller they are missing, as unknown ones are, and an
    upload of them is received and verified (proving the caller has the bytes) without rewriting the file.
    """

    def __init__(self, context: ServerContext, principal: Principal, hashes: list[str]) -> None:
        """Files are looked at first: blobs uploaded for the first time cost no database read."""
        self.held: dict[str, int] = {}
        self.stored: dict[str, int] = {}
        wanted = dict.fromkeys(hashes)
        # a store where a look is cheap (files) is asked first; for an object store the row alone tells (it is
        # written only after the object is in place)
        on_disk = (
            [sha256 for sha256 in wanted if context.blobs.has(sha256)]
            if context.blobs.checks_presence
            else list(wanted)
        )
        if not on_disk:
            return
        with context.db.read() as session:
            rows = session.execute(select(Blob.sha256, Blob.size).where(Blob.sha256.in_(on_disk))).all()
            sizes = {sha256: size for sha256, size in rows}
            visible = scope_of(principal).visible_blobs(session, list(sizes))
        for sha256, size in sizes.items():
            (self.held if sha256 in visible else self.stored)[sha256] = size


def _record_blobs(context: ServerContext, stored: list[tuple[str, int]], user_id: str) -> None:
    """Write the rows of blobs whose files are in place or whose bytes the caller sent again (one transaction): the
    blob if new, the caller as one of its holders; and end the caller's resumable uploads of them."""
    if not stored:
        return
    hashes = [sha256 for sha256, _ in stored]

    def work(connection: Connection) -> None:
        stamp = now_iso()
        rows = [{"sha256": sha, "size": size, "uploaded_by": user_id, "created_at": stamp} for sha, size in stored]
        insert_ignore(connection, Blob, rows)
        holders = [{"sha256": sha, "user_id": user_id, "created_at": stamp} for sha in dict.fromkeys(hashes)]
        insert_ignore(connection, BlobHolder, holders)
        connection.execute(delete(BlobUpload).where(BlobUpload.sha256.in_(hashes), BlobUpload.user_id == user_id))

    run_core_transaction(context.db, work, retry_integrity=True)


def _record_blob(context: ServerContext, sha256: str, size: int, user_id: str) -> None:
    _record_blobs(context, [(sha256, size)], user_id)


def _keep_whole_upload(context: ServerContext, incoming: IncomingBlob, user_id: str) -> int:
    """Verify, make durable and place a received blob, then record it (one worker-thread hop); returns its size."""
    size = incoming.finish()
    _record_blob(context, incoming.sha256, size, user_id)
    return size


@router.post("/missing", summary="Which of these hashes the server does not have")
def post_missing(body: MissingIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    limit = context.settings.max_missing_query
    if len(body.hashes) > limit:
        raise ApiError(
            413, ErrorCode.PAYLOAD_TOO_LARGE, f"一次最多查询 {limit} 个 (at most {limit} hashes)", {"limit": limit}
        )
    wanted = list(dict.fromkeys(body.hashes))
    with context.db.read() as session:
        present = scope_of(principal).visible_blobs(session, wanted)
    return {"missing": [sha for sha in wanted if sha not in present]}


# ---- direct uploads (an object store with a public address) ----

MAX_CONFIRMING = 8  # blobs of one commit looked up in the object store at once


def _check_count(count: int, context: ServerContext) -> None:
    limit = context.settings.max_missing_query
    if count > limit:
        raise ApiError(
            413, ErrorCode.PAYLOAD_TOO_LARGE, f"一次最多 {limit} 个 (at most {limit} blobs at once)", {"limit": limit}
        )


def _targets(context: ServerContext, principal: Principal, body: TargetsIn) -> list[dict[str, Any]]:
    _check_count(len(body.blobs), context)
    for blob in body.blobs:
        if blob.size > context.settings.max_blob_bytes:
            raise _too_large(context.settings.max_blob_bytes)
    wanted = list(dict.fromkeys(blob.sha256 for blob in body.blobs))
    standing = _Standing(context, principal, wanted)
    signer = getattr(context.blobs, "upload_target", None)
    answers: list[dict[str, Any]] = []
    for sha256 in wanted:
        if sha256 in standing.held:
            answers.append({"sha256": sha256, "status": "present", "size": standing.held[sha256]})
            continue
        # a blob the server has but the caller does not hold goes through the server, which checks that the caller
        # has its bytes (a direct upload could not prove that)
        target = signer(sha256, principal.user_id) if signer is not None and sha256 not in standing.stored else None
        if target is None:
            answers.append({"sha256": sha256, "status": "via_app"})
            continue
        answers.append(
            {
                "sha256": sha256,
                "status": "direct",
                "method": "PUT",
                "url": target.url,
                "headers": target.headers,
                "expires_in": target.expires_in,
            }
        )
    return answers


@router.post("/targets", summary="Where to upload these blobs: straight to the object store, or through the server")
def post_targets(body: TargetsIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    return {"targets": _targets(context, principal, body)}


def _confirm_one(context: ServerContext, sha256: str, user_id: str) -> dict[str, Any]:
    confirm = getattr(context.blobs, "confirm", None)
    if confirm is None:
        return {"sha256": sha256, "status": "via_app"}
    try:
        found = confirm(sha256, user_id)
    except HashMismatchError as error:
        message = _mismatch(error).message
        return {"sha256": sha256, "status": "upload_again", "code": ErrorCode.HASH_MISMATCH, "message": message}
    if found is None:
        message = "对象存储中没有该文件 (the object store has no such upload)"
        return {"sha256": sha256, "status": "upload_again", "code": ErrorCode.NOT_FOUND, "message": message}
    if not found.by_caller:  # written by someone else's upload: the caller proves it has the bytes through the server
        return {"sha256": sha256, "status": "via_app"}
    return {"sha256": sha256, "status": "stored", "size": found.size}


async def _commit(context: ServerContext, principal: Principal, hashes: list[str]) -> list[dict[str, Any]]:
    standing = await run_in_threadpool(_Standing, context, principal, hashes)
    gate = asyncio.Semaphore(MAX_CONFIRMING)

    async def one(sha256: str) -> dict[str, Any]:
        if sha256 in standing.held:
            return {"sha256": sha256, "status": "present", "size": standing.held[sha256]}
        if sha256 in standing.stored:
            return {"sha256": sha256, "status": "via_app"}
        async with gate:
            return await run_in_threadpool(_confirm_one, context, sha256, principal.user_id)

    results = await asyncio.gather(*(one(sha256) for sha256 in hashes))
    stored = [(result["sha256"], int(result["size"])) for result in results if result["status"] == "stored"]
    await run_in_threadpool(_record_blobs, context, stored, principal.user_id)
    for _, size in stored:
        metrics.BLOB_BYTES.labels(context.blobs.kind).inc(size)
    return list(results)


@router.post("/commit", summary="Confirm blobs uploaded straight to the object store; only confirmed ones count")
async def post_commit(body: CommitIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    _check_count(len(body.hashes), context)
    return {"results": await _commit(context, principal, list(dict.fromkeys(body.hashes)))}


# ---- batch uploads ----


def _disconnected() -> JSONResponse:
    return JSONResponse({"error": "client_disconnected", "message": "the client went away"}, status_code=400)


def _declared_length(request: Request) -> int:
    declared = request.headers.get("content-length")
    if declared is None:
        raise ApiError(411, ErrorCode.LENGTH_REQUIRED, "需要 Content-Length 请求头 (Content-Length is required)")
    return int(declared)  # the body limit middleware has refused anything but digits


def _invalid_batch(where: list[str], problem: str) -> ApiError:
    return ApiError(
        422,
        ErrorCode.VALIDATION_FAILED,
        f"批量上传的清单不符合要求 (invalid batch): {problem}",
        {"details": [{"loc": where, "msg": problem}]},
    )


async def _manifest_line(chunks: AsyncIterator[bytes], limit: int) -> tuple[bytes, bytes]:
    """The first line of the body (without its newline) and the bytes that followed it in the same chunk."""
    line = bytearray()
    async for chunk in chunks:
        end = chunk.find(b"\n")
        line += chunk if end < 0 else chunk[:end]
        if len(line) > limit:
            raise _too_large(limit)
        if end >= 0:
            return bytes(line), chunk[end + 1 :]
    raise _invalid_batch(["body"], "the body must start with a manifest line ending in a newline")


def _batch_items(line: bytes, settings: Settings, declared: int) -> list[BatchItem]:
    """The checked manifest: refusals here come before any byte is stored."""
    try:
        items = parse_manifest(line, settings.max_batch_blobs, settings.max_blob_bytes)
    except ManifestError as error:
        if error.kind == "malformed":
            raise ApiError(
                400, ErrorCode.MALFORMED_JSON, "批量上传的清单不是有效的 JSON (malformed manifest)"
            ) from None
        if error.limit is not None:
            raise _too_large(error.limit) from None
        raise _invalid_batch(["body", "manifest"], str(error)) from None
    if len(line) + 1 + sum(item.size for item in items) != declared:
        raise _invalid_batch(["header", "content-length"], "must be the manifest line plus the sizes of its blobs")
    return items


def _finish_blob(incoming: IncomingBlob) -> int | HashMismatchError:
    """Verify, make durable and place one blob of a batch (on a worker thread): its size, or why it was refused."""
    try:
        return incoming.finish()
    except HashMismatchError as error:
        return error
    except BaseException:
        incoming.abort()
        raise


class _Finishing:
    """The completed blobs of one batch being finished on worker threads, a few at a time, while the next ones
    arrive."""

    def __init__(self) -> None:
        self.started: list[tuple[int, asyncio.Future[int | HashMismatchError]]] = []
        self.running: deque[asyncio.Future[int | HashMismatchError]] = deque()

    async def start(self, completed: list[tuple[int, IncomingBlob]]) -> None:
        for index, incoming in completed:
            future = asyncio.ensure_future(run_in_threadpool(_finish_blob, incoming))
            self.started.append((index, future))
            self.running.append(future)
            while len(self.running) > MAX_FINISHING:
                await asyncio.wait([self.running.popleft()])

    async def outcomes(self) -> dict[int, int | BaseException]:
        """Wait for every blob started: its size, or the error that ended it (a HashMismatchError among them)."""
        done = await asyncio.gather(*(future for _, future in self.started), return_exceptions=True)
        return {index: outcome for (index, _), outcome in zip(self.started, done, strict=True)}


async def _body_after(first: bytes, chunks: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for chunk in chunks:
        yield chunk


async def _receive_batch(batch: IncomingBatch, body: AsyncIterator[bytes], finishing: _Finishing) -> None:
    """Split the body at blob boundaries: finish each blob whose last byte arrived on a worker thread while reading
    on, and hash and write each megabyte a blob holds on one."""
    await finishing.start(batch.take_completed())
    async for chunk in body:
        due = batch.accept(chunk)
        await finishing.start(batch.take_completed())
        if due is not None:
            await run_in_threadpool(due.write_held)


def _batch_result(item: BatchItem, present: int | None, outcome: int | BaseException | None) -> dict[str, Any]:
    if present is not None:
        return {"sha256": item.sha256, "status": "present", "size": present}
    if isinstance(outcome, HashMismatchError):
        return {
            "sha256": item.sha256,
            "status": Status.REJECTED,
            "size": item.size,
            "code": ErrorCode.HASH_MISMATCH,
            "message": _mismatch(outcome).message,
            "actual": outcome.actual,
        }
    return {"sha256": item.sha256, "status": "stored", "size": outcome}


def _failure(outcomes: dict[int, int | BaseException]) -> BaseException | None:
    """An error other than a hash mismatch that ended the finishing of a blob (a server fault), if any."""
    faults = (item for item in outcomes.values() if isinstance(item, BaseException))
    return next((item for item in faults if not isinstance(item, HashMismatchError)), None)


@router.post(
    "/batch",
    summary="Upload several whole blobs in one body: a JSON manifest line, then their bytes; each verified alone",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            "description": '{"blobs": [{"sha256": …, "size": N}, …]} and a newline, then the bytes in that order',
        }
    },
)
async def post_batch(request: Request, principal: CurrentPrincipal, context: Context) -> JSONResponse:
    declared = _declared_length(request)
    chunks = request.stream()
    try:
        line, first = await _manifest_line(chunks, 1024 + MANIFEST_BYTES_PER_BLOB * context.settings.max_batch_blobs)
    except ClientDisconnect:
        return _disconnected()
    items = _batch_items(line, context.settings, declared)
    standing = await run_in_threadpool(_Standing, context, principal, [item.sha256 for item in items])
    present = standing.held
    batch = context.blobs.receive_batch(
        items,
        {index for index, item in enumerate(items) if item.sha256 in present},
        {index for index, item in enumerate(items) if item.sha256 in standing.stored},
    )
    finishing = _Finishing()
    broken = False
    try:
        await _receive_batch(batch, _body_after(first, chunks), finishing)
    except ClientDisconnect:
        broken = True
    except BatchOverrunError:
        raise _invalid_batch(["header", "content-length"], "more bytes than the manifest declares") from None
    finally:
        batch.abort()
        outcomes = await finishing.outcomes()
        stored = [(items[index].sha256, size) for index, size in outcomes.items() if isinstance(size, int)]
        await run_in_threadpool(_record_blobs, context, stored, principal.user_id)
    failure = _failure(outcomes)
    if failure is not None:
        raise failure
    if broken:
        return _disconnected()
    if not batch.done:
        raise ApiError(
            400, ErrorCode.INCOMPLETE_BODY, "请求内容不完整 (the body ended before the bytes its manifest names)"
        )
    results = [_batch_result(item, present.get(item.sha256), outcomes.get(index)) for index, item in enumerate(items)]
    return JSONResponse({"results": results})


@router.put("/{sha256}", summary="Upload a whole blob; stored only when its bytes hash to the path")
async def put_blob(sha256: str, request: Request, principal: CurrentPrincipal, context: Context) -> JSONResponse:
    _check_hash(sha256)
    if request.headers.get("content-length") is None:
        raise ApiError(411, ErrorCode.LENGTH_REQUIRED, "需要 Content-Length 请求头 (Content-Length is required)")
    standing = await run_in_threadpool(_Standing, context, principal, [sha256])
    if sha256 in standing.held:
        return JSONResponse({"sha256": sha256, "size": standing.held[sha256], "created": False}, status_code=200)
    verify_only = sha256 in standing.stored  # answered below as a new blob is: no oracle
    incoming = context.blobs.receive(sha256, context.settings.max_blob_bytes, verify_only)
    try:
        async for chunk in request.stream():
            if incoming.accept(chunk):
                await run_in_threadpool(incoming.write_held)
        size = await run_in_threadpool(_keep_whole_upload, context, incoming, principal.user_id)
    except BlobTooLargeError as error:
        incoming.abort()
        raise _too_large(error.limit) from None
    except HashMismatchError as error:
        raise _mismatch(error) from None
    except BaseException:
        incoming.abort()
        raise
    return JSONResponse({"sha256": sha256, "size": size, "created": True}, status_code=201)


@router.get("/{sha256}", summary="Download a blob referenced by a record in the caller's scope")
def get_blob(sha256: str, request: Request, scope: CurrentScope, context: Context) -> Response:
    _check_hash(sha256)
    with context.db.read() as session:
        visible = scope.blob_visible(session, sha256)
    wanted = parse_range(request.headers.get("range"))
    if wanted is not None and request.headers.get("if-range", f'"{sha256}"') != f'"{sha256}"':
        wanted = None  # a range of some other version: the whole blob (there is only one version of a hash)
    download = context.blobs.download(sha256, wanted) if visible else None
    if download is None:
        raise not_found("blob")
    headers = {"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable", "Accept-Ranges": "bytes"}
    if download.path is not None:  # Starlette's FileResponse answers the Range itself
        return FileResponse(download.path, media_type="application/octet-stream", headers=headers)
    if download.url is not None:  # the object store's signed address (the setting s3_presign_downloads)
        return RedirectResponse(download.url, status_code=307, headers={"Cache-Control": "no-store"})
    if download.unsatisfiable is not None:
        headers["Content-Range"] = f"bytes */{download.unsatisfiable}"
        return Response(status_code=416, headers=headers)
    assert download.chunks is not None
    headers["Content-Length"] = str(download.size)
    if download.content_range:
        headers["Content-Range"] = download.content_range
        return StreamingResponse(download.chunks, 206, media_type="application/octet-stream", headers=headers)
    return StreamingResponse(download.chunks, media_type="application/octet-stream", headers=headers)


# ---- resumable uploads ----


def _upload_state(context: ServerContext, sha256: str, user_id: str, size: int) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        row = session.get(BlobUpload, (sha256, user_id), with_for_update=True)
        stamp = now_iso()
        if row is None:
            row = BlobUpload(sha256=sha256, user_id=user_id, size=size, started_at=stamp, updated_at=stamp)
            session.add(row)
            context.blobs.discard_partial(sha256, user_id, row)
        elif row.size != size:
            row.size, row.started_at, row.updated_at = size, stamp, stamp
            context.blobs.discard_partial(sha256, user_id, row)
        offset = context.blobs.partial_size(sha256, user_id, row)
        return {"offset": offset, "size": size, "complete": False}

    return run_transaction(context.db, work, retry_integrity=True)


@router.post("/{sha256}/upload", summary="Start or resume a resumable upload; returns the offset to continue from")
def post_upload(sha256: str, body: UploadStartIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    _check_hash(sha256)
    if body.size > context.settings.max_blob_bytes:
        raise _too_large(context.settings.max_blob_bytes)
    if sha256 in _Standing(context, principal, [sha256]).held:
        return {"offset": body.size, "size": body.size, "complete": True}
    return _upload_state(context, sha256, principal.user_id, body.size)


def _find_upload(context: ServerContext, sha256: str, user_id: str) -> BlobUpload | None:
    with context.db.read() as session:
        return session.get(BlobUpload, (sha256, user_id))


@router.head("/{sha256}/upload", summary="Where a resumable upload stands (Upload-Offset, Upload-Length)")
def head_upload(sha256: str, principal: CurrentPrincipal, context: Context) -> Response:
    _check_hash(sha256)
    upload = _find_upload(context, sha256, principal.user_id)
    if upload is None:
        raise not_found("upload")
    offset = context.blobs.partial_size(sha256, principal.user_id, upload)
    return Response(status_code=200, headers={"Upload-Offset": str(offset), "Upload-Length": str(upload.size)})


def _offset_header(request: Request) -> int:
    raw = request.headers.get("upload-offset", "")
    if not raw.strip().isdigit():
        raise ApiError(400, ErrorCode.BAD_HEADER, "Upload-Offset 请求头必须是非负整数 (Upload-Offset must be a number)")
    return int(raw)


@router.patch("/{sha256}/upload", summary="Append the next chunk at Upload-Offset; the last chunk completes the blob")
async def patch_upload(sha256: str, request: Request, principal: CurrentPrincipal, context: Context) -> JSONResponse:
    _check_hash(sha256)
    offset = _offset_header(request)
    upload = await run_in_threadpool(_find_upload, context, sha256, principal.user_id)
    if upload is None:
        raise ApiError(409, ErrorCode.UPLOAD_NOT_STARTED, "请先开始上传 (start the upload with POST …/upload first)")
    store = context.blobs
    try:
        new_offset = await store.append_chunk(sha256, principal.user_id, offset, upload.size, request.stream())
    except UploadBusyError:
        raise ApiError(
            409, ErrorCode.UPLOAD_BUSY, "该文件正在上传中 (another request is writing this upload)"
        ) from None
    except OffsetMismatchError as error:
        current = error.current
        raise ApiError(
            409,
            ErrorCode.OFFSET_MISMATCH,
            f"服务器已收到 {current} 字节 (the server has {current} bytes)",
            {"offset": current},
            {"Upload-Offset": str(current)},
        ) from None
    except ChunkTooLargeError as error:
        raise _too_large(error.room) from None
    except ClientDisconnect:
        return _disconnected()
    if new_offset < upload.size:
        return JSONResponse({"offset": new_offset, "size": upload.size, "complete": False})
    stored = sha256 in (await run_in_threadpool(_Standing, context, principal, [sha256])).stored
    try:
        size = await run_in_threadpool(store.complete_partial, sha256, principal.user_id, not stored)
    except HashMismatchError as error:
        raise _mismatch(error) from None
    await run_in_threadpool(_record_blob, context, sha256, size, principal.user_id)
    return JSONResponse({"offset": size, "size": size, "complete": True}, status_code=201)
