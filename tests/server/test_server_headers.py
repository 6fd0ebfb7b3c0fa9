"""Security headers on every reply, no server banner, and the API docs: off in production, local files when on."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pg_support import free_port
from server_support import HEADERS, Api, ServerEnv, wait_until_up


def _served(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSPECTOR_")}
    env.update(
        INSPECTOR_DATA_DIR=str(tmp_path / "data"),
        INSPECTOR_ARGON2_TIME_COST="1",
        INSPECTOR_ARGON2_MEMORY_KIB="8192",
        **extra,
    )
    return env


@pytest.fixture
def production_server(tmp_path: Path) -> Iterator[str]:
    """`inspector-server init` then `serve` in a subprocess, as shipped (production mode); yields the base URL."""
    env = _served(tmp_path)
    init = [sys.executable, "-m", "inspector.server.cli", "init", "--jurisdiction", "110105", "--password-stdin"]
    done = subprocess.run(init, env=env, input="a-strong-password\n", capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    port = free_port()
    command = [sys.executable, "-m", "inspector.server.cli", "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(server, base)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def _assert_guarded(reply: httpx.Response) -> None:
    assert reply.headers.get("cache-control") == "no-store", reply.headers
    assert reply.headers.get("x-content-type-options") == "nosniff", reply.headers


def test_the_served_server_sends_security_headers_and_no_banner(production_server: str) -> None:
    with httpx.Client(base_url=production_server) as http:
        login = {
            "username": "admin",
            "password": "a-strong-password",
            "device_id": str(uuid.uuid4()),
            "device_name": "pc",
        }
        reply = http.post("/api/v1/auth/login", json=login, headers=HEADERS)
        assert reply.status_code == 200, reply.text
        _assert_guarded(reply)
        assert "server" not in reply.headers, reply.headers["server"]
        assert "strict-transport-security" not in reply.headers  # plain HTTP, no proxy said otherwise
        token = {"Authorization": f"Bearer {reply.json()['token']}", **HEADERS}
        for path in ("/api/v1/me", "/api/v1/nowhere", "/healthz"):
            answer = http.get(path, headers=token)
            _assert_guarded(answer)
            assert "server" not in answer.headers
        # a trusted proxy (127.0.0.1 by default) that terminated TLS says so: HSTS
        behind = http.get("/api/v1/me", headers={**token, "X-Forwarded-Proto": "https"})
        assert behind.status_code == 200
        assert behind.headers.get("strict-transport-security") == "max-age=31536000"
        # production: no Swagger UI; the contract itself stays readable by tools
        assert http.get("/api/v1/docs").status_code == 404
        assert http.get("/api/v1/openapi.json").status_code == 200


def test_hsts_on_every_reply_behind_a_tls_proxy_setting(make_env: Any) -> None:
    env: ServerEnv = make_env(tls_proxy=True, hsts_max_age=600)
    for reply in (env.client.get("/healthz"), Api(env.client).get("/api/v1/me"), env.client.get("/api/v1/me")):
        assert reply.headers.get("strict-transport-security") == "max-age=600", reply.headers
        _assert_guarded(reply)
    plain: ServerEnv = make_env()
    assert "strict-transport-security" not in plain.client.get("/healthz").headers


def test_api_docs_are_served_from_local_files_in_development_mode(make_env: Any) -> None:
    env: ServerEnv = make_env()  # the tests' settings are development mode
    page = env.client.get("/api/v1/docs")
    assert page.status_code == 200 and "swagger" in page.text.lower()
    assert "cdn" not in page.text and "https://" not in page.text, page.text
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css"):
        reply = env.client.get(f"/api/v1/docs/static/{asset}")
        assert reply.status_code == 200 and len(reply.content) > 10_000, asset
        assert f"/api/v1/docs/static/{asset}" in page.text
    off: ServerEnv = make_env(api_docs=False)
    assert off.client.get("/api/v1/docs").status_code == 404
