"""Published checklists: the shipped YAML files, stored byte for byte per (id, version), parsed on demand."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.checklist_files import checklist_paths, load_checklist_file
from inspector.core.checklist import Checklist
from inspector.core.checklist_loader import ChecklistError, parse_checklist
from inspector.core.clock import now_iso
from inspector.core.protocol import FeedKind
from inspector.paths import shipped_checklists_dir
from inspector.server import feed
from inspector.server.models import ChecklistVersion


@dataclass
class PublishReport:
    """What publishing a folder did."""

    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def checklist_summary(row: ChecklistVersion) -> dict[str, Any]:
    """A checklist version as the list endpoint shows it."""
    return {
        "id": row.id,
        "version": row.version,
        "title": row.title,
        "sha256": row.sha256,
        "published_at": row.published_at,
    }


def checklist_document(row: ChecklistVersion) -> dict[str, Any]:
    """A checklist version with its file text (the feed and the detail endpoint)."""
    return {**checklist_summary(row), "yaml": row.yaml}


def publish_folder(session: Session, folder: Path | None = None) -> PublishReport:
    """Store every valid checklist file of the folder not yet published; a published version never changes."""
    report = PublishReport()
    folder = folder or shipped_checklists_dir()
    if not folder.is_dir():
        report.problems.append(f"{folder}: the checklist folder does not exist")
        return report
    for path in checklist_paths(folder):
        try:
            checklist = load_checklist_file(path)
        except ChecklistError as error:
            report.problems.extend(str(problem) for problem in error.problems)
            continue
        text = path.read_text(encoding="utf-8-sig")
        _publish_one(session, checklist, text, path, report)
    return report


def _publish_one(session: Session, checklist: Checklist, text: str, path: Path, report: PublishReport) -> None:
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    existing = session.get(ChecklistVersion, (checklist.id, checklist.version))
    if existing is not None:
        if existing.sha256 != digest:
            report.problems.append(
                f"{path.name}: {checklist.key} is already published with different content; "
                "give the changed file a new version"
            )
        else:
            report.unchanged.append(checklist.key)
        return
    row = ChecklistVersion(
        id=checklist.id,
        version=checklist.version,
        title=checklist.title,
        sha256=digest,
        yaml=text,
        published_at=now_iso(),
    )
    session.add(row)
    feed.stage(session, FeedKind.CHECKLIST, checklist.key, None, checklist_document(row))
    report.published.append(checklist.key)


def list_versions(session: Session) -> list[ChecklistVersion]:
    """Every published version, by id then version."""
    return list(session.scalars(select(ChecklistVersion).order_by(ChecklistVersion.id, ChecklistVersion.version)))


@lru_cache(maxsize=64)
def _parse_cached(key: str, sha256: str, text: str) -> Checklist:
    return parse_checklist(text, key)


def load_checklist(session: Session, checklist_id: str, version: str) -> Checklist | None:
    """The parsed checklist of a published version, or None when that version was never published."""
    row = session.get(ChecklistVersion, (checklist_id, version))
    if row is None:
        return None
    return _parse_cached(f"{row.id}@{row.version}", row.sha256, row.yaml)
