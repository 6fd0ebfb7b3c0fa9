"""The district's ledgers (问题台账, 隐患排查治理台账) as .xlsx workbooks, for `inspector-server ledger export`.

The rows come from the authoritative event chains (one finding at a time, streamed), are built by
`inspector.reports.ledger_xlsx.ledger_row` with the users' display names, the 街乡 and subject names and the
checklist item each finding came from (检查依据, which also decides 问题 or 隐患 until cases carry a kind), and are
written by the same exporter the desktop app uses. A jurisdiction limits the export to findings inside it; a date
range keeps the findings reported (发现时间) on those Beijing days.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import groupby
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from inspector.core.checklist import Checklist
from inspector.core.clock import SHANGHAI, end_of_local_day, to_iso
from inspector.core.jurisdiction import Level, parse_code, street_of
from inspector.core.ledger import Kind
from inspector.reports.ledger_xlsx import (
    Basis,
    LedgerExportResult,
    LedgerHeading,
    LedgerRow,
    export_ledger_files,
    export_ledger_xlsx,
    ledger_row,
)
from inspector.reports.output import Target
from inspector.server.checklists import load_checklist
from inspector.server.ledger_store import core_event
from inspector.server.models import Finding, FindingEvent, Inspection, InspectionList, Jurisdiction, Subject, User
from inspector.server.scope import code_range

BATCH = 2000


@dataclass(frozen=True)
class ExportScope:
    """Which findings to export: inside a jurisdiction (any level), reported between two Beijing days (inclusive)."""

    jurisdiction: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def __post_init__(self) -> None:
        if self.jurisdiction is not None:
            parse_code(self.jurisdiction)  # JurisdictionCodeError (a ValueError) names what is wrong
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(f"the start date {self.date_from} is after the end date {self.date_to}")


def scoped_findings(scope: ExportScope) -> Select[Any]:
    """The ids of the findings in scope."""
    query = select(Finding.id)
    if scope.jurisdiction is not None:
        low, high = code_range(parse_code(scope.jurisdiction))
        query = query.where(Finding.jurisdiction.between(low, high))
    if scope.date_from is not None or scope.date_to is not None:
        reported = select(FindingEvent.finding_id).where(FindingEvent.idx == 1)
        if scope.date_from is not None:
            reported = reported.where(FindingEvent.at >= to_iso(datetime.combine(scope.date_from, time.min, SHANGHAI)))
        if scope.date_to is not None:
            reported = reported.where(FindingEvent.at < to_iso(end_of_local_day(scope.date_to)))
        query = query.where(Finding.id.in_(reported))
    return query


def describe(session: Session, scope: ExportScope) -> str:
    """The scope in words for the summary sheet, e.g. 朝阳区 2026-01-01 至 2026-03-31 (全部 when unlimited)."""
    parts: list[str] = []
    if scope.jurisdiction is not None:
        code = parse_code(scope.jurisdiction).full
        parts.append(session.scalar(select(Jurisdiction.name).where(Jurisdiction.code == code)) or code)
    if scope.date_from is not None or scope.date_to is not None:
        start = scope.date_from.isoformat() if scope.date_from else "…"
        end = scope.date_to.isoformat() if scope.date_to else "…"
        parts.append(f"{start} 至 {end}")
    return " ".join(parts) or "全部"


class _Bases:
    """The checklist item each inspection finding came from (检查依据): the lists of every inspection in scope (the
    "1+10" visit has several; the item names its own) read in one query, each checklist version parsed once."""

    def __init__(self, session: Session, scope: ExportScope) -> None:
        self.session = session
        query = select(InspectionList.inspection_id, InspectionList.checklist_id, InspectionList.checklist_version)
        query = query.join(Inspection, Inspection.id == InspectionList.inspection_id)
        if scope.jurisdiction is not None:
            low, high = code_range(parse_code(scope.jurisdiction))
            query = query.where(Inspection.jurisdiction.between(low, high))
        self.versions: dict[str, list[tuple[str, str]]] = {}
        for row in session.execute(query.order_by(InspectionList.inspection_id, InspectionList.position)):
            self.versions.setdefault(row.inspection_id, []).append((row.checklist_id, row.checklist_version))
        self.checklists: dict[tuple[str, str], Checklist | None] = {}

    def _lists(self, inspection_id: str) -> list[tuple[str, str]]:
        if inspection_id not in self.versions:  # an inspection outside the scope's area: asked for on its own
            found = self.session.execute(
                select(InspectionList.checklist_id, InspectionList.checklist_version)
                .where(InspectionList.inspection_id == inspection_id)
                .order_by(InspectionList.position)
            ).all()
            self.versions[inspection_id] = [(row[0], row[1]) for row in found]
        return self.versions[inspection_id]

    def _checklist(self, key: tuple[str, str]) -> Checklist | None:
        if key not in self.checklists:
            self.checklists[key] = load_checklist(self.session, *key)
        return self.checklists[key]

    def of(self, inspection_id: Any, item_id: Any) -> Basis | None:
        if not isinstance(inspection_id, str) or not isinstance(item_id, str):
            return None
        loaded = [checklist for key in self._lists(inspection_id) if (checklist := self._checklist(key)) is not None]
        if not loaded:
            return Basis(item_id)
        for checklist in loaded:
            try:
                text = checklist.item(item_id).text
            except KeyError:
                continue
            return Basis(item_id, text, checklist.title, checklist.group or "")
        return Basis(item_id, "", loaded[0].title, loaded[0].group or "")


def ledger_rows(session: Session, scope: ExportScope) -> Iterator[LedgerRow]:
    """One LedgerRow per finding in scope, in finding id order (ids are time-ordered), streamed from the events.

    `row.finding` is the full projection: `inspector.core.ledger.case_fields(row.finding)` gives kind, source, the
    督办 (level, unit, 文号, deadline) and the extensions under their export keys."""
    people = {user_id: name for user_id, name in session.execute(select(User.id, User.display_name))}
    streets = {
        street_of(code): name
        for code, name in session.execute(
            select(Jurisdiction.code, Jurisdiction.name).where(Jurisdiction.level == int(Level.STREET))
        )
    }
    subjects = {row.id: (row.name, row.address or "") for row in session.execute(
        select(Subject.id, Subject.name, Subject.address))}  # fmt: skip
    bases = _Bases(session, scope)
    kinds = {
        row.id: Kind(row.kind)
        for row in session.execute(select(Finding.id, Finding.kind).where(Finding.id.in_(scoped_findings(scope))))
    }
    events = session.scalars(
        select(FindingEvent)
        .where(FindingEvent.finding_id.in_(scoped_findings(scope)))
        .order_by(FindingEvent.finding_id, FindingEvent.idx)
        .execution_options(yield_per=BATCH)
    )
    for finding_id, group in groupby(events, key=lambda row: row.finding_id):
        history = [core_event(row) for row in group]
        report = history[0].payload
        subject_id = report.get("subject_id")
        name, address = subjects.get(subject_id, ("", "")) if isinstance(subject_id, str) else ("", "")
        street = streets.get(street_of(str(report.get("jurisdiction", ""))), "")
        yield ledger_row(history, people, street=street, subject_name=name, subject_address=address,
                         basis=bases.of(report.get("inspection_id"), report.get("item_id")),
                         default_kind=kinds.get(finding_id, Kind.HAZARD))  # fmt: skip


def heading_for(session: Session, scope: ExportScope, unit: str | None = None, maker: str = "") -> LedgerHeading:
    """The title block: 填报单位 (given, else the name of the scope's jurisdiction), 制表人 and the scope in words."""
    if unit is None:
        unit = ""
        if scope.jurisdiction is not None:
            code = parse_code(scope.jurisdiction).full
            unit = session.scalar(select(Jurisdiction.name).where(Jurisdiction.code == code)) or ""
    return LedgerHeading(unit=unit, maker=maker, scope=describe(session, scope))


def export_ledger(
    session: Session, target: Target, scope: ExportScope, now: datetime | None = None,
    heading: LedgerHeading | None = None,
) -> LedgerExportResult:  # fmt: skip
    """Write the ledgers of the findings in scope (问题台账 and 隐患排查治理台账 sheets) to a path or a stream."""
    head = heading or heading_for(session, scope)
    return export_ledger_xlsx(ledger_rows(session, scope), target, now=now, heading=head)


def export_ledger_separately(
    session: Session, targets: Mapping[str, Target], scope: ExportScope, now: datetime | None = None,
    heading: LedgerHeading | None = None,
) -> dict[str, LedgerExportResult]:  # fmt: skip
    """The two ledgers as separate files (`targets` by kind: problem, hazard), read from the events once."""
    head = heading or heading_for(session, scope)
    return export_ledger_files(ledger_rows(session, scope), targets, now=now, heading=head)
