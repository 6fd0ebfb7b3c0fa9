"""The sync engine: login and logout, one sync cycle (version → photos → push → pull), and the sync status.

`SyncEngine.run_cycle` is safe on a worker thread: it opens its own connection to the data folder, checks the
cancel event (also while a request is in flight), and reports progress through a callback. Only one cycle runs per
data folder at a time, across threads and processes (the app and `inspector sync`): a lock file in the data folder
is held for the cycle, and a second caller gets the outcome `busy` at once, leaving the running cycle alone.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from filelock import FileLock, Timeout
from sqlite_utils import Database

from inspector.core.clock import now_iso
from inspector.core.errors import UserError
from inspector.storage_full import is_storage_full
from inspector.store import cursors, outbox, photos, photos_wanted, profile, settings
from inspector.store.database import DataFolder, check_integrity, transaction
from inspector.store.errors import DatabaseDamagedError
from inspector.sync import blobs, config, photo_fetch, pull, push
from inspector.sync.client import HttpOptions, ProtocolClient, normalise_server_url
from inspector.sync.credentials import CredentialStore, Storage, account_key
from inspector.sync.errors import (
    AuthRequiredError,
    CancelledError,
    IncompatibleServerError,
    LocalStorageFullError,
    NotConfiguredError,
    PendingWorkOfAnotherAccountError,
    SyncError,
    UpgradeRequiredError,
)
from inspector.sync.progress import ProgressCallback, SyncProgress, ignore_progress

log = logging.getLogger(__name__)

_CYCLE_LOCKS: dict[str, threading.Lock] = {}
_CYCLE_LOCKS_GUARD = threading.Lock()

CYCLE_GC_THRESHOLD = 50_000  # new container objects between collections of the youngest generation during a cycle
_gc_guard = threading.Lock()
_gc_cycles = 0
_gc_threshold_before: tuple[int, int, int] = gc.get_threshold()


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a cycle runs (in any thread), as it was before afterwards.

    A cycle parses and builds hundreds of thousands of short-lived objects (JSON of changes and feed pages, rows,
    records). With the default threshold of 700 the collector ran hundreds of times per push of 5,000 changes,
    and its older-generation passes scan every object the app holds: about a fifth of the client's CPU time in
    the push. Garbage without reference cycles is still freed at once by reference counting.
    """
    global _gc_cycles, _gc_threshold_before
    with _gc_guard:
        if _gc_cycles == 0:
            _gc_threshold_before = gc.get_threshold()
            gc.set_threshold(max(CYCLE_GC_THRESHOLD, _gc_threshold_before[0]), *_gc_threshold_before[1:])
        _gc_cycles += 1
    try:
        yield
    finally:
        with _gc_guard:
            _gc_cycles -= 1
            if _gc_cycles == 0:
                gc.set_threshold(*_gc_threshold_before)


OUTCOMES = ("ok", "incomplete", "failed", "cancelled", "login_required", "upgrade_required", "busy", "not_configured")


@dataclass
class SyncSummary:
    """How one cycle ended and what it moved."""

    outcome: str = "ok"
    photos_uploaded: int = 0
    photo_bytes_sent: int = 0
    pushed: int = 0
    acknowledged: int = 0
    conflicts: int = 0
    rejected: int = 0
    retry_later: int = 0
    held_back: int = 0
    push_server_seconds: float = 0.0
    pulled: int = 0
    pull_skipped: int = 0
    photos_downloaded: int = 0
    photos_to_download: int = 0  # photos pulled records name that are not here yet (fetched by a later cycle)
    pending_after: int = 0
    cursor: int = 0
    error: str | None = None
    error_code: str | None = None
    failure: UserError | None = None  # the error itself, for the interface to show in its language
    problems: list[str] = field(default_factory=list)
    refused: list[dict[str, str]] = field(default_factory=list)
    started_at: str = ""
    seconds: float = 0.0

    @property
    def all_acknowledged(self) -> bool:
        """The cycle finished and every change that was waiting has been acknowledged by the server."""
        return self.outcome == "ok" and self.pending_after == 0 and not self.refused

    def __post_init__(self) -> None:
        if self.failure is not None:
            self.error = self.error or str(self.failure)
            self.error_code = self.error_code or self.failure.code

    def to_json(self) -> dict[str, Any]:
        data = asdict(replace(self, failure=None))
        data.pop("failure")
        return {**data, "all_acknowledged": self.all_acknowledged}


