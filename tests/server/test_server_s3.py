"""Photos in a real S3-compatible store (SeaweedFS): verified before visible, holders and scope as with the folder,
resumable uploads as multipart uploads kept in the database, presigned downloads, an outage answered 503, the
migration of a folder into a bucket, and the cleanup of stale uploads."""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from collections.abc import Callable

import httpx
import pytest
from s3_support import SeaweedServer, running_seaweed
from server_support import Api, ServerEnv, report, s3_store, upload
from sqlalchemy import select

from inspector.server.blobs import FileBlobStore
from inspector.server.blobs_s3 import PART_MIN_BYTES, S3BlobStore, object_key
from inspector.server.cli import main
from inspector.server.models import BlobHolder, BlobUpload

MiB = 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bucket() -> str:
    return f"district-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def s3_env(make_env: Callable[..., ServerEnv], seaweed: SeaweedServer) -> ServerEnv:
    """The server with its photos in a fresh bucket of the session's SeaweedFS."""
    env = make_env(**seaweed.settings(_bucket()))
    env.app.state.context.blobs.ensure_bucket()
    return env


def _objects(store: S3BlobStore, prefix: str = "") -> dict[str, int]:
    return {item["Key"]: item["Size"] for item in store.iter_objects(prefix)}


def _object_bytes(store: S3BlobStore, sha256: str) -> bytes:
    return bytes(store.client.get_object(Bucket=store.bucket, Key=object_key(sha256))["Body"].read())


def test_a_whole_upload_lands_in_the_bucket_only_when_its_hash_matches(s3_env: ServerEnv) -> None:
    api = Api(s3_env.client)
    user, colleague = api.login("slt-ins"), api.login("slt-sup")
    store = s3_store(s3_env)
    data = os.urandom(3 * MiB + 17)  # past the in-memory spool: held in a temporary file
    sha256 = _sha(data)
    bad = user.request("PUT", f"/api/v1/blobs/{sha256}", content=b"not those bytes")
    assert bad.status_code == 422 and bad.json()["error"] == "hash_mismatch"
    assert _objects(store) == {}
    stored = user.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert stored.status_code == 201, stored.text
    assert _objects(store) == {object_key(sha256): len(data)}
    assert _object_bytes(store, sha256) == data
    assert user.get(f"/api/v1/blobs/{sha256}").content == data  # streamed from the bucket
    # a colleague who sends the same bytes becomes a holder; the object is not written again
    again = colleague.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert again.status_code == 201 and again.json()["created"] is True
    with s3_env.db.read() as session:
        holders = set(session.scalars(select(BlobHolder.user_id).where(BlobHolder.sha256 == sha256)))
    assert holders == {user.user["id"], colleague.user["id"]}
    assert colleague.get(f"/api/v1/blobs/{sha256}").content == data
    assert user.request("PUT", f"/api/v1/blobs/{sha256}", content=data).json()["created"] is False


def test_scope_decides_downloads_from_the_bucket_too(s3_env: ServerEnv) -> None:
    api = Api(s3_env.client)
    uploader, colleague, outsider = api.login("slt-ins"), api.login("slt-sup"), api.login("jw-ins")
    sha256 = upload(uploader, b"evidence photo in a bucket")
    assert colleague.get(f"/api/v1/blobs/{sha256}").status_code == 404
    assert uploader.push(report(photos=[sha256]))[0]["status"] == "applied"
    assert colleague.get(f"/api/v1/blobs/{sha256}").content == b"evidence photo in a bucket"
    assert outsider.get(f"/api/v1/blobs/{sha256}").status_code == 404
    missing = outsider.post("/api/v1/blobs/missing", json={"hashes": [sha256]}).json()["missing"]
    assert missing == [sha256]  # to an outsider the blob is missing, as any unknown one


def test_a_batch_upload_puts_each_verified_blob_in_the_bucket(s3_env: ServerEnv) -> None:
    user = Api(s3_env.client).login("slt-ins")
    blobs = [os.urandom(size) for size in (0, 1000, 2 * MiB)]
    bad = os.urandom(500)
    manifest = [{"sha256": _sha(blob), "size": len(blob)} for blob in blobs]
    manifest.append({"sha256": _sha(b"something else"), "size": len(bad)})
    body = json.dumps({"blobs": manifest}).encode() + b"\n" + b"".join(blobs) + bad
    reply = user.post("/api/v1/blobs/batch", content=body, headers={"Content-Type": "application/octet-stream"})
    assert reply.status_code == 200, reply.text
    assert [item["status"] for item in reply.json()["results"]] == ["stored", "stored", "stored", "rejected"]
    assert _objects(s3_store(s3_env)) == {object_key(_sha(blob)): len(blob) for blob in blobs}


