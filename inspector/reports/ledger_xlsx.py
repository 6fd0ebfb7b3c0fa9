"""The ledgers as .xlsx workbooks: a 问题台账 and a 隐患排查治理台账 (one row per case) and a summary with 整改率 and
销账率, ready to print (A3 landscape, fit to width, title block, borders, header row on every page)."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache, partial
from math import ceil
from typing import Any

import inspector.core.ledger as ledger_rules
from inspector.core.clock import display, local, local_date, utc_now
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import (
    ESCALATION_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    Action,
    Event,
    FindingState,
    Kind,
    State,
    is_overdue,
    project,
)
from inspector.reports.errors import ReportError
from inspector.reports.output import Target, check_target, write_document
from inspector.reports.xlsx_stream import PageSetup, Sheet, StreamingWorkbook, Style

log = logging.getLogger(__name__)

PROBLEM, HAZARD = "problem", "hazard"
KINDS: tuple[str, ...] = (PROBLEM, HAZARD)
SHEET_NAMES: dict[str, str] = {PROBLEM: "问题台账", HAZARD: "隐患排查治理台账"}
LEDGER_SHEET = SHEET_NAMES[HAZARD]
SUMMARY_SHEET = "汇总"
HAZARD_GROUP_MARK = "1+10"  # the checklists of the "1+10" lists (group: 1+10 城市管理安全隐患检查清单) find hazards
UNNUMBERED = "待编号"
UNKNOWN_PERSON = "—"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
TITLE_LENGTH = 30
FONT_SIZE = 10
LINE_HEIGHT = 13.5  # points per line of 10-point text
ROW_PADDING = 3.0
MAX_ROW_LINES = 20
HEADER_ROW = 3  # title, then 填报单位 / 制表人 / 制表日期, then the column headers
YES, NO = "是", "否"
_HEX_ID = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.IGNORECASE)


@dataclass(frozen=True)
class LedgerRow:
    """One case with the names and facts the ledger shows besides its projected state.

    Names are display names (the ledger shows people, not user ids); empty text means "not known".
    """

    finding: FindingState
    kind: str = PROBLEM  # problem (问题台账) | hazard (隐患排查治理台账)
    street: str = ""  # 街乡 name; the summary falls back to the 9-digit street code
    subject: str = ""  # 检查对象: the subject's name
    location: str = ""  # 位置: the subject's address, or the reported address / coordinates
    title: str = ""  # 名称; defaults to the start of the description
    hazard_type: str = ""  # 现场类 / 基础管理类, when the report says so
    source: str = ""  # 发现方式 as shown (巡查, 12345工单, …)
    basis: str = ""  # 检查依据: the checklist item's id and text
    area: str = ""  # the "1+10" area or the campaign: the checklist's title
    reporter: str = ""  # 发现人
    feedback_by: str = ""  # 整改反馈人: the app user who reported the fix
    rectified_at: datetime | None = None  # 整改完成时间
    verifier: str = ""  # 核查人 / 复查验收人
    verified_at: datetime | None = None
    verify_opinion: str = ""
    extension_count: int = 0
    extension_reasons: str = ""
    escalation_unit: str = ""
    escalation_doc_no: str = ""
    escalated_at: datetime | None = None
    escalation_deadline: date | None = None
    note: str = ""  # 备注


@dataclass(frozen=True)
class Basis:
    """The checklist item whose failure made the case (检查依据) and its checklist (the "1+10" area or campaign)."""

    item_id: str
    item_text: str = ""
    checklist_title: str = ""
    checklist_group: str = ""

    @property
    def kind(self) -> str:
        """The kind of case the item's failure creates: the "1+10" lists find hazards, the rest problems."""
        return HAZARD if HAZARD_GROUP_MARK in self.checklist_group else PROBLEM

    @property
    def text(self) -> str:
        return f"{self.item_id} {self.item_text}".strip()


@dataclass(frozen=True)
class LedgerHeading:
    """The title block of a ledger sheet: who fills it in (填报单位), who made it (制表人), the export's scope."""

    unit: str = ""
    maker: str = ""
    scope: str = ""


@dataclass(frozen=True)
class LedgerExportResult:
    """What was written: row count, overdue count, rows per kind, and the counts of the summary sheet."""

    rows: int
    overdue: int
    by_street: dict[str, Counter[str]] = field(default_factory=dict)
    by_kind: dict[str, int] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------------------------
