"""The data folder and its database: layout, pragmas, device id, migrations, refusal of newer or damaged files."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database
from store_samples import put_stored_setting, stored_setting

from inspector.store import settings
from inspector.store.database import (
    IN_CHUNK,
    DataFolder,
    clean_temp_files,
    open_data_folder,
    rows_in,
    schema_version,
    transaction,
)
from inspector.store.errors import DatabaseDamagedError, NewerDatabaseError
from inspector.store.schema import STEPS


def test_open_creates_the_layout_and_a_wal_database_with_foreign_keys(tmp_path: Path) -> None:
    folder = open_data_folder(tmp_path / "new" / "data")
    for sub in ("photos", "thumbs", "originals", "tmp", "logs"):
        assert (folder.root / sub).is_dir()
    db = folder.connect()
    assert db.journal_mode == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert db.execute("PRAGMA temp_store").fetchone()[0] == 2  # MEMORY: no temporary file per statement on Windows
    assert schema_version(db) == len(STEPS)
    assert {
        "subjects",
        "inspections",
        "responses",
        "findings",
        "finding_events",
        "photos",
        "photo_links",
        "outbox",
        "sync_cursors",
        "conflicts",
        "settings",
        "jurisdictions",
        "checklists",
    } <= set(db.table_names())
    db.close()


def test_the_device_id_is_made_once_and_kept(tmp_path: Path) -> None:
    first = open_data_folder(tmp_path / "d")
    db = first.connect()
    device = settings.device_id(db)
    db.close()
    again = open_data_folder(tmp_path / "d").connect()
    assert settings.device_id(again) == device
    again.close()
    other = open_data_folder(tmp_path / "e").connect()
    assert settings.device_id(other) != device
    other.close()


def test_leftover_temp_files_are_removed_on_open(folder: DataFolder) -> None:
    (folder.tmp_dir / "write-abc.part").write_bytes(b"half a photo")
    (folder.tmp_dir / "restore-1").mkdir()
    (folder.tmp_dir / "restore-1" / "inspector.db").write_bytes(b"x")
    open_data_folder(folder.root)
    assert list(folder.tmp_dir.iterdir()) == []
    assert clean_temp_files(folder) == 0


def test_a_database_from_a_newer_app_is_refused_with_a_clear_message(folder: DataFolder) -> None:
    db = folder.connect()
    db.execute(f"PRAGMA user_version = {len(STEPS) + 1}")
    db.close()
    with pytest.raises(NewerDatabaseError) as caught:
        open_data_folder(folder.root)
    assert caught.value.found_version == len(STEPS) + 1
    assert "更新版本" in str(caught.value) and "newer Inspector" in str(caught.value)


def test_a_database_with_an_unknown_migration_is_refused(folder: DataFolder) -> None:
    db = folder.connect()
    db["_sqlite_migrations"].insert({"migration_set": "inspector", "name": "9999_future", "applied_at": "x"})
    db.close()
    with pytest.raises(NewerDatabaseError):
        open_data_folder(folder.root)


def test_a_new_migration_is_applied_after_a_copy_of_the_file_is_taken(folder: DataFolder) -> None:
    db = folder.connect()
    db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('marker', 'before', 'now')")
    db.close()

    def add_column(database: Database) -> None:
        database.execute("ALTER TABLE subjects ADD COLUMN nickname TEXT")

    steps = (*STEPS, ("0099_test_nickname", add_column))
    open_data_folder(folder.root, steps)
    db = folder.connect()
    assert "nickname" in db["subjects"].columns_dict
    assert schema_version(db) == len(steps)
    db.close()
    copies = list(folder.backups_dir.glob(f"inspector-schema{len(STEPS)}-*.db"))
    assert len(copies) == 1
    copy = sqlite3.connect(copies[0])
    assert copy.execute("SELECT value FROM settings WHERE key = 'marker'").fetchone() == ("before",)
    assert "nickname" not in [row[1] for row in copy.execute("PRAGMA table_info(subjects)")]
    copy.close()
    # Opening again applies nothing and copies nothing.
    open_data_folder(folder.root, steps)
    assert len(list(folder.backups_dir.glob("*.db"))) == 1


def test_a_failing_migration_leaves_the_database_at_its_old_version(folder: DataFolder) -> None:
    def broken(database: Database) -> None:
        database.execute("ALTER TABLE subjects ADD COLUMN half_done TEXT")
        raise RuntimeError("migration bug")

    with pytest.raises(RuntimeError):
        open_data_folder(folder.root, (*STEPS, ("0099_broken", broken)))
    db = folder.connect()
    assert "half_done" not in db["subjects"].columns_dict
    assert schema_version(db) == len(STEPS)
    db.close()


@pytest.mark.parametrize(
    "content", [b"this is not a database at all, just text" * 100, b"SQLite format 3\x00" + b"\xff" * 4000]
)
def test_a_damaged_database_file_gives_a_clear_error(tmp_path: Path, content: bytes) -> None:
    root = tmp_path / "d"
    root.mkdir()
    (root / "inspector.db").write_bytes(content)
    with pytest.raises(DatabaseDamagedError) as caught:
        open_data_folder(root)
    assert "损坏" in str(caught.value) and "damaged" in str(caught.value)


def test_a_foreign_sqlite_database_is_not_taken_for_ours(tmp_path: Path) -> None:
    root = tmp_path / "d"
    root.mkdir()
    other = sqlite3.connect(root / "inspector.db")
    other.execute("CREATE TABLE something_else (x)")
    other.commit()
    other.close()
    with pytest.raises(DatabaseDamagedError, match="not an Inspector database"):
        open_data_folder(root)


def test_a_transaction_is_all_or_nothing(db: Database) -> None:
    with pytest.raises(RuntimeError), transaction(db):
        db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 'now')")
        raise RuntimeError("boom")
    assert stored_setting(db, "a") is None
    with transaction(db):
        db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('a', '1', 'now')")
        with pytest.raises(RuntimeError), transaction(db):  # nested: a savepoint
            db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('b', '2', 'now')")
            raise RuntimeError("inner")
    assert stored_setting(db, "a") == "1"
    assert stored_setting(db, "b") is None


def test_threads_with_their_own_connections_write_concurrently(folder: DataFolder) -> None:
    errors: list[BaseException] = []

    def writer(index: int) -> None:
        db = folder.connect()
        try:
            for n in range(25):
                put_stored_setting(db, f"t{index}-{n}", str(n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            db.close()

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db = folder.connect()
    assert db.execute("SELECT count(*) FROM settings WHERE key LIKE 't%'").fetchone()[0] == 100
    db.close()


def test_rows_in_asks_more_keys_than_one_statement_may_bind(db: Database) -> None:
    db.execute("CREATE TABLE numbers (n INTEGER PRIMARY KEY)")
    with transaction(db):
        db.conn.executemany("INSERT INTO numbers VALUES (?)", [[n] for n in range(3 * IN_CHUNK)])
    wanted = list(range(1, 3 * IN_CHUNK + 50, 2))  # 1.5 chunks of stored keys, a few missing ones
    rows = rows_in(db, "SELECT n FROM numbers WHERE n IN ({}) ORDER BY n", wanted)
    assert [row["n"] for row in rows] == [n for n in wanted if n < 3 * IN_CHUNK]
    with transaction(db):
        removed = rows_in(db, "DELETE FROM numbers WHERE n IN ({}) RETURNING n", range(2 * IN_CHUNK))
    assert len(removed) == 2 * IN_CHUNK
    assert db.execute("SELECT count(*) FROM numbers").fetchone()[0] == IN_CHUNK
