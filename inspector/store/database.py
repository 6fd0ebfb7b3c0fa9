"""The data folder (database, photos, temp files) and its SQLite connections: pragmas, transactions, migrations."""

from __future__ import annotations

import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from inspector.paths import DB_FILENAME
from inspector.store.errors import DatabaseDamagedError, DataFolderError, NewerDatabaseError
from inspector.store.schema import STEPS, MigrationStep, build_migrations
from inspector.store.transactions import transaction as transaction

log = logging.getLogger(__name__)

BUSY_TIMEOUT_SECONDS = 15.0
QUICK_CHECK_SECONDS = 3.0  # the check at open stops here on a very large file; the full check runs before sync
CHECK_LINES = 20  # problems SQLite lists at most, per check
PHOTO_EXT = ".jpg"
SYNC_LOCK_FILENAME = "sync.lock"

# Serialises opening (and migrating) within one process; connections themselves are per thread.
_OPEN_LOCK = threading.Lock()


@dataclass(frozen=True)
class DataFolder:
    """The layout of one data folder. Immutable, so it can be shared between threads."""

    root: Path

    @property
    def db_path(self) -> Path:
        return self.root / DB_FILENAME

    @property
    def photos_dir(self) -> Path:
        return self.root / "photos"

    @property
    def thumbs_dir(self) -> Path:
        return self.root / "thumbs"

    @property
    def originals_dir(self) -> Path:
        return self.root / "originals"

    @property
    def tmp_dir(self) -> Path:
        return self.root / "tmp"

    @property
    def sync_lock_path(self) -> Path:
        """The lock file held while a sync cycle runs on this folder (by the app or the command line)."""
        return self.root / SYNC_LOCK_FILENAME

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def backups_dir(self) -> Path:
        return self.root / "backups"

    def photo_path(self, sha256: str) -> Path:
        """Where the stored (sync) copy of a photo lives: photos/ab/<sha256>.jpg."""
        return self.photos_dir / sha256[:2] / f"{sha256}{PHOTO_EXT}"

    def thumb_path(self, sha256: str) -> Path:
        """Where the thumbnail of a photo lives: thumbs/ab/<sha256>.jpg."""
        return self.thumbs_dir / sha256[:2] / f"{sha256}{PHOTO_EXT}"

    def original_path(self, sha256: str, ext: str) -> Path:
        """Where the untouched original of a photo lives, named by the stored copy's hash."""
        return self.originals_dir / sha256[:2] / f"{sha256}{ext}"

    def connect(self) -> Database:
        """A new connection for the calling thread (SQLite connections must not cross threads)."""
        return connect(self.db_path)


def connect(db_path: Path) -> Database:
    """Open a connection with the pragmas every connection needs: foreign keys on, full sync, a busy timeout, and
    temporary storage in memory.

    SQLite writes a statement journal for each statement that changes several rows in a transaction (a trigger, OR
    IGNORE) and sorts large results in temporary files; on Windows each is a new file created and deleted (and scanned
    by antivirus), which made a bulk insert of 10,000 findings 8x slower under Wine than with the memory."""
    try:
        conn = sqlite3.connect(str(db_path), timeout=BUSY_TIMEOUT_SECONDS)
        db = Database(conn, execute_plugins=False)
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA temp_store = MEMORY")
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(str(db_path), str(exc)) from exc
    return db


@contextmanager
def commits_not_awaiting_disk(db: Database) -> Iterator[None]:
    """Within the block, a commit on this connection does not wait for the disk (synchronous NORMAL), when the
    database is in WAL mode: for what can be had again, a pull's pages. WAL keeps every commit whole and in order,
    so a power cut can only take back the last pages with the cursor that moved past them, and the next sync reads
    them again. Each page's commit then costs no flush (forty flushes of a 20,000-entry pull). Outside WAL mode (a
    folder whose file system refused it) nothing changes."""
    mode = db.execute("PRAGMA journal_mode").fetchone()[0]
    if str(mode).lower() != "wal":
        yield
        return
    db.execute("PRAGMA synchronous = NORMAL")
    try:
        yield
    finally:
        db.execute("PRAGMA synchronous = FULL")


IN_CHUNK = 500  # keys per `IN (…)` list: well under SQLite's limit on the parameters of one statement


def rows_in(db: Database, sql: str, keys: Iterable[Any]) -> list[dict[str, Any]]:
    """The rows of a statement whose `IN ({})` takes the keys, asked IN_CHUNK keys at a time."""
    wanted = list(keys)
    found: list[dict[str, Any]] = []
    for start in range(0, len(wanted), IN_CHUNK):
        part = wanted[start : start + IN_CHUNK]
        found += db.query(sql.format(", ".join("?" for _ in part)), part)
    return found