@dataclass(frozen=True)
class LoginResult:
    """Who logged in, and where the token is kept (`memory` means: for this run only)."""

    username: str
    display_name: str
    roles: list[str]
    jurisdictions: list[str]
    storage: Storage
    expires_at: str


def _cycle_lock(folder: DataFolder) -> threading.Lock:
    with _CYCLE_LOCKS_GUARD:
        return _CYCLE_LOCKS.setdefault(str(folder.db_path), threading.Lock())


@contextmanager
def _one_cycle_at_a_time(folder: DataFolder) -> Iterator[bool]:
    """Hold the folder's cycle lock for the block; yields False at once when another thread or process holds it.

    The thread lock serialises this process; the lock file (an OS lock the system drops when its process ends,
    so a killed cycle never blocks the next one) serialises the app and the command line."""
    lock = _cycle_lock(folder)
    if not lock.acquire(blocking=False):
        yield False
        return
    try:
        file_lock = FileLock(folder.sync_lock_path, timeout=0)
        try:
            file_lock.acquire()
        except Timeout:
            yield False
            return
        try:
            yield True
        finally:
            file_lock.release()
    finally:
        lock.release()


def _device_name() -> str:
    return (socket.gethostname() or "inspector")[:100]


def login(
    folder: DataFolder,
    server_url: str,
    username: str,
    password: str,
    credentials: CredentialStore | None = None,
    ca_bundle: str | None = None,
    take_over_pending: bool = False,
) -> LoginResult:
    """Check the server's version, log in, keep the token (keyring or memory) and remember the account.

    Changes still queued from another account are never sent under this one by accident: the login is refused
    before the server is asked, unless `take_over_pending` says the new account takes them over.
    """
    store = credentials or CredentialStore()
    url = normalise_server_url(server_url)
    db = folder.connect()
    try:
        cfg = config.read_config(db)
        if not take_over_pending:
            _refuse_switch_with_pending_work(db, cfg, url, username)
        http = _for_login(cfg.http, ca_bundle)
        with ProtocolClient(url, http) as client:
            client.version()
            reply = client.login(username, password, cfg.device_id, _device_name())
        previous = cfg.server_url and cfg.username and account_key(cfg.server_url, cfg.username, cfg.device_id)
        user = reply.get("user") or {}
        key = account_key(url, str(user.get("username") or username), cfg.device_id)
        if previous and previous != key:
            store.delete(previous)
        storage = store.save(key, str(reply["token"]))
        config.save_account(db, url, reply, storage, ca_bundle)
        return LoginResult(
            username=str(user.get("username") or username),
            display_name=str(user.get("display_name") or ""),
            roles=sorted(role.value for role in profile.user_roles(db)),
            jurisdictions=list(settings.get(db, profile.USER_JURISDICTIONS)),
            storage=storage,
            expires_at=str(reply.get("expires_at") or ""),
        )
    finally:
        db.close()


def _refuse_switch_with_pending_work(db: Database, cfg: config.SyncConfig, url: str, username: str) -> None:
    """PendingWorkOfAnotherAccountError when another account (name or server) still has changes queued here."""
    if not cfg.username or (cfg.username == username.strip() and cfg.server_url == url):
        return
    waiting = outbox.count_pending(db)
    if waiting:
        name = settings.get(db, profile.DISPLAY_NAME) or cfg.username
        raise PendingWorkOfAnotherAccountError(name if name == cfg.username else f"{name}（{cfg.username}）", waiting)


def _for_login(http: HttpOptions, ca_bundle: str | None) -> HttpOptions:
    """Someone waits for a login: fewer attempts and a shorter budget than a background sync."""
    quick = replace(http, max_attempts=min(http.max_attempts, 3), max_retry_seconds=min(http.max_retry_seconds, 20.0))
    return quick if ca_bundle is None else replace(quick, ca_bundle=ca_bundle or None)


