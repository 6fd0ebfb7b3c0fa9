"""Subjects from an Excel or CSV sheet: the template, reading rows, importing them with one error per bad row."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from inspector.core.errors import UserError
from inspector.store import subjects
from inspector.store.errors import StoreError

if TYPE_CHECKING:
    from sqlite_utils import Database

# (field, 中文 header, English header). The kind-specific fields go into the subject's `extra`.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("kind", "类型", "kind"),
    ("name", "名称", "name"),
    ("code", "编码", "code"),
    ("address", "地址", "address"),
    ("jurisdiction", "辖区编码", "jurisdiction"),
    ("responsible_person", "责任人", "responsible_person"),
    ("phone", "电话", "phone"),
    ("street_chief", "街巷长", "street_chief"),
    ("extent", "起止范围", "extent"),
    ("zone", "责任区", "zone"),
    ("site_type", "场所类型", "site_type"),
)
EXTRA_FIELDS = ("street_chief", "extent", "zone", "site_type")
KIND_NAMES: dict[str, str] = {
    "street_front_unit": "street_front_unit",
    "门前三包责任单位": "street_front_unit",
    "门前三包": "street_front_unit",
    "沿街单位": "street_front_unit",
    "back_street": "back_street",
    "背街小巷": "back_street",
    "街巷": "back_street",
    "site": "site",
    "检查场所": "site",
    "安全检查场所": "site",
    "场所": "site",
}
EXAMPLES: tuple[tuple[str, ...], ...] = (
    (
        "门前三包责任单位",
        "老北京炸酱面馆",
        "MQ-0001",
        "东城区东四北大街 123 号",
        "110101001000000",
        "王建国",
        "13800000000",
        "",
        "",
        "东四北大街 121-125 号门前",
        "",
    ),
    (
        "背街小巷",
        "东四六条",
        "JX-0001",
        "东城区东四街道",
        "110101001000000",
        "李明",
        "13900000000",
        "李明",
        "东四北大街至朝阳门北小街",
        "",
        "",
    ),
    (
        "检查场所",
        "东四菜市场燃气间",
        "AQ-0001",
        "东城区东四北大街 200 号",
        "110101001000000",
        "赵强",
        "13700000000",
        "",
        "",
        "",
        "燃气使用场所",
    ),
)
MAX_ROWS = 10_000
_HEADERS = {header: name for name, zh, en in COLUMNS for header in (zh, en)}


class SheetError(UserError):
    """The file cannot be read as a sheet of subjects at all; carries the reason in Chinese and English."""

    code = "sheet_unreadable"


@dataclass(frozen=True)
class SheetRow:
    """One data row: its number as the user sees it in the sheet, and its cells by field name."""

    number: int
    values: dict[str, str]


@dataclass(frozen=True)
class RowError:
    number: int
    name: str
    message: str


@dataclass
class ImportReport:
    """What an import did: how many subjects it created and which rows it skipped, and why."""

    created: int = 0
    errors: list[RowError] = field(default_factory=list)
    cancelled: bool = False


# ----------------------------------------------------------------------------------------------------------------
# Template
# ----------------------------------------------------------------------------------------------------------------


def write_template(path: Path) -> Path:
    """The import template with the headers and three example rows (.xlsx, or .csv by the file's suffix)."""
    headers = [zh for _name, zh, _en in COLUMNS]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            writer.writerows(EXAMPLES)
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "检查对象"
    sheet.append(headers)
    for row in EXAMPLES:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABCDEFGHIJK", (16, 20, 12, 28, 18, 10, 14, 10, 24, 22, 14), strict=True):
        sheet.column_dimensions[column].width = width
    notes = book.create_sheet("说明")
    for line in (
        "每行一个检查对象；第一行是表头，列的顺序可以改变，英文表头（kind, name, …）也可以。",
        "类型：门前三包责任单位、背街小巷 或 检查场所。名称必填。",
        "辖区编码：15 位网格编码（区划 6 位 + 街乡 3 位 + 社区 3 位 + 网格 3 位），空着时用设置中的默认辖区。",
        "编码：一户一码的编码；本机已有同一编码的对象时该行不导入。",
        "街巷长、起止范围用于背街小巷；责任区用于门前三包责任单位；场所类型用于检查场所。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    book.save(path)
    return path


# ----------------------------------------------------------------------------------------------------------------
# Reading
# ----------------------------------------------------------------------------------------------------------------


def read_sheet(path: Path) -> list[SheetRow]:
    """Data rows of an .xlsx or .csv file, keyed by field; raises SheetError for an unreadable file or header."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        table = _read_csv(path)
    elif suffix in (".xlsx", ".xlsm"):
        table = _read_xlsx(path)
    else:
        raise SheetError(
            f"不支持的文件类型 {suffix or '(无扩展名)'}，请使用 .xlsx 或 .csv",
            f"unsupported file type {suffix or '(none)'}: use .xlsx or .csv",
        )
    return _rows(table)


def _read_csv(path: Path) -> list[list[str]]:
    raw = _read_bytes(path)
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in Chinese Windows saves CSV as GBK
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise SheetError(
            "无法识别文件编码，请另存为 UTF-8 编码的 CSV 或 .xlsx",
            "unknown text encoding: save the sheet as UTF-8 CSV or .xlsx",
        )
    return [list(row) for row in csv.reader(text.splitlines())]


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise SheetError(f"无法读取文件：{reason}", f"cannot read the file: {reason}") from exc


def _read_xlsx(path: Path) -> list[list[str]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (OSError, BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise SheetError(f"不是有效的 Excel 文件：{exc}", f"not a valid Excel file: {exc}") from exc
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone or code typed as a number
    return str(value).strip()


def _rows(table: list[list[str]]) -> list[SheetRow]:
    if not table or not any(cell.strip() for cell in table[0]):
        raise SheetError(
            "第 1 行应为表头（类型、名称、编码……），但它是空的", "row 1 must hold the headers (kind, name, code, …)"
        )
    header = [cell.strip() for cell in table[0]]
    fields = [_HEADERS.get(cell) for cell in header]
    if "name" not in fields:
        raise SheetError("表头中没有“名称”列（可下载模板查看格式）", "no 'name' column in the header (see template)")
    unknown = [cell for cell, name in zip(header, fields, strict=True) if cell and name is None]
    if unknown:
        raise SheetError(f"表头中有无法识别的列：{'、'.join(unknown)}", f"unknown columns: {', '.join(unknown)}")
    rows: list[SheetRow] = []
    for offset, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {name: cells[i].strip() for i, name in enumerate(fields) if name and i < len(cells)}
        rows.append(SheetRow(offset, values))
        if len(rows) > MAX_ROWS:
            raise SheetError(f"一次最多导入 {MAX_ROWS} 行，请分批导入", f"at most {MAX_ROWS} rows per import")
    return rows


# ----------------------------------------------------------------------------------------------------------------
# Importing
# ----------------------------------------------------------------------------------------------------------------


def import_rows(
    db: Database,
    rows: Iterable[SheetRow],
    default_jurisdiction: str = "",
    language: str = "zh_CN",
    progress: Callable[[int], bool] | None = None,
) -> ImportReport:
    """Create one subject per good row; a bad row is skipped and reported with its row number and reason.

    `progress(done)` is called after each row; returning False stops the import (rows created so far stay).
    """
    report = ImportReport()
    seen_codes: dict[str, int] = {}
    for done, row in enumerate(rows, start=1):
        problem = _import_row(db, row, default_jurisdiction, seen_codes, language)
        if problem:
            report.errors.append(RowError(row.number, row.values.get("name", ""), problem))
        else:
            report.created += 1
        if progress is not None and not progress(done):
            report.cancelled = True
            break
    return report


def _import_row(
    db: Database, row: SheetRow, default_jurisdiction: str, seen_codes: dict[str, int], language: str
) -> str:
    values = row.values
    english = language == "en"
    kind_text = values.get("kind", "")
    kind = KIND_NAMES.get(kind_text)
    if kind is None:
        return (
            f"unknown kind {kind_text!r} (use 门前三包责任单位, 背街小巷 or 检查场所)"
            if english
            else f"类型“{kind_text}”无效，应为 门前三包责任单位、背街小巷 或 检查场所"
        )
    code = values.get("code") or None
    if code:
        if code in seen_codes:
            first = seen_codes[code]
            return f"code {code} repeats row {first}" if english else f"编码 {code} 与第 {first} 行重复"
        seen_codes[code] = row.number
        if subjects.find_by_code(db, code):
            return f"a subject with code {code} exists already" if english else f"本机已有编码为 {code} 的检查对象"
    extra = {name: values[name] for name in EXTRA_FIELDS if values.get(name)}
    try:
        subjects.create(
            db,
            kind=kind,
            name=values.get("name", ""),
            jurisdiction=values.get("jurisdiction") or default_jurisdiction,
            code=code,
            address=values.get("address") or None,
            responsible_person=values.get("responsible_person") or None,
            phone=values.get("phone") or None,
            extra=extra or None,
        )
    except StoreError as error:
        return error.en if english else error.zh
    return ""


def write_error_report(path: Path, errors: Iterable[RowError]) -> Path:
    """The skipped rows as a CSV (row number, name, reason) that opens in Excel."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["行号", "名称", "原因"])
        for error in errors:
            writer.writerow([error.number, error.name, error.message])
    return path
