"""Crash safety: a child process importing photos and saving records is SIGKILLed at many points; after each kill
the database is intact, every reported commit is there, no row points at a missing file, temp files are cleaned."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlite_utils import Database

from inspector.store import inspections, outbox, photos, subjects
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.files import sha256_file

CHILD = Path(__file__).with_name("crash_child.py")
ROUNDS = 14

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)"),
]


def start_child(data: Path, sources: Path, seed: int, slow_fsync: float | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, str(CHILD), str(data), str(sources), str(seed)]
    if slow_fsync is not None:
        args.append(str(slow_fsync))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(CHILD.parent), *sys.path])}
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert child.stdout is not None
    first = child.stdout.readline()
    assert first == "ready\n", child.stderr.read() if child.stderr else first
    return child


def kill_and_collect(child: subprocess.Popen[str]) -> list[str]:
    """SIGKILL the child and return the lines it finished printing (each printed after its commit returned)."""
    child.send_signal(signal.SIGKILL)
    out, err = child.communicate(timeout=30)
    assert child.returncode == -signal.SIGKILL, err
    return [line for line in out.splitlines(keepends=True) if line.endswith("\n")]


def leftover_temp_files(data: Path) -> int:
    tmp = data / "tmp"
    return len(list(tmp.iterdir())) if tmp.is_dir() else 0


def check_after_crash(data: Path, committed: list[str]) -> None:
    folder = open_data_folder(data)  # the next start: cleans temp files, runs no migration
    assert list(folder.tmp_dir.iterdir()) == []
    db = folder.connect()
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert db.execute("PRAGMA foreign_key_check").fetchall() == []
        check_committed_records(folder, db, committed)
        assert photos.check_photo_files(folder, db) == []  # no row points at a missing or damaged file
        check_every_change_has_its_record(db)
    finally:
        db.close()


def check_committed_records(folder: DataFolder, db: Database, committed: list[str]) -> None:
    for line in committed:
        kind, *values = line.split()
        if kind == "subject":
            assert subjects.get(db, values[0]).name.startswith("测试街巷")
        elif kind == "photo":
            sha, subject_id = values
            assert sha256_file(folder.photo_path(sha)) == sha
            assert folder.thumb_path(sha).is_file()
            assert [p.sha256 for p in photos.photos_of(db, "subject", subject_id)] == [sha]
        elif kind == "inspection":
            done = inspections.get(db, values[0])
            assert done.status == "finished" and done.score == 90
            assert set(inspections.responses(db, done.id)) == {"T-01", "T-02", "T-03"}


def check_every_change_has_its_record(db: Database) -> None:
    """A record and its outbox entry are written together: neither exists without the other."""
    queued = {(e.kind, e.entity_id) for e in outbox.list_pending(db)}
    for (subject_id,) in db.execute("SELECT id FROM subjects").fetchall():
        assert ("subject.create", subject_id) in queued
    for (inspection_id,) in db.execute("SELECT id FROM inspections WHERE status = 'finished'").fetchall():
        assert ("inspection.submit", inspection_id) in queued
    for kind, entity_id in queued:
        table = "subjects" if kind.startswith("subject") else "inspections"
        assert db.execute(f"SELECT 1 FROM {table} WHERE id = ?", [entity_id]).fetchone() is not None


def test_killing_the_writer_at_many_points_loses_nothing_committed(tmp_path: Path) -> None:
    data, sources = tmp_path / "data", tmp_path / "camera"
    delays = random.Random(20261121)
    committed: list[str] = []
    for round_number in range(ROUNDS):
        child = start_child(data, sources, round_number)
        time.sleep(delays.uniform(0.0, 0.8))
        committed += kill_and_collect(child)
        check_after_crash(data, committed)
    kinds = {line.split()[0] for line in committed}
    assert kinds == {"subject", "photo", "inspection"}  # the kills landed after every kind of commit


def test_a_kill_while_a_photo_is_being_written_leaves_only_a_temp_file_that_is_cleaned(tmp_path: Path) -> None:
    data, sources = tmp_path / "data", tmp_path / "camera"
    child = start_child(data, sources, 99, slow_fsync=0.5)
    deadline = time.monotonic() + 30
    while leftover_temp_files(data) == 0:
        assert time.monotonic() < deadline, "the child never started a photo write"
        time.sleep(0.005)
    committed = kill_and_collect(child)
    assert leftover_temp_files(data) >= 1
    check_after_crash(data, committed)
