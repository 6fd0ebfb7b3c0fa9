"""Sync in the background: one cycle at a time on a worker thread, started by the user, on an interval, shortly
after start and when the network comes back; login and logout on workers; the sync state read on a worker.

The sync engine (`inspector.sync`) is imported on the workers only: its HTTP stack stays off the app's start.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from inspector.core.errors import message_in
from inspector.store import jurisdictions, profile, settings
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, SETTINGS, SUBJECTS, AppContext
from inspector.ui.shared.workers import FunctionWorker, Worker, WorkerPool, WorkerSignals
from inspector.ui.sync.network import NetworkWatcher, ProbeTarget

if TYPE_CHECKING:
    from sqlite_utils import Database

    from inspector.store.database import DataFolder

log = logging.getLogger(__name__)

INTERVAL_SETTING = "sync.interval_minutes"
INTERVAL_CHOICES = (0, 1, 5, 15, 30, 60)  # 0: only when the user asks
START_DELAY_SETTING = "sync.start_delay_seconds"
PROBE_SETTING = "sync.probe_seconds"
BACKEND_CHECK_AFTER_MS = 3000  # the network backend's check waits this long after start: the first page's jobs go first
# … and the first read of the sync state (the keyring's backend is looked up then: 0.2 s of the interpreter, which
# the first page's read and a page opened at once would share); an automatic sync at start waits for it too
STATE_READ_AFTER_MS = 1000
# Settings the sync engine writes (inspector.sync.config); read here so the GUI thread never loads the engine.
SERVER_URL, USERNAME, CA_BUNDLE = "sync.server_url", "user.username", "sync.ca_bundle"
# A sync that ends with one of these reached the server; "failed" with the error code "network" did not.
REACHED_SERVER = ("ok", "incomplete", "login_required", "upgrade_required")


def interval_minutes(db: Database) -> int:
    """Minutes between automatic syncs (0: automatic sync is off)."""
    return int(settings.get(db, INTERVAL_SETTING))


@dataclass(frozen=True)
class SyncState:
    """What the interface shows about sync: the engine's status plus the account that is logged in."""

    status: Any  # inspector.sync.status.SyncStatus
    display_name: str = ""
    roles: tuple[str, ...] = ()
    jurisdictions: tuple[tuple[str, str], ...] = ()  # (code, name or "")
    ca_bundle: str = ""

    @property
    def configured(self) -> bool:
        return bool(self.status.server_url and self.status.username)

    @property
    def logged_in(self) -> bool:
        return bool(self.status.logged_in)

    @property
    def waiting(self) -> int:
        """Items waiting to sync: queued changes and the photos they need that are not uploaded yet."""
        return int(self.status.pending_changes) + int(self.status.photos_waiting)

    @property
    def refused(self) -> int:
        """Conflicts and rejected changes the user has not decided yet."""
        return int(self.status.open_conflicts) + int(self.status.open_rejections)


def read_state(folder: DataFolder) -> SyncState:
    """Worker side: the sync status and the account, from a connection of this thread."""
    from inspector.sync.status import status

    state = status(folder)
    db = folder.connect()
    try:
        codes: list[str] = settings.get(db, profile.USER_JURISDICTIONS) if state.username else []
        return SyncState(
            status=state,
            display_name=settings.get(db, profile.DISPLAY_NAME) or "",
            roles=tuple(sorted(role.value for role in profile.user_roles(db))) if state.username else (),
            jurisdictions=tuple((code, jurisdictions.name_of(db, code) or "") for code in codes),
            ca_bundle=settings.get(db, CA_BUNDLE),
        )
    finally:
        db.close()


@dataclass
class LoginAttempt:
    """How a login ended: the engine's LoginResult, or the error it raised."""

    result: Any = None
    error: Exception | None = None


def attempt_login(folder: DataFolder, server_url: str, username: str, password: str, ca_bundle: str) -> LoginAttempt:
    """Worker side: log in with the engine; errors the user can act on are returned, not raised."""
    from inspector.store.errors import StoreError
    from inspector.sync.engine import login
    from inspector.sync.errors import SyncError

    try:
        return LoginAttempt(result=login(folder, server_url, username, password, ca_bundle=ca_bundle))
    except (SyncError, StoreError) as exc:
        return LoginAttempt(error=exc)


def attempt_logout(folder: DataFolder) -> bool:
    """Worker side: True when the server confirmed the logout (the token is forgotten here in any case)."""
    from inspector.sync.engine import logout

    return logout(folder)


class SyncSignals(WorkerSignals):
    """A sync worker's signals: the engine's progress reports (SyncProgress) besides the usual ones."""

    cycle_progress = Signal(object)