# Rows from events
# --------------------------------------------------------------------------------------------------------------


def person(names: Mapping[str, str], user_id: str | None) -> str:
    """A user's display name; an id without one shows as "—" (never the id) and is logged once."""
    if not user_id:
        return ""
    name = names.get(user_id, "").strip()
    if name:
        return name
    _log_unknown(user_id)
    return UNKNOWN_PERSON


@lru_cache(maxsize=1024)
def _log_unknown(user_id: str) -> None:
    log.warning("no display name for user %s: the ledger shows %s", user_id, UNKNOWN_PERSON)


def _case_value(finding: FindingState, report: Mapping[str, Any], key: str) -> Any:
    """A case field the projection may carry (kind, source, escalation, extensions), else the report's own."""
    value = getattr(finding, key, None)
    return value if value not in (None, "", ()) else report.get(key)


def kind_of(finding: FindingState, report: Mapping[str, Any], basis: Basis | None) -> str:
    """The ledger a case goes to: its own kind when it carries one, else its checklist's, else a problem."""
    kind = _text(_case_value(finding, report, "kind")) or (basis.kind if basis else PROBLEM)
    return kind if kind in KINDS else PROBLEM


def _label(labels_name: str, value: Any) -> str:
    """The Chinese label of a case code from the ledger rules' table of that name, else the text itself."""
    labels: Mapping[Any, str] = getattr(ledger_rules, labels_name, {})
    return labels.get(value, "") or _text(value)


def ledger_row(
    events: Sequence[Event],
    names: Mapping[str, str] | None = None,
    *,
    street: str = "",
    location: str = "",
    subject_name: str = "",
    subject_address: str = "",
    title: str = "",
    note: str = "",
    basis: Basis | None = None,
    default_kind: Kind = Kind.HAZARD,
) -> LedgerRow:
    """A ledger row from a case's events (oldest first): the projection plus what only the events tell.

    `names` maps user ids to display names (an id without a name shows as "—"); `basis` is the checklist item the
    case came from (it decides the kind until cases carry their own). The report payload may carry `title`,
    `hazard_type`, `kind`, `source` and `location`; the latest rectification, the closing verification, the
    extensions and the escalation give their columns.
    """
    finding = project(events, default_kind)  # default_kind: the converted kind of a report made before kinds
    people = names or {}
    report = events[0].payload
    rectified = _last(events, (Action.RECTIFY, Action.REPORT_FIXED_ON_SITE))
    verified = _last(events, (Action.VERIFY_PASS,)) if finding.state == State.CLOSED else None
    escalated = _last(events, (Action.ESCALATE,)) if finding.escalation else None
    escalation = escalated.payload if escalated else {}
    kind = kind_of(finding, report, basis)
    extensions = [event for event in events if event.action == Action.EXTEND]
    count = _case_value(finding, {}, "extension_count")
    reasons = _case_value(finding, {}, "extension_reasons")
    if reasons is None:
        reasons = [_text(event.payload.get("reason")) for event in extensions]
    escalated_at = _case_value(finding, {}, "escalated_at") or (escalated.at if escalated else None)
    return LedgerRow(
        finding=finding,
        kind=kind,
        street=street,
        subject=subject_name,
        location=location or subject_address or _location_text(report.get("location")),
        title=title or _text(report.get("title")),
        hazard_type=_text(report.get("hazard_type")),
        source=_label("SOURCE_LABELS", _case_value(finding, report, "source")),
        basis=basis.text if basis else "",
        area=basis.checklist_title if basis else "",
        reporter=person(people, finding.reported_by),
        feedback_by=person(people, rectified.actor_id) if rectified else "",
        rectified_at=rectified.at if rectified else None,
        verifier=person(people, verified.actor_id) if verified else "",
        verified_at=verified.at if verified else None,
        verify_opinion=_text(verified.payload.get("opinion")) if verified else "",
        extension_count=int(count) if isinstance(count, int) else len(extensions),
        extension_reasons="；".join(reason for reason in reasons if reason),
        escalation_unit=_text(_case_value(finding, escalation, "escalation_unit") or escalation.get("unit")),
        escalation_doc_no=_text(_case_value(finding, escalation, "escalation_doc_no") or escalation.get("doc_no")),
        escalated_at=escalated_at if isinstance(escalated_at, datetime) else None,
        escalation_deadline=_as_date(_case_value(finding, escalation, "escalation_deadline")),
        note=note,
    )


