"""Photo blobs: which are missing, whole and resumable uploads (verified by SHA-256), scoped downloads."""

from __future__ import annotations

import fcntl
import os
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy import Connection, delete, select
from sqlalchemy.orm import Session
from starlette.requests import ClientDisconnect

from inspector.core.clock import now_iso
from inspector.server.api.deps import Context, CurrentPrincipal, CurrentScope, ServerContext
from inspector.server.blobs import BlobStore, BlobTooLargeError, HashMismatchError, IncomingBlob
from inspector.server.db import insert_ignore, run_core_transaction, run_transaction
from inspector.server.errors import ApiError, not_found
from inspector.server.models import Blob, BlobUpload
from inspector.server.schemas import MissingIn, UploadStartIn

router = APIRouter(prefix="/api/v1/blobs", tags=["blobs"])


def _check_hash(sha256: str) -> str:
    if not BlobStore.valid_hash(sha256):
        raise ApiError(
            422,
            "validation_failed",
            "路径中的 SHA-256 无效 (the path must end in a lower-case hex SHA-256)",
            {"details": [{"loc": ["path", "sha256"], "msg": "must be 64 lower-case hex characters"}]},
        )
    return sha256


def _mismatch(error: HashMismatchError) -> ApiError:
    return ApiError(
        422,
        "hash_mismatch",
        f"上传内容的 SHA-256 与地址不符 (the bytes hash to {error.actual}, not {error.expected})",
        {"actual": error.actual},
    )


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"超过 {limit} 字节 (more than {limit} bytes)", {"limit": limit})


def _stored_size(context: ServerContext, sha256: str) -> int | None:
    """The size of a blob the server has (its file in place and its row written), else None.

    The file is looked at first: a blob being uploaded for the first time costs no database round trip.
    """
    if not context.blobs.has_file(sha256):
        return None
    with context.db.read_connection() as connection:
        return connection.execute(select(Blob.size).where(Blob.sha256 == sha256)).scalar()


def _record_blob(context: ServerContext, sha256: str, size: int, user_id: str) -> None:
    def work(connection: Connection) -> None:
        insert_ignore(
            connection, Blob, [{"sha256": sha256, "size": size, "uploaded_by": user_id, "created_at": now_iso()}]
        )
        connection.execute(delete(BlobUpload).where(BlobUpload.sha256 == sha256, BlobUpload.user_id == user_id))

    run_core_transaction(context.db, work, retry_integrity=True)


def _keep_whole_upload(context: ServerContext, incoming: IncomingBlob, user_id: str) -> int:
    """Verify, make durable and place a received blob, then record it (one worker-thread hop); returns its size."""
    size = incoming.finish()
    _record_blob(context, incoming.sha256, size, user_id)
    return size


@router.post("/missing", summary="Which of these hashes the server does not have")
def post_missing(body: MissingIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    limit = context.settings.max_missing_query
    if len(body.hashes) > limit:
        raise ApiError(413, "payload_too_large", f"一次最多查询 {limit} 个 (at most {limit} hashes)", {"limit": limit})
    wanted = list(dict.fromkeys(body.hashes))
    with context.db.read_connection() as connection:
        present = set(connection.execute(select(Blob.sha256).where(Blob.sha256.in_(wanted))).scalars())
    return {"missing": [sha for sha in wanted if sha not in present]}


@router.put("/{sha256}", summary="Upload a whole blob; stored only when its bytes hash to the path")
async def put_blob(sha256: str, request: Request, principal: CurrentPrincipal, context: Context) -> JSONResponse:
    _check_hash(sha256)
    if request.headers.get("content-length") is None:
        raise ApiError(411, "length_required", "需要 Content-Length 请求头 (Content-Length is required)")
    known = await run_in_threadpool(_stored_size, context, sha256) if context.blobs.has_file(sha256) else None
    if known is not None:
        return JSONResponse({"sha256": sha256, "size": known, "created": False}, status_code=200)
    incoming = context.blobs.receive(sha256, context.settings.max_blob_bytes)
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
def get_blob(sha256: str, scope: CurrentScope, context: Context) -> FileResponse:
    _check_hash(sha256)
    with context.db.read() as session:
        visible = scope.blob_visible(session, sha256)
    path = context.blobs.path(sha256)
    if not visible or not path.is_file():
        raise not_found("blob")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={"ETag": f'"{sha256}"', "Cache-Control": "private, max-age=31536000, immutable"},
    )


