"""Helpers of the server tests: settings, a protocol-speaking client, change builders, a live uvicorn server."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import uvicorn
from fastapi import FastAPI
from pg_support import free_port

from inspector.core.clock import add_days, local_date, now_iso, utc_now
from inspector.core.ids import new_id
from inspector.server.db import Database
from inspector.server.settings import Settings, load_settings

if TYPE_CHECKING:
    from inspector.server.blobs_s3 import S3BlobStore

PASSWORD = "test-pass-123"
SLT = "110105004000000"  # 三里屯街道
SLT_COMMUNITY = "110105004032000"  # 幸福一村社区 (in 三里屯)
JW = "110105001000000"  # 建外街道
DISTRICT = "110105000000000"
HEADERS = {"X-Inspector-Protocol": "2", "X-Inspector-Client": "inspector/0.1.0"}

# username, roles, jurisdictions
TEST_USERS: list[tuple[str, list[str], list[str]]] = [
    ("admin", ["admin"], [DISTRICT]),
    ("district-sup", ["supervisor"], [DISTRICT]),
    ("slt-ins", ["inspector"], [SLT]),
    ("slt-sup", ["supervisor"], [SLT]),
    ("slt-sup2", ["supervisor"], [SLT]),
    ("slt-both", ["inspector", "supervisor"], [SLT]),
    ("jw-ins", ["inspector"], [JW]),
    ("jw-sup", ["supervisor"], [JW]),
    ("jw-admin", ["admin"], [JW]),
]


def server_settings(data_dir: Path, database_url: str, **overrides: Any) -> Settings:
    """Test settings: development mode, cheap argon2, everything else as shipped unless overridden."""
    values = {"argon2_time_cost": 1, "argon2_memory_kib": 8192, **overrides}
    return load_settings(environ={}, data_dir=data_dir, database_url=database_url, dev_mode=True, **values)


@dataclass
class ServerEnv:
    """A server application under test."""

    settings: Settings
    db: Database
    app: FastAPI
    client: httpx.Client
    tmp_path: Path


class Api:
    """A client that sends the protocol headers and, once logged in, the bearer token."""

    def __init__(self, http: httpx.Client, token: str | None = None, user: dict[str, Any] | None = None) -> None:
        self.http = http
        self.token = token
        self.user = user or {}
        self.device_id = str(uuid.uuid4())

    @property
    def headers(self) -> dict[str, str]:
        headers = dict(HEADERS)
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, **kwargs)

    def login(self, username: str, password: str = PASSWORD, device_id: str | None = None) -> Api:
        """A new client logged in as this user (raises on failure)."""
        device = device_id or str(uuid.uuid4())
        body = {"username": username, "password": password, "device_id": device, "device_name": f"{username}-pc"}
        response = self.post("/api/v1/auth/login", json=body)
        assert response.status_code == 200, response.text
        data = response.json()
        logged_in = Api(self.http, data["token"], data["user"])
        logged_in.device_id = device
        return logged_in

    def push(self, *changes: dict[str, Any]) -> list[dict[str, Any]]:
        response = self.post("/api/v1/push", json={"changes": list(changes)})
        assert response.status_code == 200, response.text
        return response.json()["results"]  # type: ignore[no-any-return]

    def feed(self, since: int = 0, limit: int = 1000) -> dict[str, Any]:
        response = self.get(f"/api/v1/feed?since={since}&limit={limit}")
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


# ---- change builders ----


def change(kind: str, payload: dict[str, Any], change_id: str | None = None) -> dict[str, Any]:
    return {"change_id": change_id or new_id(), "kind": kind, "payload": payload}


def command(
    finding_id: str, action: str, payload: dict[str, Any], base_state: str | None, at: str | None = None
) -> dict[str, Any]:
    """A ledger.command change."""
    body = {
        "event_id": new_id(),
        "finding_id": finding_id,
        "action": action,
        "payload": payload,
        "base_state": base_state,
        "at": at or now_iso(),
    }
    return change("ledger.command", body)


def report(
    jurisdiction: str = SLT_COMMUNITY, finding_id: str | None = None, photos: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    """A report of a new finding (a fresh finding id unless given)."""
    payload = {
        "description": "垃圾乱放，堆物堆料",
        "category": "十无",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": jurisdiction,
        "location": {"address": "三里屯路19号"},
        "photos": photos or [],
        **extra,
    }
    return command(finding_id or new_id(), "report", payload, None)


def accept(finding_id: str, base_state: str = "reported") -> dict[str, Any]:
    return command(finding_id, "accept", {"severity": "general"}, base_state)


def assign(finding_id: str) -> dict[str, Any]:
    deadline = add_days(local_date(utc_now() + timedelta(hours=1)), 7).isoformat()
    payload = {
        "responsible_unit": "某某餐厅",
        "responsible_person": "李四",
        "deadline": deadline,
        "measures": "清理堆物",
    }
    return command(finding_id, "assign", payload, "registered")


def subject_create(jurisdiction: str = SLT_COMMUNITY, code: str | None = None, subject_id: str | None = None) -> dict:
    payload = {
        "subject_id": subject_id or new_id(),
        "kind": "street_front_unit",
        "name": "某某餐厅",
        "jurisdiction": jurisdiction,
        "code": code,
        "address": "三里屯路19号",
        "details": {"responsible_person": "李四", "phone": "010-12345678"},
    }
    return change("subject.create", payload)


def applied_result(results: list[dict[str, Any]], index: int = 0) -> dict[str, Any]:
    item = results[index]
    assert item["status"] == "applied", item
    return item["result"]  # type: ignore[no-any-return]


# ---- a real server ----


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Run the app under uvicorn on 127.0.0.1 in a thread; yields the base URL."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


def wait_until_up(server: subprocess.Popen[str] | subprocess.Popen[bytes], base: str, timeout: float = 90) -> None:
    """Wait for a server process started by a test to answer /healthz; fail with its error output if it stops."""
    deadline = time.monotonic() + timeout
    while True:
        if server.poll() is not None:
            stderr = server.stderr.read() if server.stderr else ""
            raise AssertionError(f"the server stopped: {stderr!r}")
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the server did not come up"
        time.sleep(0.2)


def checklist_items(api: Api, checklist_id: str = "beijie-xiaoxiang") -> tuple[str, list[str]]:
    """The published version of a checklist and its item ids, as a client reads them."""
    from inspector.core.checklist_loader import parse_checklist

    versions = [item for item in api.get("/api/v1/checklists").json()["items"] if item["id"] == checklist_id]
    version = versions[-1]["version"]
    text = api.get(f"/api/v1/checklists/{checklist_id}/versions/{version}").json()["yaml"]
    return version, [item.id for item in parse_checklist(text).items]


def inspection(
    api: Api, jurisdiction: str = SLT_COMMUNITY, subject_id: str | None = None, photos: list[str] | None = None
) -> dict[str, Any]:
    """An inspection.submit change with every item of the back-street checklist answered (the first one failed)."""
    version, items = checklist_items(api)
    responses = {item_id: {"result": "pass"} for item_id in items}
    responses[items[0]] = {"result": "fail", "occurrences": 1, "photos": photos or [], "note": "堆物"}
    payload = {
        "inspection_id": new_id(),
        "checklist_id": "beijie-xiaoxiang",
        "checklist_version": version,
        "subject_id": subject_id,
        "jurisdiction": jurisdiction,
        "started_at": now_iso(),
        "finished_at": now_iso(),
        "responses": responses,
        "photos": photos or [],
        "score": 100.0,
        "outcome": "达标",
    }
    return change("inspection.submit", payload)


def upload(api: Api, data: bytes) -> str:
    """Upload bytes as a blob; returns the hash."""
    import hashlib

    sha256 = hashlib.sha256(data).hexdigest()
    response = api.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert response.status_code in (200, 201), response.text
    return sha256


def s3_store(env: ServerEnv) -> S3BlobStore:
    """The S3 photo store of a server set up with one."""
    from inspector.server.blobs_s3 import S3BlobStore

    store = env.app.state.context.blobs
    assert isinstance(store, S3BlobStore)
    return store