def open_data_folder(root: str | Path, steps: Sequence[MigrationStep] = STEPS) -> DataFolder:
    """Prepare a data folder for use: create its layout, clean temp files, migrate the database, make the device id.

    Raises NewerDatabaseError for a database from a newer app, DatabaseDamagedError for an unreadable one and
    DataFolderError when the folder cannot be created.
    """
    folder = DataFolder(Path(root).expanduser().resolve())
    with _OPEN_LOCK:
        _create_layout(folder)
        clean_temp_files(folder)
        db = folder.connect()
        try:
            _check_readable(db, folder.db_path)
            check_integrity(db, folder.db_path, quick=True, seconds=QUICK_CHECK_SECONDS)
            db.enable_wal()
            migrate(db, folder, steps)
            from inspector.store import settings

            settings.ensure_device_id(db)
        except sqlite3.DatabaseError as exc:
            raise DatabaseDamagedError(str(folder.db_path), str(exc)) from exc
        finally:
            db.close()
    return folder


def _create_layout(folder: DataFolder) -> None:
    try:
        for path in (
            folder.root,
            folder.photos_dir,
            folder.thumbs_dir,
            folder.originals_dir,
            folder.tmp_dir,
            folder.logs_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DataFolderError(str(folder.root), exc.strerror or str(exc)) from exc


def clean_temp_files(folder: DataFolder) -> int:
    """Remove everything under tmp/ (left by an interrupted write); returns how many entries were removed."""
    removed = 0
    if not folder.tmp_dir.is_dir():
        return 0
    for entry in folder.tmp_dir.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed += 1
    return removed


def _check_readable(db: Database, path: Path) -> None:
    """Fail early with a clear message when the file is not a SQLite database at all."""
    try:
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        raise DatabaseDamagedError(str(path), str(exc)) from exc


def integrity_problems(db: Database, quick: bool = False, seconds: float | None = None) -> list[str] | None:
    """What SQLite's own check finds wrong with the file ([] when sound); None when `seconds` passed first.

    `quick` runs `PRAGMA quick_check` (pages, b-trees, NOT NULL and CHECK; no index contents), else the full
    `PRAGMA integrity_check`. A file so damaged that the check itself fails gives that error as the problem.
    """
    pragma = "quick_check" if quick else "integrity_check"
    deadline = None if seconds is None else time.monotonic() + seconds
    if deadline is not None:
        db.conn.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)
    try:
        rows = db.execute(f"PRAGMA {pragma}({CHECK_LINES})").fetchall()
    except sqlite3.OperationalError as exc:
        if deadline is not None and "interrupted" in str(exc):
            return None
        return [str(exc)]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    finally:
        if deadline is not None:
            db.conn.set_progress_handler(None, 0)
    lines = [line for (text,) in rows for line in str(text).splitlines() if line and not line.startswith("***")]
    return [] if lines == ["ok"] else lines


def check_integrity(db: Database, path: Path, quick: bool = False, seconds: float | None = None) -> None:
    """Raise DatabaseDamagedError when SQLite's check finds damage (a check cut short by `seconds` passes)."""
    problems = integrity_problems(db, quick, seconds)
    if problems:
        log.info("the database %s is damaged: %s", path, "; ".join(problems))
        raise DatabaseDamagedError(str(path), "; ".join(problems[:3]))


def verify_folder(folder: DataFolder) -> None:
    """The full integrity check of a data folder's database; DatabaseDamagedError when it finds damage."""
    db = folder.connect()
    try:
        check_integrity(db, folder.db_path)
    finally:
        db.close()


def schema_version(db: Database) -> int:
    """The schema version recorded in the database (PRAGMA user_version); 0 for a new file."""
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: Database, folder: DataFolder, steps: Sequence[MigrationStep] = STEPS) -> int:
    """Apply pending migrations in order, copying the file first if it already holds data; returns the version."""
    migrations = build_migrations(steps)
    known = [name for name, _ in steps]
    applied = [migration.name for migration in migrations.applied(db)]
    found_version = max(schema_version(db), len(applied))
    if found_version > len(known) or any(name not in known for name in applied):
        raise NewerDatabaseError(found_version, len(known), str(folder.db_path))
    if not applied and _has_user_tables(db):
        raise DatabaseDamagedError(str(folder.db_path), "no schema history (not an Inspector database)")
    if len(applied) == len(known):
        return len(known)
    if applied:
        copy_database(db, _pre_migration_copy_path(folder, len(applied)))
    migrations.apply(db)
    db.execute(f"PRAGMA user_version = {len(known)}")
    return len(known)


def _has_user_tables(db: Database) -> bool:
    return bool([name for name in db.table_names() if not name.startswith("sqlite_")])


def _pre_migration_copy_path(folder: DataFolder, version: int) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return folder.backups_dir / f"inspector-schema{version}-{stamp}.db"


def copy_database(db: Database, destination: Path) -> Path:
    """A consistent copy of the live database through the SQLite backup API (safe while others write)."""
    destination.parent.mkdir(parents=True, exist_ok=True)
    target = sqlite3.connect(str(destination))
    try:
        db.conn.backup(target)
    finally:
        target.close()
    return destination
