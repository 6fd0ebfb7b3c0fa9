"""Step 0013_talks on the release's laptop database (tests/data/release-0.1-client.sqlite): the outbox is rebuilt
to take `talk.create` with every queued change, its numbering and its indexes kept."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date
from pathlib import Path

from inspector.core.month import BASIS_BLACK, Talk
from inspector.store import outbox, talks
from inspector.store.database import DB_FILENAME, open_data_folder

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-client.sqlite"
OUTBOX = "SELECT seq, change_id, kind, entity_id, payload, created_at, attempts, state FROM outbox ORDER BY seq"


def _release_rows(sql: str) -> list[tuple[object, ...]]:
    connection = sqlite3.connect(RELEASE)
    try:
        return connection.execute(sql).fetchall()
    finally:
        connection.close()


def test_the_outbox_keeps_its_changes_and_takes_talks(tmp_path: Path) -> None:
    before = _release_rows("SELECT seq, change_id, kind, entity_id FROM outbox ORDER BY seq")
    counter = _release_rows("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'")
    indexes = {
        row[0] for row in _release_rows("SELECT name FROM sqlite_master WHERE tbl_name = 'outbox' AND sql IS NOT NULL")
    }
    assert before  # the release left changes queued
    root = tmp_path / "data"
    root.mkdir()
    shutil.copyfile(RELEASE, root / DB_FILENAME)
    db = open_data_folder(root).connect()
    try:
        assert [row[:4] for row in db.execute(OUTBOX).fetchall()] == before
        names = {
            row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'outbox' AND sql IS NOT NULL")
        }
        assert names == indexes
        talk = Talk(
            "", "2026-03", date(2026, 4, 1), "孙经理", "某超市", "110105004", "黑榜", BASIS_BLACK, "s1", "黑榜，积分 72"
        )
        made = talks.record(db, talk, "u-sup")
        last = outbox.list_pending(db)[-1]
        assert (last.kind, last.entity_id) == ("talk.create", made.talk_id)
        assert last.seq > max(int(str(counter[0][0])) if counter else 0, int(str(before[-1][0])))
    finally:
        db.close()
