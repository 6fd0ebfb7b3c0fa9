"""A loopback TCP proxy that breaks a share of the connections it carries: drop, reset, stall or truncate.

Which connection gets which fault follows a seeded random generator, in the order connections arrive, and the
number of faults is capped, so a run is repeatable and ends. It only ever connects to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import random
import re
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable

FAULTS = ("drop", "reset", "stall", "truncate")
REQUEST_LINE = re.compile(rb"(GET|POST|PUT|PATCH|HEAD) (/[^ ?]*)\S* HTTP/1\.1$")


class FaultProxy:
    """Listens on 127.0.0.1:<free port> and forwards to 127.0.0.1:<target_port>."""

    def __init__(
        self,
        target_port: int,
        seed: int,
        share: float = 0.3,
        max_faults: int = 12,
        stall_seconds: float = 4.0,
        faults: tuple[str, ...] = FAULTS,
    ) -> None:
        self.target_port = target_port
        self.rng = random.Random(seed)
        self.share = share
        self.max_faults = max_faults
        self.stall_seconds = stall_seconds
        self.faults = faults
        self.enabled = False
        self.counts: Counter[str] = Counter()
        self.connections = 0
        self.requests: Counter[str] = Counter()  # request lines seen ("POST /api/v1/push"), query strings cut
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self._listener.close()
        self._thread.join(timeout=5)

    @property
    def total_faults(self) -> int:
        return sum(self.counts.values())

    def requested(self, method: str, path_start: str) -> int:
        """How many requests with this method and a path starting so passed the proxy (whole or cut off)."""
        with self._lock:
            return sum(n for line, n in self.requests.items() if line.startswith(f"{method} {path_start}"))

    def _request_watcher(self) -> Callable[[bytes], None]:
        """Counts the request lines in one connection's client-to-server bytes (lines may be split across reads;
        a body line that happens to end like a request line would count too: the tests' bodies hold none)."""
        pending = bytearray()

        def watch(data: bytes) -> None:
            pending.extend(data)
            *lines, rest = bytes(pending).split(b"\r\n")
            pending[:] = rest[-200:]
            for line in lines:
                found = REQUEST_LINE.search(line)  # after a body, the next request line follows it directly
                if found:
                    with self._lock:
                        self.requests[f"{found[1].decode()} {found[2].decode('ascii', 'replace')}"] += 1

        return watch

    def _choose(self) -> tuple[str | None, int]:
        """The fault for the next connection (or None) and after how many bytes it strikes.

        Connections are kept alive and carry many requests, so a fault strikes somewhere in the stream (a reset or
        stall after that many request bytes, a truncation after that many answer bytes), not only at its start.
        """
        with self._lock:
            self.connections += 1
            roll, pick, at = self.rng.random(), self.rng.choice(self.faults), self.rng.randrange(1, 60_000)
            if not self.enabled or self.total_faults >= self.max_faults or roll >= self.share:
                return None, 0
            self.counts[pick] += 1
            return pick, at

    def _accept_loop(self) -> None:
        while not self._closing.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            fault, at = self._choose()
            threading.Thread(target=self._serve, args=(conn, fault, at), daemon=True).start()

    def _serve(self, client: socket.socket, fault: str | None, at: int) -> None:
        if fault == "drop":
            client.close()
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=10)
        except OSError:
            client.close()
            return
        struck = threading.Event()
        request_limit = at if fault in ("reset", "stall") else None
        answer_limit = at if fault == "truncate" else None
        hold = struck if fault == "stall" else None
        threading.Thread(
            target=_pump, args=(client, upstream, request_limit, struck, None, self._request_watcher()), daemon=True
        ).start()
        try:
            if fault in ("reset", "stall"):
                answers = threading.Thread(
                    target=_pump, args=(upstream, client, None, threading.Event(), hold), daemon=True
                )
                answers.start()
                struck.wait(60)
                if fault == "stall":
                    self._closing.wait(self.stall_seconds)  # answers are held back, then the line goes dead
                else:
                    client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    client.close()  # with a zero linger time, close() sends RST
            else:
                _pump(upstream, client, answer_limit, struck)
        finally:
            for sock in (client, upstream):
                _close(sock)


def _pump(
    source: socket.socket,
    target: socket.socket,
    limit: int | None,
    struck: threading.Event,
    hold: threading.Event | None = None,
    watch: Callable[[bytes], None] | None = None,
) -> None:
    """Copy bytes until the source closes, or until `limit` bytes have passed (then set `struck` and stop), or
    until `hold` is set (then stop forwarding); `watch` sees the bytes read."""
    sent = 0
    try:
        source.settimeout(60)
        while True:
            data = source.recv(65536)
            if not data or (hold is not None and hold.is_set()):
                break
            if watch is not None:
                watch(data)
            if limit is not None and sent + len(data) >= limit:
                target.sendall(data[: limit - sent])
                break
            target.sendall(data)
            sent += len(data)
    except OSError:
        pass
    finally:
        struck.set()
        if limit is None and hold is None:
            _close(target)


def _close(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
    sock.close()
