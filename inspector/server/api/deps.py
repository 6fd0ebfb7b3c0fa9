"""Shared request dependencies: the server context, the authenticated caller and its jurisdiction scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from inspector.core.jurisdiction import JurisdictionCode, JurisdictionCodeError, parse_code
from inspector.core.protocol import ErrorCode
from inspector.server.auth import Principal, authenticate
from inspector.server.blobs import BlobStore
from inspector.server.db import Database
from inspector.server.errors import ApiError
from inspector.server.scope import Scope, scope_of
from inspector.server.settings import Settings

_bearer = HTTPBearer(auto_error=False, description="The token from POST /api/v1/auth/login")


@dataclass
class ServerContext:
    """What every request handler may use: settings, the database and the blob store."""

    settings: Settings
    db: Database
    blobs: BlobStore


# Dependencies that do no I/O are `async`: FastAPI runs a plain `def` dependency on a worker thread, and that hop
# cost more than the work on every request.


async def get_context(request: Request) -> ServerContext:
    return request.app.state.context  # type: ignore[no-any-return]


Context = Annotated[ServerContext, Depends(get_context)]


def get_principal(
    request: Request,
    context: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """The caller behind the bearer token (401 with the reason otherwise).

    `credentials` only declares the bearer scheme in the OpenAPI document; the header is read here so that every
    refusal carries this project's error codes.
    """
    principal = authenticate(context.db, request.headers.get("authorization"))
    request.state.user_id = principal.user_id
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


async def get_scope(principal: CurrentPrincipal) -> Scope:
    return scope_of(principal)


CurrentScope = Annotated[Scope, Depends(get_scope)]


async def require_admin(scope: CurrentScope) -> Scope:
    if not scope.is_admin:
        raise ApiError(403, ErrorCode.FORBIDDEN, "需要管理员权限 (administrator role required)")
    return scope


def page_limit(limit: int, maximum: int) -> int:
    """A paging limit within 1..maximum, or 422."""
    if limit < 1 or limit > maximum:
        raise ApiError(
            422,
            ErrorCode.VALIDATION_FAILED,
            f"limit 必须在 1 到 {maximum} 之间 (limit must be between 1 and {maximum})",
            {"details": [{"loc": ["query", "limit"], "msg": f"must be between 1 and {maximum}"}]},
        )
    return limit


def query_code(text: str) -> JurisdictionCode:
    """A jurisdiction code from a query parameter, or 422."""
    try:
        return parse_code(text)
    except JurisdictionCodeError as error:
        raise ApiError(
            422,
            ErrorCode.VALIDATION_FAILED,
            str(error),
            {"details": [{"loc": ["query", "jurisdiction"], "msg": str(error)}]},
        ) from None
