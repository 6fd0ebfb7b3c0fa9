"""ASGI middleware that refuses, before anything reads them, request parts the server could not store or parse:
NUL characters in the path or the query string, NUL or over-long header values."""

from __future__ import annotations

import re

from inspector.core.protocol import ErrorCode
from inspector.server.middleware import ASGIApp, Receive, Scope, Send, send_json

MAX_HEADER_VALUE = 8192  # any header (a bearer token is far shorter)
# Headers the server reads as short texts: a version, a protocol number, an offset, a length.
SHORT_HEADERS = {
    b"x-inspector-client": 200,
    b"x-inspector-protocol": 20,
    b"upload-offset": 20,
    b"content-length": 20,
}
ENCODED_NUL = re.compile(rb"%00|\x00")


class RequestGuardMiddleware:
    """422 for a NUL in the path or query (`validation_failed`), 400 for a NUL or an over-long header value
    (`bad_header`); the request never reaches a route, the database or the version parser."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = scope.get("state", {}).get("request_id")
        for name, value in scope.get("headers", []):
            limit = SHORT_HEADERS.get(name.lower(), MAX_HEADER_VALUE)
            if b"\x00" in value or len(value) > limit:
                header = name.decode("latin-1")[:64]
                message = (
                    f"请求头 {header} 无效：含空字符或超过 {limit} 字节 "
                    f"(the {header} header holds a NUL character or is longer than {limit} bytes)"
                )
                body = {"error": ErrorCode.BAD_HEADER, "message": message, "request_id": request_id}
                await send_json(send, 400, body)
                return
        for where, bad in (
            ("path", "\x00" in scope.get("path", "")),
            ("query", bool(ENCODED_NUL.search(scope.get("query_string", b"")))),
        ):
            if bad:
                message = f"请求内容不符合要求 (invalid request): {where}: must not contain NUL characters"
                details = [{"loc": [where], "msg": "must not contain NUL characters"}]
                body = {
                    "error": ErrorCode.VALIDATION_FAILED,
                    "message": message,
                    "details": details,
                    "request_id": request_id,
                }
                await send_json(send, 422, body)
                return
        await self.app(scope, receive, send)
