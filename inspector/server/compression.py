"""ASGI middleware: gzip on the wire for JSON. Replies are compressed for a client that accepts gzip; a request body
sent with `Content-Encoding: gzip` is decompressed as it is read, so the body limits count decompressed bytes (a
small body that inflates past its limit is refused after at most one piece more). Photos go as they are."""

from __future__ import annotations

import zlib
from typing import Any

import anyio
from starlette.exceptions import HTTPException

from inspector.core.protocol import ErrorCode
from inspector.server.middleware import (
    BLOB_BATCH,
    BLOB_PATCH,
    BLOB_PUT,
    ASGIApp,
    Message,
    Receive,
    Scope,
    Send,
    send_json,
)

MIN_COMPRESSED = 1024  # smaller replies go as they are: gzip's header would eat what it saves
REPLY_LEVEL = 5  # a feed page of about 800 kB: a sixth of it, in about 10 ms
THREAD_FROM = 256 * 1024  # larger replies are compressed on a worker thread, not on the event loop
PIECE = 64 * 1024  # decompressed bytes handed on per read of a request body
COMPRESSED_TYPES = (b"application/json", b"application/problem+json")
ACCEPTED = b"gzip"


class BadGzip(HTTPException):
    """A gzip request body that cannot be decompressed (damaged, cut short, or followed by other bytes)."""

    def __init__(self) -> None:
        super().__init__(400, "请求内容的 gzip 压缩无法解开 (the gzip-compressed request body is damaged)")


class CompressionMiddleware:
    """gzip both ways for JSON, negotiated by `Accept-Encoding` and `Content-Encoding` (RFC 9110; every reply says
    `Accept-Encoding: gzip`, RFC 7694, so a client knows it may compress its requests)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        encoding = b""
        accepts = False
        for name, value in headers:
            lowered = name.lower()
            if lowered == b"content-encoding":
                encoding = value.strip().lower()
            elif lowered == b"accept-encoding":
                accepts = accepts_gzip(value)
        reply = _Compressing(send) if accepts else _Advertising(send)
        if encoding in (b"", b"identity"):
            await self.app(scope, receive, reply)
            return
        if encoding not in (b"gzip", b"x-gzip") or _bytes_endpoint(scope):
            message = (
                f"请求内容的编码 {encoding.decode('latin-1')[:40]!r} 不受支持，只接受 gzip "
                "(this request's Content-Encoding is not supported here; JSON bodies may be gzip)"
            )
            body = {
                "error": ErrorCode.UNSUPPORTED_MEDIA_TYPE,
                "message": message,
                "request_id": scope.get("state", {}).get("request_id"),
            }
            await send_json(send, 415, body, {"accept-encoding": "gzip"})
            return
        inner = dict(scope)
        inner["headers"] = [
            (name, value) for name, value in headers if name.lower() not in (b"content-encoding", b"content-length")
        ]
        await self.app(inner, _Inflating(receive), reply)


def accepts_gzip(value: bytes) -> bool:
    """Whether an `Accept-Encoding` value accepts gzip (`gzip` or `*`, not with `q=0`)."""
    for part in value.lower().split(b","):
        token, _, params = part.strip().partition(b";")
        if token.strip() in (b"gzip", b"x-gzip", b"*"):
            quality = params.strip()
            if quality.startswith(b"q="):
                try:
                    return float(quality[2:]) > 0
                except ValueError:
                    return False
            return True
    return False


def _bytes_endpoint(scope: Scope) -> bool:
    """Photo uploads carry bytes that are already compressed; their length is checked against their manifest."""
    method, path = scope.get("method", ""), scope.get("path", "")
    return (
        (method == "POST" and path == BLOB_BATCH)
        or (method == "PUT" and bool(BLOB_PUT.match(path)))
        or (method == "PATCH" and bool(BLOB_PATCH.match(path)))
    )


class _Inflating:
    """A receive() that hands on the decompressed body in pieces of at most PIECE bytes."""

    def __init__(self, receive: Receive) -> None:
        self.receive = receive
        self.inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        self.tail = b""
        self.ended = False
        self.finished = False

    async def __call__(self) -> Message:
        while True:
            if self.finished:
                return await self.receive()  # after the body: a disconnect, when it comes
            if self.tail:
                out = self._inflate(self.tail)
            elif self.ended:
                if not self.inflater.eof:
                    raise BadGzip()  # the stream ended before gzip's end
                self.finished = True
                return {"type": "http.request", "body": b"", "more_body": False}
            else:
                message = await self.receive()
                if message["type"] != "http.request":
                    return message
                self.ended = not message.get("more_body", False)
                out = self._inflate(message.get("body", b""))
            if out:
                return {"type": "http.request", "body": out, "more_body": True}

    def _inflate(self, data: bytes) -> bytes:
        try:
            out = self.inflater.decompress(data, PIECE)
        except zlib.error:
            raise BadGzip() from None
        self.tail = self.inflater.unconsumed_tail
        if self.inflater.unused_data:
            raise BadGzip()
        return out


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> bytes | None:
    for key, value in headers:
        if key.lower() == name:
            return value
    return None


class _Advertising:
    """A send() that adds `Accept-Encoding: gzip` to the reply (what request bodies may be)."""

    def __init__(self, send: Send) -> None:
        self.send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), (b"accept-encoding", ACCEPTED)]
        await self.send(message)


class _Compressing:
    """A send() that gzips a JSON reply of MIN_COMPRESSED bytes or more (whole, or streamed piece by piece)."""

    def __init__(self, send: Send) -> None:
        self.send = send
        self.start: Message | None = None
        self.deflater: Any = None
        self.passing = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [*message.get("headers", []), (b"accept-encoding", ACCEPTED)]
            message["headers"] = headers
            kind = (_header(headers, b"content-type") or b"").split(b";")[0].strip().lower()
            if kind in COMPRESSED_TYPES and _header(headers, b"content-encoding") is None:
                self.start = message  # held until the body says whether it is worth compressing
            else:
                self.passing = True
                await self.send(message)
            return
        if message["type"] != "http.response.body" or self.passing:
            await self.send(message)
            return
        body = message.get("body", b"")
        more = message.get("more_body", False)
        if self.start is not None:
            start, self.start = self.start, None
            if not more and len(body) < MIN_COMPRESSED:
                self.passing = True
                await self.send(start)
                await self.send(message)
                return
            headers = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"vary")]
            headers += [(b"content-encoding", b"gzip"), (b"vary", b"Accept-Encoding")]
            self.deflater = zlib.compressobj(REPLY_LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
            if not more:
                data = await _compress_whole(self.deflater, body)
                headers.append((b"content-length", str(len(data)).encode()))
                await self.send({**start, "headers": headers})
                await self.send({"type": "http.response.body", "body": data, "more_body": False})
                return
            await self.send({**start, "headers": headers})
        data = self.deflater.compress(body)
        if not more:
            data += self.deflater.flush()
        elif data:
            data += self.deflater.flush(zlib.Z_SYNC_FLUSH)
        await self.send({"type": "http.response.body", "body": data, "more_body": more})


async def _compress_whole(deflater: Any, body: bytes) -> bytes:
    def run() -> bytes:
        return bytes(deflater.compress(body) + deflater.flush())

    if len(body) >= THREAD_FROM:
        return await anyio.to_thread.run_sync(run)
    return run()
