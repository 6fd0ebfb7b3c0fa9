"""12345 work-order sheets: reading an .xlsx or .csv into cells, the shipped import template, and the handling-status
workbook the hotline platform takes back (docs/hotline.md)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from inspector.core.clock import display
from inspector.core.hotline import FIELDS, TEMPLATE_HEADERS
from inspector.reports.errors import ReportError

MAX_ROWS = 20_000
STATUS_COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("order_number", "工单编号", 20),
    ("status", "办理状态", 14),
    ("ledger_number", "台账编号", 22),
    ("responsible_unit", "承办单位", 20),
    ("responded_at", "响应时间", 18),
    ("reply_deadline", "回复期限", 18),
    ("in_time", "是否按时响应", 12),
    ("closed_at", "办结时间", 18),
    ("result", "办理结果", 40),
    ("satisfaction", "回访满意度", 12),
)
TEMPLATE_EXAMPLE = (
    "BJ12345-20261201-0001",
    "2026-12-01 09:12",
    "三里屯路19号门前堆放杂物，占用人行道，希望尽快清理",
    "朝阳区三里屯路19号",
    "2026-12-03 17:30",
    "暴露垃圾",
    "三里屯街道",
    "王女士",
    "138****0000",
)


class SheetReadError(ReportError):
    """The file cannot be read as a sheet."""

    code = "sheet_unreadable"

    def __init__(self, detail_zh: str, detail_en: str) -> None:
        super().__init__(detail_zh=detail_zh, detail_en=detail_en)


def read_table(path: Path) -> list[list[Any]]:
    """The rows of the first sheet of an .xlsx, or of a .csv (UTF-8 or GB18030), header row first; cells keep their
    type (dates stay dates). Refuses other files, an empty header row and more than MAX_ROWS rows."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        raise SheetReadError(f"不支持的文件类型 {suffix or '(无扩展名)'}，请使用 .xlsx 或 .csv",
                             f"unsupported file type {suffix or '(none)'}: use .xlsx or .csv")  # fmt: skip
    while table and not any(_filled(cell) for cell in table[-1]):
        table.pop()
    if not table or not any(_filled(cell) for cell in table[0]):
        raise SheetReadError("第 1 行应为表头（工单编号、诉求内容……），但它是空的",
                             "row 1 must hold the headers (工单编号, 诉求内容, …)")  # fmt: skip
    if len(table) - 1 > MAX_ROWS:
        raise SheetReadError(f"行数超过 {MAX_ROWS}，请分批导入", f"more than {MAX_ROWS} rows: import in parts")
    return table


def headers_of(table: Sequence[Sequence[Any]]) -> list[str]:
    """The header row as text."""
    return ["" if cell is None else str(cell).strip() for cell in table[0]]


def _filled(cell: Any) -> bool:
    return cell is not None and str(cell).strip() != ""


def _read_csv(path: Path) -> list[list[Any]]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SheetReadError(f"无法读取文件：{reason}", f"cannot read the file: {reason}") from exc
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetReadError("无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx",
                             "unknown text encoding: save the sheet as UTF-8 CSV or .xlsx")  # fmt: skip
    return [list(row) for row in csv.reader(text.splitlines())]


def _read_xlsx(path: Path) -> list[list[Any]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise SheetReadError(f"不是有效的 Excel 文件：{exc}", f"not a valid Excel file: {exc}") from exc
    try:
        return [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def write_template(path: Path) -> Path:
    """The import template: the header row, one example row, and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "12345工单"
    sheet.append(list(TEMPLATE_HEADERS))
    sheet.append(list(TEMPLATE_EXAMPLE))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, width in enumerate((24, 18, 48, 30, 18, 14, 14, 10, 14), 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    notes = book.create_sheet("填写说明")
    notes.append(["列", "必填", "说明"])
    explanations = {
        "order_number": "热线平台的工单编号；同一区内唯一，重复导入同一工单不会重复建案",
        "received_at": "派单（受理）时间，如 2026-12-01 09:12；不填按导入时间计",
        "demand": "来电人的诉求内容",
        "address": "诉求地址",
        "reply_deadline": "回复期限，如 2026-12-03 17:30；只填日期按当日 17:30 计",
        "category": "问题类别（如 暴露垃圾、乱停车），决定各阶段时限；不填记为“12345诉求”",
        "street": "所属街乡名称或辖区编码；不填则归入导入时选择的辖区",
        "caller": "来电人",
        "caller_phone": "联系电话",
    }
    for field in FIELDS:
        notes.append([field.header, "是" if field.required else "否", explanations[field.key]])
    notes.column_dimensions["A"].width = 14
    notes.column_dimensions["C"].width = 80
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_status(path: Path, rows: Iterable[Mapping[str, Any]]) -> int:
    """The handling status of each work order, one row per order, for the hotline platform; returns the row count."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "办理情况"
    sheet.append([title for _key, title, _width in STATUS_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    count = 0
    for row in rows:
        sheet.append([_status_cell(row.get(key)) for key, _title, _width in STATUS_COLUMNS])
        count += 1
    for index, (_key, _title, width) in enumerate(STATUS_COLUMNS, 1):
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = width
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        book.save(path)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise ReportError(f"无法写入 {path.name}：{reason}", f"cannot write {path.name}: {reason}") from exc
    return count


def _status_cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime):
        return display(value)
    return "" if value is None else value
