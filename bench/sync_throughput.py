"""Sync throughput on loopback with the SQLite server: prints the four figures of the sync issue and their ratios.

(a) 5,000 findings (report events) pushed from a seeded client, against a direct bulk insert of the same rows into
    the server database; (b) 200 photos of about 1 MB uploaded, against a plain HTTP PUT of the same bytes to a
    minimal endpoint; (c) a second sync right after: photo bytes sent and seconds; (d) a fresh client pulling
    20,000 ledger changes (the 5,000 reports and a supervisor's 5,000 accepts, as events and findings).

Two floors go with (a) and (b), the server's own work without HTTP or a client: the same 5,000 changes decided and
stored by the server's push function called in this process on a fresh copy of the database, and the same 200
photos verified (SHA-256), written and made durable by the server's blob store on four threads.

With Node.js and the peer installed (`cd bench/peer && npm ci`), the same run replicates the same documents and
bytes with PouchDB 9 to pouchdb-server on loopback (bench/peer_pouchdb.js) and prints its figures beside these:
the pushed changes as documents, the photos as attachments, and the feed entries of (d) pulled by a fresh replica.

Run: .venv/bin/python bench/sync_throughput.py [--findings N] [--photos M] [--no-peer]
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import keyring
import orjson
import requests
from PIL import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))

from e2e_support import (  # noqa: E402  (the end-to-end helpers start the real server)
    Client,
    ServerProcess,
    build_server_template,
    free_port,
    hazard_report,
)
from keyring_doubles import MemoryKeyring  # noqa: E402

from inspector.core.ledger import Role  # noqa: E402
from inspector.server.blobs import FileBlobStore  # noqa: E402
from inspector.server.db import Database  # noqa: E402
from inspector.server.encoding import sha256_text  # noqa: E402
from inspector.server.ledger_store import hashed_fields_json  # noqa: E402
from inspector.server.push import Caller, push  # noqa: E402
from inspector.server.schemas import PushIn  # noqa: E402
from inspector.server.scope import Scope  # noqa: E402
from inspector.store import findings, outbox, photos  # noqa: E402
from inspector.sync.progress import SyncProgress  # noqa: E402

MINIMAL_ENDPOINT = textwrap.dedent(
    """
    async def app(scope, receive, send):
        if scope["type"] != "http":
            return
        more = True
        while more:
            message = await receive()
            more = message.get("more_body", False)
        await send({"type": "http.response.start", "status": 201, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"{}"})
    """
)


def process_cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process so far (Linux /proc; None elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class PhaseClock:
    """Records when each phase of a cycle was first reported, and the CPU seconds the server process and this
    process had used by then."""

    def __init__(self, server_pid: int | None = None) -> None:
        self.started = time.perf_counter()
        self.server_pid = server_pid
        self.first_seen: dict[str, float] = {}
        self.server_cpu: dict[str, float | None] = {}
        self.client_cpu: dict[str, float] = {}

    def __call__(self, progress: SyncProgress) -> None:
        if progress.phase not in self.first_seen:
            self.first_seen[progress.phase] = time.perf_counter()
            self.server_cpu[progress.phase] = process_cpu_seconds(self.server_pid) if self.server_pid else None
            self.client_cpu[progress.phase] = time.process_time()

    def between(self, first: str, then: str, end: float) -> float:
        start = self.first_seen.get(first, end)
        return self.first_seen.get(then, end) - start

    def cpu_between(self, first: str, then: str) -> tuple[float | None, float | None]:
        """CPU seconds of the server and of this client process from one phase to the next (None: not known)."""
        server_first, server_then = self.server_cpu.get(first), self.server_cpu.get(then)
        server = server_then - server_first if server_first is not None and server_then is not None else None
        client_first, client_then = self.client_cpu.get(first), self.client_cpu.get(then)
        client = client_then - client_first if client_first is not None and client_then is not None else None
        return server, client


def seed_reports(client: Client, count: int, photo_hashes: list[str] | None = None) -> None:
    """`count` reported findings; the first ones carry one photo each when hashes are given."""
    actor = client.actor()
    hashes = photo_hashes or []
    with client.db() as db:
        for index in range(count):
            payload = hazard_report(f"基准问题 {index}", hashes[index : index + 1])
            findings.record_command(db, action="report", actor=actor, payload=payload)


def make_photo_blobs(client: Client, count: int) -> list[str]:
    """About 1 MB JPEGs stored as sync copies (as if imported), returned by hash."""
    rng = random.Random(7)
    hashes = []
    with client.db() as db:
        for index in range(count):
            noise = Image.effect_noise((1400, 1050), 60 + index % 7).convert("RGB")
            tint = Image.new("RGB", noise.size, tuple(rng.randrange(256) for _ in range(3)))
            buffer = io.BytesIO()
            Image.blend(noise, tint, 0.3).save(buffer, "JPEG", quality=92)
            hashes.append(photos.store_photo_blob(client.folder, db, buffer.getvalue()).sha256)
            db.execute("UPDATE photos SET uploaded = 0 WHERE sha256 = ?", [hashes[-1]])
    return hashes


def timed_sync(client: Client, server: ServerProcess | None = None) -> tuple[float, PhaseClock, object]:
    from inspector.sync.engine import SyncEngine

    clock = PhaseClock(server.process.pid if server is not None and server.process is not None else None)
    started = time.perf_counter()
    summary = SyncEngine(client.folder).run_cycle(clock)
    return time.perf_counter() - started, clock, summary


def direct_bulk_insert(server: ServerProcess, template: Path, work: Path) -> tuple[float, float]:
    """Insert the rows the push created (findings, events, change records, feed entries) into a fresh copy of the
    server database in one transaction; returns the seconds taken and the CPU seconds of this process."""
    with server.database() as source:
        rows = {table: source.execute(f"SELECT * FROM {table}").fetchall() for table in BULK_TABLES}
    return insert_fresh(template, work / "bulk.db", rows)


BULK_TABLES = ("findings", "finding_events", "sync_changes", "feed")


def insert_fresh(template: Path, path: Path, rows: dict[str, list[tuple[Any, ...]]]) -> tuple[float, float]:
    """Insert rows (by table) that the server database does not hold yet into a fresh copy of it, in one
    transaction with one executemany per table; returns the seconds and CPU seconds of that transaction (the copy
    is made before it, and closed after)."""
    path.write_bytes(template.read_bytes())
    target = sqlite3.connect(path)
    target.execute("PRAGMA journal_mode = WAL")
    present = {table: {row[0] for row in target.execute(f"SELECT * FROM {table}")} for table in rows}
    started, cpu = time.perf_counter(), time.process_time()
    with target:
        for table, table_rows in rows.items():
            fresh = [row for row in table_rows if row[0] not in present[table]]
            if fresh:
                marks = ", ".join("?" for _ in fresh[0])
                target.executemany(f"INSERT INTO {table} VALUES ({marks})", fresh)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    target.close()
    return seconds, cpu


def unchecked_floor_seconds(
    server: ServerProcess, template: Path, work: Path, bodies: list[str]
) -> tuple[float, float]:
    """What these reports cost with none of the ledger's rules: parse the bodies, make each event's canonical text
    and hash, its finding's document (the shape of one the push stored), the reply and the rows the push writes,
    and insert them as the bulk insert does. No payload checks, no state machine, no database layer: the least
    any push of them does in Python. Returns the seconds taken and the CPU seconds of this process."""
    with server.database() as source:
        shape = json.loads(source.execute("SELECT data FROM findings WHERE state = 'reported' LIMIT 1").fetchone()[0])
        actor_id, actor_name = source.execute(
            "SELECT id, display_name FROM users WHERE id = ?", [shape["reported_by"]]
        ).fetchone()
        first_seq = source.execute("SELECT max(seq) FROM feed").fetchone()[0] + 1
        first_id = json.loads(bodies[0])["changes"][0]["payload"]["event_id"]
        stored_event = source.execute("SELECT * FROM finding_events WHERE event_id = ?", [first_id]).fetchone()
        stored_finding = source.execute("SELECT * FROM findings WHERE id = ?", [stored_event[1]]).fetchone()
    sort, start_hash, stamp = orjson.OPT_SORT_KEYS, "0" * 64, stored_event[6]  # the push's own recorded_at
    started, cpu = time.perf_counter(), time.process_time()
    rows: dict[str, list[tuple[Any, ...]]] = {table: [] for table in BULK_TABLES}
    for body in bodies:
        for change in orjson.loads(body)["changes"]:
            command, payload = change["payload"], change["payload"]["payload"]
            payload_json = orjson.dumps(payload, option=sort).decode()
            fields = {"action": command["action"], "actor_id": actor_id, "at": command["at"],
                      "base_state": command["base_state"], "event_id": command["event_id"],
                      "finding_id": command["finding_id"], "index": 1, "prev_hash": start_hash,
                      "recorded_at": stamp}  # fmt: skip
            hashed = hashed_fields_json(fields, payload_json)  # the chain's own form, payload spliced in
            digest = sha256_text(hashed)
            document = {**shape, **{name: payload[name] for name in FINDING_FIELDS_OF_PAYLOAD}}
            document.update(finding_id=command["finding_id"], head_hash=digest, last_event_id=command["event_id"],
                            reported_at=command["at"], reported_by=actor_id, updated_at=stamp)  # fmt: skip
            document_json = orjson.dumps(document, option=sort).decode()
            event_json = f'{hashed[:-1]},"hash":"{digest}","actor_name":{orjson.dumps(actor_name).decode()}}}'
            reply = f'{{"status":"applied","result":{{"finding":{document_json},"event":{event_json}}}}}'
            code = payload["jurisdiction"]
            rows["findings"].append(
                (command["finding_id"], code, "reported", payload["severity"], payload["category"], None, None,
                 document_json, 1, digest, stamp, stamp, payload["kind"], payload["source"], None, None)
            )  # fmt: skip
            rows["finding_events"].append(
                (command["event_id"], command["finding_id"], 1, command["action"], actor_id, command["at"], stamp,
                 payload_json, None, start_hash, digest)
            )  # fmt: skip
            rows["sync_changes"].append((change["change_id"], actor_id, None, change["kind"], "applied", reply, stamp))
            seq = first_seq + len(rows["feed"])
            rows["feed"] += [(seq, "finding_event", command["event_id"], code, event_json, stamp),
                             (seq + 1, "finding", command["finding_id"], code, document_json, stamp)]  # fmt: skip
    made, made_cpu = time.perf_counter() - started, time.process_time() - cpu
    # the same rows as the push's: its first event and finding, byte for byte (the feed numbers them itself)
    assert rows["finding_events"][0] == tuple(stored_event), (rows["finding_events"][0], stored_event)
    assert rows["findings"][0][:9] == tuple(stored_finding)[:9], (rows["findings"][0], stored_finding)
    inserted, inserted_cpu = insert_fresh(template, work / "floor.db", rows)
    return made + inserted, made_cpu + inserted_cpu


FINDING_FIELDS_OF_PAYLOAD = ("category", "description", "jurisdiction", "kind", "severity", "source")


def push_bodies(client: Client, batch: int = 500) -> list[str]:
    """The client's queued changes as push bodies of `batch` changes, as the sync engine sends them."""
    with client.db() as db:
        entries = outbox.list_pending(db, 1_000_000)
    return [
        json.dumps({"changes": [entry.to_wire() for entry in entries[start : start + batch]]}, ensure_ascii=False)
        for start in range(0, len(entries), batch)
    ]


