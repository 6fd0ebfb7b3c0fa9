"""A laptop whose disk fills up during a sync: the cycle stops with a message that names the full disk, keeps every
record it had, and the next cycle after room is made finishes the work."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from e2e_support import Client, ServerProcess, assert_cursor_consistent

from inspector.store import cursors
from inspector.store.database import DataFolder


@contextmanager
def disk_full_for(folder: DataFolder, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Connections to this data folder's database may not grow its file past the pages it has now, so that SQLite
    answers a write that needs room with its own SQLITE_FULL, as on a full disk."""
    probe = folder.connect()
    try:
        pages = int(probe.execute("PRAGMA page_count").fetchone()[0])
    finally:
        probe.close()
    real_connect = DataFolder.connect

    def connect(self: DataFolder, *args: object, **kwargs: object) -> object:
        db = real_connect(self, *args, **kwargs)  # type: ignore[arg-type]
        if self.root == folder.root:
            db.execute(f"PRAGMA max_page_count = {pages}")
        return db

    with monkeypatch.context() as patch:
        patch.setattr(DataFolder, "connect", connect)
        yield


def _finding_count(client: Client) -> int:
    with client.db() as db:
        return int(db.execute("SELECT count(*) FROM findings").fetchone()[0])


def test_a_full_disk_stops_the_pull_with_a_clear_message_and_the_next_cycle_finishes(
    server: ServerProcess, make_client: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    inspector = make_client("ins")
    inspector.login(server.url, "ins")
    subject = inspector.subject("三里屯路")
    for seed in range(12):
        inspector.inspection_with_finding(seed, subject)
    assert inspector.sync().all_acknowledged

    supervisor = make_client("sup", {"sync.feed_page_size": "5"})
    supervisor.login(server.url, "sup")
    with disk_full_for(supervisor.folder, monkeypatch):
        stopped = supervisor.sync()
    assert stopped.outcome == "failed" and stopped.error_code == "local_storage_full"
    assert "本机磁盘空间已满" in stopped.error and "free some space" in stopped.error
    with supervisor.db() as db:
        cursor_after_stop = cursors.get(db)
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert _finding_count(supervisor) < 12

    finished = supervisor.sync()
    assert finished.outcome == "ok", finished.error
    assert _finding_count(supervisor) == 12
    with supervisor.db() as db:
        assert cursors.get(db) > cursor_after_stop
    assert_cursor_consistent(server, supervisor)

