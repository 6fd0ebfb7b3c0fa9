"""Direct uploads to a real S3-compatible store (SeaweedFS, with signatures checked as in a deployment): the server
hands out presigned PUTs and confirms what arrived; only a confirmed upload makes a blob present."""

from __future__ import annotations

import hashlib
import os
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from s3_support import SeaweedServer, running_seaweed
from server_support import Api, ServerEnv, s3_store, upload
from sqlalchemy import select

from inspector.server.blobs_s3 import object_key
from inspector.server.models import Blob, BlobHolder

MiB = 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


BUCKET = f"district-{uuid.uuid4().hex[:12]}"


def _bucket() -> str:
    """One bucket for this module's tests (their photos are random: they never meet): a store makes room for each
    bucket, and the session's store serves every S3 test."""
    return BUCKET


@pytest.fixture
def direct_env(make_env: Callable[..., ServerEnv], seaweed: SeaweedServer) -> ServerEnv:
    """The server with its photos in a fresh bucket, laptops sending them straight to it."""
    env = make_env(**seaweed.settings(_bucket(), public_endpoint=seaweed.endpoint))
    env.app.state.context.blobs.ensure_bucket()
    return env


def _target(user: Api, data: bytes) -> dict[str, Any]:
    reply = user.post("/api/v1/blobs/targets", json={"blobs": [{"sha256": _sha(data), "size": len(data)}]})
    assert reply.status_code == 200, reply.text
    [target] = reply.json()["targets"]
    return dict(target)


def _commit(user: Api, *hashes: str) -> list[dict[str, Any]]:
    reply = user.post("/api/v1/blobs/commit", json={"hashes": list(hashes)})
    assert reply.status_code == 200, reply.text
    return list(reply.json()["results"])


def _missing(user: Api, sha256: str) -> list[str]:
    return list(user.post("/api/v1/blobs/missing", json={"hashes": [sha256]}).json()["missing"])


def _put(target: dict[str, Any], body: bytes, headers: dict[str, str] | None = None) -> httpx.Response:
    return httpx.put(target["url"], content=body, headers=target["headers"] if headers is None else headers)


def test_a_direct_upload_counts_only_once_the_server_confirmed_it(direct_env: ServerEnv) -> None:
    user = Api(direct_env.client).login("slt-ins")
    assert Api(direct_env.client).get("/api/v1/version").json()["limits"]["direct_uploads"] == 1
    data = os.urandom(MiB + 5)
    sha256 = _sha(data)
    target = _target(user, data)
    assert target["status"] == "direct" and target["method"] == "PUT"
    assert f"/{object_key(sha256)}?" in target["url"]
    sent = _put(target, data)
    assert sent.status_code == 200, sent.text
    assert _missing(user, sha256) == [sha256]  # in the bucket, but not yet confirmed
    assert _commit(user, sha256) == [{"sha256": sha256, "status": "stored", "size": len(data)}]
    assert _missing(user, sha256) == []
    assert user.get(f"/api/v1/blobs/{sha256}").content == data
    assert _commit(user, sha256)[0]["status"] == "present"  # a repeated commit is harmless
    assert _target(user, data) == {"sha256": sha256, "status": "present", "size": len(data)}


def test_wrong_bytes_or_left_out_signed_headers_are_refused_by_the_store(direct_env: ServerEnv) -> None:
    user = Api(direct_env.client).login("slt-ins")
    data = os.urandom(70_000)
    sha256 = _sha(data)
    target = _target(user, data)
    wrong = _put(target, b"other bytes" * 100)
    assert wrong.status_code == 400 and "BadDigest" in wrong.text
    for left_out in target["headers"]:  # each signed header is needed: the signature no longer matches without it
        headers = {name: value for name, value in target["headers"].items() if name != left_out}
        assert _put(target, b"other bytes", headers).status_code == 403, left_out
    assert _put(target, b"other bytes", {}).status_code == 403
    assert _commit(user, sha256)[0] == {
        "sha256": sha256,
        "status": "upload_again",
        "code": "not_found",
        "message": "对象存储中没有该文件 (the object store has no such upload)",
    }
    assert _missing(user, sha256) == [sha256]
    assert _put(target, data).status_code == 200
    assert _commit(user, sha256)[0]["status"] == "stored"


def test_other_bytes_at_the_address_are_removed_and_never_count(direct_env: ServerEnv) -> None:
    """Bytes that reached the address without a checked checksum (a store that checks no signatures): the commit
    hashes them, removes them and asks for the upload again; an app upload of the blob replaces them too."""
    user = Api(direct_env.client).login("slt-ins")
    store = s3_store(direct_env)
    data, other = os.urandom(4000), os.urandom(4000)
    sha256 = _sha(data)
    tag = store.uploader_tag(sha256, user.user["id"])
    store.client.put_object(Bucket=store.bucket, Key=object_key(sha256), Body=other, Metadata={"uploader": tag})
    [result] = _commit(user, sha256)
    assert result["status"] == "upload_again" and result["code"] == "hash_mismatch"
    assert store.confirm(sha256) is None  # removed
    assert _missing(user, sha256) == [sha256]
    store.client.put_object(Bucket=store.bucket, Key=object_key(sha256), Body=other)
    assert user.request("PUT", f"/api/v1/blobs/{sha256}", content=data).status_code == 201  # through the app
    assert store.client.get_object(Bucket=store.bucket, Key=object_key(sha256))["Body"].read() == data


