"""Health, metrics and version endpoints (no authentication, no protocol header): /livez (the process answers),
/readyz and its older name /healthz (database and photo store reachable, schema current), /metrics (Prometheus)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import SQLAlchemyError

from inspector import __version__
from inspector.core.protocol import ErrorCode
from inspector.server import metrics
from inspector.server.api.deps import Context
from inspector.server.blobs import BlobStoreUnavailableError
from inspector.server.middleware import PROTOCOL_VERSION, SUPPORTED_PROTOCOLS
from inspector.server.migrate import head_revision, revision_on

router = APIRouter()
log = logging.getLogger("inspector.server")


@router.get(
    "/livez",
    tags=["meta"],
    include_in_schema=False,
    summary="Liveness: the process answers (no database or store is asked)",
)
async def livez() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/metrics", tags=["meta"], include_in_schema=False, summary="Prometheus metrics of this process")
async def metrics_endpoint() -> Response:
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)


def readiness(context: Context) -> JSONResponse:
    """200 when the database answers at the server's schema revision and the photo store can be used, else 503."""
    try:
        with context.db.engine.connect() as connection:
            revision = revision_on(connection)
    except SQLAlchemyError:
        return JSONResponse(
            {"error": ErrorCode.UNAVAILABLE, "message": "数据库无法连接 (the database does not answer)"},
            status_code=503,
        )
    if revision != head_revision():
        message = f"数据库结构版本 {revision} 与服务器 {head_revision()} 不一致 (schema not migrated)"
        return JSONResponse({"error": ErrorCode.UNAVAILABLE, "message": message}, status_code=503)
    try:
        problem = context.blobs.problem()
    except BlobStoreUnavailableError as error:
        problem = str(error)
    if problem:
        log.error("readiness: the photo store cannot be used: %s", problem)  # the path stays out of the reply
        if context.blobs.kind == "filesystem":
            message = "照片存储无法写入，请检查其权限 (the photo store cannot be written: check its permissions)"
            return JSONResponse({"error": ErrorCode.STORAGE_UNWRITABLE, "message": message}, status_code=503)
        message = "照片存储无法连接 (the photo store does not answer)"
        return JSONResponse({"error": ErrorCode.STORAGE_UNAVAILABLE, "message": message}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "schema": revision, "blobs": "ok"})


@router.get(
    "/readyz",
    tags=["meta"],
    include_in_schema=False,
    summary="Readiness: database and photo store reachable, schema current",
)
async def readyz(context: Context) -> JSONResponse:
    return await run_in_threadpool(readiness, context)


@router.get("/healthz", tags=["meta"], summary="Readiness (the older name of /readyz)")
async def healthz(context: Context) -> JSONResponse:
    return await run_in_threadpool(readiness, context)


@router.get("/api/v1/version", tags=["meta"], summary="Protocol and server versions, client minimum, limits")
def version(context: Context) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION,
        "protocols_supported": list(SUPPORTED_PROTOCOLS),
        "server_version": __version__,
        "min_client_version": context.settings.min_client_version,
        # direct_uploads 1: photos may go straight to the object store (POST /api/v1/blobs/targets)
        "limits": {**context.settings.limits(), "direct_uploads": int(getattr(context.blobs, "direct_uploads", False))},
    }
