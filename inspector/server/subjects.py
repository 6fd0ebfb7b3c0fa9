"""Subjects (检查对象): their JSON form, optimistic updates, and import from CSV/XLSX with per-row errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.core.jurisdiction import parse_code
from inspector.core.protocol import FeedKind
from inspector.server import feed
from inspector.server.encoding import dumps, loads
from inspector.server.jurisdictions import ImportReport, known_codes, read_rows
from inspector.server.models import Subject
from inspector.server.schemas import SubjectCreateIn, SubjectFieldsIn, describe_validation_error

BASE_COLUMNS = {"id", "kind", "name", "code", "jurisdiction", "address", "lat", "lon", "active"}


def subject_document(row: Subject) -> dict[str, Any]:
    """A subject as the API, push replies and the feed carry it."""
    return {
        "id": row.id,
        "kind": row.kind,
        "name": row.name,
        "code": row.code,
        "jurisdiction": row.jurisdiction,
        "address": row.address,
        "location": loads(row.location),
        "details": loads(row.details) or {},
        "active": row.active,
        "version": row.version,
        "created_by": row.created_by,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def new_subject(data: SubjectCreateIn, created_by: str | None) -> Subject:
    """A version-1 subject row from a validated create request."""
    stamp = now_iso()
    return Subject(
        id=data.subject_id,
        kind=data.kind,
        name=data.name,
        code=data.code,
        jurisdiction=parse_code(data.jurisdiction).full,
        address=data.address,
        location=dumps(data.location.model_dump(exclude_none=True)) if data.location else None,
        details=dumps(data.details),
        active=True,
        version=1,
        created_by=created_by,
        created_at=stamp,
        updated_at=stamp,
    )


def apply_fields(row: Subject, fields: SubjectFieldsIn) -> None:
    """Apply the given fields of an update and move to the next version."""
    given = fields.model_dump(exclude_unset=True)
    for name, value in given.items():
        if name == "location":
            row.location = dumps(value) if value is not None else None
        elif name == "details":
            row.details = dumps(value or {})
        elif name == "jurisdiction":
            row.jurisdiction = parse_code(value).full
        elif name in ("name", "active") and value is None:
            continue
        else:
            setattr(row, name, value)
    row.version += 1
    row.updated_at = now_iso()


def code_owner(session: Session, code: str | None, except_id: str | None = None) -> Subject | None:
    """The subject that already uses this QR code, if any (other than except_id)."""
    if not code:
        return None
    owner = session.scalar(select(Subject).where(Subject.code == code))
    return owner if owner is not None and owner.id != except_id else None


# ---------------------------------------------------------------------------------------------------------------
# Import
# ---------------------------------------------------------------------------------------------------------------


def _create_request(raw: dict[str, str], subject_id: str) -> SubjectCreateIn:
    details = {key: value for key, value in raw.items() if key not in BASE_COLUMNS and value != ""}
    location = None
    if raw.get("lat") or raw.get("lon"):
        location = {"lat": float(raw.get("lat") or "nan"), "lon": float(raw.get("lon") or "nan")}
    return SubjectCreateIn.model_validate(
        {
            "subject_id": subject_id,
            "kind": raw.get("kind", ""),
            "name": raw.get("name", ""),
            "jurisdiction": raw.get("jurisdiction", ""),
            "code": raw.get("code") or None,
            "address": raw.get("address") or None,
            "location": location,
            "details": details,
        }
    )


def import_subjects(session: Session, rows: list[dict[str, str]]) -> ImportReport:
    """Add subjects, or update the one with the same id or code; each bad row is reported and skipped."""
    report = ImportReport()
    jurisdictions = known_codes(session, {_full(raw.get("jurisdiction", "")) for raw in rows} - {""})
    for number, raw in enumerate(rows, start=2):
        try:
            _import_row(session, raw, jurisdictions, report)
        except (ValidationError, ValueError) as error:
            message = describe_validation_error(error) if isinstance(error, ValidationError) else str(error)
            report.errors.append(f"row {number}: {message}")
    return report


def _full(text: str) -> str:
    try:
        return parse_code(text).full
    except ValueError:
        return ""


def _import_row(session: Session, raw: dict[str, str], jurisdictions: dict[str, Any], report: ImportReport) -> None:
    existing = session.get(Subject, raw["id"]) if raw.get("id") else None
    existing = existing or code_owner(session, raw.get("code"))
    request = _create_request(raw, existing.id if existing else (raw.get("id") or new_id()))
    if parse_code(request.jurisdiction).full not in jurisdictions:
        raise ValueError(f"jurisdiction {request.jurisdiction} is not in the jurisdiction tree (import it first)")
    if code_owner(session, request.code, except_id=request.subject_id) is not None:
        raise ValueError(f"code {request.code} already belongs to another subject")
    if existing is None:
        row = new_subject(request, None)
        session.add(row)
        session.flush()
        report.added += 1
    else:
        fields = SubjectFieldsIn.model_validate(
            request.model_dump(include={"name", "code", "address", "location", "details", "jurisdiction"})
        )
        before = subject_document(existing)
        apply_fields(existing, fields)
        if {k: v for k, v in subject_document(existing).items() if k not in ("version", "updated_at")} == {
            k: v for k, v in before.items() if k not in ("version", "updated_at")
        }:
            existing.version, existing.updated_at = before["version"], before["updated_at"]
            report.unchanged += 1
            return
        row = existing
        report.changed += 1
    feed.stage(session, FeedKind.SUBJECT, row.id, row.jurisdiction, subject_document(row))


def import_file(session: Session, path: Path) -> ImportReport:
    """Import a CSV/XLSX subject file; unreadable files raise ValueError with the reason."""
    return import_subjects(session, read_rows(path))