def server_decision_seconds(template: Path, work: Path, username: str, bodies: list[str]) -> tuple[float, float]:
    """Parse and push the bodies with the server's own push function in this process (no HTTP, no client) into a
    fresh copy of the server database; every change must be applied. Returns the seconds taken and the CPU seconds
    of this process."""
    path = work / "decide.db"
    path.write_bytes(template.read_bytes())
    connection = sqlite3.connect(path)
    try:
        user = connection.execute("SELECT id, display_name FROM users WHERE username = ?", [username]).fetchone()
        rows = connection.execute("SELECT code FROM user_jurisdictions WHERE user_id = ?", [user[0]]).fetchall()
    finally:
        connection.close()
    user_id, name = user
    codes = [code for (code,) in rows]
    caller = Caller(user_id, name, None, Scope.of(user_id, frozenset({Role.INSPECTOR}), codes))
    database = Database(f"sqlite:///{path}")
    gc.collect()
    gc.disable()  # the server runs with the cycle collector all but idle (see the server CLI); so does this floor
    try:
        started, cpu = time.perf_counter(), time.process_time()
        for body in bodies:
            results = push(database, caller, PushIn.model_validate_json(body).changes)
            assert all('"status":"applied"' in result for result in results), results[0]
        return time.perf_counter() - started, time.process_time() - cpu
    finally:
        gc.enable()
        database.dispose()


