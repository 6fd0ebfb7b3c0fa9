"""Damaged laptop databases: caught at open, by `status`, `sync` and `backup`, and recovered into a new folder."""

from __future__ import annotations

import random
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlite_pages import table_pages

from inspector.__main__ import main
from inspector.store import backup, recovery
from inspector.store.database import DataFolder, open_data_folder
from inspector.store.errors import DatabaseDamagedError
from inspector.store.seed import seed_demo_data
from inspector.sync.engine import SyncEngine

PAGE = 4096


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real seeded data folder whose database is wholly in its main file (no WAL left)."""
    root = tmp_path_factory.mktemp("seeded") / "data"
    folder = open_data_folder(root)
    seed_demo_data(folder, inspections=6, photos=2, random_seed=7)
    connection = sqlite3.connect(folder.db_path)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert connection.execute("PRAGMA page_size").fetchone()[0] == PAGE
    connection.close()
    return root


@pytest.mark.parametrize("table", ["findings", "responses", "outbox"])
def test_the_page_walker_finds_the_pages_sqlite_s_own_dbstat_lists(seeded: Path, table: str) -> None:
    connection = sqlite3.connect(seeded / "inspector.db")
    try:
        listed = connection.execute(
            "SELECT pageno, replace(pagetype, 'internal', 'interior') FROM dbstat WHERE name = ? "
            "AND pagetype != 'overflow'",
            [table],
        ).fetchall()
    except sqlite3.OperationalError:
        pytest.skip("this SQLite has no dbstat table (python.org's Windows build) to check the walker against")
    finally:
        connection.close()
    assert listed
    assert table_pages(seeded / "inspector.db", table) == dict(listed)


def _noise_mid_file(db: Path) -> None:
    """Noise over the page of the table list (sqlite_master) nearest the middle of the file."""
    data = bytearray(db.read_bytes())
    middle = len(data) // 2 // PAGE + 1
    listed = [page for page, kind in table_pages(db, "sqlite_master").items() if kind == "leaf" and page != 1]
    start = (min(listed, key=lambda page: abs(page - middle)) - 1) * PAGE
    data[start : start + PAGE] = random.Random(1).randbytes(PAGE)
    db.write_bytes(bytes(data))


def _noise_on_responses(db: Path) -> None:
    page = max(number for number, kind in table_pages(db, "responses").items() if kind == "leaf")
    data = bytearray(db.read_bytes())
    data[(page - 1) * PAGE : page * PAGE] = random.Random(3).randbytes(PAGE)
    db.write_bytes(bytes(data))


def _findings_pages_overwritten(db: Path) -> None:
    pages = list(table_pages(db, "findings"))
    assert pages
    data = bytearray(db.read_bytes())
    noise = random.Random(2)
    for page in pages:
        data[(page - 1) * PAGE : page * PAGE] = noise.randbytes(PAGE)
    db.write_bytes(bytes(data))


def _findings_root_page_zeroed(db: Path) -> None:
    connection = sqlite3.connect(db)
    (root,) = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = 'findings'").fetchone()
    connection.close()
    data = bytearray(db.read_bytes())
    data[(root - 1) * PAGE : root * PAGE] = bytes(PAGE)
    db.write_bytes(bytes(data))


DAMAGES: dict[str, Callable[[Path], None]] = {
    "noise-mid-file": _noise_mid_file,
    "findings-pages-overwritten": _findings_pages_overwritten,
    "findings-root-page-zeroed": _findings_root_page_zeroed,
    "noise-on-a-responses-page": _noise_on_responses,
}


LOSES = {  # the table whose rows a damage makes unreadable (the rest is recovered whole)
    "findings-pages-overwritten": "findings",
    "findings-root-page-zeroed": "findings",
    "noise-on-a-responses-page": "responses",
}


@pytest.fixture(params=sorted(DAMAGES))
def damaged(request: pytest.FixtureRequest, seeded: Path, tmp_path: Path) -> Path:
    root = tmp_path / request.param
    shutil.copytree(seeded, root)
    DAMAGES[request.param](root / "inspector.db")
    return root


def test_a_damaged_database_is_refused_at_open(damaged: Path) -> None:
    with pytest.raises(DatabaseDamagedError) as caught:
        open_data_folder(damaged)
    text = str(caught.value)
    assert "inspector recover" in text and "已损坏" in text and "damaged" in text


def test_status_exits_non_zero_and_says_what_to_do(damaged: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["--data-dir", str(damaged), "status"]) == 1
    err = capsys.readouterr().err
    assert "inspector recover --out" in err and "inspector restore" in err and "Traceback" not in err


def test_sync_refuses_to_run_into_a_damaged_database(damaged: Path, capsys: pytest.CaptureFixture) -> None:
    before = (damaged / "inspector.db").read_bytes()
    summary = SyncEngine(DataFolder(damaged)).run_cycle()
    assert summary.outcome == "damaged" and summary.failure is not None
    assert summary.failure.code == "database_damaged"
    assert (damaged / "inspector.db").read_bytes() == before  # not even the outcome is written into it
    assert main(["--data-dir", str(damaged), "sync"]) == 1
    assert "inspector recover" in capsys.readouterr().err


def test_backup_refuses_a_damaged_database_and_writes_nothing(damaged: Path, tmp_path: Path) -> None:
    out = tmp_path / "out" / "backup.zip"
    with pytest.raises(DatabaseDamagedError):
        backup.create_backup(DataFolder(damaged), out)
    assert not out.exists() and not out.with_name("backup.zip.part").exists()
    assert main(["--data-dir", str(damaged), "backup", "--out", str(out)]) == 1
    assert not out.exists()


def test_recover_copies_what_can_be_read_into_a_new_folder(
    damaged: Path, seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    (damaged / "backups").mkdir(exist_ok=True)
    kept = damaged / "backups" / "week-1.zip"
    kept.write_bytes(b"")
    out = tmp_path / "recovered"
    code = main(["--data-dir", str(damaged), "recover", "--out", str(out)])
    captured = capsys.readouterr()
    if damaged.name == "noise-mid-file":  # the noise lands on the table list itself: only the backup can help
        assert code == 1 and f"inspector restore {kept}" in captured.err
        return
    lost_table = LOSES[damaged.name]
    assert code == 3 and str(kept) in captured.out and f"unreadable: {lost_table}" in captured.out
    folder = open_data_folder(out)  # sound: it passes the check at open
    db = folder.connect()
    healthy = sqlite3.connect(seeded / "inspector.db")
    try:
        for table in {"subjects", "inspections", "responses", "findings", "photos", "outbox"} - {lost_table}:
            assert (
                db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                == (healthy.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            ), table
    finally:
        db.close()
        healthy.close()
    photo_files = sorted(p.name for p in (seeded / "photos").rglob("*.jpg"))
    assert photo_files and sorted(p.name for p in (out / "photos").rglob("*.jpg")) == photo_files


def test_recover_of_a_sound_database_copies_everything(seeded: Path, tmp_path: Path) -> None:
    summary = recovery.recover(seeded, tmp_path / "copy")
    assert summary.method == "vacuum" and not any(summary.lost.values())
    assert summary.copied["findings"] > 0
