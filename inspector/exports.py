"""Exports of this laptop's data: the xlsx ledger of a selection and the PDF 整改通知书 / 检查记录 / 责任公示牌 of one
finding, read through `inspector.store` and written through `inspector.reports` (the server builds its own from its
database in server/ledger_export.py). Plain functions over a connection of their own, run on a worker; no Qt."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from inspector.core.clock import parse_iso, utc_now
from inspector.core.jurisdiction import parse_code, street_of
from inspector.store import findings, inspections, jurisdictions, ledger_queries, photos, profile, settings, subjects
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.store.ledger_queries import LedgerQuery, LedgerSort

if TYPE_CHECKING:
    from sqlite_utils import Database

PROGRESS_EVERY = 200


class ExportCancelledError(Exception):
    """The user cancelled an export; nothing is written."""


class Progress(Protocol):
    """Where a long export reports how far it is, and learns that it should stop."""

    def advanced(self, done: int, total: int) -> None: ...

    def cancelled(self) -> bool: ...


@dataclass(frozen=True)
class ExportDone:
    """What an export wrote."""

    path: Path
    rows: int = 0
    overdue: int = 0


def people_names(db: Database) -> dict[str, str]:
    """Display names of user ids this laptop knows (the signed-in user's own)."""
    name = settings.get(db, profile.DISPLAY_NAME)
    return {profile.user_id(db): name} if name else {}


class Names:
    """Names of 街乡 and subjects, each read once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.streets: dict[str, str] | None = None

    def street(self, jurisdiction: str) -> str:
        if self.streets is None:
            self.streets = jurisdictions.street_names(self.db)
        return self.streets.get(street_of(jurisdiction), "")

    def issuer(self, jurisdiction: str) -> str:
        """The office issuing a notice: the 区 and 街乡 names, e.g. 朝阳区三里屯街道办事处."""
        district = jurisdictions.name_of(self.db, parse_code(jurisdiction).district) or ""
        street = self.street(jurisdiction)
        return f"{district}{street}" + ("办事处" if street.endswith("街道") else "")


def ledger_rows(db: Database, query: LedgerQuery, order: LedgerSort, progress: Progress | None = None) -> Iterator[Any]:
    """The selection as report LedgerRows, streamed from the database (progress every PROGRESS_EVERY rows)."""
    from inspector.reports.ledger_xlsx import LedgerRow, ledger_row

    names = Names(db)
    people = people_names(db)
    total = ledger_queries.count(db, query)
    for number, (row, events) in enumerate(ledger_queries.iter_with_events(db, query, order), start=1):
        if progress is not None and progress.cancelled():
            raise ExportCancelledError
        view = row.finding.view
        street = names.street(view.jurisdiction)
        try:
            yield ledger_row(events, people, street=street, subject_name=row.subject_name, default_kind=view.kind)
        except (ValueError, IndexError):  # no complete history here (projection only): the row from the view
            yield LedgerRow(finding=view, street=street, location=row.subject_name,
                            reporter=people.get(view.reported_by, view.reported_by))  # fmt: skip
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == total):
            progress.advanced(number, total)


def export_ledger(folder: DataFolder, query: LedgerQuery, order: LedgerSort, target: Path, scope: str,
                  progress: Progress | None = None) -> ExportDone:  # fmt: skip
    """Write the selection as the 隐患排查治理台账 workbook (cancelled through progress: nothing is written)."""
    from inspector.reports.ledger_xlsx import export_ledger_xlsx

    db = folder.connect()
    try:
        result = export_ledger_xlsx(ledger_rows(db, query, order, progress), target, now=utc_now(), scope=scope)
    finally:
        db.close()
    return ExportDone(target, result.rows, result.overdue)


def _photo_refs(folder: DataFolder, found: list[photos.Photo], caption: str = "") -> list[Any]:
    from inspector.reports.pdf_common import PhotoRef

    return [PhotoRef(folder.photo_path(photo.sha256), caption) for photo in found]


def _place(db: Database, finding: LocalFinding) -> str:
    if not finding.view.subject_id:
        return ""
    try:
        subject = subjects.get(db, finding.view.subject_id)
    except StoreError:
        return ""
    return subject.name + (f"（{subject.address}）" if subject.address else "")


def export_notice(folder: DataFolder, finding_id: str, target: Path) -> ExportDone:
    """The 整改通知书 of an assigned finding."""
    from inspector.reports.pdf_notice import NoticeDocument, rectification_notice_pdf

    db = folder.connect()
    try:
        finding = findings.get(db, finding_id)
        names = Names(db)
        people = people_names(db)
        document = NoticeDocument(
            finding=finding.view,
            issuer=names.issuer(finding.view.jurisdiction),
            location=_place(db, finding),
            street_name=names.street(finding.view.jurisdiction),
            inspectors=[people.get(finding.view.reported_by, finding.view.reported_by)],
            photos=_photo_refs(folder, photos.photos_of(db, "finding", finding_id, "evidence"), "整改前"),
        )
        rectification_notice_pdf(document, target)
    finally:
        db.close()
    return ExportDone(target)


def export_inspection(folder: DataFolder, inspection_id: str, target: Path) -> ExportDone:
    """The 检查记录 of the inspection a finding came from."""
    from inspector.reports.pdf_common import PhotoRef
    from inspector.reports.pdf_inspection import InspectionDocument, ItemAnswer, inspection_record_pdf

    db = folder.connect()
    try:
        inspection = inspections.get(db, inspection_id)
        subject = subjects.get(db, inspection.subject_id)
        answers = {
            item: ItemAnswer(stored.result, stored.value, stored.occurrences, stored.note)
            for item, stored in inspections.responses(db, inspection_id).items()
        }
        refs = [
            PhotoRef(folder.photo_path(photo.sha256), "", item_id or None)
            for item_id, found in inspections.item_photos(db, inspection_id).items()
            for photo in found
        ]
        people = people_names(db)
        document = InspectionDocument(
            checklist=inspections.checklist_of(db, inspection),
            answers=answers,
            subject_name=subject.name,
            started_at=parse_iso(inspection.started_at),
            finished_at=parse_iso(inspection.finished_at) if inspection.finished_at else None,
            subject_kind=subject.kind,
            subject_address=subject.address or "",
            subject_code=subject.code or "",
            jurisdiction_name=jurisdictions.name_of(db, subject.jurisdiction) or subject.jurisdiction,
            inspectors=[people.get(inspection.inspector_id, inspection.inspector_id)],
            notes=inspection.notes,
            inspection_id=inspection.id,
            photos=refs,
        )
        inspection_record_pdf(document, target)
    finally:
        db.close()
    return ExportDone(target)


def export_signboard(folder: DataFolder, subject_id: str, target: Path) -> ExportDone:
    """The 门前三包责任公示牌 of a street-front unit."""
    from inspector.reports.pdf_signboard import SignboardDocument, signboard_pdf

    db = folder.connect()
    try:
        subject = subjects.get(db, subject_id)
        document = SignboardDocument(
            unit_name=subject.name,
            unit_code=subject.code or subject.id,
            responsible_person=subject.responsible_person or "",
            street_name=Names(db).street(subject.jurisdiction),
            responsible_phone=subject.phone or "",
            address=subject.address or "",
            zone=str(subject.extra.get("zone") or ""),
        )
        signboard_pdf(document, target)
    finally:
        db.close()
    return ExportDone(target)
