"""Exports from the ledger view through `inspector.reports`: the xlsx ledger of the current selection, and the PDF
整改通知书 / 检查记录 / 责任公示牌 of one finding. Each runs on a worker with its own connection, with progress;
the ledger export can be cancelled (the half-written file is discarded)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget
from sqlite_utils import Database

from inspector.core.clock import parse_iso, utc_now
from inspector.core.errors import UserError
from inspector.core.jurisdiction import parse_code
from inspector.store import findings, inspections, jurisdictions, ledger_queries, photos, subjects
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.ui.ledger.actions import people_names
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.widgets import error_message, on_error
from inspector.ui.shared.workers import FunctionWorker, Worker

PROGRESS_EVERY = 200


class ExportCancelledError(Exception):
    """The user cancelled an export; nothing is written."""


class ExportError(UserError):
    """A report that cannot be written: the report layer's reason, in both languages."""

    code = "export_failed"


def guarded(job: Callable[[Worker], ExportDone]) -> Callable[[Worker], ExportDone | None]:
    """The job, with a cancel ending as None and a report error as an ExportError (shown as it is)."""
    from inspector.reports.errors import ReportError

    def run(worker: Worker) -> ExportDone | None:
        try:
            return job(worker)
        except ExportCancelledError:
            return None
        except ReportError as error:
            raise ExportError(error.zh, error.en) from error

    return run


@dataclass(frozen=True)
class ExportDone:
    """What an export wrote."""

    path: Path
    rows: int = 0
    overdue: int = 0


# --------------------------------------------------------------------------------------------------------------
# Worker side: plain functions over a connection of their own
# --------------------------------------------------------------------------------------------------------------


class Names:
    """Names of 街乡 and subjects, each read once."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.streets: dict[str, str] = {}

    def street(self, jurisdiction: str) -> str:
        code = jurisdiction[:9]
        if code not in self.streets:
            try:
                self.streets[code] = jurisdictions.name_of(self.db, code) or ""
            except ValueError:
                self.streets[code] = ""
        return self.streets[code]

    def issuer(self, jurisdiction: str) -> str:
        """The office issuing a notice: the 区 and 街乡 names, e.g. 朝阳区三里屯街道办事处."""
        district = jurisdictions.name_of(self.db, parse_code(jurisdiction).district) or ""
        street = self.street(jurisdiction)
        return f"{district}{street}" + ("办事处" if street.endswith("街道") else "")


def ledger_rows(db: Database, query: LedgerQuery, order: LedgerSort, worker: Worker | None = None) -> Iterator[Any]:
    """The selection as report LedgerRows, streamed from the database (progress every PROGRESS_EVERY rows)."""
    from inspector.reports.ledger_xlsx import LedgerRow, ledger_row

    names = Names(db)
    people = people_names(db)
    total = ledger_queries.count(db, query)
    for number, (row, events) in enumerate(ledger_queries.iter_with_events(db, query, order), start=1):
        if worker is not None and worker.cancelled:
            raise ExportCancelledError
        view = row.finding.view
        street = names.street(view.jurisdiction)
        try:
            yield ledger_row(events, people, street=street, subject_name=row.subject_name)
        except (ValueError, IndexError):  # no complete history here (projection only): the row from the view
            yield LedgerRow(finding=view, street=street, location=row.subject_name,
                            reporter=people.get(view.reported_by, view.reported_by))  # fmt: skip
        if worker is not None and (number % PROGRESS_EVERY == 0 or number == total):
            worker.signals.progress.emit(number, total, "")


def export_ledger(folder: DataFolder, query: LedgerQuery, order: LedgerSort, target: Path, scope: str,
                  worker: Worker | None = None) -> ExportDone:  # fmt: skip
    """Write the selection as the 隐患排查治理台账 workbook."""
    from inspector.reports.ledger_xlsx import export_ledger_xlsx

    db = folder.connect()
    try:
        result = export_ledger_xlsx(ledger_rows(db, query, order, worker), target, now=utc_now(), scope=scope)
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


# --------------------------------------------------------------------------------------------------------------
# GUI side: choose a file, run the worker with a progress dialog, say how it went
# --------------------------------------------------------------------------------------------------------------


class ExportRunner(QObject):
    """Runs one export at a time for a page; `done` carries the ExportDone, `failed` the message."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page = parent
        self.worker: FunctionWorker | None = None
        self.progress: QProgressDialog | None = None
        self.last_message = ""
        self.message_box: QMessageBox | None = None

    def choose_target(self, suggested: str, file_filter: str) -> Path | None:
        name, _chosen = QFileDialog.getSaveFileName(self.page, self.tr("导出到"), str(Path.home() / suggested),
                                                    file_filter)  # fmt: skip
        return Path(name) if name else None

    def start(self, job: Callable[[Worker], ExportDone], title: str) -> FunctionWorker | None:
        """Run job(worker) in the background with a progress dialog (the cancel button cancels the worker)."""
        if self.worker is not None:
            return None
        worker = FunctionWorker(guarded(job))
        self.worker = worker
        progress = QProgressDialog(title, self.tr("取消"), 0, 0, self.page)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.canceled.connect(worker.cancel)
        self.progress = progress
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        self.ctx.run(worker)
        return worker

    def _on_progress(self, done: int, total: int, _what: str) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None
        self.worker = None

    def _on_finished(self, result: Any) -> None:
        self._close_progress()
        if isinstance(result, ExportDone):
            self.last_message = self.tr("已导出：%1").replace("%1", str(result.path))
            self.done.emit(result)
        else:
            self.last_message = self.tr("导出已取消。")

    def _on_failed(self, error: BaseException) -> None:
        self._close_progress()
        self.last_message = error_message(error)
        self.failed.emit(self.last_message)
        self.message_box = on_error(self.page, error, self.tr("导出失败"))
