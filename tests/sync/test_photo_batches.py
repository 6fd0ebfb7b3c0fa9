"""Photo uploads in batches against the real server on 127.0.0.1: counts, a damaged local file, cancelling, and the
fall-back to one PUT per photo for a server without the batch endpoint (behind a small forwarding proxy)."""

from __future__ import annotations

import hashlib
import http.client
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))

from e2e_support import Client, ServerProcess, build_server_template
from fault_proxy import FaultProxy
from keyring_doubles import memory_keyring_installed

from inspector.sync.blobs import BatchLimits, _Job, plan_units
from inspector.sync.engine import SyncEngine
from inspector.sync.progress import SyncProgress

BATCH = "/api/v1/blobs/batch"
SMALL_BATCHES = {"sync.upload_batch_bytes": "60000", "sync.upload_workers": "2"}


class ForwardingProxy:
    """Forwards every request to the server and records it; `no_batch` answers batch uploads 404 (a server without
    the endpoint) and `hide_batch_limits` removes the batch limits from the version reply (an older server)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.no_batch = False
        self.hide_batch_limits = False
        self.cut_next_batch_after: int | None = None  # the next batch breaks 1000 bytes into the photo after so many
        self.server: ServerProcess | None = None  # where a cut batch's whole photos are awaited
        self.requests: list[tuple[str, str, int]] = []  # method, path, body length
        self.batch_manifests: list[list[str]] = []  # the hashes each batch named
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                owner.requests.append((self.command, self.path, len(body)))
                if self.command == "POST" and self.path == BATCH:
                    owner.batch_manifests.append([blob["sha256"] for blob in json.loads(body.split(b"\n")[0])["blobs"]])
                    if owner.cut_next_batch_after is not None:
                        owner.cut_batch(dict(self.headers), body)
                        self.close_connection = True  # no answer: the client sees the connection break
                        return
                status, headers, reply = owner.answer(self.command, self.path, dict(self.headers), body)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            do_GET = do_POST = do_PUT = do_PATCH = do_HEAD = _forward  # noqa: N815

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict, bytes]:
        if self.no_batch and method == "POST" and path == BATCH:
            return 404, {"Content-Type": "application/json"}, b'{"error": "not_found", "message": "no such path"}'
        connection = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=30)
        try:
            # replies come back plain: this proxy keeps only their Content-Type (and reads the version reply)
            dropped = ("host", "connection", "accept-encoding")
            sent = {key: value for key, value in headers.items() if key.lower() not in dropped}
            connection.request(method, path, body=body or None, headers=sent)
            response = connection.getresponse()
            reply = response.read()
            kept = {"Content-Type": response.getheader("Content-Type") or "application/json"}
            status = response.status
        finally:
            connection.close()
        if self.hide_batch_limits and path == "/api/v1/version":
            info = json.loads(reply)
            info["limits"].pop("max_batch_bytes")
            info["limits"].pop("max_batch_blobs")
            reply = json.dumps(info).encode()
        return status, kept, reply

    def cut_batch(self, headers: dict[str, str], body: bytes) -> list[str]:
        """Send the server the batch up to 1000 bytes into the photo after the first `cut_next_batch_after`, wait
        until those whole photos are stored, then break the connection; returns their hashes."""
        assert self.server is not None
        count, self.cut_next_batch_after = self.cut_next_batch_after or 0, None
        line, _, _ = body.partition(b"\n")
        blobs = json.loads(line)["blobs"]
        whole = [blob["sha256"] for blob in blobs[:count]]
        cut = len(line) + 1 + sum(blob["size"] for blob in blobs[:count]) + 1000
        kept = "".join(f"{key}: {value}\r\n" for key, value in headers.items() if key.lower() != "connection")
        upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        try:
            upstream.sendall(f"POST {BATCH} HTTP/1.1\r\n{kept}\r\n".encode("latin-1") + body[:cut])
            _wait_until(lambda: all((self.server.blob_dir() / sha[:2] / sha[2:4] / sha).is_file() for sha in whole))
        finally:
            upstream.close()
        _wait_until(lambda: set(whole) <= set(server_blobs(self.server)))
        return whole

    def count(self, method: str, path_start: str) -> int:
        return sum(1 for seen, path, _ in self.requests if seen == method and path.startswith(path_start))


def _wait_until(condition: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the server never stored the photos that arrived whole"
        time.sleep(0.02)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    if sys.platform == "win32":
        pytest.skip("the district server runs on Linux only (its blob store locks files with fcntl)")
    root = tmp_path_factory.mktemp("batch-server")
    process = ServerProcess(root / "server", build_server_template(root / "template"))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture
def proxy(server: ServerProcess) -> Iterator[ForwardingProxy]:
    forwarding = ForwardingProxy(server.port)
    forwarding.server = server
    forwarding.thread.start()
    try:
        yield forwarding
    finally:
        forwarding.httpd.shutdown()
        forwarding.httpd.server_close()


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[None]:
    with memory_keyring_installed():
        yield


@pytest.fixture
def inspector(tmp_path: Path, proxy: ForwardingProxy) -> Callable[..., Client]:
    def make(tunables: dict[str, str] | None = None) -> Client:
        client = Client.create(tmp_path / "inspector", {**SMALL_BATCHES, **(tunables or {})})
        client.login(proxy.url, "ins")
        return client

    return make


def server_blobs(server: ServerProcess) -> dict[str, int]:
    with server.database() as db:
        return {row[0]: row[1] for row in db.execute("SELECT sha256, size FROM blobs")}


def assert_stored(server: ServerProcess, client: Client, hashes: list[str]) -> None:
    held = server_blobs(server)
    for sha in hashes:
        data = (server.blob_dir() / sha[:2] / sha[2:4] / sha).read_bytes()
        assert hashlib.sha256(data).hexdigest() == sha
        assert held[sha] == len(data) == client.folder.photo_path(sha).stat().st_size


def photo_sizes(client: Client, hashes: list[str]) -> int:
    return sum(client.folder.photo_path(sha).stat().st_size for sha in hashes)


def test_photos_go_in_batches_and_are_counted(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    client = inspector()
    hashes = client.report_photos(12, 100)
    seen: list[SyncProgress] = []
    summary = SyncEngine(client.folder).run_cycle(seen.append)
    assert summary.all_acknowledged, summary.error
    assert summary.photos_uploaded == 12
    assert summary.photo_bytes_sent == photo_sizes(client, hashes)
    assert_stored(server, client, hashes)
    batches = proxy.count("POST", BATCH)
    assert 2 <= batches < 12 and proxy.count("PUT", "/api/v1/blobs/") == 0
    counts = [progress.done for progress in seen if progress.phase == "photos"]
    assert counts[0] == 0 and counts[-1] == 12 and len(counts) == batches + 1
    again = SyncEngine(client.folder).run_cycle()
    assert again.photos_uploaded == 0 and proxy.count("POST", BATCH) == batches


def test_a_photo_damaged_on_disk_is_reported_and_its_change_waits(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    client = inspector({"sync.upload_workers": "1", "sync.upload_batch_bytes": "10000000"})
    hashes = client.report_photos(5, 200)
    damaged = hashes[2]
    path = client.folder.photo_path(damaged)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    summary = SyncEngine(client.folder).run_cycle()
    assert summary.outcome == "incomplete" and summary.photos_uploaded == 4
    assert any(damaged[:12] in problem and "damaged on disk" in problem for problem in summary.problems)
    assert client.outbox_count() == 1 and summary.pending_after == 1
    assert damaged not in server_blobs(server)
    assert_stored(server, client, [sha for sha in hashes if sha != damaged])
    sizes = [size for method, path_seen, size in proxy.requests if method == "POST" and path_seen == BATCH]
    assert len(sizes) == 2 and sizes[1] < sizes[0]  # the whole batch, then the damaged photo once more alone


def test_a_batch_cut_off_midway_sends_again_only_the_photos_that_did_not_arrive(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    client = inspector({"sync.upload_workers": "1", "sync.upload_batch_bytes": "10000000"})
    hashes = client.report_photos(6, 250)
    proxy.cut_next_batch_after = 3  # three photos and a little of the fourth reach the server
    summary = SyncEngine(client.folder).run_cycle()
    assert summary.all_acknowledged, summary.error
    assert summary.photos_uploaded == 6 and summary.photo_bytes_sent == photo_sizes(client, hashes)
    first, again = proxy.batch_manifests
    assert sorted(first) == sorted(hashes) and again == first[3:]  # after the break: only the three it lacked
    assert proxy.count("POST", "/api/v1/blobs/missing") == 2  # the cycle's own question, then the one after the break
    assert_stored(server, client, hashes)


def test_a_cancel_lets_no_further_batch_start(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    client = inspector({"sync.upload_workers": "1"})
    hashes = client.report_photos(10, 300)
    cancel = threading.Event()

    def cancel_after_first_batch(progress: SyncProgress) -> None:
        if progress.phase == "photos" and progress.done > 0:
            cancel.set()

    summary = SyncEngine(client.folder).run_cycle(cancel_after_first_batch, cancel)
    assert summary.outcome == "cancelled"
    # The one worker may have taken the second batch before the first one's answer reached the progress callback;
    # no batch starts after the cancel, so the third never goes.
    assert proxy.count("POST", BATCH) in (1, 2)
    on_server = set(server_blobs(server)) & set(hashes)
    assert 0 < len(on_server) < len(hashes)
    finished = SyncEngine(client.folder).run_cycle()
    assert finished.all_acknowledged and finished.photos_uploaded == len(hashes) - len(on_server)
    assert_stored(server, client, hashes)


def test_a_server_without_the_batch_endpoint_gets_one_put_per_photo(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    proxy.no_batch = True
    client = inspector()
    hashes = client.report_photos(8, 400)
    summary = SyncEngine(client.folder).run_cycle()
    assert summary.all_acknowledged, summary.error
    assert summary.photos_uploaded == 8 and summary.photo_bytes_sent == photo_sizes(client, hashes)
    assert 1 <= proxy.count("POST", BATCH) <= 2  # the batches already on their way when the first 404 came
    assert proxy.count("PUT", "/api/v1/blobs/") == 8
    assert_stored(server, client, hashes)


def test_a_server_reporting_no_batch_limits_is_never_sent_a_batch(
    server: ServerProcess, proxy: ForwardingProxy, inspector: Callable[..., Client]
) -> None:
    proxy.hide_batch_limits = True
    client = inspector()
    hashes = client.report_photos(4, 500)
    summary = SyncEngine(client.folder).run_cycle()
    assert summary.all_acknowledged and summary.photos_uploaded == 4
    assert proxy.count("POST", BATCH) == 0 and proxy.count("PUT", "/api/v1/blobs/") == 4
    assert_stored(server, client, hashes)


def test_batches_through_a_faulty_network_store_every_photo_once(server: ServerProcess, tmp_path: Path) -> None:
    with FaultProxy(server.port, seed=5, share=0.7, max_faults=10, stall_seconds=4.0) as faulty:
        client = Client.create(tmp_path / "faulty", {**SMALL_BATCHES, "sync.upload_batch_bytes": "150000"})
        client.login(faulty.url, "ins2")
        hashes = client.report_photos(16, 600)
        faulty.enabled = True
        for _ in range(10):
            if SyncEngine(client.folder).run_cycle().all_acknowledged:
                break
        else:
            raise AssertionError("the photos were not all uploaded within ten cycles")
        assert faulty.total_faults > 0, "the proxy injected no fault"
    assert_stored(server, client, hashes)
    scratch = server.root / "blobs" / "tmp"
    deadline = time.monotonic() + 30
    while any(scratch.iterdir()):  # a stalled batch is dropped once its connection is closed
        assert time.monotonic() < deadline, "a partial blob was left behind"
        time.sleep(0.1)


def _jobs(*sizes: int) -> list[_Job]:
    return [_Job(f"{index:064x}", Path(f"p{index}"), size) for index, size in enumerate(sizes)]


def test_batches_are_planned_within_the_servers_limits() -> None:
    limits = BatchLimits(target_bytes=10_000, max_bytes=12_000, max_blobs=3)
    units = plan_units(_jobs(4000, 4000, 4000, 100, 100, 100, 100, 11_900, 3000), limits, workers=2)
    planned = [([job.size for job in unit.jobs], unit.batch) for unit in units]
    assert planned == [
        ([4000, 4000], True),
        ([4000, 100, 100], True),
        ([100, 100, 3000], True),
        ([11_900], False),  # too large for a batch with its manifest: its own PUT
    ]
    for unit in units:
        if unit.batch:
            assert limits.fits(len(unit.jobs), sum(job.size for job in unit.jobs))
    spread = plan_units(_jobs(100, 100, 100, 100), BatchLimits(8_000_000, 32_000_000, 200), workers=4)
    assert [len(unit.jobs) for unit in spread] == [1, 1, 1, 1]  # one batch per connection
    assert [unit.batch for unit in plan_units(_jobs(100, 100), BatchLimits(0, 0, 0), workers=4)] == [False, False]
    empty = plan_units(_jobs(0, 0, 0, 0), limits, workers=2)
    assert [[job.size for job in unit.jobs] for unit in empty] == [[0, 0, 0], [0]]


@pytest.mark.timeout(30)  # guards against a hang: a planner that stepped one share at a time never ended here
def test_a_tiny_batch_target_plans_one_photo_a_batch_at_once() -> None:
    """A client set to batches of a byte (or a server offering tiny ones) still plans at once: a batch per photo."""
    limits = BatchLimits(target_bytes=1, max_bytes=4_000_000_000, max_blobs=200)
    units = plan_units(_jobs(*[300_000_000] * 12), limits, workers=4)
    assert [[job.sha for job in unit.jobs] for unit in units] == [[f"{index:064x}"] for index in range(12)]
    assert all(unit.batch for unit in units)
