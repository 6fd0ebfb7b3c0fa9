"""The OpenAPI document is the contract: every real reply, success and error, is declared there and matches it."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from server_support import HEADERS, Api, ServerEnv, report


class Contract:
    """Checks replies against the server's own OpenAPI document and counts what it checked."""

    def __init__(self, http: httpx.Client) -> None:
        self.document = http.get("/api/v1/openapi.json").json()
        self.checked: set[tuple[str, str, int]] = set()

    def check(self, reply: httpx.Response, method: str, path: str) -> dict[str, Any]:
        operation = self.document["paths"][path][method.lower()]
        declared = operation["responses"].get(str(reply.status_code))
        assert declared is not None, f"{method} {path} answered {reply.status_code}, not in the document: {reply.text}"
        for header in declared.get("headers", {}):
            assert header.lower() in reply.headers, f"{method} {path} {reply.status_code}: no {header} header"
        content = declared.get("content", {})
        if "application/json" in content and method != "HEAD":
            schema = {**content["application/json"]["schema"], "components": self.document["components"]}
            errors = sorted(Draft202012Validator(schema).iter_errors(reply.json()), key=str)
            assert not errors, f"{method} {path} {reply.status_code}: {errors[0].message}"
        elif method != "HEAD":
            assert not reply.headers.get("content-type", "").startswith("application/json"), reply.text
        self.checked.add((method, path, reply.status_code))
        return reply.json() if reply.content and method != "HEAD" and "json" in reply.headers["content-type"] else {}


