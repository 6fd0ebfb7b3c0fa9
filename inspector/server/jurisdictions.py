"""The jurisdiction tree: import from CSV/XLSX (code, name, parent[, short_name]), short names, lookups."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from inspector.core.clock import now_iso
from inspector.core.jurisdiction import JurisdictionCodeError, parse_code
from inspector.core.protocol import FeedKind
from inspector.server import feed
from inspector.server.models import Jurisdiction

# Longest first: 朝阳区 → 朝阳, 三里屯街道 → 三里屯, 南磨房地区 → 南磨房, 金盏乡 → 金盏.
_SUFFIXES = (
    "街道办事处",
    "地区办事处",
    "办事处",
    "街道",
    "地区",
    "社区居委会",
    "居委会",
    "村委会",
    "社区",
    "乡",
    "镇",
    "区",
)
REQUIRED_COLUMNS = ("code", "name")
MAX_IMPORT_BYTES = 20 * 1024 * 1024


def derive_short_name(name: str) -> str:
    """The name without its administrative suffix (kept whole when that would leave under two characters)."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def jurisdiction_document(row: Jurisdiction) -> dict[str, Any]:
    """A jurisdiction as the API and the feed carry it."""
    return {
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name,
        "parent": row.parent,
        "level": row.level,
        "active": row.active,
    }


@dataclass
class ImportReport:
    """Outcome of an import: rows added, changed, unchanged, and one message per bad row."""

    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def read_rows(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV (UTF-8, `#` comment lines skipped) or XLSX file as lower-cased column → text."""
    if path.stat().st_size > MAX_IMPORT_BYTES:
        raise ValueError(f"{path.name}: the file is larger than {MAX_IMPORT_BYTES} bytes")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_rows(path)
    if path.suffix.lower() != ".csv":
        raise ValueError(f"{path.name}: only .csv and .xlsx files can be imported")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError(f"{path.name}: the file is not UTF-8 text (save it as CSV UTF-8)") from None
    lines = [line for line in text.splitlines() if not line.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    return [{(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k} for row in reader]


def _xlsx_rows(path: Path) -> list[dict[str, str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for damaged files
        raise ValueError(f"{path.name}: cannot read the workbook ({error})") from None
    rows = workbook.active.iter_rows(values_only=True) if workbook.active else iter(())
    header = next(rows, None)
    if header is None:
        return []
    names = [str(cell or "").strip().lower() for cell in header]
    result = []
    for values in rows:
        if values is None or all(cell in (None, "") for cell in values):
            continue
        result.append({names[i]: _cell_text(cell) for i, cell in enumerate(values) if i < len(names) and names[i]})
    workbook.close()
    return result


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def import_jurisdictions(session: Session, rows: list[dict[str, str]]) -> ImportReport:
    """Add or update jurisdictions; a bad row is reported (line number of the data row) and skipped."""
    report = ImportReport()
    if rows and not all(column in rows[0] for column in REQUIRED_COLUMNS):
        columns = ", ".join(REQUIRED_COLUMNS)
        report.errors.append(f"the file needs the columns {columns} (and optionally parent, short_name)")
        return report
    known = {row.code: row for row in session.scalars(select(Jurisdiction))}
    for number, raw in enumerate(rows, start=2):
        try:
            values = _row_values(raw, known)
        except ValueError as error:
            report.errors.append(f"row {number}: {error}")
            continue
        _upsert(session, known, values, report)
    return report


def _row_values(raw: dict[str, str], known: dict[str, Jurisdiction]) -> dict[str, Any]:
    try:
        code = parse_code(raw.get("code", ""))
    except JurisdictionCodeError as error:
        raise ValueError(str(error)) from None
    name = raw.get("name", "").strip()
    if not name or len(name) > 200:
        raise ValueError(f"code {code.full}: the name must have 1-200 characters")
    parent_text = raw.get("parent", "").strip()
    parent = code.parent()
    if parent_text:
        try:
            given = parse_code(parent_text)
        except JurisdictionCodeError as error:
            raise ValueError(f"code {code.full}: parent: {error}") from None
        if parent is None or given != parent:
            raise ValueError(f"code {code.full}: parent {given.full} is not the level above it")
    if parent is not None and parent.full not in known:
        raise ValueError(f"code {code.full}: its parent {parent.full} is not imported (list parents first)")
    short = raw.get("short_name", "").strip() or derive_short_name(name)
    return {
        "code": code.full,
        "name": name,
        "short_name": short[:100],
        "parent": parent.full if parent else None,
        "level": int(code.level),
        "active": raw.get("active", "").strip().lower() not in ("0", "false", "no", "否"),
    }


def _upsert(session: Session, known: dict[str, Jurisdiction], values: dict[str, Any], report: ImportReport) -> None:
    row = known.get(values["code"])
    if row is None:
        row = Jurisdiction(**values, updated_at=now_iso())
        session.add(row)
        known[row.code] = row
        report.added += 1
    elif any(getattr(row, key) != value for key, value in values.items()):
        for key, value in values.items():
            setattr(row, key, value)
        row.updated_at = now_iso()
        report.changed += 1
    else:
        report.unchanged += 1
        return
    feed.stage(session, FeedKind.JURISDICTION, row.code, row.code, jurisdiction_document(row))


def import_file(session: Session, path: Path) -> ImportReport:
    """Import a CSV/XLSX jurisdiction file; unreadable files raise ValueError with the reason."""
    return import_jurisdictions(session, read_rows(path))


def known_codes(session: Session, codes: set[str]) -> dict[str, Jurisdiction]:
    """The jurisdiction rows among these codes."""
    if not codes:
        return {}
    return {row.code: row for row in session.scalars(select(Jurisdiction).where(Jurisdiction.code.in_(sorted(codes))))}
