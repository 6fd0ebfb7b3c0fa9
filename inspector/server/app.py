"""The FastAPI application: routers, error handlers, middleware, and the checks made before serving."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import delete, select, text
from sqlalchemy.exc import DBAPIError

from inspector import __version__
from inspector.core.clock import to_iso, utc_now
from inspector.server.api import account, blobs, catalog, meta, sync
from inspector.server.api.deps import ServerContext
from inspector.server.blobs import PARTIAL_MAX_AGE_SECONDS, BlobStore, FileBlobStore
from inspector.server.compression import CompressionMiddleware
from inspector.server.db import Database
from inspector.server.errors import install_error_handlers
from inspector.server.middleware import (
    BodyLimitMiddleware,
    ProtocolMiddleware,
    RequestLogMiddleware,
    UnavailableMiddleware,
)
from inspector.server.migrate import schema_problem
from inspector.server.models import BlobUpload, User
from inspector.server.openapi import install_contract, install_docs
from inspector.server.request_guard import RequestGuardMiddleware
from inspector.server.settings import Settings
from inspector.server.web.routes import install_web

log = logging.getLogger("inspector.server")

OPENAPI_URL = "/api/v1/openapi.json"


class StartupRefusedError(RuntimeError):
    """The server must not start with this configuration or database; the message says what to do."""


def startup_problems(settings: Settings, db: Database) -> list[str]:
    """Reasons not to serve: schema not migrated, or demo accounts with published passwords outside dev mode."""
    problem = schema_problem(db.engine)
    if problem:
        return [problem]
    write_problem = None if settings.read_only else database_write_problem(db)
    if write_problem:
        return [write_problem]
    if settings.dev_mode:
        return []
    with db.read() as session:
        demo = list(session.scalars(select(User.username).where(User.is_demo.is_(True), User.active.is_(True))))
    if demo:
        return [
            f"demo accounts with published passwords are active ({', '.join(demo)}): disable them "
            "(`inspector-server user disable NAME`) or run in development mode (INSPECTOR_DEV_MODE=1)"
        ]
    return []


def database_write_problem(db: Database) -> str | None:
    """Why the server could not write to its database (a read-only file or user), or None: a write that changes
    nothing, rolled back."""
    try:
        with db.engine.connect() as connection, connection.begin() as transaction:
            connection.execute(text("UPDATE alembic_version SET version_num = version_num"))
            transaction.rollback()
    except DBAPIError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
        where = db.engine.url.render_as_string(hide_password=True)
        return (
            f"the database {where} cannot be written ({reason}): make it writable by the server's user "
            "(for SQLite the file and its folder; for PostgreSQL grant the user write access)"
        )
    return None


CLEANUP_LOCK = 0x1D5E_C70C  # the PostgreSQL advisory lock `inspector-server cleanup` holds while it runs


def database_for(settings: Settings) -> Database:
    """The database of these settings, with their connection rules."""
    return Database(settings.effective_database_url, settings.db_pool_size, settings.db_prepared_statements)


def blob_store_for(settings: Settings, db: Database) -> BlobStore:
    """The photo store these settings name: the folder (default) or the district's bucket."""
    if settings.blob_store == "s3":
        from inspector.server.blobs_s3 import S3BlobStore

        return S3BlobStore.connect(
            db,
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url or None,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id or None,
            secret_access_key=settings.s3_secret_access_key or None,
            presign_seconds=settings.s3_presign_seconds if settings.s3_presign_downloads else None,
            pool=max(10, settings.db_pool_size * 2),
            public_endpoint_url=settings.s3_public_endpoint_url or None,
            upload_seconds=settings.s3_upload_seconds,
        )
    return FileBlobStore(settings.effective_blob_dir)


def remove_stale_uploads(context: ServerContext, max_age: float = PARTIAL_MAX_AGE_SECONDS) -> int | None:
    """Drop resumable uploads nobody touched for `max_age` seconds (rows, partial files or multipart uploads);
    returns how many store items went, or None when another process is doing it (PostgreSQL advisory lock).

    Run by `inspector-server cleanup` (a timer on one or all hosts), never at start-up: a process may start against a
    read replica, and several processes start at once."""
    cutoff = to_iso(utc_now() - timedelta(seconds=max_age))
    with context.db.engine.connect() as connection:
        locking = not context.db.is_sqlite
        lock = text("SELECT pg_try_advisory_lock(:key)")
        if locking and not connection.execute(lock, {"key": CLEANUP_LOCK}).scalar():
            return None
        try:
            with context.db.write() as session:
                session.execute(delete(BlobUpload).where(BlobUpload.updated_at < cutoff))
            return context.blobs.remove_stale(max_age)
        finally:
            if locking:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": CLEANUP_LOCK})
                connection.commit()


def create_app(settings: Settings, db: Database | None = None, check: bool = True) -> FastAPI:
    """The ASGI application for these settings (refuses to build when startup_problems finds any)."""
    database = db or database_for(settings)
    if check:
        problems = startup_problems(settings, database)
        if problems:
            raise StartupRefusedError("; ".join(problems))
    context = ServerContext(settings, database, blob_store_for(settings, database))

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        """Start-up writes nothing (see remove_stale_uploads)."""
        yield
        if db is None:
            database.dispose()

    app = FastAPI(
        title="Inspector district server",
        version=__version__,
        description="The sync API of Inspector. The contract is docs/sync-protocol.md (protocol version 1).",
        openapi_url=OPENAPI_URL,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    install_contract(app)
    if settings.docs_enabled:
        install_docs(app, OPENAPI_URL)
    for router in (meta.router, account.router, catalog.router, sync.router, blobs.router):
        app.include_router(router)
    install_web(app)  # the web face: /u/, /s/, /dashboard (server/web)
    app.add_middleware(BodyLimitMiddleware, settings=settings)
    app.add_middleware(CompressionMiddleware)  # outside the body limit: that counts decompressed bytes
    app.add_middleware(ProtocolMiddleware, settings=settings)
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(UnavailableMiddleware, settings=settings)
    app.add_middleware(RequestLogMiddleware, settings=settings)
    return app
