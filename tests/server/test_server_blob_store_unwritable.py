"""A photo store the server may not write: /healthz says so, and an upload is refused with a 503 that says so (never a
500), keeping nothing; once writable again, the same upload goes through."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from server_support import Api, ServerEnv


@pytest.fixture
def store_folder(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], Any]]]:
    """A folder for the photo store and a way to make it unwritable: a read-only remount of a tmpfs as root (root
    writes through permissions), else the permission bits."""
    folder = tmp_path / "blobs"
    folder.mkdir()
    if os.geteuid() != 0:

        @contextmanager
        def read_only() -> Iterator[None]:
            folders = [folder, *[path for path in folder.rglob("*") if path.is_dir()]]
            for path in folders:
                path.chmod(0o555)
            try:
                yield
            finally:
                for path in folders:
                    path.chmod(0o755)

        yield folder, read_only
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(folder)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a filesystem here: {mounted.stderr.decode(errors='replace').strip()}")

    @contextmanager
    def remounted_read_only() -> Iterator[None]:
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True, capture_output=True)
        try:
            yield
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(folder)], check=True, capture_output=True)

    try:
        yield folder, remounted_read_only
    finally:
        subprocess.run(["umount", str(folder)], check=False)


def _refused(reply: Any) -> None:
    assert reply.status_code == 503, (reply.status_code, reply.text)
    body = reply.json()
    assert body["error"] == "storage_unwritable", body
    assert "照片存储" in body["message"] and "administrator" in body["message"]
    assert reply.headers["retry-after"] == "600"


def test_an_unwritable_photo_store_fails_healthz_and_refuses_uploads_with_a_message(
    make_env: Callable[..., ServerEnv], store_folder: tuple[Path, Callable[[], Any]]
) -> None:
    folder, read_only = store_folder
    env = make_env(blob_dir=folder)
    user = Api(env.client).login("slt-ins")
    assert env.client.get("/healthz").json()["blobs"] == "ok"
    data = b"evidence photo " * 100
    sha = hashlib.sha256(data).hexdigest()
    second = b"second photo " * 100
    second_sha = hashlib.sha256(second).hexdigest()
    with read_only():
        health = env.client.get("/healthz")
        assert health.status_code == 503, health.text
        assert health.json()["error"] == "storage_unwritable"
        assert str(folder) not in health.text  # no paths to an unauthenticated caller
        _refused(user.request("PUT", f"/api/v1/blobs/{sha}", content=data))
        manifest = json.dumps({"blobs": [{"sha256": second_sha, "size": len(second)}]}).encode() + b"\n"
        _refused(user.post("/api/v1/blobs/batch", content=manifest + second))
        started = user.post(f"/api/v1/blobs/{sha}/upload", json={"size": len(data)})
        if started.status_code != 503:  # the upload row may be made before any file
            assert started.status_code == 200, started.text
            _refused(user.request("PATCH", f"/api/v1/blobs/{sha}/upload", content=data, headers={"Upload-Offset": "0"}))
        assert user.post("/api/v1/blobs/missing", json={"hashes": [sha, second_sha]}).json()["missing"] == [
            sha,
            second_sha,
        ]
    assert env.client.get("/healthz").status_code == 200
    assert user.request("PUT", f"/api/v1/blobs/{sha}", content=data).status_code == 201
    assert user.get(f"/api/v1/blobs/{sha}").status_code in (200, 404)  # readable once a record names it
    assert user.post("/api/v1/blobs/missing", json={"hashes": [sha]}).json()["missing"] == []
