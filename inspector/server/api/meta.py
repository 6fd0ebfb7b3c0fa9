"""Health and version endpoints (no authentication, no protocol header)."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from inspector import __version__
from inspector.core.protocol import ErrorCode
from inspector.server.api.deps import Context
from inspector.server.middleware import PROTOCOL_VERSION, SUPPORTED_PROTOCOLS
from inspector.server.migrate import current_revision, head_revision

router = APIRouter()
log = logging.getLogger("inspector.server")


@router.get("/healthz", tags=["meta"], summary="Liveness and database check")
def healthz(context: Context) -> JSONResponse:
    try:
        with context.db.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        revision = current_revision(context.db.engine)
    except SQLAlchemyError:
        return JSONResponse(
            {"error": ErrorCode.UNAVAILABLE, "message": "数据库无法连接 (the database does not answer)"},
            status_code=503,
        )
    if revision != head_revision():
        message = f"数据库结构版本 {revision} 与服务器 {head_revision()} 不一致 (schema not migrated)"
        return JSONResponse({"error": ErrorCode.UNAVAILABLE, "message": message}, status_code=503)
    problem = context.blobs.write_problem()
    if problem:
        log.error("/healthz: the photo store cannot be written: %s", problem)  # the path stays out of the reply
        message = "照片存储无法写入，请检查其权限 (the photo store cannot be written: check its permissions)"
        return JSONResponse({"error": ErrorCode.STORAGE_UNWRITABLE, "message": message}, status_code=503)
    return JSONResponse({"status": "ok", "database": "ok", "schema": revision, "blobs": "ok"})


@router.get("/api/v1/version", tags=["meta"], summary="Protocol and server versions, client minimum, limits")
def version(context: Context) -> dict[str, Any]:
    return {
        "protocol": PROTOCOL_VERSION,
        "protocols_supported": list(SUPPORTED_PROTOCOLS),
        "server_version": __version__,
        "min_client_version": context.settings.min_client_version,
        "limits": context.settings.limits(),
    }