def test_a_resumable_upload_is_a_multipart_upload_any_process_can_continue(
    s3_env: ServerEnv, make_env: Callable[..., ServerEnv]
) -> None:
    """Chunks smaller than S3's smallest part wait in a tail object; a second app process on the same database and
    bucket takes the next chunks (no file locks); the blob is visible only once its hash matched."""
    other = make_env(**{**s3_env.settings.model_dump(include={"blob_store", "s3_bucket", "s3_endpoint_url"}),
                        "s3_access_key_id": s3_env.settings.s3_access_key_id,
                        "s3_secret_access_key": s3_env.settings.s3_secret_access_key})  # fmt: skip
    first = Api(s3_env.client).login("slt-ins")
    second = Api(other.client, first.token, first.user)
    store = s3_store(s3_env)
    data = os.urandom(PART_MIN_BYTES * 2 + 300_000)
    sha256 = _sha(data)
    path = f"/api/v1/blobs/{sha256}/upload"
    assert first.post(path, json={"size": len(data)}).json()["offset"] == 0
    chunk = 2 * MiB
    offset = 0
    for number, start in enumerate(range(0, len(data), chunk)):
        client = first if number % 2 == 0 else second
        reply = client.request(
            "PATCH", path, content=data[start : start + chunk], headers={"Upload-Offset": str(start)}
        )
        offset = reply.json()["offset"]
        if offset < len(data):
            assert reply.status_code == 200 and offset == start + len(data[start : start + chunk])
            assert second.request("HEAD", path).headers["Upload-Offset"] == str(offset)
            assert object_key(sha256) not in _objects(store)  # nothing visible before the hash is checked
        if number == 3:
            with s3_env.db.read() as session:
                row = session.get(BlobUpload, (sha256, first.user["id"]))
            assert row is not None and row.store_upload_id and len(json.loads(row.store_parts or "[]")) == 1
            stale = first.request("PATCH", path, content=b"x" * 10, headers={"Upload-Offset": str(start)})
            assert stale.status_code == 409 and stale.json()["offset"] == offset
    assert reply.status_code == 201 and offset == len(data)
    assert _object_bytes(store, sha256) == data
    assert _objects(store, "partial/") == {}
    with s3_env.db.read() as session:
        assert session.scalars(select(BlobUpload)).all() == []
    listed = store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads", [])
    assert listed == []


def test_a_resumable_upload_with_wrong_bytes_never_becomes_visible(s3_env: ServerEnv) -> None:
    user = Api(s3_env.client).login("slt-ins")
    store = s3_store(s3_env)
    data = os.urandom(PART_MIN_BYTES + 1000)
    path = f"/api/v1/blobs/{_sha(data)}/upload"
    user.post(path, json={"size": len(data)})
    wrong = bytes(len(data))
    assert (
        user.request("PATCH", path, content=wrong[:PART_MIN_BYTES], headers={"Upload-Offset": "0"}).status_code == 200
    )
    bad = user.request("PATCH", path, content=wrong[PART_MIN_BYTES:], headers={"Upload-Offset": str(PART_MIN_BYTES)})
    assert bad.status_code == 422 and bad.json()["error"] == "hash_mismatch"
    assert _objects(store) == {}
    assert user.post(path, json={"size": len(data)}).json()["offset"] == 0


def test_downloads_can_be_redirected_to_a_presigned_address(
    make_env: Callable[..., ServerEnv], seaweed: SeaweedServer
) -> None:
    env = make_env(**seaweed.settings(_bucket()), s3_presign_downloads=True)
    s3_store(env).ensure_bucket()
    user = Api(env.client).login("slt-ins")
    sha256 = upload(user, b"a photo fetched straight from the store")
    reply = user.get(f"/api/v1/blobs/{sha256}", follow_redirects=False)
    assert reply.status_code == 307
    assert httpx.get(reply.headers["location"]).content == b"a photo fetched straight from the store"