def logout(folder: DataFolder, credentials: CredentialStore | None = None) -> bool:
    """End the token on the server when it can be reached, and forget it here. Pending work stays.

    Returns True when the server confirmed the logout (False: offline; the token is forgotten all the same).
    """
    store = credentials or CredentialStore()
    db = folder.connect()
    try:
        cfg = config.read_config(db)
        if not cfg.server_url or not cfg.username:
            return False
        key = account_key(cfg.server_url, cfg.username, cfg.device_id)
        stored = store.load(key)
        confirmed = False
        if stored is not None:
            quick = HttpOptions(
                connect_timeout=cfg.http.connect_timeout,
                read_timeout=cfg.http.read_timeout,
                max_attempts=2,
                max_retry_seconds=10.0,
                ca_bundle=cfg.http.ca_bundle,
            )
            try:
                with ProtocolClient(cfg.server_url, quick, token=stored.token) as client:
                    client.logout()
                confirmed = True
            except AuthRequiredError:
                confirmed = True  # the token had already ended
            except SyncError as exc:
                log.info("logout could not reach the server: %s", exc)
        store.delete(key)
        settings.put(db, config.TOKEN_STORAGE, "")
        return confirmed
    finally:
        db.close()


def fetch_photos_now(folder: DataFolder, sha256s: list[str], credentials: CredentialStore | None = None) -> int:
    """Fetch these photos at once (someone opened a record before its photos arrived), outside any cycle and on
    connections of their own; returns how many are here now. Raises the sync errors (not logged in, offline)."""
    store = credentials or CredentialStore()
    db = folder.connect()
    try:
        cfg = config.read_config(db)
        if not cfg.server_url or not cfg.username:
            raise NotConfiguredError()
        stored = store.load(account_key(cfg.server_url, cfg.username, cfg.device_id))
        if stored is None:
            raise AuthRequiredError("请先登录", "please log in", "not_logged_in")
        here = 0
        with ProtocolClient(cfg.server_url, cfg.http, token=stored.token) as client:
            for sha in sha256s:
                if photos.stored_among(db, [sha]):  # arrived meanwhile (e.g. with a cycle's photo phase)
                    with transaction(db):
                        photos_wanted.arrived(db, [sha])
                    here += 1
                elif photo_fetch.fetch_and_keep(db, folder, client, sha):
                    here += 1
        return here
    finally:
        db.close()


