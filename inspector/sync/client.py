"""The protocol client: one `requests` session with timeouts, retries with back-off and jitter, and error mapping.

Every request of protocol version 1 is safe to send again (pushes are idempotent by change id, blob uploads are
checked by hash and offset), so transport errors, 5xx and 429 are retried here with exponential back-off and
jitter, honouring `Retry-After`, until the attempt count or the time budget of the request runs out.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import random
import socket
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import orjson
import requests
from packaging.version import InvalidVersion, Version
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from inspector import __version__
from inspector.core.protocol import ErrorCode
from inspector.sync.config import HttpOptions
from inspector.sync.errors import (
    AuthRequiredError,
    BadServerAddressError,
    CancelledError,
    IncompatibleServerError,
    LoginFailedError,
    RequestRefusedError,
    ServerFaultError,
    TransportError,
    UpgradeRequiredError,
)

PROTOCOL_VERSION = 2
API = "/api/v1"
CANCEL_CHECK_SECONDS = 0.1  # how often a request in flight looks whether the cycle was cancelled
VERSION_ATTEMPTS = 2  # tries of the first request of a cycle before the server counts as unreachable
CLIENT_HEADER = f"inspector/{__version__}"
MIN_COMPRESSED = 1024  # JSON bodies from this size go gzip-compressed to a server that takes them
REQUEST_LEVEL = 1
AUTH_CODES = {ErrorCode.UNAUTHENTICATED, ErrorCode.TOKEN_INVALID, ErrorCode.TOKEN_EXPIRED, ErrorCode.TOKEN_REVOKED}
LOGIN_CODES = {ErrorCode.LOGIN_FAILED, ErrorCode.ACCOUNT_DISABLED, ErrorCode.RATE_LIMITED}
TRANSPORT_ERRORS = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def normalise_server_url(text: str) -> str:
    """The server address as stored: scheme, host, port and path prefix, without a trailing slash."""
    raw = (text or "").strip()
    parts = urlsplit(raw)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BadServerAddressError(
            f"服务器地址 {raw!r} 无效，应形如 https://sync.example.gov.cn",
            f"the server address {raw!r} is not valid; it should look like https://sync.example.gov.cn",
        )
    if parts.query or parts.fragment:
        raise BadServerAddressError(
            f"服务器地址 {raw!r} 不能包含 ? 或 #", f"the server address {raw!r} must not contain ? or #"
        )
    path = parts.path.rstrip("/")
    if path.endswith(API):
        path = path[: -len(API)]
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def parse_version(text: str) -> Version | None:
    """A version text (PEP 440, e.g. `0.10.0`) as a comparable Version; None when it cannot be read."""
    try:
        return Version(str(text).strip())
    except InvalidVersion:
        return None


def version_older(mine: str, minimum: str) -> bool:
    """True when `mine` is older than `minimum` (unreadable versions never count as older)."""
    a, b = parse_version(mine), parse_version(minimum)
    return a is not None and b is not None and a < b


def retry_after_seconds(value: str | None) -> float | None:
    """The delay a `Retry-After` header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    return max(0.0, moment.timestamp() - time.time())


@dataclass
class Reply:
    """A successful reply: status, headers and the JSON body (None for an empty body)."""

    status: int
    headers: Mapping[str, str]
    body: Any


def _tracking(pool_class: type[HTTPConnectionPool], opened: weakref.WeakSet[HTTPConnection]) -> type:
    """A subclass of a connection pool class that adds every connection it makes to `opened`."""

    def new_connection(pool: HTTPConnectionPool) -> HTTPConnection:
        connection = cast(HTTPConnection, pool_class._new_conn(pool))  # HTTPS connections are HTTP ones too
        opened.add(connection)
        return connection

    return type(f"Tracked{pool_class.__name__}", (pool_class,), {"_new_conn": new_connection})


