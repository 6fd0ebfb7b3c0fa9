"""ASGI middleware: request ids, JSON logs and metrics, protocol/version negotiation, request body size limits, and
requests that lost the database or the photo store run again or answered 503 with Retry-After."""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from packaging.version import InvalidVersion, Version
from starlette.exceptions import HTTPException

from inspector import __version__
from inspector.core.errors import CATALOGUE, wire_text
from inspector.core.protocol import ErrorCode
from inspector.server import metrics
from inspector.server.blobs import BlobStoreUnavailableError
from inspector.server.db import is_connection_error, is_retryable
from inspector.server.settings import Settings

PROTOCOL_VERSION = 2
SUPPORTED_PROTOCOLS = (2,)  # 2: cases have a kind and a source, 督办 levels bind, extensions (1 is refused)
PROTOCOL_HEADER = "x-inspector-protocol"
CLIENT_HEADER = "x-inspector-client"
# Paths under /api/v1 that answer without the protocol header (so a client can find out what the server speaks).
UNNEGOTIATED = ("/api/v1/version", "/api/v1/openapi.json", "/api/v1/docs")
BLOB_PUT = re.compile(r"^/api/v1/blobs/[^/]+$")
BLOB_BATCH = "/api/v1/blobs/batch"
BLOB_PATCH = re.compile(r"^/api/v1/blobs/[^/]+/upload$")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

request_log = logging.getLogger("inspector.server.requests")


def parse_version(text: str) -> Version | None:
    """A version text (PEP 440, e.g. `0.10.0`) as a comparable Version; None when it cannot be read."""
    try:
        return Version(text.strip())
    except (InvalidVersion, ValueError):  # ValueError: a number too long to convert
        return None


def client_version(header: str) -> Version | None:
    """The version in an `inspector/0.1.0 (…)` header, or None when it cannot be read."""
    product = header.strip().split(" ", 1)[0]
    _, slash, version = product.partition("/")
    return parse_version(version) if slash else None


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}


