"""Backup and restore of a whole data folder as one zip: a consistent database copy, the photos, and a manifest."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from inspector import __version__
from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.store import photos, settings
from inspector.store.database import (
    DB_FILENAME,
    SYNC_LOCK_FILENAME,
    DataFolder,
    check_integrity,
    copy_database,
    open_data_folder,
)
from inspector.store.errors import NewerDatabaseError, StoreError
from inspector.store.schema import STEPS

BACKUP_FORMAT = "inspector-backup"
BACKUP_FORMAT_VERSION = 1
MANIFEST_NAME = "manifest.json"
FILE_AREAS = ("photos", "originals", "thumbs", "documents")  # documents: 治理方案 PDFs
COUNTED_TABLES = (
    "subjects",
    "inspections",
    "responses",
    "findings",
    "finding_events",
    "photos",
    "photo_links",
    "outbox",
    "conflicts",
    "checklists",
    "jurisdictions",
)
_CHUNK = 1024 * 1024


class BackupError(StoreError):
    """A backup file that cannot be restored (damaged, not a backup, incomplete); nothing was changed."""

    code = "backup_damaged"

    def __init__(self, archive: Path, zh: str, en: str) -> None:
        super().__init__(archive=archive.name, detail_zh=zh, detail_en=en)


class RestoreTargetNotEmptyError(StoreError):
    """Restoring would replace data that is already there; the user must say so (--force)."""

    code = "target_not_empty"

    def __init__(self, target: Path) -> None:
        super().__init__(target=target)


@dataclass(frozen=True)
class BackupSummary:
    """What a backup holds."""

    path: Path
    schema_version: int
    counts: dict[str, int]
    files: int
    bytes: int
    missing_photos: tuple[str, ...] = ()  # photos the database names whose files were not in the data folder


# --------------------------------------------------------------------------------------------------------------
# Backup
# --------------------------------------------------------------------------------------------------------------


def create_backup(folder: DataFolder, out: Path) -> BackupSummary:
    """Write one zip: the database (SQLite backup API, consistent while the app writes), every photo file, and a
    manifest with versions, counts and a SHA-256 per file. The zip appears under its name only when complete."""
    out = out.expanduser().resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    snapshot = folder.tmp_dir / f"backup-{new_id()}.db"
    partial = out.with_name(out.name + ".part")
    db = folder.connect()
    try:
        # A damaged database would be kept as if it were good and then refused at restore: refuse it here.
        check_integrity(db, folder.db_path)
        copy_database(db, snapshot)
        device = settings.device_id(db)
    finally:
        db.close()
    try:
        version, counts = _describe_database(snapshot)
        missing = _missing_photo_files(folder, snapshot)
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
            entries = [_add_file(archive, snapshot, DB_FILENAME, zipfile.ZIP_DEFLATED)]
            # Photos are immutable and written before their rows: every photo the snapshot names is on disk now.
            entries += [_add_file(archive, path, name, zipfile.ZIP_STORED) for path, name in _area_files(folder)]
            manifest = {
                "format": BACKUP_FORMAT,
                "format_version": BACKUP_FORMAT_VERSION,
                "app_version": __version__,
                "schema_version": version,
                "created_at": now_iso(),
                "device_id": device,
                "counts": counts,
                "missing_photos": list(missing),
                "files": entries,
            }
            archive.writestr(MANIFEST_NAME, json.dumps(manifest, ensure_ascii=False, indent=1), zipfile.ZIP_DEFLATED)
        os.replace(partial, out)
    finally:
        snapshot.unlink(missing_ok=True)
        partial.unlink(missing_ok=True)
    return BackupSummary(out, version, counts, len(entries), out.stat().st_size, missing)


def _missing_photo_files(folder: DataFolder, snapshot: Path) -> tuple[str, ...]:
    """The photos the snapshot names whose stored file is not in the data folder (they cannot be backed up)."""
    connection = sqlite3.connect(snapshot)
    try:
        hashes = [row[0] for row in connection.execute("SELECT sha256 FROM photos ORDER BY sha256")]
    finally:
        connection.close()
    return tuple(sha for sha in hashes if not folder.photo_path(sha).is_file())


def _describe_database(path: Path) -> tuple[int, dict[str, int]]:
    connection = sqlite3.connect(path)
    try:
        version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        counts = {
            table: int(connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]) for table in COUNTED_TABLES
        }
    finally:
        connection.close()
    return version, counts


def _area_files(folder: DataFolder) -> Iterator[tuple[Path, str]]:
    for area in FILE_AREAS:
        base = folder.root / area
        for path in sorted(base.rglob("*")):
            if path.is_file():
                yield path, path.relative_to(folder.root).as_posix()


def _add_file(archive: zipfile.ZipFile, path: Path, name: str, compression: int) -> dict[str, Any]:
    """Copy a file into the zip while hashing it (each file is read once)."""
    digest = hashlib.sha256()
    size = 0
    info = zipfile.ZipInfo.from_file(path, name)
    info.compress_type = compression
    with path.open("rb") as source, archive.open(info, "w", force_zip64=True) as target:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            target.write(chunk)
            size += len(chunk)
    return {"path": name, "sha256": digest.hexdigest(), "bytes": size}


# --------------------------------------------------------------------------------------------------------------
# Restore
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RestoreSummary:
    """What was restored, and where the replaced data went (with --force)."""

    target: Path
    schema_version: int
    counts: dict[str, int]
    files: int
    replaced_into: Path | None
    missing_photos: tuple[str, ...] = ()  # photos the restored database names that the backup did not hold


def read_manifest(archive_path: Path) -> dict[str, Any]:
    """The manifest of a backup file, checked for format and version; BackupError when it is not a usable backup."""
    try:
        with zipfile.ZipFile(archive_path) as archive:
            return _manifest(archive, archive_path)
    except FileNotFoundError as exc:
        raise BackupError(archive_path, "文件不存在", "the file does not exist") from exc
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(archive_path, f"不是完整的 zip 文件（{exc}）", f"not a complete zip file ({exc})") from exc


def _manifest(archive: zipfile.ZipFile, archive_path: Path) -> dict[str, Any]:
    try:
        manifest = json.loads(archive.read(MANIFEST_NAME).decode("utf-8"))
    except KeyError as exc:
        raise BackupError(
            archive_path, "缺少 manifest.json，不是巡查备份", "no manifest.json: not an Inspector backup"
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise BackupError(archive_path, "manifest.json 已损坏", f"manifest.json is damaged ({exc})") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != BACKUP_FORMAT:
        raise BackupError(archive_path, "不是巡查备份文件", "not an Inspector backup")
    if not isinstance(manifest.get("format_version"), int) or manifest["format_version"] > BACKUP_FORMAT_VERSION:
        raise BackupError(
            archive_path,
            "由更新版本的程序生成，请先升级巡查程序",
            "written by a newer Inspector; install the latest version first",
        )
    if not isinstance(manifest.get("files"), list) or not isinstance(manifest.get("schema_version"), int):
        raise BackupError(archive_path, "manifest.json 内容不完整", "manifest.json is incomplete")
    if manifest["schema_version"] > len(STEPS):
        raise NewerDatabaseError(manifest["schema_version"], len(STEPS), f"{archive_path.name}:{DB_FILENAME}")
    return manifest


def restore_backup(archive_path: Path, target: Path, force: bool = False) -> RestoreSummary:
    """Restore a backup into a data folder: every file is checked against the manifest's SHA-256 and the database
    against SQLite's integrity check before anything is put in place.

    An existing folder with data is refused unless force is given; then its data is moved into a `replaced-…`
    folder inside it (never deleted).
    """
    archive_path = archive_path.expanduser().resolve()
    target = target.expanduser().resolve()
    manifest = read_manifest(archive_path)
    if _holds_data(target) and not force:
        raise RestoreTargetNotEmptyError(target)
    staging = target / "tmp" / f"restore-{new_id()}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        files = _extract_verified(archive_path, manifest, staging)
        _check_database(archive_path, staging / DB_FILENAME)
        replaced = _move_aside(target) if _holds_data(target) else None
        _clear_empty_layout(target)
        for name in (DB_FILENAME, *FILE_AREAS):
            if (staging / name).exists():
                os.replace(staging / name, target / name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    folder = open_data_folder(target)
    missing = _check_photos_present(archive_path, folder, manifest)
    return RestoreSummary(
        target, manifest["schema_version"], dict(manifest.get("counts", {})), files, replaced, missing
    )


def verify_backup(archive_path: Path, scratch: Path) -> None:
    """Check a backup as a restore would, without restoring it: its manifest, every file against its SHA-256, the
    database against SQLite's integrity check. Extracted into a folder under `scratch`, removed again. Raises
    BackupError (or NewerDatabaseError) when the backup could not be restored."""
    manifest = read_manifest(archive_path)
    staging = scratch / f"verify-{new_id()}"
    staging.mkdir(parents=True, exist_ok=True)
    try:
        _extract_verified(archive_path, manifest, staging)
        _check_database(archive_path, staging / DB_FILENAME)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _holds_data(target: Path) -> bool:
    """Whether the folder has anything a restore would replace: files other than an untouched new database."""
    if not target.is_dir():
        return False
    for path in target.rglob("*"):
        if not path.is_file() or path.is_relative_to(target / "tmp") or path.is_relative_to(target / "logs"):
            continue
        if path.parent == target and path.name == SYNC_LOCK_FILENAME:
            continue
        if path.parent == target and path.name.startswith(DB_FILENAME):
            if path.name == DB_FILENAME and _database_has_records(path):
                return True
            continue
        return True
    return False


def _database_has_records(path: Path) -> bool:
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            counted = [table for table in COUNTED_TABLES if table in tables and table != "checklists"]
            return any(connection.execute(f"SELECT 1 FROM {table} LIMIT 1").fetchone() for table in counted)
        finally:
            connection.close()
    except sqlite3.DatabaseError:
        return True  # unreadable: treat as data, never overwrite it silently


def _safe_member(name: Any) -> bool:
    if not isinstance(name, str):
        return False
    parts = PurePosixPath(name).parts
    if not parts or name.startswith("/") or ".." in parts or "\\" in name:
        return False
    return name == DB_FILENAME or (parts[0] in FILE_AREAS and len(parts) >= 2)


def _extract_verified(archive_path: Path, manifest: dict[str, Any], staging: Path) -> int:
    entries = manifest["files"]
    names = [entry.get("path") if isinstance(entry, dict) else None for entry in entries]
    if DB_FILENAME not in names:
        raise BackupError(archive_path, "备份中没有数据库", "the backup holds no database")
    try:
        with zipfile.ZipFile(archive_path) as archive:
            for entry in entries:
                _extract_one(archive, archive_path, entry, staging)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise BackupError(archive_path, f"文件已损坏（{exc}）", f"the file is damaged ({exc})") from exc
    return len(entries)


def _extract_one(archive: zipfile.ZipFile, archive_path: Path, entry: Any, staging: Path) -> None:
    name = entry.get("path") if isinstance(entry, dict) else None
    if not isinstance(name, str) or not _safe_member(name) or not isinstance(entry.get("sha256"), str):
        raise BackupError(
            archive_path, f"清单中有不合规的条目 {name!r}", f"the manifest lists an invalid entry {name!r}"
        )
    target = staging / name
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    try:
        with archive.open(name) as source, target.open("wb") as out:
            while chunk := source.read(_CHUNK):
                digest.update(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
    except KeyError as exc:
        raise BackupError(archive_path, f"缺少文件 {name}", f"{name} is missing") from exc
    if digest.hexdigest() != entry["sha256"]:
        raise BackupError(archive_path, f"文件 {name} 的校验值不符", f"{name} does not match its SHA-256")
    if name.startswith("photos/") and PurePosixPath(name).stem != entry["sha256"]:
        raise BackupError(archive_path, f"照片 {name} 的内容与文件名不符", f"photo {name} does not match its name")


def _check_database(archive_path: Path, path: Path) -> None:
    try:
        connection = sqlite3.connect(path)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(archive_path, f"数据库已损坏（{exc}）", f"the database is damaged ({exc})") from exc
    if result != [("ok",)]:
        raise BackupError(
            archive_path, "数据库完整性检查未通过", f"the database fails its integrity check: {result[:3]}"
        )


def _move_aside(target: Path) -> Path:
    """Move the current data into target/replaced-<time>/ (kept, not deleted)."""
    aside = target / f"replaced-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{new_id()[-6:]}"
    aside.mkdir()
    for path in sorted(target.iterdir()):
        if path.name.startswith(DB_FILENAME) or path.name in FILE_AREAS:
            os.replace(path, aside / path.name)
    return aside


def _clear_empty_layout(target: Path) -> None:
    """Remove an untouched new database and empty area folders so the restored ones can take their place."""
    for path in target.iterdir():
        if path.is_file() and path.name.startswith(DB_FILENAME):
            path.unlink()
        elif path.name in FILE_AREAS and path.is_dir():
            shutil.rmtree(path)


def _check_photos_present(archive_path: Path, folder: DataFolder, manifest: dict[str, Any]) -> tuple[str, ...]:
    """The photos missing after a restore: every file the manifest lists was verified on extraction, so a missing
    one was already gone from the data folder when the backup was written. They are listed and the rest restored;
    a photo whose content does not match means a damaged backup."""
    db = folder.connect()
    try:
        problems = photos.check_photo_files(folder, db)
    finally:
        db.close()
    listed = {entry.get("path") for entry in manifest["files"] if isinstance(entry, dict)}
    missing = tuple(
        p.sha256
        for p in problems
        if p.problem == "missing" and folder.photo_path(p.sha256).relative_to(folder.root).as_posix() not in listed
    )
    problems = [p for p in problems if p.sha256 not in missing]
    if not problems:
        return missing
    raise BackupError(
        archive_path,
        f"恢复后有 {len(problems)} 张照片缺失或损坏",
        f"{len(problems)} photo(s) are missing or damaged after the restore (e.g. {problems[0].sha256})",
    )
