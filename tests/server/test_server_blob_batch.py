"""Batch uploads: several blobs in one body, each verified and stored on its own; refusals before any byte is
stored; a body that breaks off keeps the blobs completed before the break."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import time
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

import httpx
import pytest
from server_support import Api, ServerEnv, live_server, report, upload
from sqlalchemy import select

from inspector.server.blobs import HOLD_BYTES
from inspector.server.models import Blob

BATCH = "/api/v1/blobs/batch"


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def batch_body(blobs: list[bytes], names: list[str] | None = None, extra: dict | None = None) -> bytes:
    """A batch body: the manifest line, then the bytes (each named by its own hash unless `names` says otherwise)."""
    hashes = names or [_sha(data) for data in blobs]
    manifest = {"blobs": [{"sha256": sha, "size": len(data)} for sha, data in zip(hashes, blobs, strict=True)]}
    return json.dumps({**manifest, **(extra or {})}).encode() + b"\n" + b"".join(blobs)


def pieces(body: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


def stored_rows(env: ServerEnv) -> dict[str, tuple[int, str | None]]:
    with env.db.read() as session:
        return {row.sha256: (row.size, row.uploaded_by) for row in session.scalars(select(Blob))}


def object_files(env: ServerEnv) -> list[str]:
    return sorted(path.name for path in env.app.state.context.blobs.objects_dir.rglob("*") if path.is_file())


def scratch_files(env: ServerEnv) -> list[str]:
    return sorted(path.name for path in env.app.state.context.blobs.tmp_dir.iterdir())


def test_a_batch_stores_every_blob_with_its_bytes_and_row(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    blobs = [b"", b"x", os.urandom(4095), os.urandom(HOLD_BYTES + 4097), os.urandom(300_000), os.urandom(4096)]
    reply = user.post(BATCH, content=batch_body(blobs), headers={"Content-Type": "application/octet-stream"})
    assert reply.status_code == 200, reply.text
    assert reply.json() == {
        "results": [{"sha256": _sha(data), "status": "stored", "size": len(data)} for data in blobs]
    }
    rows = stored_rows(env)
    store = env.app.state.context.blobs
    for data in blobs:
        assert rows[_sha(data)] == (len(data), user.user["id"])
        assert store.path(_sha(data)).read_bytes() == data
    assert scratch_files(env) == []
    missing = user.post("/api/v1/blobs/missing", json={"hashes": [_sha(data) for data in blobs]})
    assert missing.json() == {"missing": []}
    assert user.get(f"/api/v1/blobs/{_sha(blobs[3])}").content == blobs[3]


def test_a_batch_streamed_in_odd_pieces_is_split_at_the_blob_boundaries(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    blobs = [os.urandom(size) for size in (70_000, 0, 1, HOLD_BYTES * 2 + 3, 5, 200_000)]
    body = batch_body(blobs)
    with live_server(env.app) as base_url, httpx.Client(base_url=base_url, headers=user.headers, timeout=30) as http:
        reply = http.post(BATCH, content=pieces(body, 7777), headers={"Content-Length": str(len(body))})
    assert reply.status_code == 200, reply.text
    assert [item["status"] for item in reply.json()["results"]] == ["stored"] * len(blobs)
    store = env.app.state.context.blobs
    assert all(store.path(_sha(data)).read_bytes() == data for data in blobs)
    assert set(stored_rows(env)) == {_sha(data) for data in blobs}


def test_blobs_the_server_has_are_read_past_and_answered_present(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    colleague = api.login("slt-both")
    old = os.urandom(10_000)
    upload(colleague, old)
    assert colleague.push(report(photos=[_sha(old)]))[0]["status"] == "applied"  # the user may read it now
    new_a, new_b = os.urandom(20_000), os.urandom(30_000)
    reply = user.post(BATCH, content=batch_body([new_a, old, new_b]))
    assert reply.status_code == 200, reply.text
    assert [(item["status"], item["size"]) for item in reply.json()["results"]] == [
        ("stored", 20_000),
        ("present", 10_000),
        ("stored", 30_000),
    ]
    rows = stored_rows(env)
    assert rows[_sha(old)] == (10_000, colleague.user["id"])  # the first uploader stays
    assert rows[_sha(new_b)] == (30_000, user.user["id"])
    again = user.post(BATCH, content=batch_body([new_a, new_b]))
    assert [item["status"] for item in again.json()["results"]] == ["present", "present"]


def test_a_hash_mismatch_rejects_only_that_blob(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    first, damaged, last = os.urandom(5000), os.urandom(HOLD_BYTES + 10), os.urandom(7000)
    claimed = _sha(damaged)
    arrived = damaged[:-1] + bytes([damaged[-1] ^ 1])
    body = batch_body([first, arrived, last], names=[_sha(first), claimed, _sha(last)])
    reply = user.post(BATCH, content=body)
    assert reply.status_code == 200, reply.text
    stored, rejected, stored_last = reply.json()["results"]
    assert stored == {"sha256": _sha(first), "status": "stored", "size": 5000}
    assert rejected["sha256"] == claimed and rejected["status"] == "rejected"
    assert rejected["code"] == "hash_mismatch" and rejected["actual"] == _sha(arrived) and rejected["message"]
    assert stored_last["status"] == "stored"
    assert set(stored_rows(env)) == {_sha(first), _sha(last)}
    assert sorted(object_files(env)) == sorted([_sha(first), _sha(last)])
    assert scratch_files(env) == []


def _send_partial(base_url: str, headers: dict[str, str], body: bytes, declared: int) -> None:
    """Send the headers of a batch declaring `declared` bytes, then only `body`, and hang up."""
    address = urlsplit(base_url)
    connection = http.client.HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=10)
    connection.putrequest("POST", BATCH)
    for name, value in {**headers, "Content-Length": str(declared)}.items():
        connection.putheader(name, value)
    connection.endheaders()
    connection.send(body)
    connection.close()


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)


def test_a_body_cut_short_keeps_the_blobs_completed_before_the_break(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    blobs = [os.urandom(50_000), os.urandom(HOLD_BYTES + 50_000), os.urandom(400_000), os.urandom(10)]
    body = batch_body(blobs)
    manifest_length = body.index(b"\n") + 1
    cut = manifest_length + len(blobs[0]) + len(blobs[1]) + 123_456  # inside the third blob
    with live_server(env.app) as base_url:
        _send_partial(base_url, user.headers, body[:cut], len(body))
        _wait_for(lambda: len(stored_rows(env)) == 2, "the completed blobs were not recorded")
        _wait_for(lambda: scratch_files(env) == [], "the partial blob was not discarded")
        assert set(stored_rows(env)) == {_sha(blobs[0]), _sha(blobs[1])}
        assert sorted(object_files(env)) == sorted([_sha(blobs[0]), _sha(blobs[1])])
        with httpx.Client(base_url=base_url, headers=user.headers, timeout=30) as http:
            again = http.post(BATCH, content=body)
    assert [item["status"] for item in again.json()["results"]] == ["present", "present", "stored", "stored"]
    store = env.app.state.context.blobs
    assert all(store.path(_sha(data)).read_bytes() == data for data in blobs)


def test_a_body_shorter_than_its_manifest_is_refused_after_keeping_the_whole_blobs(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    whole, cut_off = os.urandom(3000), os.urandom(3000)
    body = batch_body([whole, cut_off])
    short = body[:-1000]

    def streamed() -> Iterator[bytes]:
        yield short

    reply = user.post(BATCH, content=streamed(), headers={"Content-Length": str(len(body))})
    assert reply.status_code == 400 and reply.json()["error"] == "incomplete_body"
    assert set(stored_rows(env)) == {_sha(whole)}
    assert scratch_files(env) == []


@pytest.fixture
def small(make_env: Callable[..., ServerEnv]) -> tuple[Api, ServerEnv]:
    """A server with small batch limits, and a logged-in inspector."""
    env = make_env(max_blob_bytes=4096, max_chunk_bytes=4096, max_batch_bytes=10_000, max_batch_blobs=3)
    return Api(env.client).login("slt-ins"), env


def test_sizes_at_the_limits_are_accepted(small: tuple[Api, ServerEnv]) -> None:
    user, env = small
    version = env.client.get("/api/v1/version").json()["limits"]
    assert (version["max_batch_bytes"], version["max_batch_blobs"]) == (10_000, 3)
    largest = os.urandom(4096)
    reply = user.post(BATCH, content=batch_body([largest, b"", os.urandom(1)]))
    assert reply.status_code == 200, reply.text
    assert [item["status"] for item in reply.json()["results"]] == ["stored"] * 3
    full = [os.urandom(4096), os.urandom(4096)]
    rest = 10_000 - len(batch_body([*full, b"x" * 1000]))  # the size of the last blob has four digits either way
    exact = batch_body([*full, os.urandom(1000 + rest)])
    assert len(exact) == 10_000
    assert user.post(BATCH, content=exact).status_code == 200
    assert user.post(BATCH, content=batch_body([])).json() == {"results": []}


def _refusals(user: Api) -> list[tuple[bytes | Iterator[bytes], dict[str, str], int, str]]:
    one, two = os.urandom(100), os.urandom(200)
    line = json.dumps({"blobs": [{"sha256": _sha(one), "size": 100}]}).encode()

    def unsized() -> Iterator[bytes]:
        yield batch_body([one])

    return [
        (batch_body([b"a", b"b", b"c", b"d"]), {}, 413, "payload_too_large"),
        (batch_body([os.urandom(4097)]), {}, 413, "payload_too_large"),
        (batch_body([os.urandom(4096), os.urandom(4096), os.urandom(1900)]), {}, 413, "payload_too_large"),
        (b"{not json\n" + one, {}, 400, "malformed_json"),
        (b"[" * 900 + b"\n", {}, 400, "malformed_json"),
        (b'{"blobs": {}}\n', {}, 422, "validation_failed"),
        (b'{"files": []}\n', {}, 422, "validation_failed"),
        (json.dumps({"blobs": [{"sha256": _sha(one).upper(), "size": 100}]}).encode() + b"\n" + one, {}, 422, ""),
        (json.dumps({"blobs": [{"sha256": _sha(one), "size": -1}]}).encode() + b"\n", {}, 422, ""),
        (json.dumps({"blobs": [{"sha256": _sha(one), "size": True}]}).encode() + b"\n" + b"x", {}, 422, ""),
        (json.dumps({"blobs": [{"sha256": _sha(one)}]}).encode() + b"\n", {}, 422, ""),
        (batch_body([one, two, one]), {}, 422, "validation_failed"),
        (line + b"\n" + one + b"extra", {}, 422, "validation_failed"),
        (line + b"\n" + one[:50], {}, 422, "validation_failed"),
        (line + b" and no newline" + b"z" * 100, {}, 422, "validation_failed"),
        (b" " * 2000 + b"\n", {}, 413, "payload_too_large"),
        (unsized(), {}, 411, "length_required"),
    ]


def test_over_limit_and_malformed_batches_are_refused_with_nothing_stored(small: tuple[Api, ServerEnv]) -> None:
    user, env = small
    for body, headers, status, code in _refusals(user):
        reply = user.post(BATCH, content=body, headers=headers)
        assert reply.status_code == status, (body if isinstance(body, bytes) else "stream", reply.text)
        assert reply.json()["message"]
        if code:
            assert reply.json()["error"] == code, reply.text
    assert stored_rows(env) == {} and object_files(env) == [] and scratch_files(env) == []


def test_a_batch_needs_a_valid_token(api: Api, env: ServerEnv) -> None:
    data = os.urandom(1000)
    anonymous = api.post(BATCH, content=batch_body([data]))
    assert anonymous.status_code == 401 and anonymous.json()["error"] == "unauthenticated"
    forged = api.post(BATCH, content=batch_body([data]), headers={"Authorization": "Bearer ins1_forged"})
    assert forged.status_code == 401 and forged.json()["error"] == "token_invalid"
    assert stored_rows(env) == {} and object_files(env) == []


def test_a_file_placed_without_its_row_is_uploaded_again(api: Api, env: ServerEnv) -> None:
    """A crash between placing a file and writing its row leaves a file the database does not know: the rows are
    the truth, so the blob counts as missing and a new upload stores it (and writes the row)."""
    user = api.login("slt-ins")
    store = env.app.state.context.blobs
    orphans = [os.urandom(2000), os.urandom(3000)]
    for data in orphans:
        store.put_bytes(data)
    hashes = [_sha(data) for data in orphans]
    assert user.post("/api/v1/blobs/missing", json={"hashes": hashes}).json() == {"missing": hashes}
    put = user.request("PUT", f"/api/v1/blobs/{hashes[0]}", content=orphans[0])
    assert put.status_code == 201 and put.json()["created"] is True
    batch = user.post(BATCH, content=batch_body(orphans))
    assert [item["status"] for item in batch.json()["results"]] == ["present", "stored"]
    assert stored_rows(env) == {sha: (len(data), user.user["id"]) for sha, data in zip(hashes, orphans, strict=True)}
    assert all(store.path(sha).read_bytes() == data for sha, data in zip(hashes, orphans, strict=True))
    assert user.post("/api/v1/blobs/missing", json={"hashes": hashes}).json() == {"missing": []}


# uvicorn answers `http.disconnect` to the application's next read once the peer has gone, dropping body bytes it
# received but had not handed over yet: a blob that arrived whole together with the manifest, just before the
# break, never reaches the application (the client still has it and uploads it again).
HANDED_OVER_BEFORE_THE_BREAK = pytest.param(
    "first_blob_end",
    marks=pytest.mark.xfail(strict=True, reason="uvicorn drops received body bytes once it sees the disconnect"),
)


@pytest.mark.parametrize("where", [HANDED_OVER_BEFORE_THE_BREAK, "first_blob_end_big", "manifest_end"])
def test_a_body_cut_right_after_a_blob_completed_keeps_that_blob(api: Api, env: ServerEnv, where: str) -> None:
    """The break comes right after a blob's last byte (or the manifest's newline): what was whole is kept."""
    user = api.login("slt-ins")
    first = os.urandom(HOLD_BYTES + 7) if where == "first_blob_end_big" else os.urandom(3000)
    blobs = [first, os.urandom(5000)]
    body = batch_body(blobs)
    manifest_length = body.index(b"\n") + 1
    cut = manifest_length if where == "manifest_end" else manifest_length + len(first)
    expected = set() if where == "manifest_end" else {_sha(first)}
    with live_server(env.app) as base_url:
        _send_partial(base_url, user.headers, body[:cut], len(body))
        _wait_for(lambda: set(stored_rows(env)) == expected and scratch_files(env) == [], "the blob was not kept")
        assert sorted(object_files(env)) == sorted(expected)
