"""Exports of this laptop's data: the xlsx ledger of a selection and the PDF 整改通知书 / 检查记录 / 责任公示牌 of one
finding, read through `inspector.store` and written through `inspector.reports` (the server builds its own from its
database in server/ledger_export.py). Plain functions over a connection of their own, run on a worker; no Qt."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from inspector.core.clock import parse_iso, utc_now
from inspector.core.jurisdiction import parse_code, street_of
from inspector.store import (
    findings,
    inspections,
    jurisdictions,
    ledger_queries,
    people,
    photos,
    places,
    profile,
    subjects,
    unit_links,
)
from inspector.store.database import DataFolder
from inspector.store.errors import StoreError
from inspector.store.findings import LocalFinding
from inspector.store.ledger_queries import LedgerQuery, LedgerSort

if TYPE_CHECKING:
    from sqlite_utils import Database

    from inspector.core.checklist import Checklist

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
    """Display names of the user ids this laptop knows (the name directory, the signed-in user, this device)."""
    return people.display_names(db)


def record_number(record_id: str, started: str | None = None) -> str:
    """A record's number as people read it: the Beijing date and the id's last eight hex digits, upper case
    (20261121-3F9A2C1B); never the 32-digit id itself."""
    tail = record_id.replace("-", "")[-8:].upper()
    if started:
        try:
            from inspector.core.clock import local_date

            return f"{local_date(parse_iso(started)):%Y%m%d}-{tail}"
        except ValueError:
            pass
    return tail


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


class Bases:
    """The checklist item each inspection finding came from (检查依据): the item's own list (a "1+10" visit has
    several), the lists read once per inspection."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.checklists: dict[str, list[Checklist]] = {}

    def of(self, inspection_id: str | None, item_id: str | None) -> Any:
        from inspector.reports.ledger_xlsx import Basis

        if not inspection_id or not item_id:
            return None
        if inspection_id not in self.checklists:
            try:
                inspection = inspections.get(self.db, inspection_id)
                self.checklists[inspection_id] = inspections.checklists_of(self.db, inspection)
            except StoreError:
                self.checklists[inspection_id] = []
        pinned = self.checklists[inspection_id]
        if not pinned:
            return Basis(item_id)
        try:
            checklist = inspections.list_of_item(pinned, item_id)
        except StoreError:
            return Basis(item_id, "", pinned[0].title, pinned[0].group or "")
        return Basis(item_id, checklist.item(item_id).text, checklist.title, checklist.group or "")


def ledger_heading(db: Database, scope: str) -> Any:
    """The ledger's title block: the signed-in user's unit (the office of their area) and name as 制表人."""
    from inspector.reports.ledger_xlsx import LedgerHeading

    areas = sorted(profile.user_jurisdictions(db))
    unit = ""
    if areas:
        try:
            unit = Names(db).issuer(areas[0]) or (jurisdictions.name_of(db, areas[0]) or "")
        except ValueError:
            unit = ""
    maker = people.local_name(db)
    return LedgerHeading(unit=unit, maker="" if maker == people.LOCAL_USER_ZH else maker, scope=scope)


def ledger_rows(db: Database, query: LedgerQuery, order: LedgerSort, progress: Progress | None = None) -> Iterator[Any]:
    """The selection as report LedgerRows, streamed from the database (progress every PROGRESS_EVERY rows)."""
    from inspector.reports.ledger_xlsx import LedgerRow, kind_of, ledger_row, person

    names = Names(db)
    directory = people_names(db)
    bases = Bases(db)
    addresses: dict[str, str] = {}
    total = ledger_queries.count(db, query)
    for number, (row, events) in enumerate(ledger_queries.iter_with_events(db, query, order), start=1):
        if progress is not None and progress.cancelled():
            raise ExportCancelledError
        view = row.finding.view
        street = names.street(view.jurisdiction)
        basis = bases.of(row.finding.inspection_id, row.finding.item_id)
        address = _address(db, view.subject_id, addresses)
        try:
            yield ledger_row(events, directory, street=street, subject_name=row.subject_name, subject_address=address,
                             basis=basis, default_kind=view.kind)  # fmt: skip
        except (ValueError, IndexError):  # no complete history here (projection only): the row from the view
            yield LedgerRow(finding=view, kind=kind_of(view, {}, basis), street=street,
                            subject=row.subject_name, location=address, basis=basis.text if basis else "",
                            area=basis.checklist_title if basis else "",
                            reporter=person(directory, view.reported_by))  # fmt: skip
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == total):
            progress.advanced(number, total)