class CuttableAdapter(HTTPAdapter):
    """A transport adapter that can cut every connection it opened, also one a request is using on another thread:
    a cancelled upload stops sending its bytes at once, and a stalled reply stops being waited for, instead of
    going on until the read timeout. Through an HTTP proxy too; connections through a SOCKS proxy are not tracked
    (those requests end by their timeouts)."""

    def __init__(self, **kwargs: Any) -> None:
        self.opened: weakref.WeakSet[HTTPConnection] = weakref.WeakSet()
        self.pool_classes = {
            "http": _tracking(HTTPConnectionPool, self.opened),
            "https": _tracking(HTTPSConnectionPool, self.opened),
        }
        super().__init__(**kwargs)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = self.pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if not proxy.lower().startswith("socks"):  # a SOCKS manager's pools have their own connection class
            manager.pool_classes_by_scheme = self.pool_classes
        return manager

    def cut(self) -> None:
        """Shut down the sockets of every connection opened so far (a blocked send or read on them ends at once)."""
        for connection in list(self.opened):
            sock = connection.sock
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)


class ProtocolClient:
    """Speaks protocol version 1 to one server, with one token (or none)."""

    def __init__(
        self,
        server_url: str,
        options: HttpOptions | None = None,
        token: str | None = None,
        cancel_event: threading.Event | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.base_url = normalise_server_url(server_url)
        self.options = options or HttpOptions()
        self.token = token
        self.cancel_event = cancel_event or threading.Event()
        self.rng = rng or random.Random()
        self.session = requests.Session()  # trust_env stays on: proxies come from the environment
        self.session.verify = self.options.ca_bundle or True
        self.adapter = CuttableAdapter(max_retries=0, pool_connections=2, pool_maxsize=4)
        self.session.mount("http://", self.adapter)
        self.session.mount("https://", self.adapter)
        self.session.headers.update(
            {
                "User-Agent": CLIENT_HEADER,
                "X-Inspector-Client": CLIENT_HEADER,
                "Accept": "application/json",
                "Accept-Encoding": "gzip",
            }
        )
        self.gzip_requests = False  # set once a reply says `Accept-Encoding: gzip` (RFC 7694)

    def spawn(self) -> ProtocolClient:
        """Another client for the same server and token with its own connections (for a worker thread)."""
        other = ProtocolClient(
            self.base_url, self.options, self.token, self.cancel_event, random.Random(self.rng.random())
        )
        other.gzip_requests = self.gzip_requests
        return other

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> ProtocolClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- the retry loop ----

    def check_cancelled(self) -> None:
        if self.cancel_event.is_set():
            raise CancelledError()

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter: between half and all of base·2^(attempt-1), capped."""
        ceiling = min(self.options.backoff_cap, self.options.backoff_base * (2 ** (attempt - 1)))
        return ceiling * (0.5 + 0.5 * self.rng.random())

    def request(
        self,
        method: str,
        path: str,
        *,
        json_body: Any = None,
        data: bytes | bytearray | None = None,
        headers: Mapping[str, str] | None = None,
        auth: bool = True,
        protocol: bool = True,
        on_retry: Callable[[str, float], None] | None = None,
        raw: bool = False,
        missing_ok: bool = False,
        body_again: Callable[[], bytes | bytearray] | None = None,
        max_attempts: int | None = None,
    ) -> Reply:
        """Send one request, retrying transport errors, 5xx and 429; map any other non-2xx reply to an error.

        `body_again` gives the body to send on a retry (what is still needed after a failed try); `max_attempts`
        overrides the client's own limit."""
        url = self.base_url + path
        send_headers = dict(headers or {})
        if protocol:
            send_headers["X-Inspector-Protocol"] = str(PROTOCOL_VERSION)
        if auth and self.token:
            send_headers["Authorization"] = f"Bearer {self.token}"
        body: bytes | bytearray | None = data
        if json_body is not None:
            body = json.dumps(json_body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
            send_headers["Content-Type"] = "application/json"
        elif data is not None:
            send_headers.setdefault("Content-Type", "application/octet-stream")
        plain = body
        if self.gzip_requests and compressible(body, send_headers):
            body, send_headers = gzip_body(body), {**send_headers, "Content-Encoding": "gzip"}  # type: ignore[arg-type]
        deadline = time.monotonic() + self.options.max_retry_seconds
        attempt = 0
        while True:
            self.check_cancelled()
            attempt += 1
            try:
                failure, wait = self._attempt(method, url, body, send_headers, raw, missing_ok)
            except RequestRefusedError as exc:
                if exc.status != 415 or "Content-Encoding" not in send_headers:
                    raise
                # a server (or a proxy in front of it) that does not take gzip bodies: send them plain from now on
                self.gzip_requests = False
                body, send_headers = plain, {k: v for k, v in send_headers.items() if k != "Content-Encoding"}
                attempt -= 1
                continue
            if isinstance(failure, Reply):
                return failure
            delay = wait if wait is not None else self.backoff(attempt)
            if attempt >= (max_attempts or self.options.max_attempts) or time.monotonic() + delay > deadline:
                raise failure
            if on_retry is not None:
                on_retry(str(failure), delay)
            if self.cancel_event.wait(delay):
                raise CancelledError()
            if body_again is not None:
                body = body_again()

    def _attempt(
        self,
        method: str,
        url: str,
        body: bytes | bytearray | None,
        headers: Mapping[str, str],
        raw: bool,
        missing_ok: bool,
    ) -> tuple[Reply | Exception, float | None]:
        """One try: a Reply, or the error to raise if no retry is left and how long the server asked us to wait."""
        try:
            response = self._send_cancellably(method, url, body, headers)
        except requests.exceptions.SSLError as exc:
            raise TransportError(
                f"无法与服务器建立安全连接（证书不受信任？可设置自定义 CA 证书）：{exc}",
                f"cannot make a secure connection to the server (untrusted certificate? set a custom CA bundle): {exc}",
                "tls",
            ) from exc
        except requests.exceptions.InvalidURL as exc:
            raise BadServerAddressError(f"服务器地址无效：{exc}", f"the server address is not valid: {exc}") from exc
        except TRANSPORT_ERRORS as exc:
            return _transport_failure(exc), None
        if "gzip" in response.headers.get("Accept-Encoding", "").lower():
            self.gzip_requests = True
        if cut_short(response):
            return TransportError(
                "服务器的回复不完整（连接中断）", "the server's reply was cut short (the connection broke)", "bad_reply"
            ), None
        status = response.status_code
        if status == 429 or status >= 500:
            return _status_failure(response), retry_after_seconds(response.headers.get("Retry-After"))
        if status == 404 and missing_ok:
            return Reply(status, response.headers, None), None
        if raw and 200 <= status < 300:
            return Reply(status, response.headers, response.content), None
        try:
            body_json = orjson.loads(response.content) if response.content else None
        except ValueError:  # orjson.JSONDecodeError is one
            if 200 <= status < 300:
                # a garbled body of a success: the bytes were damaged on the way, so the request is sent again
                return ServerFaultError("服务器的回复不完整", "the server's reply was incomplete", "bad_reply"), None
            body_json = None
        if 200 <= status < 300:
            return Reply(status, response.headers, body_json), None
        raise refusal(status, body_json if isinstance(body_json, dict) else {})

    def _send_cancellably(
        self, method: str, url: str, body: bytes | bytearray | None, headers: Mapping[str, str]
    ) -> requests.Response:
        """`session.request` on a thread of its own, so that a cancel ends the wait at once instead of after the read
        timeout of a stalled connection; the connection is cut then (see CuttableAdapter) and any answer is dropped:
        nothing was recorded for it here, and the next cycle asks the server again."""
        outcome: list[requests.Response | BaseException] = []
        finished = threading.Event()

        def send() -> None:
            try:
                outcome.append(
                    self.session.request(
                        method,
                        url,
                        data=body,  # type: ignore[arg-type]  # any bytes-like body is sent as it is, not copied
                        headers=headers,
                        timeout=(self.options.connect_timeout, self.options.read_timeout),
                        allow_redirects=False,
                    )
                )
            except BaseException as exc:  # handed to the waiting thread below
                outcome.append(exc)
            finally:
                finished.set()

        threading.Thread(target=send, name="sync-request", daemon=True).start()
        while not finished.wait(CANCEL_CHECK_SECONDS):
            if self.cancel_event.is_set():
                self.adapter.cut()  # the request left behind stops sending and waiting now
                raise CancelledError()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        return outcome[0]

    def put_elsewhere(self, url: str, data: bytes, headers: Mapping[str, str], max_seconds: float = 15.0) -> int:
        """A `PUT` of bytes to an address the server handed out (an object store's presigned upload): no token, no
        protocol header; transport errors, 5xx and 429 are tried again for up to `max_seconds` (long enough for a
        store that restarts, short of the server's whole patience: the caller has another way). Returns the last
        status; TransportError when the store never answered."""
        deadline = time.monotonic() + min(max_seconds, self.options.max_retry_seconds)
        attempt = 0
        while True:
            self.check_cancelled()
            attempt += 1
            wait: float | None = None
            last: Exception | None = None
            try:
                response = self._send_cancellably("PUT", url, data, headers)
            except TRANSPORT_ERRORS as exc:
                last = exc
            else:
                status = response.status_code
                if not (status == 429 or status >= 500):
                    return status
                wait = retry_after_seconds(response.headers.get("Retry-After"))
            delay = min(wait if wait is not None else self.backoff(attempt), 5.0)
            if attempt >= self.options.max_attempts or time.monotonic() + delay > deadline:
                if last is not None:
                    raise _transport_failure(last) from last
                return status
            if self.cancel_event.wait(delay):
                raise CancelledError()

    # ---- endpoints ----

    def get_json(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", API + path, **kwargs).body

    def post_json(self, path: str, body: Any, **kwargs: Any) -> Any:
        return self.request("POST", API + path, json_body=body, **kwargs).body

    def version(self) -> dict[str, Any]:
        """`GET /api/v1/version`, checked: raises UpgradeRequiredError / IncompatibleServerError when refused."""
        # The first request of a cycle: a server that cannot be reached is reported after one retry, in a second or
        # two, not after the whole backoff (the cycle's later requests keep their retries).
        info = self.request("GET", API + "/version", auth=False, protocol=False, max_attempts=VERSION_ATTEMPTS).body
        if not isinstance(info, dict):
            raise ServerFaultError("服务器的版本信息无法识别", "the server's version reply cannot be read", "bad_reply")
        check_compatible(info)
        return info

    def login(self, username: str, password: str, device_id: str, device_name: str) -> dict[str, Any]:
        body = {"username": username, "password": password, "device_id": device_id, "device_name": device_name}
        reply = self.request("POST", API + "/auth/login", json_body=body, auth=False).body
        if not isinstance(reply, dict) or not isinstance(reply.get("token"), str):
            raise ServerFaultError("服务器的登录回复无法识别", "the server's login reply cannot be read", "bad_reply")
        return reply

    def logout(self) -> None:
        self.request("POST", API + "/auth/logout")

    def blob_url(self, sha256: str) -> str:
        return f"{API}/blobs/{sha256}"

    def get_bytes(self, path: str) -> bytes | None:
        """The bytes of a GET (blob downloads), or None for 404; retried like every request."""
        reply = self.request("GET", path, headers={"Accept": "application/octet-stream"}, raw=True, missing_ok=True)
        return None if reply.status == 404 else reply.body


def compressible(body: bytes | bytearray | None, headers: Mapping[str, str]) -> bool:
    """A JSON body worth compressing (photos are sent as they are)."""
    return (
        body is not None
        and len(body) >= MIN_COMPRESSED
        and headers.get("Content-Type", "").startswith("application/json")
        and "Content-Encoding" not in headers
    )


def gzip_body(body: bytes | bytearray) -> bytes:
    """A request body gzipped fast (level 1: JSON still shrinks to about a fifth)."""
    return gzip.compress(body, compresslevel=REQUEST_LEVEL, mtime=0)


def check_compatible(info: Mapping[str, Any], speaks: int = PROTOCOL_VERSION) -> None:
    """Refuse a server whose protocol this app (speaking protocol `speaks`) does not speak, or that needs a newer
    app: a server that speaks only newer protocols asks for an upgrade."""
    supported = info.get("protocols_supported") or [info.get("protocol")]
    numbers = [number for number in supported if isinstance(number, int)]
    if speaks not in supported and numbers and min(numbers) > speaks:
        raise UpgradeRequiredError(
            f"服务器已使用新的同步协议 {numbers}，本程序（协议 {speaks}）过旧，"
            "请安装新版本后再同步（本机数据不受影响）",
            f"the server speaks sync protocol {numbers}; this app speaks {speaks}: please install the new version "
            "(the data on this laptop is kept)",
        )
    if speaks not in supported:
        raise IncompatibleServerError(
            f"服务器使用的同步协议版本 {supported} 与本程序（版本 {speaks}）不兼容",
            f"the server speaks sync protocol {supported}; this app speaks version {speaks}",
        )
    minimum = str(info.get("min_client_version") or "")
    if minimum and version_older(__version__, minimum):
        raise upgrade_error(minimum)


def upgrade_error(minimum: str) -> UpgradeRequiredError:
    return UpgradeRequiredError(
        f"本程序版本 {__version__} 过旧，服务器要求至少 {minimum}，请安装新版本后再同步（本机数据不受影响）",
        f"please upgrade: this app is version {__version__} and the server needs at least {minimum} "
        "(nothing on this computer is lost)",
    )


def _json_or_empty(response: requests.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def cut_short(response: requests.Response) -> bool:
    """Whether the reply ended inside its headers: the server sends every body with a Content-Length or in chunks
    (a length the reading checks), so a reply with neither lost the rest of its headers, and perhaps its body, on
    the way. Replies that never have a body are not judged."""
    status = response.status_code
    if status < 200 or status in (204, 304) or (response.request and response.request.method == "HEAD"):
        return False
    headers = response.headers
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return False
    return not headers.get("content-length", "").strip().isdigit()  # absent, or cut before its digits


# What a transport failure means, in Chinese words (the exception's English name goes only into the English text).
_TRANSPORT_ZH = {
    "ConnectTimeout": "连接超时，服务器没有响应",
    "ReadTimeout": "等待服务器回复超时",
    "Timeout": "连接超时",
    "ChunkedEncodingError": "连接中断",
    "ContentDecodingError": "回复无法解读",
    "ConnectionError": "连接失败，服务器未开启或网络不通",
}


def _transport_failure(exc: Exception) -> TransportError:
    kind = type(exc).__name__
    detail = str(exc)
    if "Caused by" in detail:  # urllib3's long wrapper: keep the reason at its end
        detail = detail.split("Caused by", 1)[1].strip(" ()")
    detail = detail[-200:]
    reason = next((_TRANSPORT_ZH[c.__name__] for c in type(exc).__mro__ if c.__name__ in _TRANSPORT_ZH), "网络错误")
    return TransportError(f"无法连接服务器：{reason}", f"cannot reach the server ({kind}): {detail}")


def _status_failure(response: requests.Response) -> Exception:
    body = _json_or_empty(response)
    code = str(body.get("error") or f"http_{response.status_code}")
    message = str(body.get("message") or response.reason or "")
    if response.status_code == 429:
        if code == ErrorCode.RATE_LIMITED:
            return LoginFailedError(
                f"登录失败次数过多，请稍后再试：{message}",
                f"too many failed logins, try again later: {message}",
                code,
                retry_after_seconds(response.headers.get("Retry-After")),
            )
        return TransportError(f"服务器繁忙：{message}", f"the server is busy: {message}", code)
    if response.status_code == 507:
        return ServerFaultError(
            "服务器存储空间已满，请联系服务器管理员；未同步的内容都保留在本机，下次同步时再发送",
            "the server has run out of disk space: tell its administrator; everything not yet sent stays on this "
            "computer and is sent in a later sync",
            "server_storage_full",
        )
    request_id = body.get("request_id") or response.headers.get("X-Request-Id") or "-"
    return ServerFaultError(
        f"服务器出错（{response.status_code} {code}，请求编号 {request_id}）",
        f"server fault ({response.status_code} {code}, request id {request_id}): {message}",
    )


def refusal(status: int, body: Mapping[str, Any]) -> Exception:
    """The error for a 4xx reply that is not retried."""
    code = str(body.get("error") or f"http_{status}")
    message = str(body.get("message") or "")
    if status == 401 and code in AUTH_CODES:
        return AuthRequiredError(f"请重新登录：{message}", f"please log in again: {message}", code)
    if code in LOGIN_CODES:
        return LoginFailedError(f"登录失败：{message}", f"login failed: {message}", code)
    if status == 426:
        if code == ErrorCode.CLIENT_TOO_OLD:
            return upgrade_error(str(body.get("min_client_version") or "?"))
        return IncompatibleServerError(
            f"服务器不接受本程序的同步协议：{message}", f"the server refuses this app's protocol: {message}", code
        )
    return RequestRefusedError(status, code, message, dict(body))
