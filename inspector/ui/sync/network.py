"""Is the sync server reachable? The system's network information where Qt has a backend for it, else (and while
the server is known to be unreachable) a cheap periodic probe of the server's `/healthz` on a worker thread.

`came_back` fires when the network or the server returns after being away, so a sync can start at once.

Loading the system's backend can hang (it does under Wine, inside Qt, holding the GIL), so it is first tried in
a child process, waited for on a worker with a timeout; the app probes the server meanwhile and loads the backend
itself only when the child could. `INSPECTOR_SYSTEM_NETWORK=0` in the environment skips the backend altogether.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QNetworkInformation

from inspector.core.errors import message_in
from inspector.ui.shared.workers import FunctionWorker, WorkerPool

log = logging.getLogger(__name__)

DEFAULT_PROBE_SECONDS = 60.0
PROBE_TIMEOUT_SECONDS = 5.0
SYSTEM_LOAD_TIMEOUT_SECONDS = 10.0
SYSTEM_NETWORK_ENV = "INSPECTOR_SYSTEM_NETWORK"  # "0": never load the system's network backend
CHECK_FLAG = "--network-backend-check"
_KEEP: Any = object()  # "leave this part of what is known as it is"


@dataclass(frozen=True)
class ProbeTarget:
    """Where the server answers and which CAs to trust for it."""

    server_url: str
    ca_bundle: str | None = None


def probe_server(target: ProbeTarget, timeout: float = PROBE_TIMEOUT_SECONDS) -> bool:
    """Worker side: True when `GET <server>/healthz` answers 200 within the timeout."""
    import requests  # the HTTP stack loads on the worker, never on the GUI thread

    try:
        reply = requests.get(target.server_url.rstrip("/") + "/healthz", timeout=timeout,
                             verify=target.ca_bundle or True)  # fmt: skip
    except (requests.RequestException, OSError) as exc:
        log.debug("server probe failed: %s", exc)
        return False
    return reply.status_code == 200


def system_network_wanted() -> bool:
    """False when the environment turns the system's network backend off."""
    return os.environ.get(SYSTEM_NETWORK_ENV, "1").strip().lower() not in ("0", "false", "no", "off")


def backend_check_command() -> list[str]:
    """This program, asked only to load the system's network backend (`--network-backend-check`)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHECK_FLAG]
    return [sys.executable, "-m", "inspector", CHECK_FLAG]


_checking: set[subprocess.Popen[bytes]] = set()  # the backend checks still running
_jobs: list[object] = []  # Windows job handles that end the checks with this process


def backend_loads(timeout: float | None = None) -> bool:
    """Worker side: True when a child process loads the backend within the timeout (a hang is killed there)."""
    timeout = SYSTEM_LOAD_TIMEOUT_SECONDS if timeout is None else timeout
    flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # Windows: no console window flashes up
    try:
        child = subprocess.Popen(backend_check_command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, creationflags=flags)  # fmt: skip
    except OSError as exc:
        log.warning("could not check the system's network information: %s", exc)
        return False
    _checking.add(child)
    _end_with_this_process(child)
    try:
        return child.wait(timeout) == 0
    except subprocess.TimeoutExpired:
        log.warning("the system's network information did not load in %.0f s; probing the server instead "
                    "(%s=0 skips it)", timeout, SYSTEM_NETWORK_ENV)  # fmt: skip
        return False
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        _checking.discard(child)


def _end_with_this_process(child: subprocess.Popen[bytes]) -> None:
    """Windows: put the child in a job that ends when this process does, so a check that hangs (inside Qt, holding
    its GIL: it cannot end itself) never outlives an app that exits before the timeout."""
    if sys.platform != "win32":
        return  # elsewhere a hung check is killed at its timeout or when the watcher stops
    import ctypes
    from ctypes import wintypes

    class Limits(ctypes.Structure):  # JOBOBJECT_EXTENDED_LIMIT_INFORMATION
        _fields_ = [("PerProcessUserTimeLimit", ctypes.c_int64), ("PerJobUserTimeLimit", ctypes.c_int64),
                    ("LimitFlags", wintypes.DWORD), ("MinimumWorkingSetSize", ctypes.c_size_t),
                    ("MaximumWorkingSetSize", ctypes.c_size_t), ("ActiveProcessLimit", wintypes.DWORD),
                    ("Affinity", ctypes.c_size_t), ("PriorityClass", wintypes.DWORD),
                    ("SchedulingClass", wintypes.DWORD), ("IoCounters", ctypes.c_uint64 * 6),
                    ("ProcessMemoryLimit", ctypes.c_size_t), ("JobMemoryLimit", ctypes.c_size_t),
                    ("PeakProcessMemoryUsed", ctypes.c_size_t), ("PeakJobMemoryUsed", ctypes.c_size_t)]  # fmt: skip

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined,unused-ignore]
    kernel32.CreateJobObjectW.restype = wintypes.HANDLE
    kernel32.SetInformationJobObject.argtypes = [wintypes.HANDLE, ctypes.c_int, ctypes.c_void_p, wintypes.DWORD]
    kernel32.AssignProcessToJobObject.argtypes = [wintypes.HANDLE, wintypes.HANDLE]
    job = kernel32.CreateJobObjectW(None, None)
    limits = Limits(LimitFlags=0x2000)  # JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
    ok = job and kernel32.SetInformationJobObject(job, 9, ctypes.byref(limits), ctypes.sizeof(limits)) and \
        kernel32.AssignProcessToJobObject(job, int(child._handle))  # type: ignore[attr-defined]
    if not ok:
        log.debug("the network backend check is not tied to this process: error %s", ctypes.get_last_error())
    _jobs.append(job)  # the handle stays open while this process lives; the system closes it at exit


def stop_backend_checks() -> None:
    """End the checks still running (the app is closing: its worker must not wait for their timeout)."""
    for child in list(_checking):
        child.kill()


def check_backend_main() -> int:
    """The child's side of `backend_loads`: exit 0 when the reachability backend loads."""
    from PySide6.QtCore import QCoreApplication

    _app = QCoreApplication.instance() or QCoreApplication([sys.argv[0]])
    return 0 if QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability) else 1


