"""Web face benchmark: the dashboard over many cases beside the API's own list, and concurrent photo uploads
through the units' pages.

Run: .venv/bin/python bench/web_pages.py [--cases 100000] [--uploads 50] [--photo-mb 2]

It builds an SQLite server database in a temporary folder (cases inserted in bulk, spread over 5 街乡, six states
and twelve months), runs `inspector-server serve` in its own process and prints figure beside target:
1. the dashboard's first render and a filter change (the list of one 街乡's cases in one state), median of 5, and
   the API's list endpoint (GET /api/v1/findings, one page) on the same data; target ≤ 2× the API and ≤ 500 ms;
2. U units each send a fix with one photo of about P MB at the same time; all stored, latency p50/p99.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
from PIL import Image
from sqlalchemy import insert, select

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "server"))
from pg_support import free_port  # the server tests' free-port helper

from inspector.core.clock import add_days, local_date, to_iso, utc_now
from inspector.server.auth import create_user
from inspector.server.cli import SAMPLE_JURISDICTIONS, prepare_database
from inspector.server.db import Database
from inspector.server.jurisdictions import import_file
from inspector.server.middleware import PROTOCOL_VERSION
from inspector.server.models import Finding, Jurisdiction, UnitLink
from inspector.server.settings import load_settings

HEADERS = {"X-Inspector-Protocol": str(PROTOCOL_VERSION), "X-Inspector-Client": "inspector/0.1.0"}
PASSWORD = "bench-password"
DISTRICT = "110105000000000"
STATES = ("reported", "registered", "assigned", "assigned", "rectified", "closed", "closed", "closed", "rejected")


def seed(url: str, cases: int) -> list[str]:
    """Schema, the sample district, a leader and a supervisor, and the cases; returns the 街乡 codes used."""
    db = Database(url)
    prepare_database(db)
    settings = load_settings(environ={}, data_dir="/nonexistent", database_url=url, argon2_time_cost=1)
    with db.write() as session:
        import_file(session, SAMPLE_JURISDICTIONS)
        create_user(session, settings, "leader", PASSWORD, ["leader"], [DISTRICT], "区领导")
        create_user(session, settings, "sup", PASSWORD, ["supervisor", "inspector"], [DISTRICT], "督查员")
    with db.read() as session:
        streets = list(
            session.scalars(select(Jurisdiction.code).where(Jurisdiction.level == 2).order_by(Jurisdiction.code))
        )[:5]
    rnd = random.Random(7)
    now = utc_now()
    rows: list[dict[str, Any]] = []
    with db.write() as session:
        for index in range(cases):
            state = rnd.choice(STATES)
            created = now - timedelta(days=rnd.randrange(365), minutes=rnd.randrange(1440))
            street = streets[index % len(streets)]
            deadline = add_days(local_date(created), rnd.randrange(3, 40)).isoformat()
            data = {
                "finding_id": str(uuid.uuid4()),
                "state": state,
                "jurisdiction": street,
                "severity": "major" if index % 17 == 0 else "general",
                "category": "十无",
                "description": f"垃圾乱放，堆物堆料 {index}",
                "ledger_number": f"朝阳-B-{index:06d}",
                "deadline": deadline if state in ("assigned", "rectified", "closed") else None,
                "escalation": "street" if index % 50 == 0 else None,
                "closed_at": to_iso(created + timedelta(days=5)) if state == "closed" else None,
                "photos": [],
                "after_photos": [],
            }
            rows.append(
                {
                    "id": data["finding_id"],
                    "jurisdiction": street,
                    "state": state,
                    "severity": data["severity"],
                    "kind": "hazard" if index % 3 == 0 else "problem",
                    "source": "hotline_12345" if index % 7 == 0 else "patrol",
                    "escalation": data["escalation"],
                    "deadline": data["deadline"],
                    "category": "十无",
                    "subject_id": None,
                    "ledger_number": data["ledger_number"],
                    "data": json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True),
                    "event_count": 1,
                    "head_hash": "0" * 64,
                    "created_at": to_iso(created),
                    "updated_at": to_iso(created),
                }
            )
            if len(rows) == 5000:
                session.execute(insert(Finding), rows)
                rows = []
        if rows:
            session.execute(insert(Finding), rows)
    db.dispose()
    return streets


def start_server(url: str, data_dir: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(
        INSPECTOR_DATABASE_URL=url,
        INSPECTOR_DATA_DIR=data_dir,
        INSPECTOR_LOG_LEVEL="WARNING",
        INSPECTOR_DEV_MODE="1",
        INSPECTOR_PUBLIC_BASE_URL=f"http://127.0.0.1:{port}",
        INSPECTOR_WEB_UNIT_POSTS_PER_HOUR="1000",
        INSPECTOR_ARGON2_TIME_COST="1",
    )
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


def hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, name
    return found.group(1)


def median_ms(call: Any, times: int = 5) -> float:
    samples = []
    for _ in range(times):
        started = time.perf_counter()
        response = call()
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.text[:300]
    return statistics.median(samples)


def api_token(api: httpx.Client, username: str) -> str:
    body = {"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "bench"}
    response = api.post("/api/v1/auth/login", json=body)
    assert response.status_code == 200, response.text[:300]
    return str(response.json()["token"])


def dashboard_figures(base: str, streets: list[str]) -> None:
    with httpx.Client(base_url=base, timeout=120) as web:
        page = web.get("/dashboard/login")
        web.post(
            "/dashboard/login",
            data={"csrf": hidden(page.text, "csrf"), "username": "leader", "password": PASSWORD},
        )
        cold = median_ms(lambda: web.get("/dashboard"), times=1)  # counted by the database
        first = median_ms(lambda: web.get("/dashboard"))  # kept until the ledger changes
        listing = median_ms(lambda: web.get(f"/dashboard/cases?street={streets[1]}&state=assigned"))
    with httpx.Client(base_url=base, timeout=120, headers=HEADERS) as api:
        # the supervisor sees the same district as the leader (the API's own accounts)
        api.headers["Authorization"] = "Bearer " + api_token(api, "sup")
        listed = median_ms(lambda: api.get("/api/v1/findings?limit=500"))
    limit = min(500.0, 2 * listed)
    print(f"API list (GET /api/v1/findings, 500 rows): median {listed:.0f} ms")
    print(f"dashboard first render, counted by the database: {cold:.0f} ms   (target ≤ {limit:.0f} ms)")
    print(f"dashboard render again, ledger unchanged: median {first:.0f} ms   (target ≤ {limit:.0f} ms)")
    print(f"dashboard filter change (one 街乡, one state): median {listing:.0f} ms   (target ≤ {limit:.0f} ms)")


def photo(megabytes: float, seed: int) -> bytes:
    """A JPEG of about this size (noise compresses badly, like a detailed photo)."""
    side = int((megabytes * 1024 * 1024 / 0.78) ** 0.5)
    image = Image.effect_noise((side, side), 60 + seed % 5).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=92)
    return buffer.getvalue()


def upload_figures(base: str, url: str, uploads: int, megabytes: float) -> None:
    from inspector.core.ids import new_id

    with httpx.Client(base_url=base, timeout=120, headers=HEADERS) as api:
        api.headers["Authorization"] = "Bearer " + api_token(api, "sup")
        deadline = add_days(local_date(utc_now()), 7).isoformat()
        street = "110105004032000"
        changes = []
        ids = [new_id() for _ in range(uploads)]
        for finding_id in ids:
            for action, payload, base_state in (
                (
                    "report",
                    {
                        "description": "堆物",
                        "category": "十无",
                        "kind": "hazard",
                        "source": "patrol",
                        "severity": "general",
                        "jurisdiction": street,
                        "location": {"address": "三里屯路"},
                    },
                    None,
                ),
                ("accept", {"severity": "general"}, "reported"),
                (
                    "assign",
                    {"responsible_unit": "某店", "responsible_person": "李", "deadline": deadline, "measures": "清理"},
                    "registered",
                ),
            ):
                event = {
                    "event_id": new_id(),
                    "finding_id": finding_id,
                    "action": action,
                    "payload": payload,
                    "base_state": base_state,
                    "at": to_iso(utc_now()),
                }
                changes.append({"change_id": new_id(), "kind": "ledger.command", "payload": event})
        results = api.post("/api/v1/push", json={"changes": changes}).json()["results"]
        assert all(item["status"] == "applied" for item in results), results[:3]
        feed = api.get("/api/v1/feed?since=0&limit=1000").json()["entries"]
    tokens = [entry["data"]["url"].rsplit("/", 1)[1] for entry in feed if entry["kind"] == "unit_link"]
    assert len(tokens) == uploads, len(tokens)
    photos = [photo(megabytes, index) for index in range(uploads)]
    latencies: list[float] = []
    failures: list[str] = []
    barrier = threading.Barrier(uploads)

    def one(index: int) -> None:
        with httpx.Client(base_url=base, timeout=300) as web:
            page = web.get(f"/u/{tokens[index]}")
            barrier.wait()
            started = time.perf_counter()
            reply = web.post(
                f"/u/{tokens[index]}/fix",
                data={"csrf": hidden(page.text, "csrf"), "note": "已清理"},
                files=[("photo", ("after.jpg", photos[index], "image/jpeg"))],
            )
            latencies.append((time.perf_counter() - started) * 1000)
            if reply.status_code != 303:  # answered with the page again (?done=fix)
                failures.append(f"{reply.status_code} {reply.text[:200]}")

    threads = [threading.Thread(target=one, args=(index,)) for index in range(uploads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db = Database(url)
    with db.read() as session:
        stored = sum(
            1 for row in session.execute(select(Finding.state).where(Finding.id.in_(ids))) if row.state == "rectified"
        )
        links = len(list(session.scalars(select(UnitLink.id))))
    db.dispose()
    size = sum(len(item) for item in photos) / len(photos) / 1024 / 1024
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]
    print(
        f"{uploads} concurrent unit-page uploads of {size:.1f} MB: {stored}/{uploads} stored as fixes "
        f"({links} links), failures {len(failures)}; latency p50 {statistics.median(latencies):.0f} ms, "
        f"p99 {p99:.0f} ms"
    )
    for failure in failures[:3]:
        print("  failure:", failure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--uploads", type=int, default=50)
    parser.add_argument("--photo-mb", type=float, default=2.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'server.db'}"
        started = time.perf_counter()
        streets = seed(url, args.cases)
        print(f"seeded {args.cases} cases on SQLite in {time.perf_counter() - started:.0f} s")
        server, base = start_server(url, folder)
        try:
            dashboard_figures(base, streets)
            upload_figures(base, url, args.uploads, args.photo_mb)
        finally:
            server.terminate()
            server.wait(timeout=30)


if __name__ == "__main__":
    main()
