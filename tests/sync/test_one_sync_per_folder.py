"""One sync cycle per data folder across processes: a second process is told another sync runs, and nothing breaks."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from inspector.__main__ import main
from inspector.store import settings
from inspector.store.database import DataFolder, open_data_folder
from inspector.sync import config
from inspector.sync.engine import SyncEngine

HOLDER = """
import sys
from inspector.store.database import DataFolder
from inspector.sync.engine import _one_cycle_at_a_time

with _one_cycle_at_a_time(DataFolder(__import__("pathlib").Path(sys.argv[1]))) as mine:
    print("held" if mine else "busy", flush=True)
    sys.stdin.readline()
"""


def _holder(root: Path) -> subprocess.Popen[str]:
    """Another process in the middle of a cycle on the folder: it holds the cycle lock until told to stop."""
    child = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    assert child.stdout is not None and child.stdout.readline().strip() == "held"
    return child


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """No OS keyring (the default backend otherwise depends on which test modules were imported)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def configured(tmp_path: Path, no_keyring: None) -> DataFolder:
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    settings.put(db, config.SERVER_URL, "http://127.0.0.1:9")
    settings.put(db, config.USERNAME, "ins")
    db.close()
    return folder


def test_a_cycle_in_another_process_makes_this_one_busy_and_leaves_it_alone(
    configured: DataFolder, capsys: pytest.CaptureFixture
) -> None:
    child = _holder(configured.root)
    try:
        summary = SyncEngine(configured).run_cycle()
        assert summary.outcome == "busy" and summary.failure is not None and summary.failure.code == "sync_busy"
        assert "another sync is running" in summary.error
        assert main(["--data-dir", str(configured.root), "sync"]) == 1
        assert "another sync is running" in capsys.readouterr().err
        db = configured.connect()
        try:  # the busy cycle recorded nothing and forgot nothing of the other's login
            assert settings.get(db, config.LAST_ATTEMPT) is None
            assert settings.get(db, config.USERNAME) == "ins"
        finally:
            db.close()
        assert child.poll() is None
    finally:
        assert child.stdin is not None
        child.stdin.write("\n")
        child.stdin.close()
        child.wait(timeout=30)
    assert child.returncode == 0
    assert SyncEngine(configured).run_cycle().outcome != "busy"  # released: the next cycle runs


def test_a_killed_cycle_does_not_keep_the_folder_locked(configured: DataFolder) -> None:
    child = _holder(configured.root)
    assert SyncEngine(configured).run_cycle().outcome == "busy"
    child.kill()
    child.wait(timeout=30)
    assert SyncEngine(configured).run_cycle().outcome != "busy"


def test_the_lock_file_does_not_make_a_new_folder_look_used(configured: DataFolder, tmp_path: Path) -> None:
    from inspector.store.backup import _holds_data

    fresh = open_data_folder(tmp_path / "fresh")
    SyncEngine(fresh).run_cycle()
    if sys.platform != "win32":  # filelock removes its file on release on Windows
        assert fresh.sync_lock_path.exists()
    assert not _holds_data(fresh.root)
