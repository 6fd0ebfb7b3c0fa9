"""Alembic environment: runs the server's migrations on the connection (or URL) the caller hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine
from sqlalchemy.pool import NullPool

from inspector.server.db import normalize_url
from inspector.server.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Use the connection in config.attributes when given (tests, the CLI), else open one from the URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = create_engine(normalize_url(config.get_main_option("sqlalchemy.url") or ""), poolclass=NullPool)
    with engine.connect() as new_connection:
        _run(new_connection)


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run `inspector-server init`")
run_migrations_online()