def store_photos_seconds(client: Client, hashes: list[str], work: Path, threads: int = 4) -> float:
    """Verify, write and make durable the photos with the server's blob store on `threads` threads (no HTTP), from
    bytes already in memory; returns the seconds taken."""
    store = FileBlobStore(work / "store-floor")
    data = [client.folder.photo_path(sha).read_bytes() for sha in hashes]

    def keep(index: int) -> None:
        incoming = store.receive(hashes[index], len(data[index]))
        incoming.write(data[index])
        incoming.finish()

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(keep, range(len(hashes))))
    seconds = time.perf_counter() - started
    assert all(store.has_file(sha) for sha in hashes)
    return seconds


def plain_put_seconds(client: Client, hashes: list[str], work: Path) -> float:
    """PUT the same bytes to a minimal ASGI endpoint under uvicorn on loopback, one after another."""
    (work / "minimal_endpoint.py").write_text(MINIMAL_ENDPOINT, encoding="utf-8")
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "minimal_endpoint:app", "--port", str(port), "--log-level", "warning"]
    process = subprocess.Popen(command, cwd=work)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                requests.put(url, data=b"x", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.05)
        session = requests.Session()
        started = time.perf_counter()
        for sha in hashes:
            data = client.folder.photo_path(sha).read_bytes()
            session.put(f"{url}/{sha}", data=data, timeout=60).raise_for_status()
        return time.perf_counter() - started
    finally:
        process.terminate()
        process.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=5000)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--no-peer", action="store_true", help="skip PouchDB's figures")
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())
    work = Path(tempfile.mkdtemp(prefix="sync-bench-"))
    print(f"work folder {work}")
    template = build_server_template(work / "template")
    server = ServerProcess(work / "server", template)
    server.start()
    try:
        figures = run(server, template, work, args.findings, args.photos)
    finally:
        server.stop()
    if not args.no_peer:
        print_peer(work, figures)
    return 0


