"""A reply cut anywhere — in its status line, its headers or its body — is retried, never taken as an answer: a real
loopback peer sends a whole reply cut at every offset, then the whole reply."""

from __future__ import annotations

import json
import random
import socket
import threading

import pytest
from sync_support import RecordingEvent

from inspector.sync.client import HttpOptions, ProtocolClient
from inspector.sync.errors import ServerFaultError, TransportError

FAST = HttpOptions(connect_timeout=1, read_timeout=2, max_attempts=4, max_retry_seconds=30, backoff_base=0.1)


def http_reply(status: str, body: bytes, content_type: str = "application/json") -> bytes:
    head = (
        f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
        "X-Inspector-Protocol: 1\r\nX-Request-Id: 0123456789abcdef\r\nCache-Control: no-store\r\n\r\n"
    )
    return head.encode() + body


class CuttingPeer:
    """Answers every request with `reply`: the first `cut_times` answers cut after `cut` bytes (then the connection
    closes), the others whole."""

    def __init__(self, reply: bytes, cut: int, cut_times: int = 1) -> None:
        self.reply, self.cut, self.cut_times = reply, cut, cut_times
        self.requests = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            with connection:
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = connection.recv(65536)
                    if not chunk:
                        break
                    request += chunk
                head, _, body = request.partition(b"\r\n\r\n")
                length = next(
                    (
                        int(line.split(b":")[1])
                        for line in head.split(b"\r\n")
                        if line.lower().startswith(b"content-length")
                    ),
                    0,
                )
                while len(body) < length:
                    body += connection.recv(65536)
                self.requests += 1
                whole = self.requests > self.cut_times
                connection.sendall(self.reply if whole else self.reply[: self.cut])
                connection.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.sock.close()


def _client(url: str) -> ProtocolClient:
    return ProtocolClient(url, FAST, token="ins1_test", cancel_event=RecordingEvent(), rng=random.Random(1))


FEED = json.dumps(
    {
        "entries": [{"seq": 1, "kind": "finding", "id": "f1", "data": {"id": "f1"}}],
        "next": 1,
        "has_more": False,
        "head": 1,
    }
).encode()
PUSH = json.dumps(
    {"results": [{"change_id": "c1", "status": "applied"}], "server_time": "2026-01-01T00:00:00Z"}
).encode()
PHOTO = bytes(range(256)) * 8


@pytest.mark.parametrize(
    ("method", "path", "reply", "raw"),
    [
        ("GET", "/api/v1/feed", http_reply("200 OK", FEED), False),
        ("POST", "/api/v1/push", http_reply("200 OK", PUSH), False),
        ("GET", "/api/v1/blobs/" + "a" * 64, http_reply("200 OK", PHOTO, "application/octet-stream"), True),
    ],
    ids=["feed", "push", "photo"],
)
def test_a_reply_cut_at_any_offset_is_sent_again_and_the_whole_reply_is_used(
    method: str, path: str, reply: bytes, raw: bool
) -> None:
    body = reply[reply.index(b"\r\n\r\n") + 4 :]
    offsets = sorted({*range(0, reply.index(b"\r\n\r\n") + 5), *range(len(reply) - len(body), len(reply), 97)})
    accepted_cut = []
    for cut in offsets:
        peer = CuttingPeer(reply, cut)
        try:
            answer = _client(peer.url).request(
                method, path, json_body={"changes": []} if method == "POST" else None, raw=raw
            )
        finally:
            peer.close()
        if peer.requests != 2:
            accepted_cut.append(cut)
            continue
        assert answer.status == 200
        assert (answer.body == body) if raw else (answer.body == json.loads(body)), cut
    assert accepted_cut == [], f"replies cut at these offsets were taken as answers: {accepted_cut}"
    assert len(offsets) > 150


def test_an_error_reply_cut_in_its_headers_is_retried_not_taken_as_a_refusal() -> None:
    refusal = http_reply("401 Unauthorized", json.dumps({"error": "token_invalid", "message": "x"}).encode())
    cut = refusal.index(b"Content-Length")  # the status line and the type arrived, the rest did not
    peer = CuttingPeer(refusal, cut, cut_times=1)
    try:
        with pytest.raises(Exception) as raised:
            _client(peer.url).request("GET", "/api/v1/me")
    finally:
        peer.close()
    assert peer.requests == 2  # the cut reply was not taken as the answer; the whole one then was
    assert getattr(raised.value, "code", "") == "token_invalid"


def test_replies_cut_every_time_end_in_an_error_after_the_retries() -> None:
    reply = http_reply("200 OK", FEED)
    for cut in (0, 20, reply.index(b"\r\n\r\n"), len(reply) - 3):
        peer = CuttingPeer(reply, cut, cut_times=1000)
        try:
            with pytest.raises((TransportError, ServerFaultError)):
                _client(peer.url).request("GET", "/api/v1/feed")
        finally:
            peer.close()
        assert peer.requests == FAST.max_attempts, cut
