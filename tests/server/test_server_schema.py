"""Migrations build exactly the models' schema; a database at the wrong revision is refused clearly."""

from __future__ import annotations

import subprocess

import pg_support
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from server_support import ServerEnv
from sqlalchemy import text

from inspector.server.app import StartupRefusedError, create_app
from inspector.server.models import Base


def test_the_migrated_database_matches_the_models(env: ServerEnv) -> None:
    with env.db.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []


def test_a_database_at_another_revision_is_refused(env: ServerEnv) -> None:
    with env.db.write() as session:
        session.execute(text("UPDATE alembic_version SET version_num = 'ffff'"))
    health = env.client.get("/healthz")
    assert health.status_code == 503 and health.json()["error"] == "unavailable"
    try:
        create_app(env.settings, env.db)
    except StartupRefusedError as error:
        assert "newer than this server" in str(error)
    else:
        raise AssertionError("the server started on a database of an unknown schema")


def test_missing_postgresql_binaries_name_the_command_that_installs_them(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_pg_config(*args: object, **kwargs: object) -> None:
        raise FileNotFoundError("pg_config")

    monkeypatch.setattr(subprocess, "run", no_pg_config)
    monkeypatch.setattr(pg_support.glob, "glob", lambda pattern: [])
    with pytest.raises(pg_support.PostgresMissingError, match="make test"):
        pg_support.find_bindir()
