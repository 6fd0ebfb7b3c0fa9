"""The hazard ledger (隐患排查治理台账) as an .xlsx workbook: one row per finding, and a summary by 街乡 and state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime
from math import ceil
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from inspector.core.clock import display, local, local_date, utc_now
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import (
    ESCALATION_LABELS,
    SEVERITY_LABELS,
    SOURCE_LABELS,
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
from inspector.reports.output import Target, write_document

LEDGER_SHEET = "隐患排查治理台账"
SUMMARY_SHEET = "汇总"
UNNUMBERED = "待编号"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
TITLE_LENGTH = 30
LINE_HEIGHT = 15.0  # points per line of 11-point text
MAX_ROW_LINES = 20
YES, NO = "是", "否"


@dataclass(frozen=True)
class LedgerRow:
    """One finding with the names and facts the ledger shows besides its projected state.

    Names are display names (the ledger shows people, not user ids); empty text means "not known".
    """

    finding: FindingState
    street: str = ""  # 街乡 name; the summary falls back to the 9-digit street code
    location: str = ""  # 位置: subject name and address, or the reported address / coordinates
    title: str = ""  # 隐患名称; defaults to the start of the description
    hazard_type: str = "现场类"  # 现场类 / 基础管理类
    discovery_method: str = "巡查"  # 巡查 / 自查 / 举报 / 12345 / 上级交办
    reporter: str = ""  # 发现人; defaults to the reporter's user id
    rectifier: str = ""  # 整改责任人 (who reported the fix)
    rectified_at: datetime | None = None  # 整改完成时间
    verifier: str = ""  # 复查/验收人
    verified_at: datetime | None = None  # 验收时间
    verify_opinion: str = ""  # 验收意见
    note: str = ""  # 备注


@dataclass(frozen=True)
class LedgerExportResult:
    """What was written: row count, overdue count, and the counts of the summary sheet."""

    rows: int
    overdue: int
    by_street: dict[str, Counter[str]] = field(default_factory=dict)


def ledger_row(
    events: Sequence[Event],
    people: Mapping[str, str] | None = None,
    *,
    street: str = "",
    location: str = "",
    subject_name: str = "",
    title: str = "",
    note: str = "",
    default_kind: Kind = Kind.HAZARD,
) -> LedgerRow:
    """A ledger row from a finding's events (oldest first): the projection plus what only the events tell.

    `people` maps user ids to display names; `title` (隐患名称, e.g. the failed checklist item's text) overrides the
    report payload's. The report payload may carry `title`, `hazard_type`,
    `discovery_method` and `location`; the latest rectification and the closing verification give the
    整改/验收 columns.
    """
    finding = project(events, default_kind)  # default_kind: the converted kind of a report made before kinds
    names = people or {}
    report = events[0].payload
    rectified = _last(events, (Action.RECTIFY, Action.REPORT_FIXED_ON_SITE))
    verified = _last(events, (Action.VERIFY_PASS,)) if finding.state == State.CLOSED else None
    return LedgerRow(
        finding=finding,
        street=street,
        location=location or _location_text(subject_name, report.get("location")),
        title=title or _text(report.get("title")),
        hazard_type=_text(report.get("hazard_type")) or "现场类",
        discovery_method=_text(report.get("discovery_method")) or SOURCE_LABELS[finding.source],
        reporter=names.get(finding.reported_by, finding.reported_by),
        rectifier=names.get(rectified.actor_id, rectified.actor_id) if rectified else "",
        rectified_at=rectified.at if rectified else None,
        verifier=names.get(verified.actor_id, verified.actor_id) if verified else "",
        verified_at=verified.at if verified else None,
        verify_opinion=_text(verified.payload.get("opinion")) if verified else "",
        note=note,
    )


def _last(events: Sequence[Event], actions: tuple[Action, ...]) -> Event | None:
    return next((event for event in reversed(events) if event.action in actions), None)


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _location_text(subject_name: str, location: Any) -> str:
    parts = [subject_name] if subject_name else []
    if isinstance(location, Mapping):
        address = _text(location.get("address"))
        if address:
            parts.append(address)
        elif isinstance(location.get("lat"), int | float) and isinstance(location.get("lon"), int | float):
            parts.append(f"{location['lat']:.6f}, {location['lon']:.6f}")
    return "，".join(parts)


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
    """One ledger column: header, width in Excel character units, kind of value, and how to get it."""

    header: str
    width: float
    kind: str  # text | wrap | datetime | date | number
    value: _Getter


def _title(facts: _Facts) -> str:
    finding = facts.row.finding
    if facts.row.title:
        return facts.row.title
    first_line = finding.description.strip().splitlines()[0] if finding.description.strip() else finding.category
    return first_line if len(first_line) <= TITLE_LENGTH else first_line[: TITLE_LENGTH - 1] + "…"


def _person_and_phone(facts: _Facts) -> str:
    finding = facts.row.finding
    return "  ".join(part for part in (finding.responsible_person, finding.responsible_phone) if part)


def _photo_count(photos: tuple[str, ...]) -> str:
    return f"{len(photos)}张" if photos else ""


def _opt(value: str | None) -> str:
    return value or ""


COLUMNS: tuple[Column, ...] = (
    Column("序号", 6, "number", lambda f: f.number),
    Column("台账编号", 24, "text", lambda f: f.row.finding.ledger_number or UNNUMBERED),
    Column("隐患名称", 24, "wrap", _title),
    Column("隐患描述", 40, "wrap", lambda f: f.row.finding.description),
    Column("隐患类别", 12, "text", lambda f: f.row.finding.category),
    Column("隐患类型", 10, "text", lambda f: f.row.hazard_type),
    Column("所属街乡", 14, "text", lambda f: f.row.street),
    Column("位置", 30, "wrap", lambda f: f.row.location),
    Column("网格编码", 18, "text", lambda f: f.row.finding.jurisdiction),
    Column("责任单位", 24, "wrap", lambda f: _opt(f.row.finding.responsible_unit)),
    Column("责任人及电话", 22, "text", _person_and_phone),
    Column("发现时间", 17, "datetime", lambda f: f.row.finding.reported_at),
    Column("发现人", 10, "text", lambda f: f.row.reporter or f.row.finding.reported_by),
    Column("发现方式", 10, "text", lambda f: f.row.discovery_method),
    Column(
        "隐患等级", 10, "text", lambda f: SEVERITY_LABELS[f.row.finding.severity] if f.row.finding.severity else "—"
    ),
    Column("整改措施", 36, "wrap", lambda f: _opt(f.row.finding.measures)),
    Column("整改期限", 12, "date", lambda f: f.row.finding.deadline),
    Column("整改资金", 14, "wrap", lambda f: _opt(f.row.finding.funds)),
    Column("应急措施/临时管控措施", 28, "wrap", lambda f: _opt(f.row.finding.contingency_plan)),
    Column("整改责任人", 12, "text", lambda f: f.row.rectifier),
    Column("整改完成时间", 17, "datetime", lambda f: f.row.rectified_at),
    Column("整改前照片", 11, "text", lambda f: _photo_count(f.row.finding.photos)),
    Column("整改后照片", 11, "text", lambda f: _photo_count(f.row.finding.after_photos)),
    Column("复查/验收人", 12, "text", lambda f: f.row.verifier),
    Column("验收时间", 17, "datetime", lambda f: f.row.verified_at),
    Column("验收意见", 28, "wrap", lambda f: f.row.verify_opinion),
    Column("状态", 10, "text", lambda f: STATE_LABELS[f.row.finding.state]),
    Column("是否逾期", 9, "text", lambda f: YES if f.overdue_days is not None else NO),
    Column("逾期天数", 9, "number", lambda f: f.overdue_days),
    Column("销账时间", 17, "datetime", lambda f: f.row.finding.closed_at),
    Column("督办级别", 11, "text", lambda f: ESCALATION_LABELS[e] if (e := f.row.finding.escalation) else ""),
    Column("备注", 24, "wrap", lambda f: f.row.note),
)
HEADERS: tuple[str, ...] = tuple(column.header for column in COLUMNS)

# --------------------------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------------------------

_THIN = Side(style="thin", color="A6A6A6")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
_HEADER_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
# Body cells keep the spreadsheet's default bottom alignment: giving every cell a top alignment would double the
# time of a large export, and mixing the two misaligns the cells of a tall row.
_WRAP = Alignment(wrap_text=True)


class _Styler:
    """Makes the styled cells of one sheet, with each style built once (styling is the cost of a large export)."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet

    def header(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, text)
        cell.font, cell.fill, cell.border = _HEADER_FONT, _HEADER_FILL, _HEADER_BORDER
        cell.alignment = _HEADER_ALIGNMENT
        return cell

    def body(self, kind: str, value: Any) -> Any:
        if value is None or value == "":
            return None
        if kind == "datetime":
            if value.tzinfo is None:
                raise ReportError(
                    f"时间 {value} 没有时区", f"a naive datetime in a ledger row ({value}): times must be aware"
                )
            return self._formatted(local(value).replace(tzinfo=None), DATETIME_FORMAT)
        if kind == "date":
            return self._formatted(value, DATE_FORMAT)
        if kind == "number":
            return value
        text = _clean_text(value)
        if kind == "wrap" or text.startswith("="):
            cell = WriteOnlyCell(self.sheet, text)
            cell.data_type = "s"  # never a formula, whatever the text starts with
            if kind == "wrap":
                cell.alignment = _WRAP
            return cell
        return text

    def _formatted(self, value: date | datetime, number_format: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value)
        cell.number_format = number_format
        return cell


def _clean_text(value: Any) -> str:
    """Text without the control characters an .xlsx cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _text_width(value: str) -> float:
    """Width in Excel's character units: a Chinese character takes two, an ASCII one one.

    Computed from the UTF-8 length (3 bytes for a Chinese character, 1 for ASCII), which is fast in C.
    """
    return (len(value.encode("utf-8")) + len(value)) / 2


def _set_row_height(sheet: WriteOnlyWorksheet, row_index: int, values: Sequence[Any]) -> None:
    """Give a row with wrapped text the height of its tallest cell: spreadsheets do not grow streamed rows."""
    lines = 1
    for column, value in zip(COLUMNS, values, strict=True):
        if column.kind == "wrap" and isinstance(value, str) and value:
            usable = column.width - 1
            wrapped = sum(max(1, ceil(_text_width(part) / usable)) for part in value.split("\n"))
            lines = max(lines, wrapped)
    if lines > 1:
        sheet.row_dimensions[row_index].height = LINE_HEIGHT * min(lines, MAX_ROW_LINES)


def _street_key(row: LedgerRow) -> tuple[str, str]:
    """(street code, shown name) of a row: the 9-digit 街乡 part of its grid code, named by the row when it can."""
    code = street_of(row.finding.jurisdiction)
    return code, row.street or code


def export_ledger_xlsx(
    rows: Iterable[LedgerRow], target: Target, *, now: datetime | None = None, scope: str = ""
) -> LedgerExportResult:
    """Write the ledger to a path (atomically) or a binary stream; rows are streamed, never all held in memory.

    `now` (aware; default: the current time) decides overdue (逾期); `scope` describes the selection (e.g. the
    jurisdiction and date range) on the summary sheet.
    """
    moment = now or utc_now()
    if moment.tzinfo is None:
        raise ReportError("导出时间必须带时区", "now must be an aware datetime")
    result: list[LedgerExportResult] = []

    def produce(stream: BinaryIO) -> None:
        result.append(_write_workbook(rows, stream, moment, scope))

    write_document(target, produce)
    return result[0]


def _write_workbook(rows: Iterable[LedgerRow], stream: BinaryIO, now: datetime, scope: str) -> LedgerExportResult:
    workbook = Workbook(write_only=True)
    workbook.properties.title = LEDGER_SHEET
    workbook.properties.creator = "Inspector"
    ledger = workbook.create_sheet(LEDGER_SHEET)
    summary = workbook.create_sheet(SUMMARY_SHEET)
    try:
        _prepare_ledger_sheet(ledger)
        counts, names, written, overdue = _write_ledger_rows(ledger, rows, now)
        last_column = get_column_letter(len(COLUMNS))
        ledger.auto_filter.ref = f"A1:{last_column}{written + 1}"
        _write_summary(summary, counts, names, now, scope)
    except BaseException:
        _discard(workbook)
        raise
    workbook.save(stream)
    by_street = {names[code]: counts[code] for code in sorted(counts)}
    return LedgerExportResult(rows=written, overdue=overdue, by_street=by_street)


def _discard(workbook: Workbook) -> None:
    """Close a half-written streaming workbook and delete the temporary files its sheets were writing."""
    for sheet in workbook.worksheets:
        with suppress(Exception):
            if not sheet.closed:
                sheet.close()
        writer = getattr(sheet, "_writer", None)  # openpyxl keeps each streaming sheet in a temporary file
        if writer is not None:
            with suppress(Exception):
                writer.cleanup()


def _prepare_ledger_sheet(sheet: WriteOnlyWorksheet) -> None:
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "C2"  # header row, and the number columns stay in view while scrolling right
    # Printed on A3 landscape, each page repeats the header row and the 序号/台账编号 columns (32 columns do not
    # fit one page at a readable size).
    sheet.print_title_rows = "1:1"
    sheet.print_title_cols = "A:B"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A3
    styler = _Styler(sheet)
    sheet.append([styler.header(header) for header in HEADERS])


def _write_ledger_rows(
    sheet: WriteOnlyWorksheet, rows: Iterable[LedgerRow], now: datetime
) -> tuple[dict[str, Counter[str]], dict[str, str], int, int]:
    styler = _Styler(sheet)
    counts: dict[str, Counter[str]] = {}
    names: dict[str, str] = {}
    today = local_date(now)
    written = overdue = 0
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, LedgerRow):
            raise ReportError(f"第 {number} 行不是台账行", f"row {number} is not a LedgerRow: {type(row).__name__}")
        late = is_overdue(row.finding, now)
        days = (today - row.finding.deadline).days if late and row.finding.deadline else None
        facts = _Facts(row, number, days)
        values = [column.value(facts) for column in COLUMNS]
        _set_row_height(sheet, number + 1, values)
        sheet.append([styler.body(column.kind, value) for column, value in zip(COLUMNS, values, strict=True)])
        sheet.row_dimensions.pop(number + 1, None)  # written with the row; keep memory flat
        code, name = _street_key(row)
        names.setdefault(code, name)
        tally = counts.setdefault(code, Counter())
        tally[row.finding.state.value] += 1
        tally[OVERDUE_KEY] += late
        written += 1
        overdue += late
    return counts, names, written, overdue


OVERDUE_KEY = "overdue"
SUMMARY_HEADERS: tuple[str, ...] = ("街乡", *(STATE_LABELS[state] for state in State), "合计", "其中逾期")
SUMMARY_HEADER_ROW = 5


def _write_summary(
    sheet: WriteOnlyWorksheet, counts: Mapping[str, Counter[str]], names: Mapping[str, str], now: datetime, scope: str
) -> None:
    styler = _Styler(sheet)
    sheet.column_dimensions["A"].width = 22
    for index in range(2, len(SUMMARY_HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 11
    sheet.freeze_panes = f"B{SUMMARY_HEADER_ROW + 1}"
    sheet.page_setup.orientation = "landscape"
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    title = WriteOnlyCell(sheet, "隐患排查治理台账汇总（按街乡、状态）")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    sheet.append(["范围", styler.body("text", scope or "全部")])
    sheet.append(["导出时间", f"{display(now)}（北京时间）；逾期按导出时间判定：整改中且已过整改期限"])
    sheet.append([])
    sheet.append([styler.header(header) for header in SUMMARY_HEADERS])
    total: Counter[str] = Counter()
    for code in sorted(counts):
        sheet.append([styler.body("text", names[code]), *_summary_line(names[code], counts[code])[1:]])
        total.update(counts[code])
    sheet.append([styler.header("合计"), *_summary_line("", total)[1:]])


def _summary_line(name: str, tally: Counter[str]) -> list[Any]:
    by_state = [tally[state.value] for state in State]
    return [name, *by_state, sum(by_state), tally[OVERDUE_KEY]]
