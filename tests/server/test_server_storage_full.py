"""A full disk on the server: a database or a photo store out of room gives a 507 reply that says so (with a
Retry-After), keeps nothing half-done, and the same request goes through once there is room again."""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from pg_support import PgCluster
from server_support import Api, ServerEnv, live_server, report, server_settings
from sqlalchemy import event, func, select

from inspector.server.app import create_app
from inspector.server.blob_files import BufferedFile
from inspector.server.db import Database
from inspector.server.errors import STORAGE_FULL_RETRY_SECONDS
from inspector.server.models import Blob, FeedEntry, Finding

PUSH = "/api/v1/push"
BATCH = "/api/v1/blobs/batch"


@contextmanager
def database_without_room(env: ServerEnv) -> Iterator[None]:
    """Every connection of the server's SQLite database may not grow the file past its present number of pages, so
    a write that needs a new page fails with SQLite's own SQLITE_FULL."""
    engine = env.db.engine
    with engine.connect() as connection:
        pages = int(connection.exec_driver_sql("PRAGMA page_count").scalar() or 0)

    def cap(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(engine, "connect", cap)
    engine.dispose()
    try:
        yield
    finally:
        event.remove(engine, "connect", cap)
        engine.dispose()


def _counts(db: Database) -> tuple[int, int, int]:
    with db.read() as session:
        return (
            int(session.scalar(select(func.count()).select_from(Finding)) or 0),
            int(session.scalar(select(func.count()).select_from(FeedEntry)) or 0),
            int(session.scalar(select(func.count()).select_from(Blob)) or 0),
        )


def _assert_storage_full(reply: httpx.Response) -> None:
    assert reply.status_code == 507, reply.text
    body = reply.json()
    assert body["error"] == "insufficient_storage"
    assert "存储空间已满" in body["message"] and "administrator" in body["message"]
    assert body["request_id"] == reply.headers["X-Request-Id"]
    assert reply.headers["Retry-After"] == str(STORAGE_FULL_RETRY_SECONDS)


def _push_refused_while_full_then_applied(user: Api, db: Database, no_room: AbstractContextManager[object]) -> None:
    """40 large reports pushed while there is no room are refused whole; the same push is applied whole after."""
    changes = [report(description="沿街堆放杂物，影响通行。" * 80) for _ in range(40)]
    before = _counts(db)
    with no_room:
        _assert_storage_full(user.post(PUSH, json={"changes": changes}))
    assert _counts(db) == before  # no finding and no feed entry of the refused batch
    again = user.post(PUSH, json={"changes": changes})
    assert again.status_code == 200, again.text
    assert [result["status"] for result in again.json()["results"]] == ["applied"] * len(changes)
    assert _counts(db)[0] == before[0] + len(changes)


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_push_into_a_full_database_is_refused_whole_and_goes_through_later(api: Api, env: ServerEnv) -> None:
    token = api.login("slt-ins").token
    with live_server(env.app) as base_url, httpx.Client(base_url=base_url, timeout=60) as http:
        _push_refused_while_full_then_applied(Api(http, token), env.db, database_without_room(env))


class SmallDisk:
    """A tmpfs on a folder, whose size can be set to what is in use plus some room, and grown again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def used(self) -> int:
        stats = os.statvfs(self.folder)
        return (stats.f_blocks - stats.f_bfree) * stats.f_frsize

    def resize(self, size: int) -> None:
        subprocess.run(["mount", "-o", f"remount,size={size}", str(self.folder)], check=True, capture_output=True)

    @contextmanager
    def without_room(self) -> Iterator[None]:
        """Only 256 KB left while inside; 64 MB more after."""
        self.resize(self.used() + 256 * 1024)
        try:
            yield
        finally:
            self.resize(self.used() + 64 * 1024 * 1024)


@pytest.fixture
def pg_on_small_disk(pg_cluster: PgCluster, pg_template: str) -> Iterator[tuple[str, SmallDisk]]:
    """A fresh seeded PostgreSQL database whose files are in a tablespace on a small filesystem of its own (the
    cluster's write-ahead log stays on the big one). Mounting needs root with mount rights; elsewhere the test is
    skipped."""
    folder = Path(tempfile.mkdtemp(prefix="inspector-small-disk-"))  # under /tmp, which the postgres user can reach
    with ExitStack() as undo:
        undo.callback(folder.rmdir)
        mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(folder)], capture_output=True)
        if mounted.returncode != 0:
            pytest.skip(f"cannot mount a small filesystem here: {mounted.stderr.decode(errors='replace').strip()}")
        undo.callback(subprocess.run, ["umount", str(folder)], check=False)
        pg_cluster.create_tablespace("small_disk", folder)
        undo.callback(pg_cluster.drop_tablespace, "small_disk")
        url = pg_cluster.create_database("on_small_disk", template=pg_template, tablespace="small_disk")
        undo.callback(pg_cluster.drop_database, "on_small_disk")
        yield url, SmallDisk(folder)


def test_a_push_onto_a_full_postgresql_disk_is_refused_whole_and_goes_through_later(
    pg_on_small_disk: tuple[str, SmallDisk], tmp_path: Path
) -> None:
    """PostgreSQL's own "could not extend file: No space left on device" (disk_full), from a filesystem that is
    really full."""
    url, disk = pg_on_small_disk
    db = Database(url)
    app = create_app(server_settings(tmp_path / "data", url), db)
    try:
        with live_server(app) as base_url, httpx.Client(base_url=base_url, timeout=60) as http:
            _push_refused_while_full_then_applied(Api(http).login("slt-ins"), db, disk.without_room())
    finally:
        db.dispose()


class _DiskFullFiles:
    """Scratch files of the photo store that are written to /dev/full, where the kernel answers every write that
    reaches it with ENOSPC, as a full disk does."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.made: list[Path] = []

    def create(self, prefix: str) -> tuple[Path, BufferedFile]:
        path = self.folder / f"{prefix}{os.urandom(4).hex()}"
        path.touch()
        self.made.append(path)
        return path, BufferedFile(os.open("/dev/full", os.O_WRONLY))


@pytest.fixture
def full_photo_store(env: ServerEnv) -> Iterator[Callable[[], None]]:
    """The photo store's disk is full until the returned function makes room."""
    store = env.app.state.context.blobs
    room = store.files
    store.files = _DiskFullFiles(store.tmp_dir)

    def make_room() -> None:
        store.files = room

    yield make_room
    store.files = room


def test_a_photo_batch_onto_a_full_disk_is_refused_and_leaves_no_file(
    api: Api, env: ServerEnv, full_photo_store: Callable[[], None]
) -> None:
    user = api.login("slt-ins")
    photos = [os.urandom(size) for size in (3 * 1024 * 1024, 20_000)]
    manifest = {"blobs": [{"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)} for data in photos]}
    body = httpx.Request("POST", "/", json=manifest).content + b"\n" + b"".join(photos)
    headers = {"Content-Type": "application/octet-stream"}
    before = _counts(env.db)
    store = env.app.state.context.blobs
    with live_server(env.app) as base_url, httpx.Client(base_url=base_url, headers=user.headers, timeout=60) as http:
        _assert_storage_full(http.post(BATCH, content=body, headers=headers))
        assert _counts(env.db) == before
        assert list(store.tmp_dir.iterdir()) == []  # the scratch files were removed
        assert [path for path in store.objects_dir.rglob("*") if path.is_file()] == []
        full_photo_store()
        again = http.post(BATCH, content=body, headers=headers)
    assert again.status_code == 200, again.text
    assert [item["status"] for item in again.json()["results"]] == ["stored", "stored"]
    for data in photos:
        assert store.path(hashlib.sha256(data).hexdigest()).read_bytes() == data
