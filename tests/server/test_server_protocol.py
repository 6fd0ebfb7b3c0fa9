"""Version negotiation, health, error bodies, and the OpenAPI document against docs/sync-protocol.md."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import httpx
import pytest
from server_support import HEADERS, Api, ServerEnv, live_server

import inspector.server.api.meta as meta_api
from inspector import __version__
from inspector.sync.client import check_compatible
from inspector.sync.errors import UpgradeRequiredError

PROTOCOL_DOC = Path(__file__).resolve().parents[2] / "docs" / "sync-protocol.md"


def test_version_and_health_answer_without_headers(env: ServerEnv) -> None:
    version = env.client.get("/api/v1/version")
    assert version.status_code == 200
    body = version.json()
    assert body["protocol"] == 2 and body["protocols_supported"] == [2]
    assert body["server_version"] == __version__
    assert body["min_client_version"] == env.settings.min_client_version
    assert body["limits"]["max_push_changes"] == env.settings.max_push_changes
    assert version.headers["x-inspector-protocol"] == "2"
    assert version.headers["x-request-id"]
    health = env.client.get("/healthz")
    assert health.status_code == 200
    assert health.json()["status"] == "ok"


def test_missing_or_unsupported_protocol_is_refused_with_426(env: ServerEnv) -> None:
    missing = env.client.get("/api/v1/me")
    assert missing.status_code == 426
    assert missing.json()["error"] == "protocol_required"
    future = env.client.get("/api/v1/me", headers={"X-Inspector-Protocol": "3"})
    assert future.status_code == 426
    assert future.json() == {**future.json(), "error": "protocol_unsupported", "supported": [2]}
    assert future.json()["message"]


def test_a_client_of_the_release_before_case_kinds_is_told_to_upgrade(env: ServerEnv) -> None:
    """Protocol 1 clients send reports without a kind or a source: they are refused before any push, clearly."""
    old = {**HEADERS, "X-Inspector-Protocol": "1"}
    for method, path in (("GET", "/api/v1/me"), ("POST", "/api/v1/push"), ("GET", "/api/v1/feed")):
        reply = env.client.request(method, path, headers=old)
        assert reply.status_code == 426
        body = reply.json()
        assert (body["error"], body["supported"]) == ("protocol_unsupported", [2])
        assert "请升级" in body["message"] and "please upgrade" in body["message"]
    # the client of that release reads GET /version first and stops there with the upgrade message
    info = env.client.get("/api/v1/version").json()
    with pytest.raises(UpgradeRequiredError) as refused:
        check_compatible(info, speaks=1)
    assert "请安装新版本" in refused.value.zh and "install the new version" in refused.value.en
    check_compatible(info)


def test_a_client_older_than_the_minimum_is_told_to_upgrade(env: ServerEnv) -> None:
    response = env.client.get("/api/v1/me", headers={**HEADERS, "X-Inspector-Client": "inspector/0.0.9"})
    assert response.status_code == 426
    assert response.json()["error"] == "client_too_old"
    assert response.json()["min_client_version"] == "0.1.0"
    unreadable = env.client.get("/api/v1/me", headers={**HEADERS, "X-Inspector-Client": "something else"})
    assert unreadable.status_code == 401  # an unreadable client header is ignored; auth is next


def test_errors_are_json_with_stable_codes(api: Api) -> None:
    unauthenticated = api.get("/api/v1/me")
    assert unauthenticated.status_code == 401
    assert set(unauthenticated.json()) >= {"error", "message", "request_id"}
    assert unauthenticated.json()["error"] == "unauthenticated"
    bad_token = api.get("/api/v1/me", headers={"Authorization": "Bearer ins1_nonsense"})
    assert bad_token.json()["error"] == "token_invalid"
    no_path = api.get("/api/v1/no-such-thing")
    assert no_path.status_code == 404 and no_path.json()["error"] == "not_found"
    wrong_method = api.request("DELETE", "/api/v1/push")
    assert wrong_method.status_code == 405 and wrong_method.json()["error"] == "method_not_allowed"


def _documented_endpoints() -> set[tuple[str, str]]:
    text = PROTOCOL_DOC.read_text(encoding="utf-8")
    found = set()
    for method, path in re.findall(r"`(GET|POST|PUT|PATCH|HEAD|DELETE) (/[^`?\s]*)", text):
        path = path.rstrip("`")
        if path.startswith("/api/v1") or path == "/healthz":
            found.add((method.lower(), re.sub(r"\{[^}]+\}", "{}", path)))
    return found


def test_an_unexpected_fault_is_a_json_500_with_the_request_id_in_body_and_header(
    env: ServerEnv, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken() -> str:
        raise RuntimeError("a fault nobody foresaw")

    monkeypatch.setattr(meta_api, "head_revision", broken)
    with caplog.at_level(logging.ERROR, "inspector.server"), live_server(env.app) as base_url:
        reply = httpx.get(f"{base_url}/healthz", timeout=30)
    assert reply.status_code == 500
    body = reply.json()
    assert body["error"] == "internal_error" and "a fault nobody foresaw" not in reply.text
    assert body["request_id"] == reply.headers["x-request-id"]
    assert reply.headers["x-inspector-protocol"] == "2"
    assert reply.headers["x-inspector-server"] == __version__
    assert any(record.exc_info and record.exc_info[1] is not None for record in caplog.records)


def test_openapi_lists_exactly_the_documented_endpoints(env: ServerEnv) -> None:
    document = env.client.get("/api/v1/openapi.json").json()
    served = {
        (method, re.sub(r"\{[^}]+\}", "{}", path))
        for path, operations in document["paths"].items()
        for method in operations
    }
    documented = _documented_endpoints()
    assert len(documented) >= 20
    assert documented - served == set(), "documented but not served"
    assert served - documented == set(), "served but not documented"
