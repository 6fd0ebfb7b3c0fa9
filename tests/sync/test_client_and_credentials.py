"""The protocol client's retry policy and error mapping, version rules, and where credentials are kept."""

from __future__ import annotations

import random
import socket
import threading
import time

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail
from sync_support import RecordingEvent, Scripted, ScriptedServer

from inspector.sync.client import HttpOptions, ProtocolClient, normalise_server_url, version_older
from inspector.sync.credentials import CredentialStore, is_secure_backend
from inspector.sync.errors import (
    AuthRequiredError,
    BadServerAddressError,
    CancelledError,
    IncompatibleServerError,
    RequestRefusedError,
    ServerFaultError,
    TransportError,
    UpgradeRequiredError,
)

FAST = HttpOptions(connect_timeout=1, read_timeout=1, max_attempts=4, max_retry_seconds=30, backoff_base=0.1)


def client_for(server_url: str, options: HttpOptions = FAST) -> tuple[ProtocolClient, RecordingEvent]:
    waits = RecordingEvent()
    return ProtocolClient(server_url, options, token="ins1_test", cancel_event=waits, rng=random.Random(1)), waits


def test_retries_server_faults_with_growing_jittered_backoff(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(503, {"error": "unavailable"}), Scripted(502), Scripted(200, {"ok": True})]
    client, waits = client_for(scripted.url)
    assert client.get_json("/me") == {"ok": True}
    assert len(scripted.received) == 3
    first, second = waits.waits
    assert 0.05 <= first <= 0.1 and 0.1 <= second <= 0.2
    headers = scripted.received[0]["headers"]
    assert headers["X-Inspector-Protocol"] == "2" and headers["X-Inspector-Client"].startswith("inspector/")
    assert headers["Authorization"] == "Bearer ins1_test"


def test_honours_retry_after_on_429(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(429, {"error": "busy"}, {"Retry-After": "7"}), Scripted(200, {})]
    client, waits = client_for(scripted.url)
    client.get_json("/feed")
    assert waits.waits == [7.0]


def test_gives_up_after_the_attempt_budget(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(500, {"error": "internal_error", "request_id": "r-1"})]
    client, _ = client_for(scripted.url)
    with pytest.raises(ServerFaultError, match="r-1"):
        client.get_json("/feed")
    assert len(scripted.received) == FAST.max_attempts


def test_a_server_out_of_disk_space_is_named_as_such_and_not_hammered(scripted: ScriptedServer) -> None:
    body = {"error": "insufficient_storage", "message": "服务器存储空间已满", "request_id": "r-9"}
    scripted.script = [Scripted(507, body, {"Retry-After": "600"})]
    client, waits = client_for(scripted.url)
    with pytest.raises(ServerFaultError) as raised:
        client.post_json("/push", {"changes": []})
    assert raised.value.code == "server_storage_full"
    assert "存储空间已满" in raised.value.zh and "administrator" in raised.value.en
    assert "stays on this computer" in raised.value.en
    assert len(scripted.received) == 1 and waits.waits == []  # ten minutes is past the budget: not waited for


def test_a_retry_after_beyond_the_time_budget_is_not_waited_for(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(429, {"error": "rate_limited"}, {"Retry-After": "300"})]
    client, waits = client_for(scripted.url)
    with pytest.raises(Exception, match="too many failed logins"):
        client.post_json("/auth/login", {})
    assert waits.waits == [] and len(scripted.received) == 1


def test_client_errors_are_not_retried_and_are_mapped(scripted: ScriptedServer) -> None:
    client, _ = client_for(scripted.url)
    scripted.script = [Scripted(422, {"error": "validation_failed", "message": "bad"})]
    with pytest.raises(RequestRefusedError) as refused:
        client.post_json("/push", {"changes": []})
    assert refused.value.code == "validation_failed" and len(scripted.received) == 1
    scripted.script = [Scripted(401, {"error": "token_revoked", "message": "revoked"})]
    with pytest.raises(AuthRequiredError) as auth:
        client.get_json("/me")
    assert auth.value.code == "token_revoked"
    scripted.script = [Scripted(426, {"error": "client_too_old", "min_client_version": "9.0.0"})]
    with pytest.raises(UpgradeRequiredError, match="please upgrade"):
        client.get_json("/me")


def test_version_check_refuses_old_clients_and_unknown_protocols(scripted: ScriptedServer) -> None:
    client, _ = client_for(scripted.url)
    scripted.script = [Scripted(200, {"protocol": 2, "protocols_supported": [2], "min_client_version": "99.0.0"})]
    with pytest.raises(UpgradeRequiredError, match="please upgrade"):
        client.version()
    assert "X-Inspector-Protocol" not in scripted.received[-1]["headers"]
    scripted.script = [Scripted(200, {"protocol": 3, "protocols_supported": [3], "min_client_version": "0.1.0"})]
    with pytest.raises(UpgradeRequiredError, match="install the new version"):
        client.version()  # a server that moved on to a newer protocol: this app must be upgraded
    scripted.script = [Scripted(200, {"protocol": 1, "protocols_supported": [1], "min_client_version": "0.1.0"})]
    with pytest.raises(IncompatibleServerError):
        client.version()  # a server older than this app: not the user's to fix by upgrading


