"""A full disk on the server: a database or a photo store out of room gives a 507 reply that says so (with a
Retry-After), keeps nothing half-done, and the same request goes through once there is room again."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_support import Api, ServerEnv, live_server, report
from sqlalchemy import event, func, select

from inspector.server.blob_files import BufferedFile
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


def _counts(env: ServerEnv) -> tuple[int, int, int]:
    with env.db.read() as session:
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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_push_into_a_full_database_is_refused_whole_and_goes_through_later(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    changes = [report(description="沿街堆放杂物，影响通行。" * 80) for _ in range(40)]
    before = _counts(env)
    with live_server(env.app) as base_url, httpx.Client(base_url=base_url, headers=user.headers, timeout=60) as http:
        with database_without_room(env):
            _assert_storage_full(http.post(PUSH, json={"changes": changes}))
        assert _counts(env) == before  # no finding and no feed entry of the refused batch
        again = http.post(PUSH, json={"changes": changes})
    assert again.status_code == 200, again.text
    assert [result["status"] for result in again.json()["results"]] == ["applied"] * len(changes)
    assert _counts(env)[0] == before[0] + len(changes)


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
    before = _counts(env)
    store = env.app.state.context.blobs
    with live_server(env.app) as base_url, httpx.Client(base_url=base_url, headers=user.headers, timeout=60) as http:
        _assert_storage_full(http.post(BATCH, content=body, headers=headers))
        assert _counts(env) == before
        assert list(store.tmp_dir.iterdir()) == []  # the scratch files were removed
        assert [path for path in store.objects_dir.rglob("*") if path.is_file()] == []
        full_photo_store()
        again = http.post(BATCH, content=body, headers=headers)
    assert again.status_code == 200, again.text
    assert [item["status"] for item in again.json()["results"]] == ["stored", "stored"]
    for data in photos:
        assert store.path(hashlib.sha256(data).hexdigest()).read_bytes() == data
