"""One app per data folder: a second start, as a real second process, brings the first window forward and ends."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from inspector.ui.app import instance_name

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHONPATH": str(ROOT),
        "HOME": str(tmp_path / "home"),  # the app's own settings and the local socket's user stay in the test
    }


def _log(root: Path) -> str:
    path = root / "logs" / "inspector.log"
    return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def _wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


@pytest.mark.timeout(120)
def test_a_second_start_on_the_same_folder_brings_the_first_window_forward(tmp_path: Path) -> None:
    root = tmp_path / "data"
    env = _env(tmp_path)
    first = subprocess.Popen(
        [sys.executable, "-m", "inspector", "--data-dir", str(root)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: "data folder" in _log(root) and " open" in _log(root), 60), _log(root)
        second = subprocess.run(
            [sys.executable, "-m", "inspector", "--data-dir", str(root)],
            env=env,
            capture_output=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
        )
        assert second.returncode == 0
        assert "already open on this data folder" in second.stderr
        assert _wait_for(lambda: "window brought forward" in _log(root), 20), _log(root)
        assert first.poll() is None  # the first app still runs
    finally:
        first.kill()
        first.wait(timeout=30)


def test_each_data_folder_has_its_own_name(tmp_path: Path) -> None:
    assert instance_name(tmp_path / "a") != instance_name(tmp_path / "b")
    assert instance_name(tmp_path / "a") == instance_name(tmp_path / "x" / ".." / "a")
