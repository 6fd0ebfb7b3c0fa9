"""The system's network backend is tried in a child process with a timeout: a backend that hangs (as it does
under Wine) can neither freeze the window nor stop the server probe."""

from __future__ import annotations

import sys
import time

import pytest
from PySide6.QtWidgets import QApplication

import inspector.ui.sync.network as network
from inspector.ui.sync.network import NetworkWatcher, ProbeTarget, backend_loads

HANG = [sys.executable, "-c", "import time; time.sleep(120)"]


@pytest.fixture(autouse=True)
def backend_not_loaded_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """As at an app's start: an earlier test in this process may have loaded the backend, which skips the check."""
    monkeypatch.setattr(network, "backend_already_loaded", lambda: False)


def test_a_hanging_backend_check_is_killed_at_its_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "backend_check_command", lambda: HANG)
    started = time.monotonic()
    assert backend_loads(timeout=1.0) is False
    assert time.monotonic() - started < 10


def test_the_watcher_probes_the_server_while_the_backend_check_hangs(
    app: QApplication, qtbot, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(network, "backend_check_command", lambda: HANG)
    monkeypatch.setattr(network, "SYSTEM_LOAD_TIMEOUT_SECONDS", 3.0)
    monkeypatch.setattr(network, "probe_server", lambda target, timeout=0: True)
    watcher = NetworkWatcher(lambda: ProbeTarget("http://127.0.0.1:9"), probe_seconds=0.1)
    started = time.monotonic()
    watcher.start(use_system=True)
    assert time.monotonic() - started < 1.0  # start() returns at once: the check runs on a worker
    qtbot.waitUntil(lambda: watcher.probes >= 2, timeout=10_000)  # the event loop runs and the probe goes on
    assert watcher.online is True and not watcher.uses_system
    qtbot.wait(3500)  # the check's timeout passes: the hanging child is killed, the app goes on probing
    assert not watcher.uses_system and watcher.online is True
    watcher.stop()


def test_the_environment_can_turn_the_backend_off(app: QApplication, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[bool] = []
    monkeypatch.setenv(network.SYSTEM_NETWORK_ENV, "0")
    monkeypatch.setattr(network, "backend_loads", lambda timeout=0: asked.append(True) or True)
    watcher = NetworkWatcher(lambda: None)
    watcher.start(use_system=True)
    QApplication.processEvents()
    assert not watcher.system_wanted and not watcher.uses_system and asked == []
    watcher.stop()


def test_stopping_the_watcher_ends_a_hanging_check_at_once(
    app: QApplication, qtbot, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    monkeypatch.setattr(network, "backend_check_command", lambda: HANG)
    monkeypatch.setattr(network, "SYSTEM_LOAD_TIMEOUT_SECONDS", 60.0)
    watcher = NetworkWatcher(lambda: None)
    watcher.start(use_system=True)
    qtbot.waitUntil(lambda: bool(network._checking), timeout=10_000)
    started = time.monotonic()
    watcher.stop()
    qtbot.waitUntil(lambda: not network._checking, timeout=10_000)
    assert time.monotonic() - started < 10  # the app closes without waiting for the check's timeout


def test_the_backend_check_can_wait_for_the_first_jobs_and_is_not_started_once_stopped(
    app: QApplication, qtbot, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    """At the app's start the check waits (the first page's jobs have the pool's threads first); a watcher stopped
    before then starts none."""
    asked: list[bool] = []
    monkeypatch.setattr(network, "backend_loads", lambda timeout=0: asked.append(True) or False)
    watcher = NetworkWatcher(lambda: None)
    watcher.start(use_system=True, check_after_ms=300)
    QApplication.processEvents()
    assert asked == []
    qtbot.waitUntil(lambda: asked == [True], timeout=5_000)
    watcher.stop()
    stopped = NetworkWatcher(lambda: None)
    stopped.start(use_system=True, check_after_ms=100)
    stopped.stop()
    qtbot.wait(400)
    assert asked == [True]