def _address(db: Database, subject_id: str | None, cache: dict[str, str]) -> str:
    if not subject_id:
        return ""
    if subject_id not in cache:
        try:
            cache[subject_id] = subjects.get(db, subject_id).address or ""
        except StoreError:
            cache[subject_id] = ""
    return cache[subject_id]


LEDGER_FILE_NAMES = {"problem": "问题台账", "hazard": "隐患排查治理台账"}


def split_targets(target: Path) -> dict[str, Path]:
    """Where the two ledgers go when written as separate files: beside `target`, named by ledger."""
    return {kind: target.with_name(f"{target.stem}-{name}{target.suffix or '.xlsx'}")
            for kind, name in LEDGER_FILE_NAMES.items()}  # fmt: skip


def export_ledger(folder: DataFolder, query: LedgerQuery, order: LedgerSort, target: Path, scope: str,
                  progress: Progress | None = None, *, separate: bool = False) -> ExportDone:  # fmt: skip
    """Write the selection as the 问题台账 and 隐患排查治理台账 (two sheets of one workbook, or with `separate` two
    files beside `target`, see `split_targets`); cancelled through progress: nothing is written."""
    from inspector.reports.ledger_xlsx import export_ledger_files, export_ledger_xlsx

    db = folder.connect()
    try:
        heading = ledger_heading(db, scope)
        rows = ledger_rows(db, query, order, progress)
        if separate:
            results = export_ledger_files(rows, split_targets(target), now=utc_now(), heading=heading)
            return ExportDone(target, sum(r.rows for r in results.values()), sum(r.overdue for r in results.values()))
        result = export_ledger_xlsx(rows, target, now=utc_now(), heading=heading)
    finally:
        db.close()
    return ExportDone(target, result.rows, result.overdue)


_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


def _file_part(text: str) -> str:
    """A piece of a file name: no characters Windows refuses, no spaces, at most 40 characters."""
    return _UNSAFE.sub("-", text).strip("-.")[:40]


def document_file_name(folder: DataFolder, kind: str, finding_id: str) -> str:
    """The name a document of a finding is offered under: what it is, the ledger number (or the subject or place)
    and the Beijing date, e.g. 整改通知书-朝阳-三里屯-2026-00123.pdf, 检查记录-三里屯北小街-2026-11-21.pdf."""
    from inspector.core.clock import local_date

    db = folder.connect()
    try:
        finding = findings.get(db, finding_id)
        view = finding.view
        place = _place(db, finding).split("（")[0]
        day = local_date(utc_now()).isoformat()
        if kind == "notice":
            parts = ["整改通知书", view.ledger_number or place, day]
        elif kind == "inspection":
            started = ""
            if finding.inspection_id:
                try:
                    started = local_date(parse_iso(inspections.get(db, finding.inspection_id).started_at)).isoformat()
                except (StoreError, ValueError):
                    started = ""
            parts = ["检查记录", place, started or day]
        else:
            parts = ["责任公示牌", place]
    finally:
        db.close()
    return "-".join(part for part in (_file_part(piece) for piece in parts) if part) + ".pdf"


def _photo_refs(folder: DataFolder, found: list[photos.Photo], caption: str = "") -> list[Any]:
    from inspector.reports.pdf_common import PhotoRef

    return [PhotoRef(folder.photo_path(photo.sha256), caption) for photo in found]


def _place(db: Database, finding: LocalFinding) -> str:
    return places.finding_place(db, finding.view.subject_id, finding.id)


def _responsible(db: Database, finding: LocalFinding) -> tuple[str, str]:
    """整改责任人 and phone: the person the assignment named, else the unit's own responsible person."""
    view = finding.view
    if view.responsible_person:
        return view.responsible_person, view.responsible_phone or ""
    if view.subject_id:
        try:
            subject = subjects.get(db, view.subject_id)
        except StoreError:
            return "", view.responsible_phone or ""
        return subject.responsible_person or "", view.responsible_phone or subject.phone or ""
    return "", view.responsible_phone or ""