def _last(events: Sequence[Event], actions: tuple[Action, ...]) -> Event | None:
    return next((event for event in reversed(events) if event.action in actions), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _location_text(location: Any) -> str:
    if isinstance(location, Mapping):
        address = _text(location.get("address"))
        if address:
            return address
        if isinstance(location.get("lat"), int | float) and isinstance(location.get("lon"), int | float):
            return f"{location['lat']:.6f}, {location['lon']:.6f}"
    return ""


# --------------------------------------------------------------------------------------------------------------
# Columns
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """A row with what is derived at export time."""

    row: LedgerRow
    number: int
    overdue_days: int | None  # None: not overdue


_Getter = Callable[[_Facts], Any]


@dataclass(frozen=True)
class Column:
    """One ledger column: its header in the 问题台账 and in the 隐患排查治理台账 (None: not in that ledger), width in
    character units, kind of value (text | wrap | datetime | date | number | person), and how to get it."""

    problem: str | None
    hazard: str | None
    width: float
    kind: str
    value: _Getter

    def header(self, kind: str) -> str | None:
        return self.problem if kind == PROBLEM else self.hazard


def _title(facts: _Facts) -> str:
    finding = facts.row.finding
    if facts.row.title:
        return facts.row.title
    first_line = finding.description.strip().splitlines()[0] if finding.description.strip() else finding.category
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


def _photo_count(photos: tuple[str, ...]) -> str:
    return f"{len(photos)}张" if photos else ""


def _opt(value: str | None) -> str:
    return value or ""


def _state(facts: _Facts) -> str:
    by_kind: Mapping[Any, Mapping[State, str]] = getattr(ledger_rules, "KIND_STATE_LABELS", {})
    return by_kind.get(facts.row.kind, STATE_LABELS)[facts.row.finding.state]


def _severity(facts: _Facts) -> str:
    severity = facts.row.finding.severity
    return SEVERITY_LABELS.get(severity, "") if severity else ""


def _day(moment: datetime | None) -> date | None:
    return local_date(moment) if moment else None


def _escalation(facts: _Facts) -> str:
    level = facts.row.finding.escalation
    return ESCALATION_LABELS[level] if level else ""


COLUMNS: tuple[Column, ...] = (
    Column("序号", "序号", 5, "number", lambda f: f.number),
    Column("台账编号", "台账编号", 17, "wrap", lambda f: f.row.finding.ledger_number or UNNUMBERED),
    Column("问题名称", "隐患名称", 18, "wrap", _title),
    Column("问题描述", "隐患描述", 30, "wrap", lambda f: f.row.finding.description),
    Column("问题类别", "隐患类别", 10, "wrap", lambda f: f.row.finding.category),
    Column(None, "隐患类型", 8, "text", lambda f: f.row.hazard_type),
    Column("检查依据", "检查依据", 22, "wrap", lambda f: f.row.basis),
    Column("专项/领域", "“1+10”领域", 16, "wrap", lambda f: f.row.area),
    Column("检查对象", "检查对象", 16, "wrap", lambda f: f.row.subject),
    Column("所属街乡", "所属街乡", 10, "wrap", lambda f: f.row.street),
    Column("位置", "位置", 20, "wrap", lambda f: f.row.location),
    Column("网格编码", "网格编码", 16, "text", lambda f: f.row.finding.jurisdiction),
    Column("发现时间", "发现时间", 15, "datetime", lambda f: f.row.finding.reported_at),
    Column("发现人", "发现人", 8, "wrap", lambda f: f.row.reporter),
    Column("发现方式", "发现方式", 9, "wrap", lambda f: f.row.source),
    Column(None, "隐患等级", 9, "text", _severity),
    Column("责任单位", "责任单位", 18, "wrap", lambda f: _opt(f.row.finding.responsible_unit)),
    Column("整改责任人", "整改责任人", 8, "wrap", lambda f: _opt(f.row.finding.responsible_person)),
    Column("联系电话", "联系电话", 12, "text", lambda f: _opt(f.row.finding.responsible_phone)),
    Column("处置措施", "整改措施", 24, "wrap", lambda f: _opt(f.row.finding.measures)),
    Column(None, "整改资金", 10, "wrap", lambda f: _opt(f.row.finding.funds)),
    Column(None, "应急措施/临时管控措施", 18, "wrap", lambda f: _opt(f.row.finding.contingency_plan)),
    Column("处置期限", "整改期限", 11, "date", lambda f: f.row.finding.deadline),
    Column("延期次数", "延期次数", 6, "number", lambda f: f.row.extension_count or None),
    Column("延期原因", "延期原因", 16, "wrap", lambda f: f.row.extension_reasons),
    Column("整改反馈人", "整改反馈人", 8, "wrap", lambda f: f.row.feedback_by),
    Column("整改完成时间", "整改完成时间", 15, "datetime", lambda f: f.row.rectified_at),
    Column("整改前照片", "整改前照片", 7, "text", lambda f: _photo_count(f.row.finding.photos)),
    Column("整改后照片", "整改后照片", 7, "text", lambda f: _photo_count(f.row.finding.after_photos)),
    Column("核查人", "复查验收人", 8, "wrap", lambda f: f.row.verifier),
    Column("核查时间", "验收时间", 15, "datetime", lambda f: f.row.verified_at),
    Column("核查意见", "验收意见", 18, "wrap", lambda f: f.row.verify_opinion),
    Column("状态", "状态", 8, "wrap", _state),
    Column("是否逾期", "是否逾期", 6, "text", lambda f: YES if f.overdue_days is not None else NO),
    Column("逾期天数", "逾期天数", 6, "number", lambda f: f.overdue_days),
    Column("结案时间", "销账时间", 15, "datetime", lambda f: f.row.finding.closed_at),
    Column("督办级别", "督办级别", 9, "wrap", _escalation),
    Column("督办单位", "督办单位", 12, "wrap", lambda f: f.row.escalation_unit),
    Column("督办文号", "督办文号", 12, "wrap", lambda f: f.row.escalation_doc_no),
    Column("督办日期", "督办日期", 11, "date", lambda f: _day(f.row.escalated_at)),
    Column("督办期限", "督办期限", 11, "date", lambda f: f.row.escalation_deadline),
    Column("备注", "备注", 14, "wrap", lambda f: f.row.note),
)


def columns_of(kind: str) -> tuple[Column, ...]:
    """The columns of one ledger, in order."""
    return tuple(column for column in COLUMNS if column.header(kind) is not None)


def headers_of(kind: str) -> tuple[str, ...]:
    return tuple(str(column.header(kind)) for column in columns_of(kind))


HEADERS: tuple[str, ...] = headers_of(HAZARD)

# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------

_BASE = Style(size=FONT_SIZE)
_TITLE = Style(bold=True, size=16, horizontal="center", vertical="center")
_INFO_LEFT = Style(size=FONT_SIZE + 1, horizontal="left", vertical="center")
_INFO_CENTER = Style(size=FONT_SIZE + 1, horizontal="center", vertical="center")
_INFO_WRAP = Style(size=FONT_SIZE + 1, wrap=True, vertical="center")
_INFO_RIGHT = Style(size=FONT_SIZE + 1, horizontal="right", vertical="center")
_HEADER = Style(bold=True, size=FONT_SIZE, fill="DDEBF7", border=True, wrap=True, horizontal="center",
                vertical="center")  # fmt: skip
_BODY: dict[str, Style] = {
    "text": Style(size=FONT_SIZE, border=True, vertical="center"),
    "wrap": Style(size=FONT_SIZE, border=True, wrap=True, vertical="center"),
    "number": Style(size=FONT_SIZE, border=True, horizontal="center", vertical="center"),
    "datetime": Style(size=FONT_SIZE, border=True, vertical="center", number_format=DATETIME_FORMAT),
    "date": Style(size=FONT_SIZE, border=True, vertical="center", number_format=DATE_FORMAT),
}
_PERCENT = Style(size=FONT_SIZE, border=True, horizontal="center", vertical="center", number_format=PERCENT_FORMAT)
HEADER_HEIGHT = 42.0  # three lines of the narrowest headers
TITLE_HEIGHT = 30.0
INFO_HEIGHT = 20.0


def _text_width(value: str) -> float:
    """Width in Excel's character units: a Chinese character takes two, an ASCII one one.

    Computed from the UTF-8 length (3 bytes for a Chinese character, 1 for ASCII), which is fast in C.
    """
    return (len(value.encode("utf-8")) + len(value)) / 2


def _row_height(wrapped: Sequence[tuple[float, Any]]) -> float:
    """The height of a row whose wrapped cells show all their text (spreadsheets do not grow streamed rows)."""
    lines = 1
    for width, value in wrapped:
        if type(value) is str and (2 * len(value) > width - 1 or "\n" in value):  # a character is at most 2 wide
            usable = width - 1
            if _text_width(value) > usable or "\n" in value:
                lines = max(lines, sum(max(1, ceil(_text_width(part) / usable)) for part in value.split("\n")))
    return LINE_HEIGHT * min(lines, MAX_ROW_LINES) + ROW_PADDING


def _cell_values(getters: Sequence[_Getter], kinds: Sequence[str], facts: _Facts) -> list[Any]:
    values = [getter(facts) for getter in getters]
    for index, kind in enumerate(kinds):
        value = values[index]
        if kind == "datetime" and value is not None:
            if value.tzinfo is None:
                raise ReportError(
                    f"时间 {value} 没有时区", f"a naive datetime in a ledger row ({value}): times must be aware"
                )
            values[index] = local(value).replace(tzinfo=None)  # Excel has no time zones: Beijing time
    return values


def cell_values(row: LedgerRow, number: int = 1, overdue_days: int | None = None) -> list[Any]:
    """The values of a row's cells in its ledger, as written (times in Beijing time, without a zone)."""
    columns = columns_of(row.kind)
    return _cell_values([c.value for c in columns], [c.kind for c in columns], _Facts(row, number, overdue_days))


class _LedgerSheet:
    """One ledger sheet of one kind: its columns, title block, styles, and the rows written so far."""

    def __init__(self, book: StreamingWorkbook, kind: str, heading: LedgerHeading, now: datetime) -> None:
        self.kind = kind
        self.columns = columns_of(kind)
        self.getters = [column.value for column in self.columns]
        self.kinds = [column.kind for column in self.columns]
        self.styles = [book.style(_BODY[column.kind]) for column in self.columns]
        self.wrapped = [(index, column.width) for index, column in enumerate(self.columns) if column.kind == "wrap"]
        self.sheet = book.add_sheet(SHEET_NAMES[kind], [column.width for column in self.columns])
        self.written = 0
        self._title_block(book, heading, now)

    def _title_block(self, book: StreamingWorkbook, heading: LedgerHeading, now: datetime) -> None:
        sheet, count = self.sheet, len(self.columns)
        blank = [None] * count
        sheet.append([SHEET_NAMES[self.kind], *blank[1:]], [book.style(_TITLE)] * count, TITLE_HEIGHT)
        sheet.merge(1, 1, count)
        third = count // 3
        info: list[str | None] = [None] * count
        info[0] = f"填报单位：{heading.unit}"
        info[third] = f"制表人：{heading.maker}"
        info[2 * third] = f"制表日期：{local_date(now).isoformat()}"
        styles = [book.style(_INFO_LEFT)] * third + [book.style(_INFO_CENTER)] * third
        styles += [book.style(_INFO_RIGHT)] * (count - 2 * third)
        sheet.append(info, styles, INFO_HEIGHT)
        sheet.merge(2, 1, third)
        sheet.merge(2, third + 1, 2 * third)
        sheet.merge(2, 2 * third + 1, count)
        sheet.append(headers_of(self.kind), [book.style(_HEADER)] * count, HEADER_HEIGHT)
        sheet.freeze = (HEADER_ROW, 2)  # the title block, header row and 序号/台账编号 stay in view
        sheet.page = PageSetup(title_rows=(HEADER_ROW, HEADER_ROW))

    def write(self, row: LedgerRow, overdue_days: int | None) -> None:
        self.written += 1
        values = _cell_values(self.getters, self.kinds, _Facts(row, self.written, overdue_days))
        height = _row_height([(width, values[index]) for index, width in self.wrapped])
        self.sheet.append(values, self.styles, height)

    def finish(self) -> None:
        self.sheet.auto_filter = (HEADER_ROW, HEADER_ROW + self.written)


def export_ledger_xlsx(
    rows: Iterable[LedgerRow],
    target: Target,
    *,
    now: datetime | None = None,
    scope: str = "",
    heading: LedgerHeading | None = None,
    kinds: Sequence[str] = KINDS,
) -> LedgerExportResult:
    """Write the ledgers to a path (atomically) or a binary stream; rows are streamed, never all held in memory.

    One sheet per kind in `kinds` (问题台账, 隐患排查治理台账; a row of another kind is left out) and the 汇总 sheet.
    `now` (aware; default: the current time) decides overdue (逾期) and the 制表日期; `scope` describes the
    selection (e.g. the jurisdiction and date range) on the summary sheet; `heading` gives 填报单位 and 制表人.
    """
    head = heading or LedgerHeading()
    if scope and not head.scope:
        head = LedgerHeading(head.unit, head.maker, scope)
    return _export(rows, [(tuple(kinds), target)], now, head)[0]


def export_ledger_files(
    rows: Iterable[LedgerRow],
    targets: Mapping[str, Target],
    *,
    now: datetime | None = None,
    heading: LedgerHeading | None = None,
) -> dict[str, LedgerExportResult]:
    """The ledgers as separate files, one workbook per kind in `targets` (each with its own summary), filled in one
    pass over the rows."""
    if not targets:
        raise ReportError("没有指定输出文件", "no output file given")
    results = _export(rows, [((kind,), target) for kind, target in targets.items()], now, heading or LedgerHeading())
    return dict(zip(targets, results, strict=True))


class _Book:
    """One workbook being filled: a ledger sheet per kind, and the summary written at the end."""

    def __init__(self, kinds: tuple[str, ...], now: datetime, heading: LedgerHeading) -> None:
        unknown = [kind for kind in kinds if kind not in KINDS]
        if unknown or not kinds:
            raise ReportError(f"没有这种台账：{unknown}", f"no such ledger: {unknown} (problem, hazard)")
        self.kinds, self.now, self.heading = kinds, now, heading
        title = SHEET_NAMES[kinds[0]] if len(kinds) == 1 else "问题台账和隐患排查治理台账"
        self.book = StreamingWorkbook(title=title, base=_BASE)
        self.sheets = {kind: _LedgerSheet(self.book, kind, heading, now) for kind in kinds}
        self.summary = self.book.add_sheet(SUMMARY_SHEET, SUMMARY_WIDTHS)
        self.tally = _Tally()

    def finish(self) -> LedgerExportResult:
        for sheet in self.sheets.values():
            sheet.finish()
        _write_summary(self.book, self.summary, self.tally, self.now, self.heading, self.kinds)
        tally = self.tally
        by_street = {tally.names[code]: counts for code, counts in sorted(tally.by_street.items())}
        by_kind = {kind: sheet.written for kind, sheet in self.sheets.items()}
        return LedgerExportResult(sum(by_kind.values()), tally.overdue, by_street, by_kind)


def _export(
    rows: Iterable[LedgerRow], plan: Sequence[tuple[tuple[str, ...], Target]], now: datetime | None,
    heading: LedgerHeading,
) -> list[LedgerExportResult]:  # fmt: skip
    moment = now or utc_now()
    if moment.tzinfo is None:
        raise ReportError("导出时间必须带时区", "now must be an aware datetime")
    for _kinds, target in plan:
        check_target(target)
    books: list[_Book] = []
    try:
        books = [_Book(kinds, moment, heading) for kinds, _target in plan]
        route = {kind: (book, book.sheets[kind]) for book in books for kind in book.kinds}
        today = local_date(moment)
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, LedgerRow):
                raise ReportError(f"第 {number} 行不是台账行", f"row {number} is not a LedgerRow: {type(row).__name__}")
            found = route.get(row.kind)
            if found is None:
                continue
            book, sheet = found
            late = is_overdue(row.finding, moment)
            days = (today - row.finding.deadline).days if late and row.finding.deadline else None
            sheet.write(row, days)
            book.tally.add(row, late)
        results = [book.finish() for book in books]
    except BaseException:
        for book in books:
            book.book.discard()
        raise
    for index, (book, (_kinds, target)) in enumerate(zip(books, plan, strict=True)):
        try:
            write_document(target, partial(book.book.save, created=moment))
        except BaseException:
            for later in books[index + 1 :]:
                later.book.discard()
            raise
    return results


