"""The local cache of checklist versions (shipped files and those the server publishes), kept as source text."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from inspector.checklist_files import checklist_paths, display_name, load_checklist_file
from inspector.core.checklist import Checklist
from inspector.core.checklist_loader import ChecklistError, parse_checklist
from inspector.core.clock import now_iso
from inspector.store import jsonutil
from inspector.store.database import transaction
from inspector.store.errors import InvalidRecordError, RecordNotFoundError
from inspector.store.files import sha256_bytes


@dataclass(frozen=True)
class CachedChecklist:
    """A cached checklist version's row (without parsing it)."""

    id: str
    version: str
    title: str
    subject_kinds: tuple[str, ...]
    origin: str
    source_sha256: str
    cached_at: str


def cache_text(db: Database, text: str, filename: str, origin: str) -> Checklist:
    """Validate checklist text and keep it. A cached version is never changed once an inspection is pinned to it.

    Raises ChecklistError for invalid text and InvalidRecordError for a changed text of a version in use.
    """
    checklist = parse_checklist(text, filename)
    digest = sha256_bytes(text.encode("utf-8"))
    with transaction(db):
        row = db.execute(
            "SELECT source_sha256 FROM checklists WHERE id = ? AND version = ?", [checklist.id, checklist.version]
        ).fetchone()
        if row is not None and row[0] == digest:
            return checklist
        if row is not None and _is_pinned(db, checklist.id, checklist.version):
            raise InvalidRecordError(
                f"检查表 {checklist.key} 已被检查记录使用，内容不能再更改（请提高版本号）",
                f"checklist {checklist.key} is used by inspections and cannot change (give it a new version)",
            )
        db.execute(
            "INSERT OR REPLACE INTO checklists (id, version, title, subject_kinds, source_format, source_text, "
            "source_sha256, origin, cached_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                checklist.id,
                checklist.version,
                checklist.title,
                jsonutil.dumps(list(checklist.subject_kinds)),
                "json" if filename.endswith(".json") else "yaml",
                text,
                digest,
                origin,
                now_iso(),
            ],
        )
    return checklist


def _is_pinned(db: Database, checklist_id: str, version: str) -> bool:
    row = db.execute(
        "SELECT 1 FROM inspections WHERE checklist_id = ? AND checklist_version = ? LIMIT 1", [checklist_id, version]
    ).fetchone()
    return row is not None


def cache_shipped(db: Database, folder: Path) -> tuple[list[Checklist], list[str]]:
    """Cache every valid checklist file of a folder (the shipped ones); returns them and the problems of the rest."""
    cached: list[Checklist] = []
    problems: list[str] = []
    for path in checklist_paths(folder):
        try:
            load_checklist_file(path)  # size and encoding checks, with file:line messages
            cached.append(cache_text(db, path.read_text(encoding="utf-8-sig"), display_name(path), "shipped"))
        except ChecklistError as exc:
            problems.extend(str(problem) for problem in exc.problems)
        except InvalidRecordError as exc:
            problems.append(f"{display_name(path)}:1: {exc}")
    return cached, problems


def get(db: Database, checklist_id: str, version: str) -> Checklist:
    """The parsed checklist of one cached version (parsed once per distinct text, then reused)."""
    row = db.execute(
        "SELECT source_text, source_sha256 FROM checklists WHERE id = ? AND version = ?", [checklist_id, version]
    ).fetchone()
    if row is None:
        raise RecordNotFoundError("checklist", f"{checklist_id}@{version}")
    return _parse_cached(row[1], row[0], f"{checklist_id}@{version}")


@functools.lru_cache(maxsize=64)
def _parse_cached(digest: str, text: str, name: str) -> Checklist:
    return parse_checklist(text, name)


def _cached(row: dict[str, object]) -> CachedChecklist:
    return CachedChecklist(
        id=str(row["id"]),
        version=str(row["version"]),
        title=str(row["title"]),
        subject_kinds=tuple(jsonutil.loads(str(row["subject_kinds"]), [])),
        origin=str(row["origin"]),
        source_sha256=str(row["source_sha256"]),
        cached_at=str(row["cached_at"]),
    )


def list_cached(db: Database) -> list[CachedChecklist]:
    """Every cached version, by id then most recently cached first."""
    rows = db.query(
        "SELECT id, version, title, subject_kinds, origin, source_sha256, cached_at FROM checklists "
        "ORDER BY id, cached_at DESC, version DESC"
    )
    return [_cached(row) for row in rows]


def latest(db: Database, checklist_id: str) -> Checklist:
    """The most recently cached version of a checklist (what a new inspection uses)."""
    row = db.execute(
        "SELECT version FROM checklists WHERE id = ? ORDER BY cached_at DESC, version DESC LIMIT 1", [checklist_id]
    ).fetchone()
    if row is None:
        raise RecordNotFoundError("checklist", checklist_id)
    return get(db, checklist_id, row[0])


def holds(db: Database, checklist_id: str, version: str, text: str) -> bool:
    """Whether exactly this text of the checklist version is cached already (then it need not be parsed again)."""
    row = db.execute(
        "SELECT source_sha256 FROM checklists WHERE id = ? AND version = ?", [checklist_id, version]
    ).fetchone()
    return row is not None and row[0] == sha256_bytes(text.encode("utf-8"))
