"""API errors: one exception type with a stable code from the one catalogue (`inspector.core.errors`), and the
handlers that turn every failure into JSON."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from inspector.core.errors import CATALOGUE, wire_text
from inspector.core.text import shown
from inspector.server.middleware import server_headers
from inspector.storage_full import is_storage_full, is_unwritable

log = logging.getLogger("inspector.server")

STORAGE_FULL_RETRY_SECONDS = 600  # a full disk needs its administrator: the client tries again in a later cycle


class ApiError(Exception):
    """An error reply: HTTP status, stable code, human message, optional extra fields and headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        extra: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.extra = extra or {}
        self.headers = headers or {}


def problem(status: int, code: str, headers: dict[str, str] | None = None, **details: Any) -> ApiError:
    """An error reply whose message is the catalogue's text of its code, "中文 (English)" as on the wire."""
    return ApiError(status, code, wire_text(*CATALOGUE[code].render(**details)), headers=headers)


def not_found(what: str = "record") -> ApiError:
    """The reply for a missing record and for one outside the caller's jurisdictions alike."""
    return ApiError(404, "not_found", f"没有找到 (no such {what})")


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """The JSON body of an error, with the request id."""
    body = {"error": error.code, "message": error.message, **error.extra}
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    return JSONResponse(body, status_code=error.status, headers=error.headers)


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    411: "length_required",
    413: "payload_too_large",
    415: "unsupported_media_type",
}


def _validation_details(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Where and what, without echoing input values (they may hold passwords)."""
    return [
        {"loc": [shown(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))} for error in errors
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Make every error a JSON {"error", "message"} reply; never a traceback."""

    @app.exception_handler(ApiError)
    async def _api_error(request: Request, error: ApiError) -> JSONResponse:
        return error_response(request, error)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = list(error.errors())
        if any(item.get("type") == "json_invalid" for item in errors):
            return error_response(request, problem(400, "malformed_json"))
        details = _validation_details(errors)
        first = details[0] if details else {"loc": [], "msg": ""}
        message = f"请求内容不符合要求 (invalid request): {'.'.join(first['loc'])}: {first['msg']}"
        return error_response(request, ApiError(422, "validation_failed", message, {"details": details}))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, "http_error")
        message = str(error.detail) if error.detail else code
        if error.status_code == 404:
            message = "没有这个地址 (no such path)"
        limit = getattr(error, "limit", None)
        extra = {"limit": limit} if isinstance(limit, int) else {}
        headers = dict(error.headers or {})
        return error_response(request, ApiError(error.status_code, code, message, extra, headers))

    async def _storage_full_or_fault(request: Request, error: Exception) -> JSONResponse:
        """A full disk is answered here, where the connection stays open; any other error goes on to _unexpected."""
        if is_unwritable(error) and isinstance(error, OSError):
            return _unwritable_reply(request, error)
        if not is_storage_full(error):
            raise error
        return _storage_full_reply(request, error)

    for kind in (OSError, DBAPIError):
        app.add_exception_handler(kind, _storage_full_or_fault)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        """Starlette answers with this handler outside every middleware, so the reply gets the server's headers
        here."""
        if is_storage_full(error):  # one raised from a full disk's error
            return _with_server_headers(request, _storage_full_reply(request, error))
        if is_unwritable(error):
            return _with_server_headers(request, _unwritable_reply(request, error))
        log.exception("unhandled error", extra={"request_id": getattr(request.state, "request_id", None)})
        reply = error_response(request, problem(500, "internal_error"))
        return _with_server_headers(request, reply)


def _with_server_headers(request: Request, reply: JSONResponse) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        reply.headers.update(server_headers(request_id))
    return reply


def _storage_full_reply(request: Request, error: Exception) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    log.error("the server's disk is full; the request was refused: %s", error, extra={"request_id": request_id})
    return error_response(request, storage_full())


def _unwritable_reply(request: Request, error: BaseException) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    log.error("the server may not write a file; the request was refused: %s", error, extra={"request_id": request_id})
    return error_response(request, storage_unwritable())


def storage_unwritable() -> ApiError:
    """The reply when the photo store may not be written (503, with a Retry-After): its administrator must fix it."""
    return problem(503, "storage_unwritable", headers={"Retry-After": str(STORAGE_FULL_RETRY_SECONDS)})


def storage_full() -> ApiError:
    """The reply when the database or the photo store has no room left (507, with a Retry-After)."""
    return problem(507, "insufficient_storage", headers={"Retry-After": str(STORAGE_FULL_RETRY_SECONDS)})
