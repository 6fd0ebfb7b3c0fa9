"""Migrations build exactly the models' schema; a database at the wrong revision is refused clearly."""

from __future__ import annotations

import subprocess

import pg_support
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from server_support import Api, ServerEnv
from sqlalchemy import insert, select, text

from inspector.core.clock import now_iso
from inspector.server.app import StartupRefusedError, create_app
from inspector.server.migrate import alembic_config, head_revision, upgrade
from inspector.server.models import Base, Blob, BlobHolder, User


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


def test_migration_0002_makes_every_recorded_uploader_a_holder(api: Api, env: ServerEnv) -> None:
    config = alembic_config()
    with env.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    store = env.app.state.context.blobs
    owned, orphan = store.put_bytes(b"a photo uploaded before 0002"), store.put_bytes(b"a photo of no known uploader")
    with env.db.engine.begin() as connection:
        uploader = connection.execute(select(User.id).where(User.username == "slt-ins")).scalar_one()
        rows = [(owned, uploader), (orphan, None)]
        connection.execute(
            insert(Blob), [{"sha256": sha, "size": 28, "uploaded_by": by, "created_at": now_iso()} for sha, by in rows]
        )
    assert upgrade(env.db.engine) == ("0001", head_revision())
    with env.db.engine.connect() as connection:
        holders = connection.execute(select(BlobHolder.sha256, BlobHolder.user_id)).all()
    assert [tuple(row) for row in holders] == [(owned, uploader)]
    user = api.login("slt-ins")
    reply = user.request("PUT", f"/api/v1/blobs/{owned}", content=b"a photo uploaded before 0002")
    assert (reply.status_code, reply.json()["created"]) == (200, False)  # a holder: the server has it for them
    assert user.get(f"/api/v1/blobs/{owned}").content == b"a photo uploaded before 0002"
    assert user.post("/api/v1/blobs/missing", json={"hashes": [owned, orphan]}).json() == {"missing": [orphan]}