# --------------------------------------------------------------------------------------------------------------
# Summary
# --------------------------------------------------------------------------------------------------------------

OVERDUE_KEY = "overdue"
SUMMARY_HEADERS: tuple[str, ...] = (
    "台账", "街乡", *(STATE_LABELS[state] for state in State), "合计", "其中逾期", "发现", "整改", "整改率", "销账率",
)  # fmt: skip
SUMMARY_WIDTHS: tuple[float, ...] = (16, 20, *([9] * len(State)), 8, 9, 8, 8, 9, 9)
SUMMARY_HEADER_ROW = 5
RECTIFIED_STATES = frozenset({State.RECTIFIED, State.CLOSED})
NOT_ON_LEDGER = frozenset({State.REPORTED, State.REJECTED})


class _Tally:
    """Counts by kind, 街乡 and state, as the rows stream past."""

    def __init__(self) -> None:
        self.counts: dict[tuple[str, str], Counter[str]] = {}
        self.by_street: dict[str, Counter[str]] = {}
        self.names: dict[str, str] = {}
        self.overdue = 0

    def add(self, row: LedgerRow, late: bool) -> None:
        code = street_of(row.finding.jurisdiction)
        self.names.setdefault(code, row.street or code)
        for tally in (self.counts.setdefault((row.kind, code), Counter()), self.by_street.setdefault(code, Counter())):
            tally[row.finding.state.value] += 1
            tally[OVERDUE_KEY] += late
        self.overdue += late


