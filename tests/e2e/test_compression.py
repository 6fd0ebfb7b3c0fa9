"""gzip on the wire against the real server on 127.0.0.1: JSON replies compressed for a client that accepts gzip
and plain for one that does not, photos sent as they are, gzip request bodies taken, their body limit counted on
the decompressed bytes (a small body that inflates past it is refused), other encodings and damaged gzip refused,
and the sync client compressing its pushes once the server said it may."""

from __future__ import annotations

import gzip
import json
import uuid
from collections.abc import Callable
from typing import Any

import requests
from e2e_support import PASSWORD, Client, ServerProcess

from inspector.sync.client import CLIENT_HEADER, PROTOCOL_VERSION, ProtocolClient

PROTOCOL = {"X-Inspector-Protocol": str(PROTOCOL_VERSION), "X-Inspector-Client": CLIENT_HEADER}


def token_of(server: ServerProcess, username: str = "ins") -> str:
    body = {"username": username, "password": PASSWORD, "device_id": str(uuid.uuid4()), "device_name": "测试"}
    reply = requests.post(f"{server.url}/api/v1/auth/login", json=body, headers=PROTOCOL, timeout=10)
    reply.raise_for_status()
    return str(reply.json()["token"])


def raw_get(server: ServerProcess, path: str, token: str, encoding: str) -> requests.Response:
    headers = {**PROTOCOL, "Authorization": f"Bearer {token}", "Accept-Encoding": encoding}
    return requests.get(f"{server.url}{path}", headers=headers, timeout=30, stream=True)


def post_raw(server: ServerProcess, path: str, token: str, body: bytes, **headers: str) -> requests.Response:
    sent = {**PROTOCOL, "Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers}
    return requests.post(f"{server.url}{path}", data=body, headers=sent, timeout=60)


def test_replies_are_gzip_for_a_client_that_accepts_it_and_photos_go_as_they_are(
    server: ServerProcess, make_client: Callable[..., Client]
) -> None:
    inspector = make_client("ins")
    inspector.login(server.url, "ins")
    subject = inspector.subject("幸福三村")
    for seed in range(3):
        inspector.inspection_with_finding(seed, subject)
    assert inspector.sync().outcome == "ok"
    token = token_of(server)

    zipped = raw_get(server, "/api/v1/feed?since=0&limit=100", token, "gzip")
    wire = zipped.raw.read(decode_content=False)
    plain = raw_get(server, "/api/v1/feed?since=0&limit=100", token, "identity")
    plain_bytes = plain.raw.read(decode_content=False)
    assert zipped.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in zipped.headers["Vary"]
    assert int(zipped.headers["Content-Length"]) == len(wire)
    assert "Content-Encoding" not in plain.headers
    page = json.loads(gzip.decompress(wire))
    assert page == json.loads(plain_bytes) and len(page["entries"]) > 5
    assert len(wire) * 3 < len(plain_bytes)
    refused = raw_get(server, "/api/v1/feed?since=0&limit=100", token, "gzip;q=0, identity")
    assert "Content-Encoding" not in refused.headers

    sha = next(h for entry in page["entries"] if entry["kind"] == "finding" for h in entry["data"]["photos"])
    photo = raw_get(server, f"/api/v1/blobs/{sha}", token, "gzip")
    assert photo.status_code == 200 and "Content-Encoding" not in photo.headers
    assert photo.raw.read(decode_content=False)[:2] == b"\xff\xd8"  # a JPEG, as stored

    small = raw_get(server, "/api/v1/version", token, "gzip")
    assert "Content-Encoding" not in small.headers  # below a kilobyte: not worth it
    assert small.headers["Accept-Encoding"] == "gzip"  # what request bodies may be (RFC 7694)


def missing_body(count: int) -> bytes:
    return json.dumps({"hashes": [f"{index:064x}" for index in range(count)]}).encode()


def test_gzip_request_bodies_are_taken_and_limited_on_their_decompressed_size(server: ServerProcess) -> None:
    token = token_of(server)
    body = missing_body(300)
    taken = post_raw(server, "/api/v1/blobs/missing", token, gzip.compress(body), **{"Content-Encoding": "gzip"})
    assert taken.status_code == 200, taken.text
    assert len(taken.json()["missing"]) == 300

    bomb = gzip.compress(b"[" + b" " * (64 * 1024 * 1024) + b"]", compresslevel=9)  # 64 MiB of spaces
    assert len(bomb) < 200_000
    refused = post_raw(server, "/api/v1/blobs/missing", token, bomb, **{"Content-Encoding": "gzip"})
    assert refused.status_code == 413 and refused.json()["error"] == "payload_too_large"
    assert refused.json()["limit"] < 64 * 1024 * 1024

    damaged = gzip.compress(body)[:-20] + b"\x00" * 20
    broken = post_raw(server, "/api/v1/blobs/missing", token, damaged, **{"Content-Encoding": "gzip"})
    assert broken.status_code == 400 and broken.json()["error"] == "bad_request"
    trailing = post_raw(
        server, "/api/v1/blobs/missing", token, gzip.compress(body) + b"more", **{"Content-Encoding": "gzip"}
    )
    assert trailing.status_code == 400

    other = post_raw(server, "/api/v1/blobs/missing", token, body, **{"Content-Encoding": "br"})
    assert other.status_code == 415 and other.json()["error"] == "unsupported_media_type"
    assert other.headers["Accept-Encoding"] == "gzip"
    assert post_raw(server, "/api/v1/blobs/missing", token, body).status_code == 200  # the server is well


def test_the_sync_client_compresses_its_requests_once_the_server_says_it_may(server: ServerProcess) -> None:
    token = token_of(server)
    with ProtocolClient(server.url, token=token) as client:
        assert not client.gzip_requests
        client.version()
        assert client.gzip_requests
        seen: list[dict[str, Any]] = []
        original = client.session.request

        def recording(method: str, url: str, **kwargs: Any) -> requests.Response:
            seen.append(dict(kwargs["headers"]))
            return original(method, url, **kwargs)

        client.session.request = recording  # type: ignore[method-assign]
        reply = client.post_json("/blobs/missing", json.loads(missing_body(300)))
        assert len(reply["missing"]) == 300
        client.post_json("/blobs/missing", {"hashes": ["0" * 64]})
    assert seen[0]["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in seen[1]  # a small body goes as it is
