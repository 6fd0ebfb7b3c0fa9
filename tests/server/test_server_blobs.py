"""Blobs: which are missing, verified uploads, resumable uploads (also after a dropped connection), scoped download;
new blob files written with O_DIRECT or buffered, byte for byte."""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from server_support import JW, Api, ServerEnv, inspection, report, upload
from sqlalchemy import select

from inspector.server.blob_files import BUFFER_BYTES, BufferPool, DirectFile, direct_io_refusal
from inspector.server.blobs import HOLD_BYTES, FileBlobStore, HashMismatchError
from inspector.server.models import BlobUpload


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_missing_lists_what_the_server_lacks_in_order(api: Api) -> None:
    user = api.login("slt-ins")
    present = upload(user, b"already here")
    absent_a, absent_b = _sha(b"a"), _sha(b"b")
    reply = user.post("/api/v1/blobs/missing", json={"hashes": [absent_b, present, absent_a, absent_b]})
    assert reply.status_code == 200
    assert reply.json() == {"missing": [absent_b, absent_a]}
    bad = user.post("/api/v1/blobs/missing", json={"hashes": ["ABC"]})
    assert bad.status_code == 422 and bad.json()["error"] == "validation_failed"


def test_a_whole_upload_is_stored_only_when_its_hash_matches(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    data = os.urandom(100_000)
    sha256 = _sha(data)
    wrong = user.request("PUT", f"/api/v1/blobs/{sha256}", content=data[:-1] + b"x")
    assert wrong.status_code == 422 and wrong.json()["error"] == "hash_mismatch"
    assert wrong.json()["actual"] == _sha(data[:-1] + b"x")
    assert not env.app.state.context.blobs.has_file(sha256)
    assert list(env.app.state.context.blobs.tmp_dir.iterdir()) == []
    assert user.post("/api/v1/blobs/missing", json={"hashes": [sha256]}).json()["missing"] == [sha256]
    created = user.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert created.status_code == 201 and created.json() == {"sha256": sha256, "size": len(data), "created": True}
    again = user.request("PUT", f"/api/v1/blobs/{sha256}", content=data)
    assert again.status_code == 200 and again.json() == {"sha256": sha256, "size": len(data), "created": False}
    assert user.get(f"/api/v1/blobs/{sha256}").content == data


def test_a_whole_upload_larger_than_the_servers_buffer_is_written_in_parts(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    data = os.urandom(HOLD_BYTES * 2 + 12_345)
    sha256 = _sha(data)

    def pieces(body: bytes) -> Iterator[bytes]:
        for start in range(0, len(body), 300_000):
            yield body[start : start + 300_000]

    headers = {"Content-Length": str(len(data))}
    damaged = data[:-1] + bytes([data[-1] ^ 1])
    wrong = user.request("PUT", f"/api/v1/blobs/{sha256}", content=pieces(damaged), headers=headers)
    assert wrong.status_code == 422 and wrong.json()["actual"] == _sha(damaged)
    assert list(env.app.state.context.blobs.tmp_dir.iterdir()) == []
    created = user.request("PUT", f"/api/v1/blobs/{sha256}", content=pieces(data), headers=headers)
    assert created.status_code == 201 and created.json()["size"] == len(data)
    assert env.app.state.context.blobs.path(sha256).read_bytes() == data


def test_an_upload_without_length_or_over_the_limit_is_refused(make_env) -> None:  # type: ignore[no-untyped-def]
    env = make_env(max_blob_bytes=1000, max_chunk_bytes=500)
    user = Api(env.client).login("slt-ins")
    data = b"x" * 1001
    too_large = user.request("PUT", f"/api/v1/blobs/{_sha(data)}", content=data)
    assert too_large.status_code == 413 and too_large.json()["error"] == "payload_too_large"

    def chunks() -> Iterator[bytes]:
        yield b"x" * 600
        yield b"x" * 600

    streamed = user.request("PUT", f"/api/v1/blobs/{_sha(b'x' * 1200)}", content=chunks())
    assert streamed.status_code in (411, 413)
    start = user.post(f"/api/v1/blobs/{_sha(data)}/upload", json={"size": 1001})
    assert start.status_code == 413


def test_a_resumable_upload_continues_from_the_servers_offset(api: Api, env: ServerEnv) -> None:
    user = api.login("slt-ins")
    data = os.urandom(300_000)
    sha256 = _sha(data)
    path = f"/api/v1/blobs/{sha256}/upload"
    assert user.request("PATCH", path, content=data[:10], headers={"Upload-Offset": "0"}).json()["error"] == (
        "upload_not_started"
    )
    assert user.request("HEAD", path).status_code == 404
    started = user.post(path, json={"size": len(data)})
    assert started.json() == {"offset": 0, "size": len(data), "complete": False}
    first = user.request("PATCH", path, content=data[:100_000], headers={"Upload-Offset": "0"})
    assert first.status_code == 200 and first.json()["offset"] == 100_000
    # the client lost track: it asks where the server is
    head = user.request("HEAD", path)
    assert head.headers["Upload-Offset"] == "100000" and head.headers["Upload-Length"] == str(len(data))
    assert user.post(path, json={"size": len(data)}).json()["offset"] == 100_000
    wrong = user.request("PATCH", path, content=data[50_000:], headers={"Upload-Offset": "50000"})
    assert wrong.status_code == 409 and wrong.json() == {**wrong.json(), "error": "offset_mismatch", "offset": 100_000}
    bad_header = user.request("PATCH", path, content=b"", headers={"Upload-Offset": "abc"})
    assert bad_header.status_code == 400 and bad_header.json()["error"] == "bad_header"
    too_much = user.request("PATCH", path, content=data[100_000:] + b"extra", headers={"Upload-Offset": "100000"})
    assert too_much.status_code == 413
    assert user.request("HEAD", path).headers["Upload-Offset"] == "100000"
    done = user.request("PATCH", path, content=data[100_000:], headers={"Upload-Offset": "100000"})
    assert done.status_code == 201 and done.json() == {"offset": len(data), "size": len(data), "complete": True}
    assert user.get(f"/api/v1/blobs/{sha256}").content == data
    with env.db.read() as session:
        assert session.scalars(select(BlobUpload)).all() == []
    assert user.post(path, json={"size": len(data)}).json()["complete"] is True


def test_a_resumable_upload_with_wrong_bytes_is_discarded(api: Api) -> None:
    user = api.login("slt-ins")
    data = os.urandom(5000)
    path = f"/api/v1/blobs/{_sha(data)}/upload"
    user.post(path, json={"size": len(data)})
    bad = user.request("PATCH", path, content=b"\0" * len(data), headers={"Upload-Offset": "0"})
    assert bad.status_code == 422 and bad.json()["error"] == "hash_mismatch"
    assert user.post(path, json={"size": len(data)}).json()["offset"] == 0


def test_an_upload_cut_off_mid_chunk_resumes_after_the_bytes_that_arrived(api: Api, live: str) -> None:
    user = api.login("slt-ins")
    data = os.urandom(2_000_000)
    path = f"/api/v1/blobs/{_sha(data)}/upload"
    with httpx.Client(base_url=live, headers=user.headers, timeout=30) as http:
        assert http.post(path, json={"size": len(data)}).status_code == 200

        def stored_offset() -> int:
            with httpx.Client(base_url=live, headers=user.headers, timeout=30) as watcher:
                return int(watcher.head(path).headers["Upload-Offset"])

        def broken() -> Iterator[bytes]:
            for start in range(0, 1_200_000, 100_000):
                yield data[start : start + 100_000]
            # cut the line only once the server has written some of the bytes: bytes still queued in the
            # server's receive buffer when the line drops are rightly dropped with the connection
            waited_until = time.monotonic() + 20
            while stored_offset() == 0:
                assert time.monotonic() < waited_until, "the server never wrote any of the streamed bytes"
                time.sleep(0.02)
            raise ConnectionError("the network went away")

        with pytest.raises(ConnectionError):
            http.patch(path, content=broken(), headers={"Upload-Offset": "0"})
        offset, result = 0, None
        deadline = time.monotonic() + 20
        while result is None or result.status_code == 409:
            assert time.monotonic() < deadline, "the server never settled on an offset"
            offset = int(http.head(path).headers["Upload-Offset"])
            result = http.patch(path, content=data[offset:], headers={"Upload-Offset": str(offset)})
            if result.status_code == 409:
                time.sleep(0.05)
        assert result.status_code == 201, result.text
        assert 0 < offset <= 1_200_000
        assert http.get(f"/api/v1/blobs/{_sha(data)}").content == data


def test_downloads_are_scoped_by_the_records_that_reference_a_blob(api: Api) -> None:
    uploader = api.login("slt-ins")
    colleague = api.login("slt-sup")
    outsider = api.login("jw-ins")
    sha256 = upload(uploader, b"evidence photo")
    assert uploader.get(f"/api/v1/blobs/{sha256}").status_code == 200
    assert colleague.get(f"/api/v1/blobs/{sha256}").status_code == 404  # nothing references it yet
    assert uploader.push(report(photos=[sha256]))[0]["status"] == "applied"
    assert colleague.get(f"/api/v1/blobs/{sha256}").status_code == 200
    assert outsider.get(f"/api/v1/blobs/{sha256}").status_code == 404
    partial = colleague.get(f"/api/v1/blobs/{sha256}", headers={"Range": "bytes=0-7"})
    assert partial.status_code == 206 and partial.content == b"evidence"
    jw_photo = upload(outsider, b"jw photo")
    assert outsider.push(inspection(outsider, JW, photos=[jw_photo]))[0]["status"] == "applied"
    assert uploader.get(f"/api/v1/blobs/{jw_photo}").status_code == 404
    assert outsider.get(f"/api/v1/blobs/{jw_photo}").status_code == 200


# ---- how new blob files are written ----

MiB = 1024 * 1024
FILE_SIZES = [0, 1, 4095, 4096, 4097, BUFFER_BYTES, BUFFER_BYTES + 1, 3 * MiB + 12_345]


def _receive_in_pieces(store: FileBlobStore, data: bytes, piece: int = 100_003) -> str:
    """Receive bytes as an upload does: held, written a megabyte at a time, then finished."""
    incoming = store.receive(_sha(data), len(data))
    for start in range(0, len(data), piece):
        if incoming.accept(data[start : start + piece]):
            incoming.write_held()
    incoming.finish()
    return _sha(data)


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "buffered"])
@pytest.mark.parametrize("size", FILE_SIZES)
def test_new_blob_files_hold_exactly_their_bytes(tmp_path: Path, direct: bool, size: int) -> None:
    if direct and direct_io_refusal(tmp_path) is not None:
        pytest.skip("this filesystem refuses O_DIRECT")
    store = FileBlobStore(tmp_path / "blobs", direct_io=direct)
    data = os.urandom(size)
    for sha256 in (store.put_bytes(data), _receive_in_pieces(store, data)):
        path = store.path(sha256)
        assert path.stat().st_size == size
        assert hashlib.sha256(path.read_bytes()).hexdigest() == sha256 == _sha(data)
        assert path.read_bytes() == data
    assert list(store.tmp_dir.iterdir()) == []
    assert store.files.direct is direct