def print_peer(work: Path, figures: dict[str, float]) -> None:
    """Replicate the same documents and bytes with PouchDB (bench/peer_pouchdb.js) and print both side by side."""
    node = shutil.which("node")
    if node is None or not (PEER_FOLDER / "node_modules" / "pouchdb").is_dir():
        print("peer: PouchDB not installed (node and `cd bench/peer && npm ci` needed); no peer figures")
        return
    command = [node, str(PEER_SCRIPT), "--changes", str(work / "peer-changes.jsonl")]
    command += ["--photos", str(work / "peer-photos"), "--feed", str(work / "peer-feed.jsonl")]
    completed = subprocess.run(command, capture_output=True, text=True, check=False, timeout=1800)
    if completed.returncode != 0:
        print(f"peer: bench/peer_pouchdb.js failed: {completed.stderr.strip()[-2000:]}")
        return
    peer = json.loads(completed.stdout.strip().splitlines()[-1])
    mb = peer["photo_bytes"] / 1_048_576
    print(f"peer: PouchDB {peer['pouchdb']} replicating to pouchdb-server on loopback, the same documents and bytes")
    print(
        f"(a) push: Inspector {figures['push']:.2f} s, PouchDB {peer['push_seconds']:.2f} s for {peer['push_docs']} "
        f"documents; Inspector is {peer['push_seconds'] / figures['push']:.2f}× PouchDB's speed"
    )
    print(
        f"(b) photos: Inspector {figures['photos']:.2f} s, PouchDB {peer['photo_seconds']:.2f} s for "
        f"{peer['photo_docs']} attachments ({mb:.0f} MB); Inspector is "
        f"{peer['photo_seconds'] / figures['photos']:.2f}× PouchDB's speed"
    )
    print(
        f"(d) fresh pull: Inspector {figures['pull']:.2f} s, PouchDB {peer['pull_seconds']:.2f} s for "
        f"{peer['pull_docs']} entries; Inspector is {peer['pull_seconds'] / figures['pull']:.2f}× PouchDB's speed"
    )
    print(f"    load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores after the peer's run")