def test_every_reply_matches_the_published_contract(make_env: Any) -> None:
    env: ServerEnv = make_env(max_missing_query=2)
    api = Api(env.client)
    contract = Contract(env.client)
    c = contract.check

    c(env.client.get("/healthz"), "GET", "/healthz")
    c(env.client.get("/api/v1/version"), "GET", "/api/v1/version")
    c(env.client.get("/api/v1/me"), "GET", "/api/v1/me")  # no protocol header: 426
    c(env.client.get("/api/v1/me", headers={**HEADERS, "X-Inspector-Client": "inspector/0.0.1"}), "GET", "/api/v1/me")
    c(api.get("/api/v1/me"), "GET", "/api/v1/me")  # no token: 401
    login = {"username": "slt-ins", "password": "wrong", "device_id": str(uuid.uuid4()), "device_name": "pc"}
    c(api.post("/api/v1/auth/login", json=login), "POST", "/api/v1/auth/login")
    c(api.post("/api/v1/auth/login", json={"username": "x"}), "POST", "/api/v1/auth/login")
    c(
        api.post("/api/v1/auth/login", content=b"{nope", headers={"Content-Type": "application/json"}),
        "POST",
        "/api/v1/auth/login",
    )
    for _ in range(6):
        last = api.post("/api/v1/auth/login", json={**login, "username": "jw-ins"})
    assert last.status_code == 429
    c(last, "POST", "/api/v1/auth/login")

    ins = api.login("slt-ins")
    c(ins.post("/api/v1/auth/login", json={**login, "password": "test-pass-123"}), "POST", "/api/v1/auth/login")
    me = c(ins.get("/api/v1/me"), "GET", "/api/v1/me")
    c(ins.get("/api/v1/devices"), "GET", "/api/v1/devices")
    c(ins.get("/api/v1/devices?all=true"), "GET", "/api/v1/devices")  # 403
    c(ins.post(f"/api/v1/devices/{uuid.uuid4()}/revoke"), "POST", "/api/v1/devices/{device_row_id}/revoke")
    c(ins.post("/api/v1/devices/not-a-uuid/revoke"), "POST", "/api/v1/devices/{device_row_id}/revoke")

    for name in ("jurisdictions", "checklists", "subjects", "findings", "inspections"):
        c(ins.get(f"/api/v1/{name}"), "GET", f"/api/v1/{name}")
    c(ins.get("/api/v1/findings?limit=0"), "GET", "/api/v1/findings")
    checklist = ins.get("/api/v1/checklists").json()["items"][0]
    c(
        ins.get(f"/api/v1/checklists/{checklist['id']}/versions/{checklist['version']}"),
        "GET",
        "/api/v1/checklists/{checklist_id}/versions/{version}",
    )
    c(ins.get("/api/v1/checklists/none/versions/1"), "GET", "/api/v1/checklists/{checklist_id}/versions/{version}")

    data = b"photo bytes"
    sha = hashlib.sha256(data).hexdigest()
    c(ins.post("/api/v1/blobs/missing", json={"hashes": [sha]}), "POST", "/api/v1/blobs/missing")
    c(ins.post("/api/v1/blobs/missing", json={"hashes": [sha, "a" * 64, "b" * 64]}), "POST", "/api/v1/blobs/missing")
    c(ins.request("PUT", f"/api/v1/blobs/{sha}", content=data), "PUT", "/api/v1/blobs/{sha256}")
    c(ins.request("PUT", f"/api/v1/blobs/{sha}", content=data), "PUT", "/api/v1/blobs/{sha256}")
    c(ins.request("PUT", f"/api/v1/blobs/{'c' * 64}", content=data), "PUT", "/api/v1/blobs/{sha256}")
    other = b"a second photo"
    other_sha = hashlib.sha256(other).hexdigest()
    upload_path = "/api/v1/blobs/{sha256}/upload"
    c(
        ins.request("PATCH", f"/api/v1/blobs/{other_sha}/upload", content=other, headers={"Upload-Offset": "0"}),
        "PATCH",
        upload_path,
    )  # 409
    c(ins.request("HEAD", f"/api/v1/blobs/{other_sha}/upload"), "HEAD", upload_path)  # 404
    c(ins.post(f"/api/v1/blobs/{other_sha}/upload", json={"size": len(other)}), "POST", upload_path)
    c(ins.request("HEAD", f"/api/v1/blobs/{other_sha}/upload"), "HEAD", upload_path)
    c(
        ins.request("PATCH", f"/api/v1/blobs/{other_sha}/upload", content=other[:4], headers={"Upload-Offset": "0"}),
        "PATCH",
        upload_path,
    )
    c(
        ins.request("PATCH", f"/api/v1/blobs/{other_sha}/upload", content=other[4:], headers={"Upload-Offset": "4"}),
        "PATCH",
        upload_path,
    )

    first = report(photos=[sha])
    results = c(ins.post("/api/v1/push", json={"changes": [first]}), "POST", "/api/v1/push")["results"]
    assert results[0]["status"] == "applied", results
    c(ins.post("/api/v1/push", json={"changes": [first, {"kind": "nope"}]}), "POST", "/api/v1/push")
    duplicate = c(ins.post("/api/v1/push", json={"changes": [first]}), "POST", "/api/v1/push")["results"][0]
    assert duplicate["status"] == "duplicate"
    c(ins.get("/api/v1/feed"), "GET", "/api/v1/feed")
    c(ins.get("/api/v1/feed?since=-1"), "GET", "/api/v1/feed")
    finding_id = first["payload"]["finding_id"]
    c(ins.get(f"/api/v1/findings/{finding_id}"), "GET", "/api/v1/findings/{finding_id}")
    c(ins.get(f"/api/v1/findings/{uuid.uuid4()}"), "GET", "/api/v1/findings/{finding_id}")
    c(ins.get(f"/api/v1/subjects/{uuid.uuid4()}"), "GET", "/api/v1/subjects/{subject_id}")
    c(ins.get(f"/api/v1/inspections/{uuid.uuid4()}"), "GET", "/api/v1/inspections/{inspection_id}")
    c(ins.get(f"/api/v1/blobs/{sha}"), "GET", "/api/v1/blobs/{sha256}")
    c(ins.get(f"/api/v1/blobs/{'d' * 64}"), "GET", "/api/v1/blobs/{sha256}")
    c(ins.post("/api/v1/devices/" + me["device"]["id"] + "/revoke"), "POST", "/api/v1/devices/{device_row_id}/revoke")
    c(ins.get("/api/v1/me"), "GET", "/api/v1/me")  # revoked: 401

    second = api.login("slt-ins")
    c(second.post("/api/v1/auth/logout"), "POST", "/api/v1/auth/logout")
    statuses = {status for _, _, status in contract.checked}
    assert {200, 201, 204, 400, 401, 403, 404, 409, 413, 422, 426, 429} <= statuses, sorted(statuses)
    assert len(contract.checked) >= 45, len(contract.checked)


def test_the_contract_declares_the_protocol_header_and_no_empty_reply(env: ServerEnv) -> None:
    document = env.client.get("/api/v1/openapi.json").json()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, reply in operation["responses"].items():
                schema = reply.get("content", {}).get("application/json", {}).get("schema")
                assert schema != {}, f"{method} {path} {status} declares an empty reply"
            if path.startswith("/api/v1/") and path != "/api/v1/version":
                names = {p["name"].lower() for p in operation.get("parameters", []) if p["in"] == "header"}
                assert "x-inspector-protocol" in names, f"{method} {path}"
                assert "426" in operation["responses"], f"{method} {path}"