def summary_line(tally: Counter[str]) -> list[Any]:
    """The counts by state, 合计, 其中逾期, 发现 (on the ledger: accepted, not waiting or rejected), 整改 (rectified
    or closed), 整改率 (整改 / 发现) and 销账率 (closed / 发现); a rate is blank when nothing was found."""
    by_state = [tally[state.value] for state in State]
    found = sum(tally[state.value] for state in State if state not in NOT_ON_LEDGER)
    rectified = sum(tally[state.value] for state in RECTIFIED_STATES)
    closed = tally[State.CLOSED.value]
    return [*by_state, sum(by_state), tally[OVERDUE_KEY], found, rectified,
            rectified / found if found else None, closed / found if found else None]  # fmt: skip


def _write_summary(
    book: StreamingWorkbook,
    sheet: Sheet,
    tally: _Tally,
    now: datetime,
    heading: LedgerHeading,
    kinds: tuple[str, ...],
) -> None:
    count = len(SUMMARY_HEADERS)
    text, number, percent = book.style(_BODY["wrap"]), book.style(_BODY["number"]), book.style(_PERCENT)
    header = book.style(_HEADER)
    sheet.append(["台账汇总（按街乡、状态）", *[None] * (count - 1)], [book.style(_TITLE)] * count, TITLE_HEIGHT)
    sheet.merge(1, 1, count)
    plain = book.style(_INFO_LEFT)
    sheet.append(["范围", heading.scope or "全部"], [plain, plain], INFO_HEIGHT)
    sheet.merge(2, 2, count)
    line = (f"{display(now)}（北京时间）；逾期按导出时间判定：整改中且已过整改期限；"
            "整改率 = 整改（待核查与已销账）÷ 发现（已受理，不含待受理与不予立案），销账率 = 已销账 ÷ 发现")
    sheet.append(["导出时间", line], [plain, book.style(_INFO_WRAP)], INFO_HEIGHT * 2)
    sheet.merge(3, 2, count)
    sheet.append([], [])
    sheet.append(SUMMARY_HEADERS, [header] * count, HEADER_HEIGHT)
    row_styles = [text, text] + [number] * (count - 4) + [percent, percent]
    total: Counter[str] = Counter()
    for kind in kinds:
        label = SHEET_NAMES[kind]
        kind_total: Counter[str] = Counter()
        for (row_kind, code), counts in sorted(tally.counts.items()):
            if row_kind == kind:
                sheet.append([label, tally.names[code], *summary_line(counts)], row_styles, LINE_HEIGHT + ROW_PADDING)
                kind_total.update(counts)
        sheet.append([label, "小计", *summary_line(kind_total)], row_styles, LINE_HEIGHT + ROW_PADDING)
        total.update(kind_total)
    if len(kinds) > 1:
        sheet.append(["合计", "", *summary_line(total)], row_styles, LINE_HEIGHT + ROW_PADDING)
    sheet.freeze = (SUMMARY_HEADER_ROW, 2)
    sheet.page = PageSetup(title_rows=(SUMMARY_HEADER_ROW, SUMMARY_HEADER_ROW))


def has_hex_id(text: str) -> bool:
    """Whether a text holds a 32-hex-digit id (a user, device or record id), which no export may show."""
    return bool(_HEX_ID.search(text))