def _inspection_place(lat: float | None, lon: float | None) -> str:
    return places.Place(lat=lat, lon=lon).coordinates


def export_notice(folder: DataFolder, finding_id: str, target: Path) -> ExportDone:
    """The 整改通知书 of an assigned finding."""
    from inspector.reports.pdf_notice import NoticeDocument, rectification_notice_pdf

    db = folder.connect()
    try:
        finding = findings.get(db, finding_id)
        names = Names(db)
        directory = people_names(db)
        person, phone = _responsible(db, finding)
        view = replace(finding.view, responsible_person=person or None, responsible_phone=phone or None)
        document = NoticeDocument(
            finding=view,
            issuer=names.issuer(finding.view.jurisdiction),
            location=_place(db, finding),
            street_name=names.street(finding.view.jurisdiction),
            inspectors=[people.name_of(directory, finding.view.reported_by)],
            photos=_photo_refs(folder, photos.photos_of(db, "finding", finding_id, "evidence"), "整改前"),
            unit_link=unit_links.url_of(db, finding_id) or "",
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
        pinned = inspections.checklists_of(db, inspection)  # a "1+10" visit: the general list, then its area lists
        answers = {
            item: ItemAnswer(stored.result, stored.value, stored.occurrences, stored.note)
            for item, stored in inspections.responses(db, inspection_id).items()
        }
        refs = [
            PhotoRef(folder.photo_path(photo.sha256), "", item_id or None)
            for item_id, found in inspections.item_photos(db, inspection_id).items()
            for photo in found
        ]
        directory = people_names(db)
        document = InspectionDocument(
            checklist=pinned[0],
            area_lists=pinned[1:],
            answers=answers,
            subject_name=subject.name,
            started_at=parse_iso(inspection.started_at),
            finished_at=parse_iso(inspection.finished_at) if inspection.finished_at else None,
            subject_kind=subject.kind,
            subject_address=subject.address or "",
            subject_code=subject.code or "",
            jurisdiction_name=jurisdictions.name_of(db, subject.jurisdiction) or subject.jurisdiction,
            inspectors=[people.name_of(directory, inspection.inspector_id)],
            location=_inspection_place(inspection.location_lat, inspection.location_lon),
            notes=inspection.notes,
            inspection_id=record_number(inspection.id, inspection.started_at),
            photos=refs,
            level=inspection.level,
            programme=inspection.programme or "",
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
            unit_code=subject.code or record_number(subject.id),
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


def export_campaign_summary(folder: DataFolder, campaign_id: str, target: Path,
                            progress: Progress | None = None) -> ExportDone:  # fmt: skip
    """Write a campaign's summary (专项行动总结) as PDF, or as xlsx when the target ends in .xlsx; its figures are
    this laptop's records of the campaign's sites (the server's summary has the whole district's)."""
    from inspector.core.campaigns import progress as campaign_progress
    from inspector.reports.campaign_summary import SummaryInput, write_pdf, write_xlsx
    from inspector.store import campaigns

    db = folder.connect()
    try:
        campaign = campaigns.get(db, campaign_id)
        if campaign is None:
            raise StoreError(code="campaign_unknown", campaign=campaign_id)
        if progress is not None:
            progress.advanced(1, 3)
        figures = campaign_progress(campaign, *campaigns.facts(db, campaign))
        data = SummaryInput(campaign, figures, campaigns.checklist_titles(db, campaign.checklists),
                            campaigns.street_names(db))  # fmt: skip
    finally:
        db.close()
    if progress is not None:
        if progress.cancelled():
            raise ExportCancelledError
        progress.advanced(2, 3)
    (write_xlsx if target.suffix.lower() == ".xlsx" else write_pdf)(data, target)
    if progress is not None:
        progress.advanced(3, 3)
    return ExportDone(target, len(figures.open_cases))


def unit_file_document(db: Database, subject_id: str, now: datetime | None = None, months: int = 6) -> Any:
    """What a street-front unit's file (一户一码一档) shows: the unit, its 责任书, its inspections (newest first),
    its cases and its 积分 for the last `months` Beijing months."""
    from inspector.core import statistics
    from inspector.core.clock import display, local_date
    from inspector.core.ledger import is_overdue, state_label
    from inspector.core.levels import LEVEL_LABELS_ZH, InspectionLevel
    from inspector.core.unit_cycle import STANDING_ZH, pledge_of
    from inspector.reports.pdf_unit_file import PledgeLine, UnitFileDocument
    from inspector.store import jsonutil, scoring_rules, statistics_facts, statistics_queries
    from inspector.store.findings import finding_from_json

    moment = now or utc_now()
    subject = subjects.get(db, subject_id)
    pledge = pledge_of(subject.extra)
    line = None
    if pledge is not None:
        line = PledgeLine(
            signed_on=pledge.signed_on.isoformat(),
            term_months=pledge.term_months,
            renewal_due=pledge.renewal_due.isoformat(),
            signer=pledge.signer,
            standing=STANDING_ZH[pledge.standing(local_date(moment))],
            scan="已存扫描件" if pledge.scan else "无扫描件",
        )
    titles = {row["id"]: row["title"] for row in db.query("SELECT id, title FROM checklists")}
    inspection_rows = [
        (
            display(str(started))[:10],
            str(titles.get(checklist_id, checklist_id)),
            LEVEL_LABELS_ZH[InspectionLevel(level)],
            "" if score is None else f"{score:g}",
            str(outcome or ""),
        )
        for started, checklist_id, level, score, outcome in db.execute(
            "SELECT started_at, checklist_id, level, score, outcome FROM inspections WHERE subject_id = ? "
            "AND status = 'finished' ORDER BY started_at DESC",
            [subject_id],
        )
    ]
    own = sorted(
        (
            finding_from_json(jsonutil.loads(projection))
            for (projection,) in db.execute(
                "SELECT projection FROM findings WHERE subject_id = ? ORDER BY id", [subject_id]
            )
        ),
        key=lambda view: view.reported_at,
    )
    case_rows = [
        (
            view.ledger_number or "待编号",
            display(view.reported_at)[:10] if view.reported_at else "",
            view.description or view.category or "",
            state_label(view.kind, view.state) + ("（逾期）" if is_overdue(view, moment) else ""),
            str(view.deadline or ""),
        )
        for view in reversed(own)
    ]
    # the points as the statistics page counts them (aggregate SQL; every unit's, as a list's place depends on them)
    this_month = statistics.month_of(moment)
    wanted = statistics.months_between(_months_back(this_month, months - 1), this_month)
    overdue = statistics_queries.overdue_by_month(db, wanted, moment)
    facts = statistics_facts.subject_facts(db)
    rules = scoring_rules.active_rule(db).rules
    done = statistics_queries.at_levels(statistics_facts.inspection_facts(db), rules.unit_levels)
    point_rows = []
    for month in wanted:
        counts = statistics_queries.unit_findings(db, month)
        board = statistics.red_black_list(
            statistics_queries.unit_inputs(month, facts, done, counts, overdue[month]), rules
        )
        mine = next((unit for unit in board.units if unit.subject_id == subject_id), None)
        if mine is not None:
            point_rows.append((month, str(mine.inspections), f"{mine.points:g}", mine.listed or "—"))
    code = subject.code or record_number(subject.id)
    return UnitFileDocument(
        unit_name=subject.name,
        unit_code=code,
        street_name=Names(db).street(subject.jurisdiction),
        address=subject.address or "",
        responsible_person=subject.responsible_person or "",
        phone=subject.phone or "",
        pledge=line,
        inspections=inspection_rows,
        cases=case_rows,
        points=point_rows,
        qr_content=code,
    )


def _months_back(month: str, count: int) -> str:
    year, number = (int(part) for part in month.split("-"))
    index = year * 12 + number - 1 - count
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def export_unit_file(folder: DataFolder, subject_id: str, target: Path, now: datetime | None = None) -> ExportDone:
    """The 一户一码一档 PDF of a street-front unit."""
    from inspector.reports.pdf_unit_file import unit_file_pdf

    db = folder.connect()
    try:
        document = unit_file_document(db, subject_id, now)
    finally:
        db.close()
    unit_file_pdf(document, target, now)
    return ExportDone(target, rows=len(document.inspections) + len(document.cases))
