"""Helpers of the sync tests of the desktop app: the end-to-end tests' real server (`tests/e2e/e2e_support.py`,
built once per test run), an in-memory keyring, and driving the window's sync as a user does."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "e2e"))
from e2e_support import (
    FAST_SYNC,
    PASSWORD,
    Client,
    ServerProcess,
    assign_payload,
    build_server_template,
    deadline_in,
    free_port,
)
from keyring_doubles import MemoryKeyring, memory_keyring_installed

from inspector.store import settings
from inspector.sync.engine import login
from inspector.ui.sync.badges import SYNC_STATE_ROLE
from inspector.ui.sync.controller import INTERVAL_SETTING

__all__ = [
    "FAST_SYNC",
    "PASSWORD",
    "Client",
    "ServerProcess",
    "assign_payload",
    "click_sync",
    "deadline_in",
    "free_port",
    "log_in",
    "manual_sync",
    "memory_keyring_fixture",
    "server_template",
    "sync_server_fixture",
    "wait_state",
    "wait_today_badge",
]
_TEMPLATES: dict[str, Path] = {}  # one seeded server database for every module of the run (it takes seconds)


def server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "template" not in _TEMPLATES:
        _TEMPLATES["template"] = build_server_template(tmp_path_factory.mktemp("sync-gui-server-template"))
    return _TEMPLATES["template"]


@pytest.fixture(scope="module", name="sync_server")
def sync_server_fixture(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A real server on 127.0.0.1 for the tests of one module (each test uses its own users or records)."""
    if sys.platform == "win32":
        pytest.skip("the district server runs on Linux only (its blob store locks files with fcntl)")
    process = ServerProcess(tmp_path_factory.mktemp("sync-gui-server"), server_template(tmp_path_factory))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(name="server")
def own_server_fixture(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A server of the test's own, from the sync tests' shared template (the test may stop and start it)."""
    if sys.platform == "win32":
        pytest.skip("the district server runs on Linux only (its blob store locks files with fcntl)")
    process = ServerProcess(tmp_path / "server", server_template(tmp_path_factory))
    process.start()
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(autouse=True, name="memory_keyring")
def memory_keyring_fixture() -> Iterator[MemoryKeyring]:
    """The OS keyring is replaced by one in memory (a secure backend, so tokens go there)."""
    with memory_keyring_installed() as backend:
        yield backend


def manual_sync(window: Any) -> None:
    """Quick retries for loopback, and no automatic sync: the test decides when a cycle runs."""
    for key, value in FAST_SYNC.items():
        settings.put_text(window.ctx.db, key, value)
    window.sync.set_interval_minutes(0)
    assert settings.get(window.ctx.db, INTERVAL_SETTING) == 0


def wait_state(qtbot: Any, window: Any, check: Any, timeout: int = 10_000) -> Any:
    """Read the sync state again and wait until `check(state)` holds."""
    window.sync.refresh_state()
    qtbot.waitUntil(lambda: window.sync.state is not None and check(window.sync.state), timeout=timeout)
    return window.sync.state


def log_in(qtbot: Any, window: Any, server_url: str, username: str) -> None:
    """Log the window's data folder in through the engine (the settings page's own login is tested on its own)."""
    login(window.ctx.folder, server_url, username, PASSWORD)
    wait_state(qtbot, window, lambda state: state.logged_in and state.status.username == username)


def click_sync(qtbot: Any, window: Any, timeout: int = 30_000) -> tuple[Any, Any]:
    """Click the status bar's sync button and wait for the cycle to end; returns (worker, summary)."""
    button = window.status.sync_widget.sync_button
    with qtbot.waitSignal(window.sync.cycle_finished, timeout=timeout) as finished:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        worker = window.sync.worker
        assert worker is not None, window.status.sync_widget.last_message
    return worker, finished.args[0]


def wait_today_badge(qtbot, window, finding_id: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Wait until the today page lists the finding with this badge (the page reads on a worker)."""
    page = window.show_page("today")
    page.reload()

    def badge() -> str | None:
        for row in range(page.findings.count()):
            item = page.findings.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == finding_id:
                return str(item.data(SYNC_STATE_ROLE))
        return None

    qtbot.waitUntil(lambda: badge() == expected, timeout=10_000)
