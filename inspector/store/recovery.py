"""Recovery from a damaged database: copy what can still be read into a new data folder, and name the last backup."""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from inspector.paths import DB_FILENAME
from inspector.store import text_index
from inspector.store.database import open_data_folder
from inspector.store.errors import StoreError
from inspector.store.schema import STEPS

# Kept by the new folder's own schema (its migration history, the full-text index rebuilt from the findings).
_NOT_COPIED_PREFIXES = ("sqlite_", "_sqlite_migrations", "finding_text")
FILE_AREAS = ("photos", "originals", "thumbs", "documents")  # documents: 治理方案 PDFs


class RecoveryError(StoreError):
    """The damaged database cannot be read at all, or the new folder is not empty; nothing was changed."""

    code = "recovery_failed"

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(path=str(path), detail=detail)


@dataclass
class RecoverySummary:
    """What the recovery copied: rows per table, rows lost, photo files, and the newest backup found."""

    target: Path
    method: str  # "vacuum" (the whole file was readable) or "rows" (row by row, skipping unreadable ones)
    copied: dict[str, int] = field(default_factory=dict)
    lost: dict[str, int] = field(default_factory=dict)
    files: int = 0
    last_backup: Path | None = None


def recover(source_root: Path, target_root: Path) -> RecoverySummary:
    """Copy the readable rows of source_root's database and its photo files into the new folder target_root.

    `VACUUM INTO` when SQLite can read the whole file; else every table row by row (by rowid), skipping the rows
    on damaged pages and counting them. The source is opened read-only and never changed.
    """
    source_db = source_root / DB_FILENAME
    if not source_db.is_file():
        raise RecoveryError(source_db, "no database file / 没有数据库文件")
    if target_root.exists() and any(target_root.iterdir()):
        raise RecoveryError(target_root, "the new data folder must be empty / 新数据文件夹必须为空")
    source = sqlite3.connect(f"file:{source_db}?mode=ro", uri=True)
    try:
        version = _version(source, source_db, last_backup(source_root))
        target_root.mkdir(parents=True, exist_ok=True)
        summary = RecoverySummary(target_root, "vacuum")
        if not _vacuum_into(source, target_root / DB_FILENAME):
            summary.method = "rows"
            open_data_folder(target_root, STEPS[:version])
            _copy_rows(source, target_root / DB_FILENAME, summary)
    finally:
        source.close()
    folder = open_data_folder(target_root)
    if summary.method == "vacuum":
        summary.copied = _counts(folder.db_path)
    else:
        db = folder.connect()
        try:
            with db.conn:
                text_index.rebuild(db)
        finally:
            db.close()
    summary.files = _copy_files(source_root, target_root)
    summary.last_backup = last_backup(source_root)
    return summary


def _version(source: sqlite3.Connection, path: Path, backup: Path | None) -> int:
    try:
        version = int(source.execute("PRAGMA user_version").fetchone()[0])
        source.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        where = (
            f"restore the last backup / 请从最近的备份恢复: inspector restore {backup}"
            if backup is not None
            else "no backup found in backups/ / backups/ 中没有备份"
        )
        raise RecoveryError(path, f"its table list cannot be read ({exc}) / 数据库的表结构无法读取; {where}") from exc
    if not 0 < version <= len(STEPS):
        raise RecoveryError(path, f"unknown schema version {version} / 未知的数据库版本")
    return version


def _vacuum_into(source: sqlite3.Connection, target: Path) -> bool:
    """Whether VACUUM INTO wrote a sound copy (it stops at the first unreadable page)."""
    try:
        source.execute("VACUUM INTO ?", (str(target),))
        check = sqlite3.connect(target)
        try:
            if check.execute("PRAGMA integrity_check").fetchall() == [("ok",)]:
                return True
        finally:
            check.close()
    except sqlite3.DatabaseError:
        pass
    target.unlink(missing_ok=True)
    return False


