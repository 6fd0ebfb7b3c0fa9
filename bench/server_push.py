"""Push benchmark on PostgreSQL: API throughput against a direct bulk insert, then 50 concurrent clients.

Run: .venv/bin/python bench/server_push.py [--findings 10000] [--clients 50] [--per-client 200]

It starts its own throwaway PostgreSQL cluster (durable settings), runs `inspector-server serve` in its own
process, and prints figures and ratios:
1. one client pushes N findings (a report event each) in batches; findings per second;
2. the same rows the API wrote (findings, events, feed entries, change records) are bulk-inserted into a fresh
   database with executemany in batches of the same size; the ratio API time / bulk time (target ≤ 2.5), and (on
   Linux) the CPU the server process spent on the pushes against the CPU the bulk-inserting process spent, which a
   busy machine disturbs less than the times;
3. C clients push M findings each at the same time; push latency p50/p99; every finding stored exactly once.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from pg_support import PgCluster, free_port  # the server tests' throwaway PostgreSQL cluster
from sync_throughput import process_cpu_seconds  # the bench beside this one

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.server.auth import create_user
from inspector.server.cli import SAMPLE_JURISDICTIONS, prepare_database
from inspector.server.db import Database
from inspector.server.jurisdictions import import_file
from inspector.server.models import FeedEntry, Finding, FindingEvent, SyncChange
from inspector.server.settings import load_settings

HEADERS = {"X-Inspector-Protocol": "2", "X-Inspector-Client": "inspector/0.1.0"}
PASSWORD = "bench-password"
COMMUNITY = "110105004032000"
COPIED_TABLES = (Finding, FindingEvent, FeedEntry, SyncChange)


def report_change() -> dict[str, Any]:
    """One new finding: a report command."""
    return {
        "change_id": new_id(),
        "kind": "ledger.command",
        "payload": {
            "event_id": new_id(),
            "finding_id": new_id(),
            "action": "report",
            "base_state": None,
            "at": now_iso(),
            "payload": {
                "description": "垃圾乱放，堆物堆料，占用消防通道",
                "category": "十无",
                "kind": "hazard",
                "source": "patrol",
                "severity": "general",
                "jurisdiction": COMMUNITY,
                "location": {"lat": 39.9365, "lon": 116.4551, "address": "三里屯路19号"},
                "photos": [],
            },
        },
    }


def seed(url: str, users: list[str]) -> None:
    """Schema, checklists, the sample district and the bench accounts."""
    db = Database(url)
    prepare_database(db)
    settings = load_settings(environ={}, data_dir="/nonexistent", database_url=url)
    with db.write() as session:
        import_file(session, SAMPLE_JURISDICTIONS)
        for name in users:
            create_user(session, settings, name, PASSWORD, ["inspector"], ["110105004"], name)
    db.dispose()


def start_server(url: str, data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(INSPECTOR_DATABASE_URL=url, INSPECTOR_DATA_DIR=data_dir, INSPECTOR_LOG_LEVEL="WARNING")
    command = [sys.executable, "-m", "inspector.server.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if server.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start")
        time.sleep(0.2)


def login(http: httpx.Client, username: str) -> dict[str, str]:
    body = {"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4())}
    response = http.post("/api/v1/auth/login", json=body, headers=HEADERS)
    response.raise_for_status()
    return {**HEADERS, "Authorization": f"Bearer {response.json()['token']}"}


def push(http: httpx.Client, headers: dict[str, str], changes: list[dict[str, Any]]) -> float:
    """Push one batch; returns its latency; fails loudly unless every change is applied."""
    started = time.perf_counter()
    response = http.post("/api/v1/push", json={"changes": changes}, headers=headers, timeout=300)
    latency = time.perf_counter() - started
    response.raise_for_status()
    statuses = {item["status"] for item in response.json()["results"]}
    if statuses != {"applied"}:
        raise SystemExit(f"unexpected push results: {statuses}")
    return latency


def timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def phase_sequential(
    base: str, findings: int, batch: int, server_pid: int
) -> tuple[float, list[float], str, float | None]:
    """One client pushes the findings in batches; returns the time, the latencies, when it started and the server
    process's CPU seconds for the pushes (None where it cannot be read)."""
    changes = [report_change() for _ in range(findings)]
    latencies: list[float] = []
    with httpx.Client(base_url=base) as http:
        headers = login(http, "bench-0")
        push(http, headers, [report_change()])  # warm-up (not counted, not copied)
        time.sleep(0.01)
        mark = now_iso()
        cpu_before = process_cpu_seconds(server_pid)
        started = time.perf_counter()
        for start in range(0, findings, batch):
            latencies.append(push(http, headers, changes[start : start + batch]))
        elapsed = time.perf_counter() - started
        cpu_after = process_cpu_seconds(server_pid)
    cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
    return elapsed, latencies, mark, cpu


