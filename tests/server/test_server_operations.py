"""What an operator watches: /livez, /readyz (and /healthz), /metrics in Prometheus' format, and log lines that are
whole JSON objects carrying the request id, from the real `inspector-server serve`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from pg_support import free_port
from prometheus_client.parser import text_string_to_metric_families
from server_support import HEADERS, Api, ServerEnv, report, upload

from inspector.server import migrate
from inspector.server.api import meta


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def _value(text: str, name: str, **labels: str) -> float:
    return _samples(text).get((name, tuple(sorted(labels.items()))), 0.0)


def test_liveness_and_readiness(env: ServerEnv) -> None:
    assert env.client.get("/livez").json() == {"status": "ok"}
    ready = env.client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["database"] == "ok" and ready.json()["blobs"] == "ok"
    assert env.client.get("/healthz").json() == ready.json()


def test_readiness_reads_the_shipped_migrations_once(env: ServerEnv, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load balancer asks every few hundred milliseconds: the shipped scripts are parsed for the first check only,
    and each check still reads the database's own revision."""
    loads: list[object] = []
    asked: list[object] = []
    real_load, real_revision = migrate.ScriptDirectory.from_config, meta.revision_on
    monkeypatch.setattr(
        migrate.ScriptDirectory, "from_config", lambda config: loads.append(config) or real_load(config)
    )
    monkeypatch.setattr(meta, "revision_on", lambda connection: asked.append(connection) or real_revision(connection))
    migrate.head_revision.cache_clear()
    try:
        replies = [env.client.get("/readyz") for _ in range(5)]
    finally:
        migrate.head_revision.cache_clear()
    assert [reply.status_code for reply in replies] == [200] * 5
    assert len(loads) == 1 and len(asked) == 5


def test_metrics_count_requests_push_results_blob_bytes_and_feed_lag(env: ServerEnv) -> None:
    user = Api(env.client).login("slt-ins")
    before = env.client.get("/metrics").text
    photo = upload(user, b"x" * 1234)
    assert user.push(report(photos=[photo]))[0]["status"] == "applied"
    user.feed(since=0)
    after = env.client.get("/metrics")
    assert after.headers["content-type"].startswith("text/plain")
    text = after.text

    def grew(name: str, **labels: str) -> float:
        return _value(text, name, **labels) - _value(before, name, **labels)

    assert grew("inspector_http_requests_total", method="POST", route="/api/v1/push", status="200") == 1
    assert grew("inspector_http_requests_total", method="PUT", route="/api/v1/blobs/{sha256}", status="201") == 1
    assert grew("inspector_http_request_seconds_count", method="POST", route="/api/v1/push") == 1
    assert grew("inspector_push_results_total", status="applied") == 1
    assert grew("inspector_blob_bytes_stored_total", store="filesystem") == 1234
    assert grew("inspector_feed_lag_changes_count") == 1
    assert grew("inspector_feed_lag_changes_sum") > 0  # the pull started at 0, behind the head


def test_serve_logs_json_lines_with_the_request_id(tmp_path: Path) -> None:
    environ = {**os.environ, "INSPECTOR_DATA_DIR": str(tmp_path / "data"), "INSPECTOR_DEV_MODE": "1"}
    cli = [sys.executable, "-m", "inspector.server.cli"]
    subprocess.run(
        [*cli, "init", "--jurisdiction", "110105", "--password-stdin"],
        input="a-strong-password\n", text=True, env=environ, check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    server = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=environ, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{port}/livez", timeout=2)
                break
            except httpx.TransportError:
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.1)
        reply = httpx.get(f"http://127.0.0.1:{port}/api/v1/version", headers=HEADERS, timeout=10)
        request_id = reply.headers["x-request-id"]
    finally:
        server.terminate()
        _, errors = server.communicate(timeout=30)
    lines = [line for line in errors.splitlines() if line.strip()]
    records = [json.loads(line) for line in lines]  # every line is a whole JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    mine = [record for record in records if record.get("request_id") == request_id]
    assert len(mine) == 1 and mine[0]["path"] == "/api/v1/version" and mine[0]["status"] == 200
    assert mine[0]["logger"] == "inspector.server.requests" and isinstance(mine[0]["ms"], float)
