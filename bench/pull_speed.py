"""Pull speed on loopback with the SQLite server: a supervisor's first sync (records usable, then all photos in), a
fresh pull of about 20,000 feed entries (entries/s, ratio to a bulk insert of the same rows, bytes on the wire).

Seeds 5,000 reported findings (the first 200 with a photo of about 1 MB) from an inspector's laptop, lets a
supervisor sync them for the first time, accept them all and push; then a fresh laptop pulls the lot.

Run: .venv/bin/python bench/pull_speed.py [--findings N] [--photos M]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sqlite3
import sys
import tempfile
import threading
import time
from pathlib import Path

import keyring

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests" / "e2e"))

from e2e_support import Client, ServerProcess, build_server_template  # noqa: E402
from keyring_doubles import MemoryKeyring  # noqa: E402
from sync_throughput import make_photo_blobs, seed_reports  # noqa: E402

from inspector.store.database import connect, open_data_folder  # noqa: E402
from inspector.sync.engine import SyncEngine  # noqa: E402
from inspector.sync.progress import SyncProgress  # noqa: E402

# Every table a pull writes rows of (statistics_dirty is filled by the events' triggers in both)
PULLED_TABLES = ("findings", "finding_events", "photo_links", "photos_wanted", "people", "sync_cursors")


class CountingProxy:
    """A loopback TCP proxy that counts the bytes each way."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.sent = 0  # client → server
        self.received = 0  # server → client
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            threading.Thread(target=self._pump, args=(conn, upstream, "sent"), daemon=True).start()
            threading.Thread(target=self._pump, args=(upstream, conn, "received"), daemon=True).start()

    def _pump(self, source: socket.socket, target: socket.socket, way: str) -> None:
        try:
            while data := source.recv(262144):
                with self.lock:
                    setattr(self, way, getattr(self, way) + len(data))
                target.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, target):
                with contextlib.suppress(OSError):
                    sock.close()

    def close(self) -> None:
        self.listener.close()


def sync_timed(client: Client) -> tuple[float, dict[str, float], object]:
    """Seconds of one cycle, the moment each phase was first seen (and "cpu": this process's CPU seconds for the
    cycle, every thread), and the summary."""
    started, cpu = time.perf_counter(), time.process_time()
    seen: dict[str, float] = {}

    def progress(update: SyncProgress) -> None:
        seen.setdefault(update.phase, time.perf_counter() - started)

    summary = SyncEngine(client.folder).run_cycle(progress)
    seen["cpu"] = time.process_time() - cpu
    return time.perf_counter() - started, seen, summary


def bulk_insert_seconds(source: Path, work: Path) -> tuple[float, float]:
    """The rows a pull wrote (findings, events, photo links, photos still to fetch, names, the cursor) inserted into
    an empty client database of the same schema (its indexes and triggers) with one executemany per table in one
    transaction, on a connection with the app's pragmas."""
    target_folder = open_data_folder(work / "bulk")
    target_folder.connect().close()
    with sqlite3.connect(source) as read:
        rows = {table: read.execute(f"SELECT * FROM {table}").fetchall() for table in PULLED_TABLES}
    target = connect(target_folder.db_path).conn  # foreign keys on, full sync, as the pull's own connection
    started, cpu = time.perf_counter(), time.process_time()
    with target:
        for table in PULLED_TABLES:
            if rows[table]:
                marks = ", ".join("?" for _ in rows[table][0])
                target.executemany(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", rows[table])
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    target.close()
    return seconds, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--photos", type=int, default=200)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix="pull-bench-"))
    template = build_server_template(work / "template")
    server = ServerProcess(work / "server", template)
    server.start()
    try:
        run(server, work, args.findings, args.photos)
    finally:
        server.stop()
    return 0


def run(server: ServerProcess, work: Path, finding_count: int, photo_count: int) -> None:
    tunables = {"sync.read_timeout": "120"}
    inspector = Client.create(work / "ins", tunables)
    inspector.login(server.url, "ins")
    hashes = make_photo_blobs(inspector, photo_count)
    seed_reports(inspector, finding_count, hashes)
    assert inspector.sync().all_acknowledged

    supervisor = Client.create(work / "sup", tunables)
    supervisor.login(server.url, "sup")
    seconds, seen, summary = sync_timed(supervisor)
    usable = seen.get("download", seconds)
    print(
        f"supervisor's first sync: {summary.pulled} feed entries, "  # type: ignore[attr-defined]
        f"{summary.photos_downloaded} photos; ledger usable after {usable:.2f} s (target <= 3 s), "  # type: ignore[attr-defined]
        f"all photos in after {seconds:.2f} s"
    )
    with supervisor.db() as db:
        to_accept = [row[0] for row in db.execute("SELECT id FROM findings WHERE state = 'reported'")]
    for finding_id in to_accept:
        supervisor.command(finding_id, "accept", {"severity": "general"})
    assert supervisor.sync().all_acknowledged

    fresh = Client.create(work / "fresh", {**tunables, "sync.download_photos": "0"})
    fresh.login(server.url, "sup2")
    seconds, seen, summary = sync_timed(fresh)
    pulled = summary.pulled  # type: ignore[attr-defined]
    bulk, bulk_cpu = bulk_insert_seconds(fresh.folder.db_path, work)
    print(
        f"fresh pull: {pulled} feed entries in {seconds:.2f} s, {pulled / seconds:.0f} entries/s; bulk insert of the "
        f"same rows {bulk:.2f} s; ratio {seconds / bulk:.2f} (target <= 3)"
    )
    print(
        f"    client CPU for the pull {seen['cpu']:.2f} s, {pulled / seen['cpu']:.0f} entries per CPU second; the bulk "
        f"insert's {bulk_cpu:.2f} s; CPU ratio {seen['cpu'] / bulk_cpu:.2f} (target <= 3); load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (PouchDB's pull of the same entries: "
        "bench/sync_throughput.py (d))"
    )
    proxy = CountingProxy(server.port)
    try:
        counted = Client.create(work / "counted", {**tunables, "sync.download_photos": "0"})
        counted.login(proxy.url, "sup2")
        proxy.sent = proxy.received = 0
        seconds, _, summary = sync_timed(counted)
        print(
            f"fresh pull through a counting proxy: {summary.pulled} entries in {seconds:.2f} s; "  # type: ignore[attr-defined]
            f"bytes received {proxy.received / 1e6:.2f} MB (target <= 4 MB), sent {proxy.sent / 1e3:.0f} kB"
        )
    finally:
        proxy.close()


if __name__ == "__main__":
    sys.exit(main())
