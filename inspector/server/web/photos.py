"""The web pages' photos, kept in the same blob store as the app's: checked (size, a real image), stored by
SHA-256, and recorded as held by the web actor who sent them. The only module of the web face that touches the
blob store."""

from __future__ import annotations

import hashlib
import io
import itertools
import warnings

from PIL import Image, UnidentifiedImageError
from sqlalchemy import Connection
from starlette.responses import FileResponse, RedirectResponse, Response, StreamingResponse

from inspector.core.clock import now_iso
from inspector.server.api.deps import ServerContext
from inspector.server.blobs import valid_hash
from inspector.server.db import insert_ignore, run_core_transaction
from inspector.server.models import Blob, BlobHolder
from inspector.server.web.security import WebRefusalError

IMAGE_FORMATS = frozenset({"JPEG", "PNG", "WEBP"})
MAX_PIXELS = 60_000_000


def check_photo(data: bytes, limit: int) -> None:
    """Refuses an empty or oversized file, or one that is not a whole JPEG, PNG or WebP image."""
    if not data:
        raise WebRefusalError(400, "照片是空文件", "the photo is an empty file")
    if len(data) > limit:
        mib = limit / (1024 * 1024)
        raise WebRefusalError(
            413, f"照片太大，每张不能超过 {mib:.0f} MB", f"the photo is too large: at most {mib:.0f} MB each"
        )
    not_image = WebRefusalError(
        415, "上传的文件不是照片（只接受 JPEG、PNG、WebP）", "the file is not a photo (JPEG, PNG or WebP only)"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in IMAGE_FORMATS or image.width * image.height > MAX_PIXELS:
                    raise not_image
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # decode it all: a cut-off file fails here (verify reads only the structure)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombWarning) as error:
        raise not_image from error


def store_photos(context: ServerContext, files: list[bytes], holder_id: str) -> list[str]:
    """Check every photo first (nothing is stored when one is refused), then store them; returns their SHA-256s."""
    for data in files:
        check_photo(data, context.settings.web_upload_bytes)
    hashes = []
    for data in files:
        sha256 = hashlib.sha256(data).hexdigest()
        if not context.blobs.has(sha256):
            context.blobs.put_bytes(data)
        hashes.append(sha256)
    stamp = now_iso()
    sizes = {hashlib.sha256(data).hexdigest(): len(data) for data in files}

    def work(connection: Connection) -> None:
        rows = [
            {"sha256": sha, "size": size, "uploaded_by": holder_id, "created_at": stamp} for sha, size in sizes.items()
        ]
        insert_ignore(connection, Blob, rows)
        holders = [{"sha256": sha, "user_id": holder_id, "created_at": stamp} for sha in sizes]
        insert_ignore(connection, BlobHolder, holders)

    run_core_transaction(context.db, work, retry_integrity=True)
    return list(dict.fromkeys(hashes))


def photo_response(context: ServerContext, sha256: str) -> Response:
    """A stored photo as a reply, from whichever store holds it (a file, a stream, or the store's signed address);
    a 404 page when it is not there."""
    download = context.blobs.download(sha256) if valid_hash(sha256) else None
    if download is None:
        raise WebRefusalError(404, "没有这张照片", "no such photo")
    headers = {"cache-control": "private, max-age=3600"}
    if download.path is not None:
        with download.path.open("rb") as file:
            head = file.read(12)
        return FileResponse(download.path, media_type=media_type(head), headers=headers)
    if download.url is not None:
        return RedirectResponse(download.url, status_code=307, headers={"cache-control": "no-store"})
    assert download.chunks is not None
    chunks = iter(download.chunks)
    first = next(chunks, b"")
    if download.size is not None:
        headers["content-length"] = str(download.size)
    return StreamingResponse(itertools.chain([first], chunks), media_type=media_type(first), headers=headers)


def media_type(head: bytes) -> str:
    """The image type of a stored photo, from its first bytes."""
    if head.startswith(b"\xff\xd8"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return "application/octet-stream"
