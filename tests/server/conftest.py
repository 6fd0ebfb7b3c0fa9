"""Fixtures of the server tests: every test runs on SQLite and on a throwaway PostgreSQL cluster.

The cluster is started once per session (pg_support.py); a template database holding the migrated
schema, the shipped checklists, the sample Chaoyang jurisdictions and the test accounts is built once per
database kind, and each test gets a fresh copy (CREATE DATABASE … TEMPLATE, or a copied SQLite file).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pg_support import PgCluster, PostgresMissingError
from s3_support import SeaweedServer, running_seaweed
from server_support import PASSWORD, TEST_USERS, Api, ServerEnv, live_server, server_settings

from inspector.server.app import create_app
from inspector.server.auth import create_user
from inspector.server.cli import SAMPLE_JURISDICTIONS, prepare_database
from inspector.server.db import Database
from inspector.server.jurisdictions import import_file


def pytest_configure(config: pytest.Config) -> None:
    # The test client's own notice about its HTTP library; not about this project.
    config.addinivalue_line("filterwarnings", "ignore:.*httpx2.*")


TEMPLATE = "inspector_template"
_counter = iter(range(1, 1_000_000))


def seed(url: str, settings_dir: Path) -> None:
    """Migrate and fill a template database."""
    settings = server_settings(settings_dir, url)
    db = Database(url)
    prepare_database(db)
    with db.write() as session:
        import_file(session, SAMPLE_JURISDICTIONS)
    with db.write() as session:
        for username, roles, codes in TEST_USERS:
            create_user(session, settings, username, PASSWORD, roles, codes, username)
    db.dispose()


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    try:
        cluster = PgCluster(durable=False)
    except PostgresMissingError as error:
        pytest.fail(str(error), pytrace=False)
    cluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def pg_template(pg_cluster: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> str:
    url = pg_cluster.create_database(TEMPLATE)
    seed(url, tmp_path_factory.mktemp("pg-template"))
    return TEMPLATE


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.db"
    seed(f"sqlite:///{path}", folder)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, seeded database of each kind."""
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "server.db"
        shutil.copyfile(template, target)
        yield f"sqlite:///{target}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"t{next(_counter)}"
    url = cluster.create_database(name, template=request.getfixturevalue("pg_template"))
    yield url
    cluster.drop_database(name)


@pytest.fixture
def make_env(database_url: str, tmp_path: Path) -> Iterator[Callable[..., ServerEnv]]:
    """Build the server application on the fresh database, with settings overrides; closed at the end."""
    from fastapi.testclient import TestClient

    opened: list[tuple[TestClient, Database]] = []

    def build(**overrides: object) -> ServerEnv:
        settings = server_settings(tmp_path / "data", database_url, **overrides)
        db = Database(database_url)
        app = create_app(settings, db)
        client = TestClient(app)
        client.__enter__()
        opened.append((client, db))
        return ServerEnv(settings=settings, db=db, app=app, client=client, tmp_path=tmp_path)

    yield build
    for client, db in opened:
        client.__exit__(None, None, None)
        db.dispose()


@pytest.fixture
def env(make_env: Callable[..., ServerEnv]) -> ServerEnv:
    """The server application on a fresh database, with a test client."""
    return make_env()


@pytest.fixture
def live(env: ServerEnv) -> Iterator[str]:
    """The same application behind a real uvicorn server on 127.0.0.1; yields its base URL."""
    with live_server(env.app) as base_url:
        yield base_url


@pytest.fixture
def api(env: ServerEnv) -> Api:
    """An unauthenticated client speaking the protocol headers."""
    return Api(env.client)


@pytest.fixture(scope="session")
def seaweed() -> Iterator[SeaweedServer]:
    """A real SeaweedFS S3 gateway for the session (skipped where `weed` is not installed, e.g. on Windows)."""
    with running_seaweed() as server:
        yield server