def test_a_stalled_reply_times_out_and_is_sent_again(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(200, {"late": True}, delay=1.5), Scripted(200, {"ok": True})]
    client, waits = client_for(scripted.url, HttpOptions(connect_timeout=1, read_timeout=0.3, backoff_base=0.1))
    assert client.get_json("/feed") == {"ok": True}
    assert len(waits.waits) == 1


def test_a_cancel_ends_the_wait_for_a_stalled_reply_at_once(scripted: ScriptedServer) -> None:
    scripted.script = [Scripted(200, {"late": True}, delay=3.0)]
    cancel = threading.Event()
    options = HttpOptions(connect_timeout=1, read_timeout=30, max_attempts=4, backoff_base=0.1)
    client = ProtocolClient(scripted.url, options, token="ins1_test", cancel_event=cancel, rng=random.Random(1))
    threading.Timer(0.2, cancel.set).start()
    started = time.monotonic()
    with pytest.raises(CancelledError):
        client.get_json("/feed")
    # the reply would have come after 3 s and the read timeout is 30 s: the cancel, not either of them, ended it
    assert time.monotonic() - started < 2.5
    assert len(scripted.received) == 1


class SilentPeer:
    """A loopback listener that takes one connection, reads it slowly (4 KB every 20 ms) and never answers; once
    `drain` is set it reads as fast as it can until the client closes the connection."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.received = 0
        self.drain = threading.Event()
        self.closed_by_client = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        connection, _ = self.listener.accept()
        with connection:
            while True:
                try:
                    chunk = connection.recv(1 << 20 if self.drain.is_set() else 4096)
                except OSError:
                    chunk = b""
                if not chunk:
                    self.closed_by_client.set()
                    return
                self.received += len(chunk)
                if not self.drain.is_set():
                    time.sleep(0.02)


def _cancelled_request(peer: SilentPeer, body: bytes | None) -> None:
    """Send one request to the peer, cancel it after 0.3 s, then let the peer read on."""
    cancel = threading.Event()
    options = HttpOptions(connect_timeout=1, read_timeout=30, max_attempts=1)
    client = ProtocolClient(peer.url, options, token="ins1_test", cancel_event=cancel, rng=random.Random(1))
    threading.Timer(0.3, cancel.set).start()
    with pytest.raises(CancelledError):
        if body is None:
            client.get_json("/feed")
        else:
            client.request("POST", "/api/v1/blobs/batch", data=body)
    peer.drain.set()
    client.close()


def test_a_cancel_cuts_the_connection_of_a_stalled_reply_instead_of_leaving_it_until_the_read_timeout() -> None:
    peer = SilentPeer()
    _cancelled_request(peer, None)
    # the read timeout is 30 s: only the cancel can have closed the connection this soon
    assert peer.closed_by_client.wait(3)


def test_a_cancelled_upload_stops_sending_its_bytes() -> None:
    peer = SilentPeer()
    body = bytes(64 << 20)
    _cancelled_request(peer, body)
    assert peer.closed_by_client.wait(5)
    # what had been sent before the cancel was in the buffers of the two sockets, a few megabytes at most
    assert peer.received < len(body) // 4


def test_an_unreachable_server_is_a_transport_error_after_retries() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client, waits = client_for(f"http://127.0.0.1:{port}")
    with pytest.raises(TransportError):
        client.get_json("/feed")
    assert len(waits.waits) == FAST.max_attempts - 1


def test_tls_verification_stays_on_and_takes_a_custom_ca_bundle(tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert ProtocolClient("https://sync.example").session.verify is True
    bundle = tmp_path / "district-ca.pem"
    options = HttpOptions(ca_bundle=str(bundle))
    client = ProtocolClient("https://sync.example", options)
    assert client.session.verify == str(bundle) and client.session.trust_env


def test_versions_compare_part_by_part_and_addresses_are_checked() -> None:
    assert version_older("0.9.2", "0.10.0") and not version_older("0.10.0", "0.9.2")
    assert not version_older("0.1.0", "0.1") and version_older("0.1.0", "0.1.1")
    assert not version_older("garbage", "1.0.0")
    assert normalise_server_url("https://sync.example.gov.cn/api/v1/") == "https://sync.example.gov.cn"
    for bad in ("sync.example", "ftp://x", "https://x/?a=1", ""):
        with pytest.raises(BadServerAddressError):
            normalise_server_url(bad)


class WeakKeyring(KeyringBackend):
    priority = 0.5  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise AssertionError("a weak keyring must never be given the token")

    def delete_password(self, service: str, username: str) -> None:
        pass


class WeakChain(chainer.ChainerBackend):
    """A chain whose only members are weak (as when no OS keyring is installed)."""

    backends = (WeakKeyring(),)  # type: ignore[assignment]


class EmptyChain(chainer.ChainerBackend):
    backends = ()  # type: ignore[assignment]


def test_only_real_keyrings_count_as_secure() -> None:
    assert not is_secure_backend(fail.Keyring())
    assert not is_secure_backend(EmptyChain())
    assert not is_secure_backend(WeakChain())
    assert not is_secure_backend(WeakKeyring())


def test_without_a_secure_keyring_the_token_lives_in_memory_only() -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(WeakKeyring())
    try:
        store = CredentialStore()
        assert store.save("ins@https://x#1", "ins1_secret") == "memory"
        found = store.load("ins@https://x#1")
        assert found is not None and found.storage == "memory" and found.token == "ins1_secret"
        store.delete("ins@https://x#1")
        assert store.load("ins@https://x#1") is None
    finally:
        keyring.set_keyring(previous)