def test_an_expired_address_is_refused_and_a_fresh_one_works(
    make_env: Callable[..., ServerEnv], seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = make_env(**seaweed.settings(_bucket(), public_endpoint=seaweed.endpoint))
    store = s3_store(env)
    store.ensure_bucket()
    user = Api(env.client).login("slt-ins")
    data = os.urandom(1000)
    monkeypatch.setattr(store, "upload_seconds", 1)
    target = _target(user, data)
    assert target["expires_in"] == 1
    time.sleep(2.2)
    expired = _put(target, data)
    assert expired.status_code == 403 and "expired" in expired.text
    assert _commit(user, _sha(data))[0]["status"] == "upload_again"
    monkeypatch.setattr(store, "upload_seconds", 300)
    assert _put(_target(user, data), data).status_code == 200
    assert _commit(user, _sha(data))[0]["status"] == "stored"


def test_a_commit_without_upload_or_for_someone_elses_blob_grants_nothing(direct_env: ServerEnv) -> None:
    user, colleague = Api(direct_env.client).login("slt-ins"), Api(direct_env.client).login("slt-sup")
    data = os.urandom(3000)
    sha256 = _sha(data)
    assert _commit(user, sha256)[0]["status"] == "upload_again"
    assert _put(_target(user, data), data).status_code == 200
    # the colleague knows the hash but never sent the bytes: it must send them through the server
    assert _commit(colleague, sha256) == [{"sha256": sha256, "status": "via_app"}]
    assert _commit(user, sha256)[0]["status"] == "stored"
    assert _target(colleague, data) == {"sha256": sha256, "status": "via_app"}
    assert _commit(colleague, sha256) == [{"sha256": sha256, "status": "via_app"}]
    assert colleague.get(f"/api/v1/blobs/{sha256}").status_code == 404
    assert colleague.request("PUT", f"/api/v1/blobs/{sha256}", content=data).status_code == 201
    assert colleague.get(f"/api/v1/blobs/{sha256}").content == data


def test_the_same_photo_from_two_laptops_at_once(direct_env: ServerEnv) -> None:
    first, second = Api(direct_env.client).login("slt-ins"), Api(direct_env.client).login("slt-sup")
    data = os.urandom(2 * MiB)
    sha256 = _sha(data)
    targets = [_target(first, data), _target(second, data)]
    replies: list[httpx.Response] = []
    threads = [threading.Thread(target=lambda t=target: replies.append(_put(t, data))) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(reply.status_code for reply in replies) in ([200, 412], [200, 200])
    results = {name: _commit(api, sha256)[0]["status"] for name, api in (("first", first), ("second", second))}
    # the one whose PUT wrote the object is confirmed; the other proves it has the bytes through the server
    assert sorted(results.values()) in (["stored", "via_app"], ["stored", "stored"])
    for name, api in (("first", first), ("second", second)):
        if results[name] == "via_app":
            assert api.request("PUT", f"/api/v1/blobs/{sha256}", content=data).status_code == 201
    with direct_env.db.read() as session:
        assert session.scalar(select(Blob.size).where(Blob.sha256 == sha256)) == len(data)
        holders = set(session.scalars(select(BlobHolder.user_id).where(BlobHolder.sha256 == sha256)))
    assert holders == {first.user["id"], second.user["id"]}
    assert second.get(f"/api/v1/blobs/{sha256}").content == data


def test_hostile_requests_get_clear_errors(direct_env: ServerEnv) -> None:
    user = Api(direct_env.client).login("slt-ins")
    assert user.post("/api/v1/blobs/targets", json={"blobs": [{"sha256": "ab", "size": 1}]}).status_code == 422
    assert user.post("/api/v1/blobs/targets", json={"blobs": [{"sha256": "a" * 64, "size": -1}]}).status_code == 422
    huge = user.post("/api/v1/blobs/targets", json={"blobs": [{"sha256": "a" * 64, "size": 10**12}]})
    assert huge.status_code == 413 and huge.json()["error"] == "payload_too_large"
    assert user.post("/api/v1/blobs/commit", json={"hashes": ["../x"]}).status_code == 422
    assert user.post("/api/v1/blobs/commit", json=["a" * 64]).status_code == 422
    many = user.post("/api/v1/blobs/commit", json={"hashes": [f"{n:064x}" for n in range(1001)]})
    assert many.status_code == 413
    assert Api(direct_env.client).post("/api/v1/blobs/commit", json={"hashes": []}).status_code == 401


def test_without_a_public_address_every_photo_goes_through_the_server(
    make_env: Callable[..., ServerEnv], seaweed: SeaweedServer
) -> None:
    env = make_env(**seaweed.settings(_bucket()))
    s3_store(env).ensure_bucket()
    user = Api(env.client).login("slt-ins")
    assert Api(env.client).get("/api/v1/version").json()["limits"]["direct_uploads"] == 0
    data = b"through the server"
    assert _target(user, data) == {"sha256": _sha(data), "status": "via_app"}
    assert upload(user, data) == _sha(data)


def test_a_store_outage_during_a_commit_is_503_and_nothing_is_lost(make_env: Callable[..., ServerEnv]) -> None:
    with running_seaweed() as own:
        env = make_env(**own.settings(_bucket(), public_endpoint=own.endpoint), retry_after_seconds=3)
        s3_store(env).ensure_bucket()
        user = Api(env.client).login("slt-ins")
        data = os.urandom(50_000)
        sha256 = _sha(data)
        assert _put(_target(user, data), data).status_code == 200
        own.stop()
        refused = user.post("/api/v1/blobs/commit", json={"hashes": [sha256]})
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
        assert refused.json()["error"] == "storage_unavailable"
        assert _missing(user, sha256) == [sha256]
        own.start()
        assert _commit(user, sha256)[0]["status"] == "stored"
        assert user.get(f"/api/v1/blobs/{sha256}").content == data