def test_the_first_blob_decides_on_direct_writes(tmp_path: Path) -> None:
    store = FileBlobStore(tmp_path / "blobs")
    assert store.files.direct is None
    store.put_bytes(b"first photo")
    assert store.files.direct is (direct_io_refusal(store.tmp_dir) is None)
    assert list(store.tmp_dir.iterdir()) == []


def test_a_filesystem_refusing_direct_writes_gets_buffered_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    real_open = os.open

    def refusing_open(path: object, flags: int, *args: object) -> int:
        if flags & getattr(os, "O_DIRECT", 0):
            raise OSError(errno.EINVAL, "Invalid argument")
        return real_open(path, flags, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refusing_open)
    store = FileBlobStore(tmp_path / "blobs")
    with caplog.at_level(logging.INFO, logger="inspector.server"):
        sha256 = store.put_bytes(b"x" * 5000)
        store.put_bytes(b"y" * 7000)
    assert store.files.direct is False
    assert store.path(sha256).read_bytes() == b"x" * 5000
    decisions = [record.getMessage() for record in caplog.records if "page cache" in record.getMessage()]
    assert len(decisions) == 1 and "Invalid argument" in decisions[0]
    assert list(store.tmp_dir.iterdir()) == []


def test_direct_writes_refused_on_write_or_missing_fall_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refusing_write(self: DirectFile, length: int) -> None:
        raise OSError(errno.EINVAL, "Invalid argument")

    with monkeypatch.context() as patch:
        patch.setattr(DirectFile, "_write_out", refusing_write)
        assert direct_io_refusal(tmp_path) == "the filesystem refuses O_DIRECT (Invalid argument)"
        store = FileBlobStore(tmp_path / "on-write")
        assert store.path(store.put_bytes(b"photo")).read_bytes() == b"photo"
        assert store.files.direct is False
    monkeypatch.delattr(os, "O_DIRECT", raising=False)
    assert direct_io_refusal(tmp_path) == "this system has no O_DIRECT"
    store = FileBlobStore(tmp_path / "no-flag")
    assert store.path(store.put_bytes(b"photo")).read_bytes() == b"photo"
    assert store.files.direct is False
    assert sorted(path.name for path in tmp_path.iterdir()) == ["no-flag", "on-write"]


