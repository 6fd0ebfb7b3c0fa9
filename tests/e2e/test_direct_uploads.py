"""The laptop's photo uploads straight to a real SeaweedFS bucket, through a proxy that breaks connections, with the
real server confirming them: every photo stored and counted once; a bucket the laptop cannot reach, or one that is
down for a while, costs nothing but time (the photos go through the server, or wait and go again)."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "server"))

from e2e_support import Client, ServerProcess, build_server_template, free_port
from fault_proxy import FaultProxy
from s3_support import SeaweedServer, running_seaweed

from inspector.sync.engine import SyncEngine
from inspector.sync.progress import SyncProgress

WORKERS = {"sync.upload_workers": "3", "sync.max_attempts": "60", "sync.max_retry_seconds": "60"}


@pytest.fixture(scope="module")
def weed() -> Iterator[SeaweedServer]:
    if sys.platform == "win32":
        pytest.skip("the district server runs on Linux only")
    with running_seaweed() as server:
        yield server


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_server_template(tmp_path_factory.mktemp("direct-template"))


def _server(root: Path, template: Path, weed: SeaweedServer, public: str) -> ServerProcess:
    bucket = f"district-{uuid.uuid4().hex[:12]}"
    weed.client().create_bucket(Bucket=bucket)
    process = ServerProcess(root, template)
    process.start(**{f"INSPECTOR_{k.upper()}": v for k, v in weed.settings(bucket, public).items()})
    process.bucket = bucket  # type: ignore[attr-defined]
    return process


def _assert_in_bucket(server: ServerProcess, weed: SeaweedServer, client: Client, hashes: list[str]) -> None:
    """Every photo recorded once with its size, and its object in the bucket hashing to its name."""
    with server.database() as db:
        held = {row[0]: row[1] for row in db.execute("SELECT sha256, size FROM blobs")}
    s3 = weed.client()
    for sha in hashes:
        body = s3.get_object(Bucket=server.bucket, Key=f"objects/{sha[:2]}/{sha[2:4]}/{sha}")["Body"].read()  # type: ignore[attr-defined]
        assert hashlib.sha256(body).hexdigest() == sha
        assert held[sha] == len(body) == client.folder.photo_path(sha).stat().st_size


def _sync_until_done(client: Client, cycles: int = 10) -> None:
    for _ in range(cycles):
        if client.sync().all_acknowledged:
            return
        time.sleep(0.2)
    raise AssertionError("still not synced")


def test_photos_go_straight_to_the_bucket_through_a_faulty_proxy(
    tmp_path: Path, template: Path, weed: SeaweedServer
) -> None:
    with FaultProxy(weed.ports["s3"], seed=7, share=0.4, max_faults=6, faults=("drop", "reset", "truncate")) as proxy:
        server = _server(tmp_path / "server", template, weed, proxy.url)
        try:
            client = Client.create(tmp_path / "inspector", WORKERS)
            client.login(server.url, "ins")
            hashes = client.report_photos(12, 300)
            proxy.enabled = True
            seen: list[SyncProgress] = []
            summary = SyncEngine(client.folder).run_cycle(seen.append)
            _sync_until_done(client)
            proxy.enabled = False
            assert summary.photos_uploaded + client.sync().photos_uploaded <= 12
            photos = [p for p in seen if p.phase == "photos"]
            assert photos and photos[-1].done == photos[-1].total == 12
            _assert_in_bucket(server, weed, client, hashes)
            assert proxy.requested("PUT", f"/{server.bucket}/objects/") >= 12  # type: ignore[attr-defined]
            assert proxy.total_faults > 0
            assert client.outbox_count() == 0
        finally:
            server.stop()


def test_a_bucket_the_laptop_cannot_reach_sends_the_photos_through_the_server(
    tmp_path: Path, template: Path, weed: SeaweedServer
) -> None:
    nowhere = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    server = _server(tmp_path / "server", template, weed, nowhere)
    try:
        client = Client.create(tmp_path / "inspector", WORKERS)
        client.login(server.url, "ins")
        hashes = client.report_photos(3, 400)
        summary = client.sync()
        assert summary.all_acknowledged, summary.error
        assert summary.photos_uploaded == 3
        _assert_in_bucket(server, weed, client, hashes)
    finally:
        server.stop()


def test_a_bucket_down_for_a_while_loses_nothing(tmp_path: Path, template: Path) -> None:
    with running_seaweed() as own:
        server = _server(tmp_path / "server", template, own, own.endpoint)
        try:
            client = Client.create(tmp_path / "inspector", WORKERS)
            client.login(server.url, "ins")
            hashes = client.report_photos(6, 500)
            own.stop()
            back = threading.Timer(3.0, own.start)
            back.start()
            try:
                _sync_until_done(client)
            finally:
                back.join()
            _assert_in_bucket(server, own, client, hashes)
            assert client.outbox_count() == 0
            with server.database() as db:
                assert db.execute("SELECT count(*) FROM blobs").fetchone()[0] == 6
        finally:
            server.stop()


def test_the_store_confirms_before_it_counts(tmp_path: Path, template: Path, weed: SeaweedServer) -> None:
    """A photo already in the bucket that nobody confirmed is not on the server: the laptop's upload is answered 412
    by the store, and its commit confirms the bytes already there."""
    server = _server(tmp_path / "server", template, weed, weed.endpoint)
    try:
        client = Client.create(tmp_path / "inspector", WORKERS)
        client.login(server.url, "ins")
        [sha] = client.report_photos(1, 600)
        data = client.folder.photo_path(sha).read_bytes()
        key = f"objects/{sha[:2]}/{sha[2:4]}/{sha}"
        # written by someone else (no tag of this laptop's upload): the photo goes through the server, which hashes the
        # bytes it received and confirms the object already at the address
        weed.client().put_object(Bucket=server.bucket, Key=key, Body=data)  # type: ignore[attr-defined]
        summary = client.sync()
        assert summary.all_acknowledged, summary.error
        _assert_in_bucket(server, weed, client, [sha])
    finally:
        server.stop()