async def send_json(send: Send, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
    """Send a whole JSON reply from middleware (before the application runs)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    raw += [(key.lower().encode(), value.encode()) for key, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": data})


def server_headers(request_id: str) -> dict[str, str]:
    """The headers every reply carries: its request id, the protocol and the server's version, and that no reply
    (tokens, accounts, evidence photos) is kept by a cache or read as another content type."""
    return {
        "x-request-id": request_id,
        PROTOCOL_HEADER: str(PROTOCOL_VERSION),
        "x-inspector-server": __version__,
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
    }


class RequestLogMiddleware:
    """Gives every request an id (X-Request-Id), adds the server headers, writes one JSON log line per request.

    The line holds method, path, status, duration, client address and user id; never headers, bodies, query
    strings or tokens.
    """

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.tls_proxy = settings.tls_proxy
        self.hsts = f"max-age={settings.hsts_max_age}"

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        added = server_headers(request_id)
        # over TLS: directly, per a trusted proxy's X-Forwarded-Proto (uvicorn sets the scheme), or by the setting
        if self.tls_proxy or scope.get("scheme") == "https":
            added["strict-transport-security"] = self.hsts
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status_holder = {"status": 500}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers += [
                    (key.encode(), value.encode()) for key, value in added.items() if key.encode() not in present
                ]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            state = scope.get("state", {})
            client = scope.get("client")
            seconds = time.perf_counter() - started
            method, status = scope.get("method", ""), status_holder["status"]
            record = {
                "event": "request",
                "request_id": request_id,
                "method": method,
                "path": scope.get("path"),
                "status": status,
                "ms": round(seconds * 1000, 1),
                "client": client[0] if client else None,
                "user": state.get("user_id"),
            }
            request_log.info("%s %s %s", method, scope.get("path"), status, extra=record)
            route = getattr(scope.get("route"), "path", None) or "unmatched"  # the template: no hashes or ids
            metrics.REQUESTS.labels(method, route, str(status)).inc()
            metrics.LATENCY.labels(method, route).observe(seconds)


REPLAYABLE_POSTS = ("/api/v1/push", "/api/v1/blobs/missing")  # idempotent: by change id, or a pure read


class UnavailableMiddleware:
    """A request that lost its database connection (a restart, a failover) or found the photo store away.

    Reads (GET, HEAD) and the idempotent POSTs (push, whose changes are unique by id, and the missing-blobs query) are
    run again on a new connection, their body replayed, as long as no byte of the reply was sent; otherwise, and when
    the tries are used up, the reply is 503 with Retry-After (`unavailable` or `storage_unavailable`), never 500. The
    client retries 503s. Nothing is half-stored: each transaction commits or not, and blobs are verified first."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.retries = settings.db_request_retries
        self.retry_after = str(settings.retry_after_seconds)
        self.body_limit = settings.max_request_bytes

    def _replayable(self, scope: Scope) -> bool:
        method = scope.get("method", "")
        return method in ("GET", "HEAD") or (method == "POST" and scope.get("path", "") in REPLAYABLE_POSTS)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        replay: list[Message] | None = None
        if self._replayable(scope) and self.retries:
            replay = await _read_whole(receive, self.body_limit)
        attempt = 0
        while True:
            started = False

            async def tracking_send(message: Message) -> None:
                nonlocal started
                if message["type"] == "http.response.start":
                    started = True
                await send(message)

            try:
                await self.app(scope, _replaying(replay, receive) if replay is not None else receive, tracking_send)
                return
            except Exception as error:
                # a lost connection, or a transaction that lost a race after its own tries (a serialization failure,
                # a recovery conflict on a node being demoted, "database is locked"): both pass, neither is a 500
                lost_db = is_connection_error(error) or is_retryable(error, retry_integrity=False)
                lost_store = isinstance(error, BlobStoreUnavailableError)
                if not (lost_db or lost_store) or started:
                    raise
                if lost_db and replay is not None and attempt < self.retries:
                    attempt += 1
                    metrics.RETRIES.labels("request").inc()
                    request_log.warning(
                        "database connection lost; running the request again (%d)",
                        attempt,
                        extra={"request_id": scope.get("state", {}).get("request_id")},
                    )
                    await asyncio.sleep(min(2.0, 0.2 * 2**attempt) * (0.5 + random.random()))
                    continue
                await self._unavailable(scope, send, "storage_unavailable" if lost_store else "unavailable", error)
                return

    async def _unavailable(self, scope: Scope, send: Send, code: str, error: Exception) -> None:
        request_id = scope.get("state", {}).get("request_id")
        what = "photo store" if code == "storage_unavailable" else "database"
        metrics.UNAVAILABLE.labels(what).inc()
        request_log.error(
            "the %s is unavailable; answered 503: %s",
            what,
            str(error).splitlines()[0],
            extra={"request_id": request_id},
        )
        body = {"error": code, "message": wire_text(*CATALOGUE[code].render()), "request_id": request_id}
        await send_json(send, 503, body, {"Retry-After": self.retry_after})


async def _read_whole(receive: Receive, limit: int) -> list[Message]:
    """The request's body messages, read up to the end (or a disconnect); a body over `limit` is left to the body
    limit middleware, which refuses it."""
    messages: list[Message] = []
    size = 0
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request":
            return messages
        size += len(message.get("body", b""))
        if not message.get("more_body", False) or size > limit:
            return messages


def _replaying(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives the recorded body again, then hands over to the server's (which tells of a disconnect)."""
    queue = list(messages)

    async def replayed() -> Message:
        if queue:
            return queue.pop(0)
        return await receive()

    return replayed


class ProtocolMiddleware:
    """Refuses /api/v1 requests without a protocol this server speaks, or from a too old client (426)."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.min_client = Version(settings.min_client_version)  # checked when the settings were made
        self.min_client_text = settings.min_client_version

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/api/v1/") or path.startswith(UNNEGOTIATED):
            await self.app(scope, receive, send)
            return
        refusal = self.refusal(_headers(scope))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        body = {**refusal, "request_id": scope.get("state", {}).get("request_id")}
        await send_json(send, 426, body)

    def refusal(self, headers: dict[str, str]) -> dict[str, Any] | None:
        protocol = headers.get(PROTOCOL_HEADER)
        if protocol is None:
            return {
                "error": ErrorCode.PROTOCOL_REQUIRED,
                "message": "缺少 X-Inspector-Protocol 请求头 (the X-Inspector-Protocol header is required)",
                "supported": list(SUPPORTED_PROTOCOLS),
            }
        if protocol.strip().isdigit() and int(protocol.strip()) < min(SUPPORTED_PROTOCOLS):
            old = int(protocol.strip())
            return {
                "error": ErrorCode.PROTOCOL_UNSUPPORTED,
                "message": f"此客户端使用的同步协议版本 {old} 已停用，请升级 Inspector 到新版本后再同步"
                f"（本机数据不受影响） (sync protocol {old} is no longer served: please upgrade the app, "
                "the data on this laptop is kept)",
                "supported": list(SUPPORTED_PROTOCOLS),
            }
        if not protocol.strip().isdigit() or int(protocol.strip()) not in SUPPORTED_PROTOCOLS:
            return {
                "error": ErrorCode.PROTOCOL_UNSUPPORTED,
                "message": f"服务器不支持协议版本 {protocol[:20]!r} (protocol version not supported)",
                "supported": list(SUPPORTED_PROTOCOLS),
            }
        client = client_version(headers.get(CLIENT_HEADER, ""))
        if client is not None and client < self.min_client:
            return {
                "error": ErrorCode.CLIENT_TOO_OLD,
                "message": f"客户端版本过旧，请升级到 {self.min_client_text} 或更新版本 "
                f"(the client is older than {self.min_client_text}; please upgrade)",
                "min_client_version": self.min_client_text,
            }
        return None


class BodyTooLarge(HTTPException):
    """Raised while reading a body past its limit (FastAPI passes HTTPExceptions from body reading through)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"请求内容超过 {limit} 字节 (the request body is larger than {limit} bytes)")
        self.limit = limit


class BodyLimitMiddleware:
    """Refuses bodies over the limit of their endpoint, by Content-Length up front and by counting while reading."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings

    def limit_for(self, method: str, path: str) -> int:
        if method == "POST" and path == BLOB_BATCH:
            return self.settings.max_batch_bytes
        if method == "PUT" and BLOB_PUT.match(path):
            return self.settings.max_blob_bytes
        if method == "PATCH" and BLOB_PATCH.match(path):
            return self.settings.max_chunk_bytes
        return self.settings.max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("method", ""), scope.get("path", ""))
        declared = _headers(scope).get("content-length")
        if declared is not None:
            if not declared.strip().isdigit():
                await send_json(send, 400, {"error": ErrorCode.BAD_HEADER, "message": "Content-Length 无效 (invalid)"})
                return
            if int(declared) > limit:
                message = f"请求内容超过 {limit} 字节 (the request body is larger than {limit} bytes)"
                await send_json(send, 413, {"error": ErrorCode.PAYLOAD_TOO_LARGE, "message": message, "limit": limit})
                return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)