# ---- resumable uploads ----


def _upload_state(context: ServerContext, sha256: str, user_id: str, size: int) -> dict[str, Any]:
    def work(session: Session) -> dict[str, Any]:
        row = session.get(BlobUpload, (sha256, user_id), with_for_update=True)
        stamp = now_iso()
        if row is None:
            session.add(BlobUpload(sha256=sha256, user_id=user_id, size=size, started_at=stamp, updated_at=stamp))
            context.blobs.discard_partial(sha256, user_id)
        elif row.size != size:
            row.size, row.started_at, row.updated_at = size, stamp, stamp
            context.blobs.discard_partial(sha256, user_id)
        offset = context.blobs.partial_size(sha256, user_id)
        return {"offset": offset, "size": size, "complete": False}

    return run_transaction(context.db, work, retry_integrity=True)


@router.post("/{sha256}/upload", summary="Start or resume a resumable upload; returns the offset to continue from")
def post_upload(sha256: str, body: UploadStartIn, principal: CurrentPrincipal, context: Context) -> dict[str, Any]:
    _check_hash(sha256)
    if body.size > context.settings.max_blob_bytes:
        raise _too_large(context.settings.max_blob_bytes)
    if _stored_size(context, sha256) is not None:
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
    offset = context.blobs.partial_size(sha256, principal.user_id)
    return Response(status_code=200, headers={"Upload-Offset": str(offset), "Upload-Length": str(upload.size)})


def _offset_header(request: Request) -> int:
    raw = request.headers.get("upload-offset", "")
    if not raw.strip().isdigit():
        raise ApiError(400, "bad_header", "Upload-Offset 请求头必须是非负整数 (Upload-Offset must be a number)")
    return int(raw)


@router.patch("/{sha256}/upload", summary="Append the next chunk at Upload-Offset; the last chunk completes the blob")
async def patch_upload(sha256: str, request: Request, principal: CurrentPrincipal, context: Context) -> JSONResponse:
    _check_hash(sha256)
    offset = _offset_header(request)
    upload = await run_in_threadpool(_find_upload, context, sha256, principal.user_id)
    if upload is None:
        raise ApiError(409, "upload_not_started", "请先开始上传 (start the upload with POST …/upload first)")
    store = context.blobs
    path = store.partial_path(sha256, principal.user_id)
    with open(path, "ab") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ApiError(409, "upload_busy", "该文件正在上传中 (another request is writing this upload)") from None
        current = os.fstat(handle.fileno()).st_size
        if offset != current:
            raise ApiError(
                409,
                "offset_mismatch",
                f"服务器已收到 {current} 字节 (the server has {current} bytes)",
                {"offset": current},
                {"Upload-Offset": str(current)},
            )
        try:
            written = await _append(request, handle, current, upload.size - current)
        except ClientDisconnect:
            return JSONResponse({"error": "client_disconnected", "message": "the client went away"}, status_code=400)
        handle.flush()
        await run_in_threadpool(os.fsync, handle.fileno())
    new_offset = current + written
    if new_offset < upload.size:
        return JSONResponse({"offset": new_offset, "size": upload.size, "complete": False})
    try:
        size = await run_in_threadpool(store.complete_partial, sha256, principal.user_id)
    except HashMismatchError as error:
        raise _mismatch(error) from None
    await run_in_threadpool(_record_blob, context, sha256, size, principal.user_id)
    return JSONResponse({"offset": size, "size": size, "complete": True}, status_code=201)


async def _append(request: Request, handle: Any, start: int, room: int) -> int:
    """Append the request body to the partial file; refuse (and undo) more bytes than the declared size.

    When the client goes away mid-chunk the bytes that did arrive are kept: the upload resumes after them.
    """
    written = 0
    try:
        async for chunk in request.stream():
            if written + len(chunk) > room:
                raise _too_large(room)
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