class SyncEngine:
    """Runs sync cycles for one data folder."""

    def __init__(self, folder: DataFolder, credentials: CredentialStore | None = None) -> None:
        self.folder = folder
        self.credentials = credentials or CredentialStore()

    def run_cycle(
        self, progress_callback: ProgressCallback | None = None, cancel_event: threading.Event | None = None
    ) -> SyncSummary:
        """One cycle: version check → photos the server lacks → push the outbox → pull the feed.

        Never raises for network, server or credential problems: the summary's outcome and error say what happened.
        """
        summary = SyncSummary(started_at=now_iso())
        with _one_cycle_at_a_time(self.folder) as mine:
            if not mine:
                summary.outcome = "busy"
                summary.failure = UserError(code="sync_busy")
                summary.error = str(summary.failure)
                return summary
            return self._locked_cycle(summary, progress_callback, cancel_event)

    def _locked_cycle(
        self, summary: SyncSummary, progress_callback: ProgressCallback | None, cancel_event: threading.Event | None
    ) -> SyncSummary:
        started = time.monotonic()
        try:
            db = self.folder.connect()
        except DatabaseDamagedError as exc:
            _fail(summary, "damaged", exc)
            return summary
        try:
            with fewer_collections():
                self._run(db, summary, progress_callback or ignore_progress, cancel_event or threading.Event())
            if summary.outcome == "damaged":
                return summary
            summary.pending_after = outbox.count_pending(db)
            summary.cursor = cursors.get(db)
            summary.seconds = round(time.monotonic() - started, 3)
            if summary.outcome == "ok" and (not summary.all_acknowledged or summary.photos_to_download):
                summary.outcome = "incomplete"
            self._record(db, summary)
            return summary
        finally:
            db.close()

    def _run(self, db: Database, summary: SyncSummary, progress: ProgressCallback, cancel: threading.Event) -> None:
        try:
            # A damaged file must not be synced into: what it reads could be pushed as truth, what it pulls be lost.
            check_integrity(db, self.folder.db_path)
        except DatabaseDamagedError as exc:
            _fail(summary, "damaged", exc)
            return
        try:
            self._cycle(db, summary, progress, cancel)
        except CancelledError as exc:
            _fail(summary, "cancelled", exc)
        except AuthRequiredError as exc:
            self._forget_token(db)
            _fail(summary, "login_required", exc)
        except (UpgradeRequiredError, IncompatibleServerError) as exc:
            _fail(summary, "upgrade_required", exc)
        except NotConfiguredError as exc:
            _fail(summary, "not_configured", exc)
        except SyncError as exc:
            _fail(summary, "failed", exc)
        except Exception as exc:
            if is_storage_full(exc):
                log.warning("sync cycle stopped: this computer's disk is full (%s)", exc)
                _fail(summary, "failed", LocalStorageFullError())
                return
            log.exception("sync cycle failed")  # a fault of this program: logged in full, reported in one line
            _fail(summary, "failed", SyncError(f"同步出错：{exc}", f"sync failed: {exc!r}", "internal"))

    def _cycle(self, db: Database, summary: SyncSummary, progress: ProgressCallback, cancel: threading.Event) -> None:
        cfg = config.read_config(db)
        if not cfg.server_url or not cfg.username:
            raise NotConfiguredError()
        stored = self.credentials.load(account_key(cfg.server_url, cfg.username, cfg.device_id))
        if stored is None:
            raise AuthRequiredError(
                "请先登录（本机保存的登录已失效或未保存）",
                "please log in (there is no saved login on this computer)",
                "not_logged_in",
            )
        with ProtocolClient(cfg.server_url, cfg.http, token=stored.token, cancel_event=cancel) as client:
            progress(SyncProgress("version", 0, 1))
            limits = client.version().get("limits") or {}
            uploads = blobs.upload_missing(db, self.folder, client, cfg, limits, progress)
            summary.photos_uploaded, summary.photo_bytes_sent = uploads.uploaded, uploads.bytes_sent
            summary.problems.extend(uploads.problems)
            pushed = push.push_outbox(db, client, limits, cfg.push_batch_size, uploads.unavailable, progress)
            summary.pushed, summary.acknowledged = pushed.sent, pushed.acknowledged
            summary.conflicts, summary.rejected = pushed.conflicts, pushed.rejected
            summary.retry_later, summary.held_back = pushed.retry_later, pushed.held_back
            summary.refused = pushed.refused
            summary.push_server_seconds = round(pushed.server_seconds, 3)
            pulled = pull.pull_feed(db, self.folder, client, cfg.feed_page_size, limits, False, progress)
            summary.pulled, summary.pull_skipped = pulled.applied, pulled.skipped
            pull.pull_people(db, client, min(cfg.feed_page_size, int(limits.get("max_page_limit") or 200)))
            # the records are kept and usable now; their photos follow (the `download` phase)
            if cfg.download_photos:
                fetched = photo_fetch.download_wanted(db, self.folder, client, progress)
                summary.photos_downloaded, summary.photos_to_download = fetched.downloaded, fetched.waiting

    def _forget_token(self, db: Database) -> None:
        cfg = config.read_config(db)
        if cfg.server_url and cfg.username:
            self.credentials.delete(account_key(cfg.server_url, cfg.username, cfg.device_id))

    def _record(self, db: Database, summary: SyncSummary) -> None:
        """Keep the cycle's outcome for the status views; on a full disk it is only returned (and logged)."""
        if summary.outcome in ("busy", "not_configured", "damaged"):
            return
        figures = summary.to_json()
        figures.pop("refused")
        figures.pop("problems")
        succeeded = summary.outcome in ("ok", "incomplete")
        try:
            config.record_outcome(db, summary.started_at, succeeded, summary.error, figures)
        except Exception as exc:
            if not is_storage_full(exc):
                raise
            log.warning("the outcome of a sync cycle was not kept: this computer's disk is full (%s)", exc)


def _fail(summary: SyncSummary, outcome: str, exc: UserError) -> None:
    summary.outcome = outcome
    summary.error = str(exc)
    summary.error_code = exc.code
    summary.failure = exc
    log.info("sync cycle ended (%s): %s", outcome, exc)