PEER_FOLDER = Path(__file__).resolve().parent / "peer"
PEER_SCRIPT = Path(__file__).resolve().parent / "peer_pouchdb.js"


def export_for_peer(
    work: Path, bodies: list[str], photo_client: Client, hashes: list[str], server: ServerProcess
) -> None:
    """The documents and bytes Inspector synced, as files the peer reads: the pushed changes, the photos, the feed."""
    with (work / "peer-changes.jsonl").open("w", encoding="utf-8") as out:
        for body in bodies:
            for change in json.loads(body)["changes"]:
                out.write(json.dumps(change, ensure_ascii=False) + "\n")
    folder = work / "peer-photos"
    folder.mkdir(exist_ok=True)
    for sha in hashes:
        shutil.copyfile(photo_client.folder.photo_path(sha), folder / sha)
    with server.database() as db, (work / "peer-feed.jsonl").open("w", encoding="utf-8") as out:
        for kind, entity_id, jurisdiction, data, at in db.execute(
            "SELECT kind, entity_id, jurisdiction, data, at FROM feed ORDER BY seq"
        ):
            entry = {"kind": kind, "entity_id": entity_id, "jurisdiction": jurisdiction, "data": json.loads(data)}
            out.write(json.dumps({**entry, "at": at}, ensure_ascii=False) + "\n")