def _tables(source: sqlite3.Connection) -> list[str]:
    rows = source.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rootpage").fetchall()
    return [name for (name,) in rows if not name.startswith(_NOT_COPIED_PREFIXES)]


def _copy_rows(source: sqlite3.Connection, target_path: Path, summary: RecoverySummary) -> None:
    target = sqlite3.connect(target_path)
    try:
        target.execute("PRAGMA foreign_keys = OFF")  # a parent may be lost while its children survive
        for table in _tables(source):
            columns = [row[1] for row in source.execute(f'PRAGMA table_info("{table}")')]
            names = ", ".join(f'"{c}"' for c in columns)
            marks = ", ".join("?" * (len(columns) + 1))
            insert = f'INSERT OR REPLACE INTO "{table}" (rowid, {names}) VALUES ({marks})'
            copied, unreadable = 0, 0
            for row in _readable_rows(source, table, names):
                try:
                    if row is None:
                        raise sqlite3.DatabaseError("unreadable row")
                    target.execute(insert, row)
                    copied += 1
                except sqlite3.DatabaseError:
                    unreadable += 1
            expected = _row_count(source, table)
            summary.copied[table] = copied
            summary.lost[table] = max(expected - copied, 0) if expected is not None else unreadable
        target.commit()
    finally:
        target.close()


def _readable_rows(source: sqlite3.Connection, table: str, names: str) -> list[tuple[object, ...] | None]:
    """Every row that can be read (None for each rowid that cannot): one scan, else one lookup per rowid."""
    try:
        return list(source.execute(f'SELECT rowid, {names} FROM "{table}"').fetchall())
    except sqlite3.DatabaseError:
        pass
    highest = _highest_rowid(source, table)
    rows: list[tuple[object, ...] | None] = []
    for rowid in range(1, highest + 1):
        try:
            row = source.execute(f'SELECT rowid, {names} FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            rows.append(None)
            continue
        if row is not None:
            rows.append(row)
    return rows


def _highest_rowid(source: sqlite3.Connection, table: str) -> int:
    try:
        return int(source.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0] or 0)
    except sqlite3.DatabaseError:
        # The table's own b-tree is unreadable at its right edge: probe past the rows an index still counts.
        return 2 * (_row_count(source, table) or 0) + 1000


def _row_count(source: sqlite3.Connection, table: str) -> int | None:
    """How many rows the table holds, when SQLite can still count them (often through an intact index)."""
    try:
        return int(source.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0])
    except sqlite3.DatabaseError:
        return None


def _counts(path: Path) -> dict[str, int]:
    connection = sqlite3.connect(path)
    try:
        tables = _tables(connection)
        return {table: int(connection.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]) for table in tables}
    finally:
        connection.close()


def _copy_files(source_root: Path, target_root: Path) -> int:
    copied = 0
    for area in FILE_AREAS:
        base = source_root / area
        for path in sorted(base.rglob("*")) if base.is_dir() else []:
            if path.is_file():
                destination = target_root / path.relative_to(source_root)
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, destination)
                copied += 1
    return copied


def last_backup(root: Path) -> Path | None:
    """The last good backup in the data folder's backups/: the newest file (a backup zip, or a copy made before a
    migration) that passes the checks a restore makes. A newer file that fails them is skipped, not offered."""
    base = root / "backups"
    found = [p for p in base.iterdir() if p.is_file() and p.suffix in (".zip", ".db")] if base.is_dir() else []
    for candidate in sorted(found, key=lambda p: p.stat().st_mtime, reverse=True):
        if _backup_is_sound(candidate, root / "tmp"):
            return candidate
    return None


def _backup_is_sound(path: Path, scratch: Path) -> bool:
    from inspector.store.backup import verify_backup  # backup imports this module's neighbours, not this one

    if path.suffix == ".db":  # a plain copy of the database made before a migration
        try:
            connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                return connection.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            finally:
                connection.close()
        except sqlite3.DatabaseError:
            return False
    try:
        verify_backup(path, scratch)
    except StoreError:
        return False
    return True