def copy_rows(
    source_url: str, target_url: str, batch: int, skip_before: str
) -> tuple[float, float, dict[str, int]]:
    """Bulk-insert into the target the rows the API wrote (after the warm-up); returns the time, this process's CPU
    seconds for it and the row counts."""
    source = Database(source_url)
    rows: dict[type, list[dict[str, Any]]] = {}
    with source.read() as session:
        for model in COPIED_TABLES:
            columns = [column.key for column in model.__table__.columns]
            query = select(*[getattr(model, c) for c in columns])
            stamp_column = {
                Finding: Finding.created_at,
                FindingEvent: FindingEvent.recorded_at,
                FeedEntry: FeedEntry.at,
                SyncChange: SyncChange.received_at,
            }[model]
            query = query.where(stamp_column > skip_before)
            if model is FeedEntry:
                query = query.where(FeedEntry.kind.in_(("finding", "finding_event")))
            rows[model] = [dict(zip(columns, row, strict=True)) for row in session.execute(query)]
    source.dispose()
    target = Database(target_url)
    by_finding = len(rows[Finding])
    per_model = {model: len(rows[model]) // max(1, by_finding) for model in COPIED_TABLES}

    def insert_all() -> None:
        # Same batching as the API: one transaction per batch of findings, with their events, feed entries and
        # change records.
        for start in range(0, by_finding, batch):
            with target.write() as session:
                for model in COPIED_TABLES:
                    share = per_model[model]
                    chunk = rows[model][start * share : (start + batch) * share]
                    if chunk:
                        session.execute(insert(model), chunk)

    cpu_before = time.process_time()
    elapsed = timed(insert_all)
    cpu = time.process_time() - cpu_before
    target.dispose()
    return elapsed, cpu, {model.__tablename__: len(rows[model]) for model in COPIED_TABLES}


def phase_concurrent(base: str, clients: int, per_client: int, batch: int) -> tuple[float, list[float], set[str]]:
    plans = [[report_change() for _ in range(per_client)] for _ in range(clients)]
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    with httpx.Client(base_url=base) as http:
        tokens = [login(http, f"bench-{index % 5}") for index in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def client(index: int) -> None:
        try:
            with httpx.Client(base_url=base) as http:
                barrier.wait()
                for start in range(0, per_client, batch):
                    latency = push(http, tokens[index], plans[index][start : start + batch])
                    with lock:
                        latencies.append(latency)
        except BaseException as error:  # reported below; the run fails
            failures.append(f"client {index}: {error!r}")

    threads = [threading.Thread(target=client, args=(index,)) for index in range(clients)]
    for thread in threads:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if failures:
        raise SystemExit("; ".join(failures[:5]))
    finding_ids = {change["payload"]["finding_id"] for plan in plans for change in plan}
    return elapsed, latencies, finding_ids


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--per-client", type=int, default=200)
    parser.add_argument("--client-batch", type=int, default=50)
    args = parser.parse_args()

    print("Inspector server push benchmark (PostgreSQL, durable settings, server in its own process)")
    with PgCluster(durable=True) as cluster:
        api_url = cluster.create_database("bench_api")
        bulk_url = cluster.create_database("bench_bulk")
        seed(api_url, [f"bench-{i}" for i in range(5)])
        prepare_database(Database(bulk_url))
        server, base = start_server(api_url, str(cluster.root / "server-data"))
        try:
            api_time, latencies, mark, api_cpu = phase_sequential(base, args.findings, args.batch, server.pid)
            rate = args.findings / api_time
            print(
                f"1. API: {args.findings} findings in {len(latencies)} pushes of {args.batch}: {api_time:.2f} s, "
                f"{rate:.0f} findings/s (push latency p50 {percentile(latencies, 0.5):.2f} s)"
            )
            bulk_time, bulk_cpu, counts = copy_rows(api_url, bulk_url, args.batch, mark)
            described = ", ".join(f"{name} {count}" for name, count in counts.items())
            print(f"2. direct bulk insert of the same rows ({described}) in batches of {args.batch}: {bulk_time:.2f} s")
            print(
                f"   ratio API / bulk insert: {api_time / bulk_time:.2f} (target ≤ 2.5); load average "
                f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
            )
            if api_cpu is not None and bulk_cpu > 0:
                print(
                    f"   CPU: server process {api_cpu:.2f} s for the pushes, bulk-inserting process {bulk_cpu:.2f} s: "
                    f"ratio {api_cpu / bulk_cpu:.2f} (target ≤ 2.5; PostgreSQL's own CPU is in neither)"
                )

            wall, latencies, ids = phase_concurrent(base, args.clients, args.per_client, args.client_batch)
            total = args.clients * args.per_client
            print(
                f"3. {args.clients} concurrent clients × {args.per_client} findings (pushes of {args.client_batch}): "
                f"{len(latencies)} pushes all applied in {wall:.2f} s, {total / wall:.0f} findings/s; "
                f"push latency p50 {percentile(latencies, 0.5):.2f} s, p99 {percentile(latencies, 0.99):.2f} s, "
                f"mean {statistics.mean(latencies):.2f} s"
            )
            check = Database(api_url)
            with check.read() as session:
                stored = set(session.scalars(select(Finding.id).where(Finding.id.in_(sorted(ids)))))
                events = session.scalar(
                    select(func.count()).select_from(FindingEvent).where(FindingEvent.finding_id.in_(sorted(ids)))
                )
            check.dispose()
            lost, duplicated = len(ids - stored), int(events or 0) - len(stored)
            outcome = f"{lost} lost, {duplicated} duplicated"
            print(f"   stored {len(stored)} of {total} findings with {events} events: {outcome}")
            if lost or duplicated:
                return 1
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