class SyncWorker(Worker):
    """One sync cycle on a worker thread, with its own store connection (opened by the engine)."""

    def __init__(self, folder: DataFolder, trigger: str, language: str = "zh_CN") -> None:
        super().__init__(language)
        self.signals: SyncSignals = SyncSignals()
        self.folder = folder
        self.trigger = trigger
        self.summary: Any = None  # the engine's SyncSummary, also after a cancel
        self.progress_threads: set[int] = set()
        self.records_shown = False  # the views were told of the pulled records before the cycle ended

    def work(self) -> Any:
        from inspector.sync.engine import SyncEngine

        def report(progress: Any) -> None:
            self.progress_threads.add(threading.get_ident())
            self.signals.cycle_progress.emit(progress)

        self.summary = SyncEngine(self.folder).run_cycle(report, self._cancel)
        return self.summary


@dataclass
class _Reader:
    """Status reads: one at a time, and one more when asked again meanwhile."""

    busy: bool = False
    again: bool = False
    pool: WorkerPool = field(default_factory=WorkerPool)


class SyncController(QObject):
    """Owns the background sync of one window."""

    state_changed = Signal(object)  # SyncState
    running_changed = Signal(bool)
    progress = Signal(object)  # SyncProgress of the running cycle
    cycle_finished = Signal(object)  # SyncSummary (None when the worker failed)
    login_finished = Signal(object)  # LoginAttempt
    logout_finished = Signal(bool)  # the server confirmed it

    def __init__(self, ctx: AppContext, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.state: SyncState | None = None
        self.worker: SyncWorker | None = None
        self.last_worker: SyncWorker | None = None
        self.last_summary: Any = None
        self.cycles = 0
        self.stopped = False
        self._reader = _Reader()
        self._start_pending = True  # the first state decides whether a sync follows the start
        self.network = NetworkWatcher(self._probe_target,
                                      settings.get(ctx.db, PROBE_SETTING), self)  # fmt: skip
        self.network.came_back.connect(self._network_came_back)
        self.interval_timer = QTimer(self)
        self.interval_timer.timeout.connect(self._interval_elapsed)
        self.start_timer = QTimer(self)
        self.start_timer.setSingleShot(True)
        self.start_timer.timeout.connect(self._start_elapsed)

    # -- life -------------------------------------------------------------------------------------------------

    def start(self, use_system_network: bool = True, state_after_ms: int = STATE_READ_AFTER_MS) -> None:
        """Begin: read the state (after `state_after_ms`), follow the network, run the interval timer."""
        self.apply_interval()
        self.network.start(use_system_network, BACKEND_CHECK_AFTER_MS)
        QTimer.singleShot(state_after_ms, self, lambda: None if self.stopped else self.refresh_state())

    def stop(self) -> None:
        """The window closes: no new work; a running cycle is asked to stop (at once, also mid-request)."""
        self.stopped = True
        self.interval_timer.stop()
        self.start_timer.stop()
        self.network.stop()
        self.cancel()

    @property
    def running(self) -> bool:
        return self.worker is not None

    @property
    def automatic(self) -> bool:
        return interval_minutes(self.ctx.db) > 0

    def apply_interval(self) -> None:
        minutes = interval_minutes(self.ctx.db)
        if minutes > 0:
            self.interval_timer.start(minutes * 60_000)
        else:
            self.interval_timer.stop()

    def set_interval_minutes(self, minutes: int) -> None:
        """Keep the automatic sync interval (0 turns automatic sync off) and apply it now."""
        settings.put(self.ctx.db, INTERVAL_SETTING, max(0, int(minutes)))
        self.apply_interval()

    # -- cycles -----------------------------------------------------------------------------------------------

    def sync_now(self, trigger: str = "manual") -> SyncWorker | None:
        """Start a cycle on a worker; None when one is already running (one cycle at a time)."""
        if self.worker is not None or self.stopped:
            return None
        worker = SyncWorker(self.ctx.folder, trigger)
        worker.signals.cycle_progress.connect(self.progress)
        worker.signals.cycle_progress.connect(self._records_ready)
        worker.signals.finished.connect(self._cycle_done)
        worker.signals.failed.connect(self._cycle_failed)
        self.worker = worker
        log.info("sync started (%s)", trigger)
        self.ctx.run(worker)
        self.running_changed.emit(True)
        return worker

    def _records_ready(self, progress: object) -> None:
        """The pulled records are kept (their photos follow, the `download` phase): the views show them now."""
        if getattr(progress, "phase", None) == "download" and getattr(progress, "done", None) == 0:
            worker = self.worker
            if worker is not None and not getattr(worker, "records_shown", False):
                worker.records_shown = True
                self.ctx.notify(SUBJECTS, INSPECTIONS, FINDINGS)

    def cancel(self) -> None:
        """Ask the running cycle to stop, also mid-request (it ends with the outcome `cancelled`)."""
        if self.worker is not None:
            self.worker.cancel()

    @property
    def cancelling(self) -> bool:
        return self.worker is not None and self.worker.cancelled

    def sync_automatically(self, trigger: str) -> SyncWorker | None:
        """A cycle the app starts on its own: only with automatic sync on and a login to use."""
        if not self.automatic or self.state is None or not self.state.logged_in:
            return None
        return self.sync_now(trigger)

    def _interval_elapsed(self) -> None:
        self.sync_automatically("interval")

    def _start_elapsed(self) -> None:
        self.sync_automatically("start")

    def _network_came_back(self) -> None:
        self.sync_automatically("network")

    def _cycle_failed(self, error: BaseException) -> None:
        log.error("sync worker failed: %s", message_in(error, "en"))
        self._cycle_done(None)

    def _cycle_done(self, _result: object) -> None:
        worker, self.worker = self.worker, None
        self.last_worker = worker
        summary = worker.summary if worker is not None else None
        self.last_summary = summary
        self.cycles += 1
        if summary is not None:
            if summary.outcome in REACHED_SERVER:
                self.network.server_answered(True)
            elif summary.outcome == "failed" and summary.error_code == "network":
                self.network.server_answered(False)
            if summary.outcome not in ("busy", "not_configured"):
                self.ctx.notify(SUBJECTS, INSPECTIONS, FINDINGS)
        self.refresh_state()
        self.running_changed.emit(False)
        self.cycle_finished.emit(summary)

    # -- state ------------------------------------------------------------------------------------------------

    def refresh_state(self) -> None:
        """Read the sync state on a worker; `state_changed` follows."""
        reader = self._reader
        if reader.busy:
            reader.again = True
            return
        reader.busy, reader.again = True, False
        folder = self.ctx.folder
        worker = FunctionWorker(lambda _w: read_state(folder))
        worker.signals.finished.connect(self._state_read)
        worker.signals.failed.connect(self._state_failed)
        reader.pool.start(worker)

    def _state_failed(self, error: BaseException) -> None:
        log.warning("the sync state could not be read: %s", message_in(error, "en"))
        self._state_read(None)

    def _state_read(self, state: object) -> None:
        self._reader.busy = False
        if isinstance(state, SyncState):
            self.state = state
            self.network.reschedule()  # a server may have been set up or forgotten
            self.state_changed.emit(state)
            if self._start_pending and state.configured:
                self._start_pending = False
                if state.logged_in and self.automatic:
                    delay = settings.get(self.ctx.db, START_DELAY_SETTING)
                    self.start_timer.start(int(delay * 1000))
        if self._reader.again:
            self.refresh_state()

    def _probe_target(self) -> ProbeTarget | None:
        state = self.state
        if state is None or not state.status.server_url:
            return None
        return ProbeTarget(state.status.server_url, state.ca_bundle or None)

    # -- account ----------------------------------------------------------------------------------------------

    def login(self, server_url: str, username: str, password: str, ca_bundle: str = "") -> FunctionWorker:
        """Log in on a worker; `login_finished` follows with a LoginAttempt."""
        folder = self.ctx.folder
        worker = FunctionWorker(lambda _w: attempt_login(folder, server_url, username, password, ca_bundle))
        worker.signals.finished.connect(self._logged_in)
        worker.signals.failed.connect(self._login_crashed)
        self.ctx.run(worker)
        return worker

    def _login_crashed(self, error: Exception) -> None:
        self._logged_in(LoginAttempt(error=error))

    def _logged_in(self, attempt: object) -> None:
        if not isinstance(attempt, LoginAttempt):
            attempt = LoginAttempt(error=RuntimeError("login cancelled"))
        if attempt.result is not None:
            self.network.server_changed()
            self.network.server_answered(True)
            self._start_pending = True  # a login is a start: sync soon when automatic sync is on
            self.ctx.notify(SETTINGS, FINDINGS)  # roles and scope decide which actions the pages offer
        self.refresh_state()
        self.login_finished.emit(attempt)

    def logout(self) -> FunctionWorker:
        """Log out on a worker (work not yet synced stays); `logout_finished` follows."""
        folder = self.ctx.folder
        worker = FunctionWorker(lambda _w: attempt_logout(folder))
        worker.signals.finished.connect(self._logged_out)
        worker.signals.failed.connect(self._logout_failed)
        self.ctx.run(worker)
        return worker

    def _logout_failed(self, error: BaseException) -> None:
        log.warning("logout failed: %s", message_in(error, "en"))
        self._logged_out(False)

    def _logged_out(self, confirmed: object) -> None:
        self.start_timer.stop()
        self.refresh_state()
        self.logout_finished.emit(bool(confirmed))