def test_a_range_of_a_photo_is_read_from_the_bucket_as_from_a_folder(s3_env: ServerEnv) -> None:
    """A client resuming a download asks for the rest; the object store is asked for that part only."""
    user = Api(s3_env.client).login("slt-ins")
    data = os.urandom(300_000)
    sha256 = upload(user, data)
    path = f"/api/v1/blobs/{sha256}"
    part = user.get(path, headers={"Range": "bytes=1000-1999"})
    assert part.status_code == 206 and part.content == data[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(data)}"
    assert part.headers["content-length"] == "1000"
    rest = user.get(path, headers={"Range": "bytes=299000-"})
    assert rest.status_code == 206 and rest.content == data[299_000:]
    tail = user.get(path, headers={"Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    past = user.get(path, headers={"Range": f"bytes={len(data)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(data)}"
    # what a server may ignore is answered with the whole photo: several ranges, nonsense, another version
    for header in ({"Range": "bytes=0-1,5-9"}, {"Range": "pages=1"}, {"Range": "bytes=0-1", "If-Range": '"old"'}):
        whole = user.get(path, headers=header)
        assert whole.status_code == 200 and whole.content == data, header


def test_a_store_outage_is_answered_503_and_nothing_is_lost(make_env: Callable[..., ServerEnv]) -> None:
    with running_seaweed() as own:
        env = make_env(**own.settings(_bucket()), retry_after_seconds=3)
        s3_store(env).ensure_bucket()
        user = Api(env.client).login("slt-ins")
        before = upload(user, b"stored before the outage")
        own.stop()
        data = b"sent during the outage"
        refused = user.request("PUT", f"/api/v1/blobs/{_sha(data)}", content=data)
        assert refused.status_code == 503 and refused.headers["Retry-After"] == "3"
        assert refused.json()["error"] == "storage_unavailable"
        assert Api(env.client).get("/readyz").status_code == 503
        assert Api(env.client).get("/livez").status_code == 200
        assert user.post("/api/v1/blobs/missing", json={"hashes": [_sha(data)]}).json()["missing"] == [_sha(data)]
        own.start()
        assert user.request("PUT", f"/api/v1/blobs/{_sha(data)}", content=data).status_code == 201
        assert user.get(f"/api/v1/blobs/{before}").content == b"stored before the outage"
        assert Api(env.client).get("/readyz").status_code == 200


def test_a_photo_folder_migrates_into_a_bucket_with_every_hash_checked(
    env: ServerEnv, seaweed: SeaweedServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user = Api(env.client).login("slt-ins")
    blobs = [os.urandom(size) for size in (10, 70_000, 3 * MiB)]
    hashes = [upload(user, blob) for blob in blobs]
    folder_store = env.app.state.context.blobs
    assert isinstance(folder_store, FileBlobStore)
    bucket = _bucket()
    for key, value in {
        "INSPECTOR_DATA_DIR": str(env.settings.data_dir),
        "INSPECTOR_DATABASE_URL": env.settings.effective_database_url,
        **{
            f"INSPECTOR_{name.upper()}": value
            for name, value in seaweed.settings(bucket).items()
            if name != "blob_store"
        },
    }.items():
        monkeypatch.setenv(key, value)
    seaweed.client().create_bucket(Bucket=bucket)
    assert main(["blobs", "migrate", "--to", "s3"]) == 0
    assert "3 copied, 0 already there, 3 verified" in capsys.readouterr().out
    target = S3BlobStore(seaweed.client(), bucket, env.db)
    assert all(target.verify_object(sha256) == sha256 for sha256 in hashes)
    # run again: nothing copied twice; a damaged file is named and not copied
    damaged = folder_store.path(hashes[0])
    damaged.write_bytes(b"rotten")
    assert main(["blobs", "migrate", "--to", "s3"]) == 1
    captured = capsys.readouterr()
    assert (
        "0 copied, 2 already there, 2 verified" in captured.out and f"{hashes[0]}: the file is damaged" in captured.err
    )
    assert target.verify_object(hashes[0]) == hashes[0]  # the good copy in the bucket is untouched


def test_cleanup_aborts_stale_multipart_uploads(
    s3_env: ServerEnv, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    user = Api(s3_env.client).login("slt-ins")
    store = s3_store(s3_env)
    data = os.urandom(PART_MIN_BYTES + 10)
    path = f"/api/v1/blobs/{_sha(data)}/upload"
    user.post(path, json={"size": len(data)})
    assert user.request("PATCH", path, content=data[:PART_MIN_BYTES], headers={"Upload-Offset": "0"}).status_code == 200
    assert store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads")
    settings = s3_env.settings
    for name in ("data_dir", "blob_store", "s3_bucket", "s3_endpoint_url", "s3_access_key_id", "s3_secret_access_key"):
        monkeypatch.setenv(f"INSPECTOR_{name.upper()}", str(getattr(settings, name)))
    monkeypatch.setenv("INSPECTOR_DATABASE_URL", settings.effective_database_url)
    assert main(["cleanup", "--max-age-days", "0"]) == 0
    assert "stale partial uploads removed" in capsys.readouterr().out
    assert not store.client.list_multipart_uploads(Bucket=store.bucket).get("Uploads")
    with s3_env.db.read() as session:
        assert session.scalars(select(BlobUpload)).all() == []