def backend_already_loaded() -> bool:
    """Whether this process has loaded the system's network backend before (then it needs no check)."""
    return QNetworkInformation.instance() is not None


class NetworkWatcher(QObject):
    """Follows reachability; `online` is True, False, or None (not known yet)."""

    online_changed = Signal(object)
    came_back = Signal()

    def __init__(self, target: Callable[[], ProbeTarget | None], probe_seconds: float = DEFAULT_PROBE_SECONDS,
                 parent: QObject | None = None) -> None:  # fmt: skip
        super().__init__(parent)
        self.target = target
        self.system: bool | None = None  # what the operating system says about the network
        self.server: bool | None = None  # what the last probe or sync said about the server
        self.uses_system = False
        self.probing = False
        self.probes = 0
        self._pool = WorkerPool()  # not the app's pool: probes are not jobs the user waits for
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.probe_now)
        self.set_probe_interval(probe_seconds)
        self.system_wanted = False  # the backend is being checked and will be used when it loads

    # -- set-up -----------------------------------------------------------------------------------------------

    def start(self, use_system: bool = True, check_after_ms: int = 0) -> None:
        """Probe the server until the system's network backend, loading on its own thread, answers. The backend's
        check (a child process a worker waits for) begins after `check_after_ms`: at the app's start the first
        page's jobs have the pool's threads first."""
        self.system_wanted = use_system and system_network_wanted()
        if self.system_wanted:
            if backend_already_loaded():
                self._backend_checked(True)
            elif check_after_ms > 0:
                QTimer.singleShot(check_after_ms, self, self._check_backend)
            else:
                self._check_backend()
        self.reschedule()

    def _check_backend(self) -> None:
        if not self.system_wanted:  # stopped (or told to probe only) meanwhile
            return
        worker = FunctionWorker(lambda _w: backend_loads())
        worker.signals.finished.connect(self._backend_checked)
        worker.signals.failed.connect(lambda _message: self._backend_checked(False))
        self._pool.start(worker)

    def _backend_checked(self, loads: object) -> None:
        if not loads or not self.system_wanted:
            return
        if not QNetworkInformation.loadBackendByFeatures(QNetworkInformation.Feature.Reachability):
            return
        info = QNetworkInformation.instance()
        if info is None:
            return
        self.uses_system = True
        info.reachabilityChanged.connect(self._on_reachability)
        self._on_reachability(info.reachability())

    def fall_back_to_probe(self) -> None:
        """Judge reachability by probing the server only (no backend, or the backend cannot be trusted)."""
        self.system_wanted = False  # a backend that answers later is not used either
        info = QNetworkInformation.instance()
        if self.uses_system and info is not None:
            info.reachabilityChanged.disconnect(self._on_reachability)
        self.uses_system = False
        self.system = None
        self.reschedule()

    def set_probe_interval(self, seconds: float) -> None:
        self._timer.setInterval(max(50, int(seconds * 1000)))

    @property
    def online(self) -> bool | None:
        if self.system is False:
            return False
        return self.server if self.server is not None else self.system

    # -- what is known -----------------------------------------------------------------------------------------

    def _on_reachability(self, reachability: QNetworkInformation.Reachability) -> None:
        if reachability == QNetworkInformation.Reachability.Unknown:
            self._change(system=None)
        else:
            self._change(system=reachability == QNetworkInformation.Reachability.Online, announce=True)

    def server_answered(self, reachable: bool) -> None:
        """A sync (or login) reached the server, or failed to; a failure starts the probe until it is back."""
        self._change(server=reachable)

    def server_changed(self) -> None:
        """Another server was set up: what was known of the old one no longer holds."""
        self._change(server=None)

    def _change(self, *, system: Any = _KEEP, server: Any = _KEEP, announce: bool = False) -> None:
        before = self.online
        if system is not _KEEP:
            self.system = system
        if server is not _KEEP:
            self.server = server
        after = self.online
        if after != before:
            self.online_changed.emit(after)
            if announce and before is False and after is True:
                self.came_back.emit()
        self.reschedule()

    # -- the probe ---------------------------------------------------------------------------------------------

    def reschedule(self) -> None:
        """Probe while there is no system information, or while the server is known to be unreachable."""
        wanted = self.target() is not None and (not self.uses_system or self.server is False)
        if wanted and not self._timer.isActive():
            self._timer.start()
            QTimer.singleShot(0, self.probe_now)
        elif not wanted and self._timer.isActive():
            self._timer.stop()

    def probe_now(self) -> FunctionWorker | None:
        """Ask the server's /healthz on a worker (one probe at a time)."""
        target = self.target()
        if target is None or self.probing:
            return None
        self.probing = True
        worker = FunctionWorker(lambda _w: probe_server(target))
        worker.signals.finished.connect(self._probed)
        worker.signals.failed.connect(self._probe_failed)
        self._pool.start(worker)
        return worker

    def _probe_failed(self, error: BaseException) -> None:
        """A probe that broke (not one that found the server away) counts as unreachable; the log keeps why."""
        log.warning("the reachability probe failed: %s", message_in(error, "en"))
        self._probed(False)

    def _probed(self, reachable: object) -> None:
        self.probing = False
        self.probes += 1
        self._change(server=bool(reachable), announce=True)

    def stop(self) -> None:
        self._timer.stop()
        self.system_wanted = False
        stop_backend_checks()
