"""Oversized and malformed requests get a clear 4xx (or a rejected change), never a 5xx."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_support import HEADERS, Api, ServerEnv, change, report

from inspector.core.ids import new_id


@pytest.fixture
def small(make_env: Callable[..., ServerEnv]) -> Api:
    """A server with tiny limits, and a logged-in inspector."""
    env = make_env(max_request_bytes=20_000, max_push_changes=5, max_feed_limit=50, max_page_limit=20)
    return Api(env.client).login("slt-ins")


def _raw_push(user: Api, body: bytes | Iterator[bytes], content_type: str = "application/json") -> tuple[int, dict]:
    response = user.request("POST", "/api/v1/push", content=body, headers={"Content-Type": content_type})
    return response.status_code, response.json()


def test_bodies_over_the_limit_are_refused_with_413(small: Api) -> None:
    status, body = _raw_push(small, json.dumps({"changes": [report() for _ in range(6)]}).encode())
    assert (status, body["error"]) == (413, "payload_too_large") and body["limit"] == 5
    big = json.dumps({"changes": [report(description="很长" * 6000)]}).encode()
    status, body = _raw_push(small, big)
    assert (status, body["error"]) == (413, "payload_too_large")

    def streamed() -> Iterator[bytes]:  # no Content-Length: the server counts while reading
        yield b'{"changes": ['
        for _ in range(50):
            yield json.dumps(report()).encode() + b","
        yield b"]}"

    status, body = _raw_push(small, streamed())
    assert (status, body["error"]) == (413, "payload_too_large")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{", 400, "malformed_json"),
        (b"", 422, "validation_failed"),
        (b"[]", 422, "validation_failed"),
        (b'{"changes": "many"}', 422, "validation_failed"),
        (b'{"changes": [{"change_id": "x", "kind": "ledger.command", "payload": {}}]}', 422, "validation_failed"),
        (b'{"changes": [{"change_id": "' + new_id().encode() + b'", "kind": 5, "payload": []}]}', 422, None),
        (b"[" * 100_000 + b"]" * 100_000, 400, None),
        ("\ufeff{}".encode(), 422, None),
    ],
)
def test_malformed_push_bodies_get_4xx(api: Api, body: bytes, status: int, code: str | None) -> None:
    user = api.login("slt-ins")
    got, reply = _raw_push(user, body)
    assert got == status
    assert reply["message"]
    if code:
        assert reply["error"] == code


def test_bad_values_inside_a_change_reject_only_that_change(api: Api) -> None:
    user = api.login("slt-ins")
    nan_body = json.dumps({"changes": [report()]}).replace('"general"', '"general", "score": NaN')
    status, reply = _raw_push(user, nan_body.encode())
    assert status == 200 and reply["results"][0]["code"] == "invalid_payload"
    deep: dict = {}
    node = deep
    for _ in range(20):
        node["x"] = {}
        node = node["x"]
    results = user.push(
        report(extra=deep),
        report(description="长" * 5000),
        change("subject.create", {"subject_id": new_id(), "kind": "shop", "name": "", "jurisdiction": "1"}),
        change("inspection.submit", {"inspection_id": new_id(), "responses": "all good"}),
        report(),
    )
    assert [r["status"] for r in results] == ["rejected"] * 4 + ["applied"]
    assert {r["code"] for r in results[:4]} == {"invalid_payload"}


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/feed?since=-1",
        "/api/v1/feed?since=abc",
        "/api/v1/feed?since=1180591620717411303424",
        "/api/v1/feed?limit=100000",
        "/api/v1/feed?limit=0",
        "/api/v1/findings?limit=501",
        "/api/v1/subjects?jurisdiction=000000",
        "/api/v1/subjects?jurisdiction=12345",
        "/api/v1/blobs/XYZ",
        "/api/v1/subjects?after=" + "x" * 500,
    ],
)
def test_bad_query_values_get_422(api: Api, path: str) -> None:
    response = api.login("slt-ins").get(path)
    assert response.status_code == 422, response.text
    assert response.json()["error"] == "validation_failed"


def test_bad_login_requests_get_4xx_and_never_echo_the_password(api: Api) -> None:
    secret = "hunter2-" + "x" * 300
    long_password = api.post(
        "/api/v1/auth/login", json={"username": "slt-ins", "password": secret, "device_id": new_id()}
    )
    assert long_password.status_code == 422 and "hunter2" not in long_password.text
    for body in ({}, {"username": "slt-ins"}, {"username": "a", "password": "b", "device_id": "not-a-uuid"}):
        assert api.post("/api/v1/auth/login", json=body).status_code == 422
    form = api.post("/api/v1/auth/login", content=b"username=a&password=b", headers={"Content-Type": "text/plain"})
    assert 400 <= form.status_code < 500
    basic = api.get("/api/v1/me", headers={"Authorization": "Basic YWJjOmRlZg=="})
    assert basic.status_code == 401 and basic.json()["error"] == "unauthenticated"


def test_unknown_paths_and_methods_get_json_4xx(env: ServerEnv) -> None:
    for method, path in (("GET", "/nothing"), ("PUT", "/api/v1/push"), ("GET", "/api/v1/blobs")):
        response = env.client.request(method, path, headers=HEADERS)
        assert 400 <= response.status_code < 500
        assert response.json()["error"] in {"not_found", "method_not_allowed", "unauthenticated"}


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=20,
)
payload_fields = st.sampled_from(
    [
        "subject_id",
        "kind",
        "name",
        "jurisdiction",
        "event_id",
        "finding_id",
        "action",
        "payload",
        "base_state",
        "at",
        "inspection_id",
        "checklist_id",
        "checklist_version",
        "responses",
        "photos",
        "fields",
        "base_version",
    ]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["subject.create", "subject.update", "inspection.submit", "ledger.command", "other"]),
    payload=st.dictionaries(payload_fields, json_values, max_size=8),
)
def test_arbitrary_change_payloads_never_cause_a_server_error(env: ServerEnv, kind: str, payload: dict) -> None:
    user = getattr(env, "_fuzz_user", None) or Api(env.client).login("slt-both")
    env._fuzz_user = user  # type: ignore[attr-defined]
    response = user.post("/api/v1/push", json={"changes": [change(kind, payload)]})
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["status"] in {"applied", "rejected", "conflict"}