def run(server: ServerProcess, template: Path, work: Path, finding_count: int, photo_count: int) -> dict[str, float]:
    seeded = Client.create(work / "seeded", {"sync.read_timeout": "120"})
    seeded.login(server.url, "ins")
    seed_reports(seeded, finding_count)
    bodies = push_bodies(seeded)
    seconds, clock, summary = timed_sync(seeded, server)
    push_seconds = clock.between("push", "pull", time.perf_counter())
    assert summary.all_acknowledged, summary  # type: ignore[attr-defined]
    bulk, bulk_cpu = direct_bulk_insert(server, template, work)
    print(
        f"(a) {finding_count} findings pushed in {push_seconds:.2f} s "
        f"(whole cycle with the pull-back {seconds:.2f} s); "
        f"direct bulk insert of the same rows {bulk:.2f} s; ratio {push_seconds / bulk:.2f} (target <= 2.5)"
    )
    server_part = summary.push_server_seconds  # type: ignore[attr-defined]
    print(
        f"    of the push: {server_part:.2f} s waiting for the server (ratio {server_part / bulk:.2f} to the bulk "
        f"insert), {push_seconds - server_part:.2f} s of client work not overlapped with the server (planning and "
        "settling run while the next batch is on its way)"
    )
    print_cpu(clock, "push", "pull", bulk)
    print(
        f"    the bulk insert used {bulk_cpu:.2f} CPU seconds: the server's CPU for the push against it is the figure "
        "a busy machine moves least"
    )
    server_cpu, _ = clock.cpu_between("push", "pull")
    if server_cpu is not None:
        print(f"    CPU ratio server push / bulk insert: {server_cpu / bulk_cpu:.2f} (target <= 2.5)")
    decide, decide_cpu = server_decision_seconds(template, work, "ins", bodies)
    print(
        f"    floor: the server's push function alone (no HTTP, no client) {decide:.2f} s ({decide_cpu:.2f} CPU s); "
        f"ratio {decide / bulk:.2f} to the bulk insert (CPU {decide_cpu / bulk_cpu:.2f}; target <= 2.5)"
    )
    unchecked, unchecked_cpu = unchecked_floor_seconds(server, template, work, bodies)
    print(
        f"    below it: the same rows made with none of the ledger's rules (parse, hash, documents, rows, insert) "
        f"{unchecked:.2f} s ({unchecked_cpu:.2f} CPU s); ratio {unchecked / bulk:.2f} to the bulk insert: what the "
        "rules and the layers cost is the difference"
    )

    photo_client = Client.create(work / "photos", {"sync.read_timeout": "120"})
    photo_client.login(server.url, "ins2")
    hashes = make_photo_blobs(photo_client, photo_count)
    seed_reports(photo_client, photo_count, hashes)
    mb = sum(photo_client.folder.photo_path(sha).stat().st_size for sha in hashes) / 1_048_576
    seconds, clock, summary = timed_sync(photo_client, server)
    upload_seconds = clock.between("photos", "push", time.perf_counter())
    assert summary.all_acknowledged and summary.photos_uploaded == photo_count, summary  # type: ignore[attr-defined]
    plain = plain_put_seconds(photo_client, hashes, work)
    print(
        f"(b) {photo_count} photos ({mb:.0f} MB, {mb / photo_count:.2f} MB each) uploaded in {upload_seconds:.2f} s "
        f"({mb / upload_seconds:.0f} MB/s); plain PUT of the same bytes {plain:.2f} s; "
        f"ratio {upload_seconds / plain:.2f} (target <= 1.3)"
    )
    print_cpu(clock, "photos", "push", plain)
    store = store_photos_seconds(photo_client, hashes, work)
    print(
        f"    floor: verifying and storing the bytes alone (SHA-256, write, fsync; 4 threads, no HTTP) {store:.2f} s; "
        f"plain PUT plus that, not overlapped, would be ratio {(plain + store) / plain:.2f}"
    )

    seconds, _, summary = timed_sync(photo_client)
    print(
        f"(c) second sync right after: {summary.photo_bytes_sent} photo bytes sent, "  # type: ignore[attr-defined]
        f"{seconds:.2f} s (target < 1 s)"
    )

    supervisor = Client.create(work / "supervisor", {"sync.read_timeout": "120"})
    supervisor.login(server.url, "sup")
    seconds, _, summary = timed_sync(supervisor)
    print(f"    supervisor's first pull: {summary.pulled} feed entries in {seconds:.2f} s")  # type: ignore[attr-defined]
    with supervisor.db() as db:
        to_accept = [row[0] for row in db.execute("SELECT id FROM findings WHERE state = 'reported'")][:finding_count]
    for finding_id in to_accept:
        supervisor.command(finding_id, "accept", {"severity": "general"})
    seconds, _, summary = timed_sync(supervisor)
    print(f"    supervisor pushed {summary.acknowledged} accepts in {seconds:.2f} s")  # type: ignore[attr-defined]

    fresh = Client.create(work / "fresh", {"sync.read_timeout": "120", "sync.download_photos": "0"})
    fresh.login(server.url, "sup2")
    seconds, _, summary = timed_sync(fresh)
    ledger_entries = _ledger_feed_entries(server)
    pulled = summary.pulled  # type: ignore[attr-defined]
    print(
        f"(d) fresh client pulled {pulled} feed entries ({ledger_entries} of them ledger changes: findings and "
        f"events) in {seconds:.2f} s, {pulled / seconds:.0f} entries/s"
    )
    print(f"    cpu count {os.cpu_count()}, server database {server.db_path.stat().st_size / 1_048_576:.0f} MB")
    export_for_peer(work, bodies, photo_client, hashes, server)
    return {"push": push_seconds, "photos": upload_seconds, "pull": seconds}


def print_cpu(clock: PhaseClock, first: str, then: str, baseline: float) -> None:
    """The CPU seconds behind a phase: a figure that a busy machine moves less than the wall-clock one."""
    server, client = clock.cpu_between(first, then)
    if server is None or client is None:
        return
    print(
        f"    CPU during that phase: server {server:.2f} s (ratio {server / baseline:.2f} to the baseline), "
        f"this client {client:.2f} s; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )


def _ledger_feed_entries(server: ServerProcess) -> int:
    with server.database() as db:
        return int(db.execute("SELECT count(*) FROM feed WHERE kind IN ('finding', 'finding_event')").fetchone()[0])


if __name__ == "__main__":
    sys.exit(main())
