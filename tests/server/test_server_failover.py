"""Processes that come and go, on a real PostgreSQL: a backend connection terminated in the middle of a request (as
in a restart or a Patroni switchover) is retried inside the request or answered 503 with Retry-After, never 500;
pgbouncer in transaction pooling with prepared statements turned off; a server started on a read-only database."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from pg_support import PgCluster, free_port
from server_support import HEADERS, Api, ServerEnv, live_server, report, server_settings, upload
from sqlalchemy import event, func, select

from inspector.server.app import StartupRefusedError, create_app
from inspector.server.db import Database
from inspector.server.models import FeedEntry


@pytest.fixture
def database_url(request: pytest.FixtureRequest, pg_cluster: PgCluster, pg_template: str) -> Iterator[str]:
    """PostgreSQL only: these tests terminate server connections."""
    name = f"failover{os.getpid()}{time.monotonic_ns() % 1_000_000}"
    url = pg_cluster.create_database(name, template=pg_template)
    yield url
    pg_cluster.drop_database(name)


class Terminator:
    """Terminates the server backend of the next `count` transactions the engine begins (pg_terminate_backend, from
    another connection), after the pool handed out a live connection: the first statement then meets a dead one."""

    def __init__(self, db: Database, port: int) -> None:
        self.db = db
        self.port = port
        self.count = 0
        self.done = 0
        self.lock = threading.Lock()
        event.listen(db.engine, "begin", self._on_begin)

    def arm(self, count: int) -> None:
        with self.lock:
            self.count = count

    def _on_begin(self, connection: Any) -> None:
        with self.lock:
            if self.count <= 0:
                return
            self.count -= 1
        pid = connection.connection.dbapi_connection.info.backend_pid
        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres", autocommit=True
        ) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            deadline = time.monotonic() + 5
            while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                assert time.monotonic() < deadline
                time.sleep(0.01)
        self.done += 1

    def close(self) -> None:
        event.remove(self.db.engine, "begin", self._on_begin)


@pytest.fixture
def terminator(env: ServerEnv, pg_cluster: PgCluster) -> Iterator[Terminator]:
    killer = Terminator(env.db, pg_cluster.port)
    yield killer
    killer.close()


def _feed_count(env: ServerEnv) -> int:
    with env.db.read() as session:
        return int(session.scalar(select(func.count()).select_from(FeedEntry)) or 0)


def test_a_read_that_lost_its_connection_runs_again(env: ServerEnv, terminator: Terminator) -> None:
    user = Api(env.client).login("slt-ins")
    assert user.push(report())[0]["status"] == "applied"
    expected = user.feed()["entries"]
    terminator.arm(1)
    again = user.get("/api/v1/feed?since=0")
    assert again.status_code == 200 and again.json()["entries"] == expected
    assert terminator.done == 1


def test_a_push_that_lost_its_connection_is_applied_once(env: ServerEnv, terminator: Terminator) -> None:
    user = Api(env.client).login("slt-ins")
    before = _feed_count(env)
    assert user.push(report())[0]["status"] == "applied"
    per_report = _feed_count(env) - before  # feed entries one report makes
    change = report()
    terminator.arm(2)  # the authentication, then the push's own transaction
    reply = user.post("/api/v1/push", json={"changes": [change]})
    assert reply.status_code == 200, reply.text
    assert reply.json()["results"][0]["status"] == "applied"
    assert terminator.done == 2
    assert _feed_count(env) == before + 2 * per_report
    assert user.push(change)[0]["status"] == "duplicate"  # sent again: known by its change id
    assert _feed_count(env) == before + 2 * per_report


def test_a_database_that_stays_away_is_answered_503_never_500(env: ServerEnv, terminator: Terminator) -> None:
    user = Api(env.client).login("slt-ins")
    terminator.arm(1000)
    for method, path, body in (("GET", "/api/v1/feed?since=0", None), ("POST", "/api/v1/push", {"changes": []})):
        reply = user.request(method, path, json=body)
        assert reply.status_code == 503, reply.text
        assert reply.json()["error"] == "unavailable" and reply.headers["Retry-After"] == "2"
        assert reply.json()["request_id"] == reply.headers["x-request-id"]
    data = b"a photo sent while the database is away"
    refused = user.request("PUT", f"/api/v1/blobs/{hashlib.sha256(data).hexdigest()}", content=data)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "2"  # a body it cannot replay
    terminator.arm(0)
    assert user.push(report())[0]["status"] == "applied"
    upload(user, data)
    metrics = Api(env.client).get("/metrics").text
    assert 'inspector_unavailable_replies_total{what="database"}' in metrics
    assert "inspector_db_retries_total" in metrics


def test_a_transaction_that_keeps_losing_its_race_is_answered_503_never_500(env: ServerEnv) -> None:
    """A serialization failure (40001, also how a node being demoted cancels queries in recovery conflicts) that
    outlasts the transaction's and the request's tries is a 503 with Retry-After, like a lost connection."""
    user = Api(env.client).login("slt-ins")
    raising = "DO $$ BEGIN RAISE EXCEPTION 'could not serialize access' USING ERRCODE = '40001'; END $$"

    def fail_inserts(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool) -> Any:
        return (raising, None) if statement.lstrip().upper().startswith("INSERT") else (statement, parameters)

    change = report()
    event.listen(env.db.engine, "before_cursor_execute", fail_inserts, retval=True)
    try:
        reply = user.post("/api/v1/push", json={"changes": [change]})
    finally:
        event.remove(env.db.engine, "before_cursor_execute", fail_inserts)
    assert reply.status_code == 503, reply.text
    assert reply.json()["error"] == "unavailable" and reply.headers["Retry-After"] == "2"
    assert user.push(change)[0]["status"] == "applied"  # nothing was half-stored: sent again, applied once


# ---- a read-only database (a streaming replica) ----


def test_a_server_starts_on_a_read_only_database_and_serves_the_feed(
    env: ServerEnv, database_url: str, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    writer = Api(env.client).login("slt-ins")
    assert writer.push(report())[0]["status"] == "applied"
    expected = writer.feed()["entries"]
    name = database_url.rsplit("/", 1)[1]
    with psycopg.connect(f"host=127.0.0.1 port={pg_cluster.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    settings = server_settings(tmp_path / "replica", database_url)
    refused_db = Database(database_url)
    with pytest.raises(StartupRefusedError, match="cannot be written"):
        create_app(settings, refused_db)  # a writing process refuses, saying why
    refused_db.dispose()
    reader_settings = server_settings(tmp_path / "replica", database_url, read_only=True)
    reader_db = Database(database_url)
    app = create_app(reader_settings, reader_db)
    try:
        with live_server(app) as base_url, httpx.Client(base_url=base_url, headers=HEADERS, timeout=30) as http:
            # the token was issued by the writing process; the reading one only checks it
            http.headers["Authorization"] = f"Bearer {writer.token}"
            feed = http.get("/api/v1/feed?since=0")
            assert feed.status_code == 200, feed.text
            assert feed.json()["entries"] == expected
            assert http.get("/readyz").status_code == 200
    finally:
        reader_db.dispose()


# ---- pgbouncer in transaction pooling ----


@contextmanager
def pgbouncer(cluster: PgCluster) -> Iterator[int]:
    binary = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(binary).is_file():
        pytest.skip("pgbouncer is not installed (Debian package pgbouncer, scripts/setup.sh test)")
    folder = Path(tempfile.mkdtemp(prefix="inspector-pgbouncer-"))
    port = free_port()
    (folder / "pgbouncer.ini").write_text(
        f"[databases]\n* = host=127.0.0.1 port={cluster.port} user=postgres\n"
        f"[pgbouncer]\nlisten_addr = 127.0.0.1\nlisten_port = {port}\nauth_type = any\npool_mode = transaction\n"
        f"default_pool_size = 4\nmax_client_conn = 500\nunix_socket_dir =\nlogfile = {folder}/log\n"
        f"pidfile = {folder}/pid\nignore_startup_parameters = extra_float_digits,options\n",
        encoding="utf-8",
    )
    command = [binary, str(folder / "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        shutil.chown(folder, "postgres", "postgres")
        command = ["runuser", "-u", "postgres", "--", *command]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                psycopg.connect(f"host=127.0.0.1 port={port} user=postgres dbname=postgres", connect_timeout=1).close()
                break
            except psycopg.OperationalError:
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else "exited"
                assert time.monotonic() < deadline, "pgbouncer did not start"
                time.sleep(0.1)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_behind_pgbouncer_transaction_pooling_no_request_fails(
    env: ServerEnv, database_url: str, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """400 requests from 16 threads through 4 pooled server connections, with psycopg's prepared statements off."""
    token = Api(env.client).login("slt-ins").token
    with pgbouncer(pg_cluster) as port:
        url = database_url.replace(f":{pg_cluster.port}/", f":{port}/")
        settings = server_settings(tmp_path / "bouncer", url, db_prepared_statements=False)
        db = Database(url, prepared_statements=False)
        app = create_app(settings, db)
        try:
            with live_server(app) as base_url:
                headers = {**HEADERS, "Authorization": f"Bearer {token}"}

                def one(index: int, http: httpx.Client) -> int:
                    if index % 4 == 0:
                        return http.post("/api/v1/push", json={"changes": [report()]}).status_code
                    return http.get("/api/v1/feed?since=0&limit=50").status_code

                def worker(indexes: range) -> list[int]:
                    with httpx.Client(base_url=base_url, headers=headers, timeout=60) as http:
                        return [one(index, http) for index in indexes]

                with ThreadPoolExecutor(16) as pool:
                    statuses = [s for part in pool.map(worker, [range(i, 400, 16) for i in range(16)]) for s in part]
        finally:
            db.dispose()
    assert len(statuses) == 400
    assert statuses.count(200) == 400, {status: statuses.count(status) for status in set(statuses)}
