"""Faults: a proxy that drops, resets, stalls and truncates connections; the server restarted mid-push; the
`inspector sync` process killed at random points. Afterwards the server holds exactly what the clients made."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import keyring
import pytest
from e2e_support import (
    PASSWORD,
    REPO_ROOT,
    Client,
    ServerProcess,
    assert_cursor_consistent,
    assert_server_holds_exactly,
    assign_payload,
    server_records,
)
from fault_proxy import FaultProxy
from keyring_doubles import SHARED_FILE_ENV, SharedTestKeyring

# Small chunks and batches, so one cycle makes many requests for the faults to hit, and photos go resumable.
MANY_REQUESTS = {"sync.push_batch_size": "3", "sync.resumable_threshold": "40000", "sync.chunk_bytes": "16384"}
# The same, with the photos sent whole in batch requests of one or two photos each (several requests at once).
BATCHED_PHOTOS = {"sync.push_batch_size": "3", "sync.upload_batch_bytes": "150000", "sync.upload_workers": "2"}
UPLOAD_MODES = {"resumable": MANY_REQUESTS, "batched": BATCHED_PHOTOS}
KILL_RUNS = int(os.environ.get("INSPECTOR_E2E_KILL_RUNS", "10"))
KILL_SEED = int(os.environ.get("INSPECTOR_E2E_KILL_SEED", "2026"))


def make_findings(client: Client, count: int, first_seed: int) -> None:
    subject_id = client.subject(f"测试街巷 {first_seed}")
    for seed in range(first_seed, first_seed + count):
        client.inspection_with_finding(seed, subject_id)


def sync_until_done(client: Client, cycles: int = 12) -> int:
    """Run cycles until one acknowledges everything; returns how many it took."""
    for attempt in range(1, cycles + 1):
        if client.sync().all_acknowledged:
            return attempt
    raise AssertionError(f"still not synced after {cycles} cycles")


@pytest.mark.parametrize("upload", list(UPLOAD_MODES))
@pytest.mark.parametrize("seed", [int(s) for s in os.environ.get("INSPECTOR_E2E_FAULT_SEEDS", "23").split(",")])
def test_faulty_network_loses_and_duplicates_nothing(
    server: ServerProcess, make_client: Callable[..., Client], seed: int, upload: str
) -> None:
    with FaultProxy(server.port, seed=seed, share=0.8, max_faults=12, stall_seconds=4.0) as proxy:
        inspector = make_client("inspector", UPLOAD_MODES[upload])
        supervisor = make_client("supervisor", UPLOAD_MODES[upload])
        inspector.login(proxy.url, "ins")
        supervisor.login(proxy.url, "sup")
        make_findings(inspector, 6, seed * 100)
        proxy.enabled = True

        sync_until_done(inspector)
        sync_until_done(supervisor)
        for finding_id in list(_finding_ids(supervisor))[:3]:
            supervisor.command(finding_id, "accept", {"severity": "general"})
            supervisor.command(finding_id, "assign", assign_payload())
        sync_until_done(supervisor)
        sync_until_done(inspector)
        print(f"faults {dict(proxy.counts)} over {proxy.connections} connections")
        assert proxy.total_faults > 0, "the proxy injected no fault"

    assert_server_holds_exactly(server, [inspector, supervisor])
    held = server_records(server)
    assert sorted(held["event_counts"].values()) == [1, 1, 1, 3, 3, 3]
    assert len(held["blobs"]) == 6
    batches, chunks = proxy.requested("POST", "/api/v1/blobs/batch"), proxy.requested("PATCH", "/api/v1/blobs/")
    print(f"photo requests: {batches} batches, {chunks} resumable chunks")
    assert (batches > 0, chunks > 0) == (upload == "batched", upload == "resumable"), proxy.requests
    with FaultProxy(server.port, seed=0) as clean:
        for client in (inspector, supervisor):
            _point_at(client, clean.url)
            assert_cursor_consistent(server, client)


def _finding_ids(client: Client) -> list[str]:
    with client.db() as db:
        return [row[0] for row in db.execute("SELECT id FROM findings ORDER BY id")]


def _point_at(client: Client, url: str) -> None:
    from inspector.store import settings
    from inspector.sync import config
    from inspector.sync.credentials import CredentialStore, account_key

    with client.db() as db:
        old = config.read_config(db)
        store = CredentialStore()
        token = store.load(account_key(str(old.server_url), str(old.username), old.device_id))
        assert token is not None
        settings.put(db, config.SERVER_URL, url)
        store.save(account_key(url, str(old.username), old.device_id), token.token)


def test_server_restarted_mid_push(server: ServerProcess, make_client: Callable[..., Client]) -> None:
    client = make_client("inspector", {"sync.push_batch_size": "1"})
    client.login(server.url, "ins")
    make_findings(client, 6, 500)
    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.update(summary=client.sync()))
    worker.start()
    deadline = time.monotonic() + 60
    while len(server_records(server)["changes"]) < 3:
        assert time.monotonic() < deadline, "the push never started"
        time.sleep(0.02)
    server.stop(signal.SIGKILL)
    time.sleep(1.0)
    server.start()
    worker.join(timeout=120)
    assert not worker.is_alive()
    first = result["summary"]
    assert first.outcome in ("ok", "failed"), first  # type: ignore[attr-defined]
    sync_until_done(client)
    assert_server_holds_exactly(server, [client])
    assert_cursor_consistent(server, client)


def _use_tunables(client: Client, tunables: dict[str, str]) -> None:
    from inspector.store import settings
    from inspector.sync.config import TUNABLES

    with client.db() as db:
        for key in TUNABLES:
            if key not in tunables and key.startswith(("sync.resumable", "sync.chunk", "sync.upload")):
                settings.put_text(db, key, "")
        for key, value in tunables.items():
            settings.put_text(db, key, value)


def _wait_for_push(server: ServerProcess, changes_before: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while process.poll() is None and time.monotonic() < deadline:
        if len(server_records(server)["changes"]) > changes_before:
            return
        time.sleep(0.01)


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), str(REPO_ROOT)])
    env["PYTHON_KEYRING_BACKEND"] = "keyring_doubles.SharedTestKeyring"
    env[SHARED_FILE_ENV] = str(tmp_path / "os-keyring.json")
    return env


def _cli(client: Client, env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "inspector", "--data-dir", str(client.folder.root), *args]
    return subprocess.run(command, env=env, input=stdin, capture_output=True, text=True, timeout=180)


def test_sync_killed_at_random_points(
    server: ServerProcess,
    make_client: Callable[..., Client],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    env = _cli_env(tmp_path)
    monkeypatch.setenv(SHARED_FILE_ENV, env[SHARED_FILE_ENV])
    keyring.set_keyring(SharedTestKeyring())  # this process reads the same stand-in OS keyring as the CLI
    client = make_client("inspector", MANY_REQUESTS)
    watcher = FaultProxy(server.port, seed=0).__enter__()  # never enabled: it only counts the requests
    request.addfinalizer(watcher.__exit__)
    login = _cli(client, env, "login", "--server", watcher.url, "--username", "ins", "--password-stdin", stdin=PASSWORD)
    assert login.returncode == 0, login.stderr
    rng = random.Random(KILL_SEED)
    killed = mid_sync = 0
    for run in range(KILL_RUNS):
        _use_tunables(client, UPLOAD_MODES["batched" if run % 4 >= 2 else "resumable"])  # both ways, in turn
        make_findings(client, 2, 1000 + run * 10)
        before = len(server_records(server)["changes"])
        command = [sys.executable, "-m", "inspector", "--data-dir", str(client.folder.root), "sync", "--json"]
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if run % 2:
            _wait_for_push(server, before, process)  # every other run: killed as soon as the push has begun
        else:
            time.sleep(rng.uniform(0.4, 2.5))  # otherwise at a random moment: start-up, photos, push or pull
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
            # killed after the server had taken some of this run's changes, while others were still queued
            mid_sync += len(server_records(server)["changes"]) > before and client.outbox_count() > 0
        process.wait(timeout=60)
    print(f"{killed} of {KILL_RUNS} sync runs killed, {mid_sync} of them in the middle of the push")
    assert killed >= KILL_RUNS // 2, f"only {killed} runs were still going when killed"

    final = _cli(client, env, "sync", "--json")
    assert final.returncode == 0, final.stdout + final.stderr
    if KILL_RUNS >= 4:  # runs 3, 7, …: photos sent in batches, and killed only once the push had begun
        assert watcher.requested("POST", "/api/v1/blobs/batch") and watcher.requested("PATCH", "/api/v1/blobs/")
    assert_server_holds_exactly(server, [client])
    assert_cursor_consistent(server, client)