@pytest.mark.parametrize("direct", [True, False], ids=["direct", "buffered"])
def test_a_mismatched_blob_leaves_no_file_either_way(tmp_path: Path, direct: bool) -> None:
    if direct and direct_io_refusal(tmp_path) is not None:
        pytest.skip("this filesystem refuses O_DIRECT")
    store = FileBlobStore(tmp_path / "blobs", direct_io=direct)
    data = os.urandom(BUFFER_BYTES + 10)
    incoming = store.receive(_sha(b"something else"), len(data))
    incoming.accept(data)
    incoming.write_held()
    with pytest.raises(HashMismatchError):
        incoming.finish()
    assert list(store.tmp_dir.iterdir()) == []
    assert list(store.objects_dir.iterdir()) == []


def test_a_direct_write_refused_midway_is_made_buffered_and_later_files_are_too(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    if direct_io_refusal(tmp_path) is not None:
        pytest.skip("this filesystem refuses O_DIRECT")
    store = FileBlobStore(tmp_path / "blobs", direct_io=True)
    # Buffers of 1000 bytes: the kernel refuses (EINVAL) a direct write whose length is not whole disk blocks, as it
    # does on a disk whose blocks are larger than the ones this store writes.
    store.files.pool = BufferPool(size=1000)
    first, second = os.urandom(5500), os.urandom(3000)
    with caplog.at_level(logging.INFO, logger="inspector.server"):
        first_sha = store.put_bytes(first)
        second_sha = store.put_bytes(second)
    assert store.path(first_sha).read_bytes() == first
    assert store.path(second_sha).read_bytes() == second
    assert store.files.direct is False
    warnings = [record.getMessage() for record in caplog.records if "from now on" in record.getMessage()]
    assert len(warnings) == 1 and "Invalid argument" in warnings[0]
    assert list(store.tmp_dir.iterdir()) == []
