"""A small streaming .xlsx (SpreadsheetML) writer: rows go to a temporary file per sheet, memory stays flat.

It writes only what the ledger needs — inline strings, numbers, dates, a table of cell styles, column widths, row
heights, frozen panes, an auto-filter, merged cells, print titles, fit-to-width page set-up and a page footer — and
writes it fast: one row is one formatted string (see docs/reports.md, "Size and speed", for why not a library).
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, BinaryIO
from xml.sax.saxutils import escape, quoteattr

MAX_TEXT = 32767  # characters in one cell (the SpreadsheetML limit)
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPECIAL = re.compile(r"[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|^\s|\s\Z")
_EPOCH = datetime(1899, 12, 30)
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FLUSH_ROWS = 256
COMPRESS_LEVEL = 1  # deflate's fastest: a quarter of the export time at level 6, files 1.4× larger
PAPER_A3, PAPER_A4 = 8, 9


def column_letter(index: int) -> str:
    """The letter(s) of a 1-based column index (1 → A, 27 → AA)."""
    letters = ""
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def clean_text(value: object) -> str:
    """Text without the control characters an .xlsx cannot hold, cut to the cell limit."""
    text = _ILLEGAL.sub("", str(value))
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT]


def excel_serial(value: date | datetime) -> float | int:
    """A naive date or datetime as Excel's day number (1900 date system)."""
    if isinstance(value, datetime):
        delta = value - _EPOCH
        return delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return (value - _EPOCH.date()).days


@dataclass(frozen=True)
class Style:
    """One cell format; the workbook numbers each distinct one in its style table."""

    bold: bool = False
    size: float = 10
    fill: str | None = None  # RGB hex, e.g. "DDEBF7"
    border: bool = False  # thin on all four sides
    wrap: bool = False
    horizontal: str | None = None  # left | center | right | centerContinuous
    vertical: str | None = None  # top | center | bottom
    number_format: str | None = None


@dataclass(frozen=True)
class PageSetup:
    """How a sheet prints: paper, orientation, fit-to-width, repeated rows and a page-number footer."""

    paper: int = PAPER_A3
    landscape: bool = True
    fit_width: bool = True
    title_rows: tuple[int, int] | None = None  # first and last row (1-based) repeated on every page
    footer: str = "第 &P 页，共 &N 页"
    margins: tuple[float, float, float, float] = (0.4, 0.4, 0.5, 0.6)  # left, right, top, bottom (inches)


class Sheet:
    """One worksheet being written: rows are appended in order (1-based), then the workbook assembles it."""

    def __init__(self, book: StreamingWorkbook, name: str, widths: Sequence[float]) -> None:
        self.book = book
        self.name = name
        self.widths = list(widths)
        self.letters = [column_letter(index) for index in range(1, len(widths) + 1)]
        self.rows = 0
        self.last_column = len(widths)
        self.freeze: tuple[int, int] | None = None  # (rows, columns) kept in view
        self.auto_filter: tuple[int, int] | None = None  # (first row, last row) over all columns
        self.merges: list[str] = []
        self.page = PageSetup()
        self.default_row_height: float | None = None
        self._body: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the workbook
        self._pending: list[str] = []

    def append(self, values: Sequence[Any], styles: Sequence[int], height: float | None = None) -> int:
        """Write the next row: a value and a style index per column (None → an empty cell that keeps its style).

        str → text (never a formula), int/float → number, datetime/date → an Excel date (naive: as shown).
        Returns the row's number.
        """
        self.rows += 1
        number = str(self.rows)
        head = f'<row r="{number}" ht="{height:g}" customHeight="1">' if height else f'<row r="{number}">'
        parts = [head]
        add = parts.append
        for letter, value, style in zip(self.letters, values, styles, strict=False):
            if value is None or value == "":
                add(f'<c r="{letter}{number}" s="{style}"/>')
            elif type(value) is str:
                if _SPECIAL.search(value) is not None or len(value) > MAX_TEXT:  # &, <, >, controls, spaced ends
                    value = _ILLEGAL.sub("", value)[:MAX_TEXT]
                    value = escape(value) if "&" in value or "<" in value or ">" in value else value
                    if value[:1].isspace() or value[-1:].isspace():
                        add(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is><t xml:space="preserve">'
                            f"{value}</t></is></c>")  # fmt: skip
                        continue
                add(f'<c r="{letter}{number}" s="{style}" t="inlineStr"><is><t>{value}</t></is></c>')
            elif isinstance(value, bool):
                add(f'<c r="{letter}{number}" s="{style}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int | float):
                add(f'<c r="{letter}{number}" s="{style}"><v>{value!r}</v></c>')
            elif isinstance(value, date):
                add(f'<c r="{letter}{number}" s="{style}"><v>{excel_serial(value)!r}</v></c>')
            else:
                raise TypeError(f"cannot write a {type(value).__name__} to a cell")
        add("</row>")
        self._pending.append("".join(parts))
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()
        return self.rows

    def merge(self, row: int, first_column: int, last_column: int) -> None:
        """Merge cells of one row (the first cell's value and style show across them)."""
        self.merges.append(f"{self.letters[first_column - 1]}{row}:{self.letters[last_column - 1]}{row}")

    def _flush(self) -> None:
        if self._pending:
            self._body.write("".join(self._pending).encode("utf-8"))
            self._pending.clear()

    def close(self) -> None:
        self._body.close()

    def write_to(self, package: zipfile.ZipFile, part: str, index: int) -> None:
        """The whole worksheet part, head + the rows written so far + the settings that follow the rows (ZIP64 only
        when the part is that large: some readers refuse it on small parts)."""
        self._flush()
        head, tail = self._head(index), self._tail()
        size = len(head) + self._body.tell() + len(tail)
        with package.open(part, "w", force_zip64=size > zipfile.ZIP64_LIMIT) as out:
            out.write(head)
            self._body.seek(0)
            while chunk := self._body.read(1 << 20):
                out.write(chunk)
            out.write(tail)

    def _head(self, index: int) -> bytes:
        last = self.letters[-1] if self.letters else "A"
        ref = f"A1:{last}{max(self.rows, 1)}"
        fit = '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>' if self.page.fit_width else ""
        head = [f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_NS_R}>', fit,
                f'<dimension ref="{ref}"/>', self._views(index)]  # fmt: skip
        if self.default_row_height:
            head.append(f'<sheetFormatPr defaultRowHeight="{self.default_row_height:g}" customHeight="1"/>')
        else:
            head.append('<sheetFormatPr defaultRowHeight="15"/>')
        if self.widths:
            head.append("<cols>")
            head += [f'<col min="{n}" max="{n}" width="{w:g}" customWidth="1"/>' for n, w in enumerate(self.widths, 1)]
            head.append("</cols>")
        head.append("<sheetData>")
        return "".join(head).encode("utf-8")

    def _tail(self) -> bytes:
        last = self.letters[-1] if self.letters else "A"
        tail = ["</sheetData>"]
        if self.auto_filter:
            tail.append(f'<autoFilter ref="A{self.auto_filter[0]}:{last}{self.auto_filter[1]}"/>')
        if self.merges:
            tail.append(f'<mergeCells count="{len(self.merges)}">')
            tail += [f'<mergeCell ref="{ref}"/>' for ref in self.merges]
            tail.append("</mergeCells>")
        left, right, top, bottom = self.page.margins
        tail.append('<printOptions horizontalCentered="1"/>')
        tail.append(f'<pageMargins left="{left}" right="{right}" top="{top}" bottom="{bottom}" header="0.3" '
                    'footer="0.3"/>')  # fmt: skip
        fit_pages = ' fitToWidth="1" fitToHeight="0"' if self.page.fit_width else ""
        orientation = "landscape" if self.page.landscape else "portrait"
        tail.append(f'<pageSetup paperSize="{self.page.paper}" orientation="{orientation}"{fit_pages}/>')
        if self.page.footer:
            tail.append(f"<headerFooter><oddFooter>{escape('&C' + self.page.footer)}</oddFooter>"
                        "</headerFooter>")  # fmt: skip
        tail.append("</worksheet>")
        return "".join(tail).encode("utf-8")

    def _views(self, index: int) -> str:
        selected = ' tabSelected="1"' if index == 0 else ""
        if not self.freeze:
            return f'<sheetViews><sheetView workbookViewId="0"{selected}/></sheetViews>'
        rows, columns = self.freeze
        top_left = f"{column_letter(columns + 1)}{rows + 1}"
        split = (f' xSplit="{columns}"' if columns else "") + (f' ySplit="{rows}"' if rows else "")
        pane = "bottomRight" if rows and columns else ("bottomLeft" if rows else "topRight")
        return (f'<sheetViews><sheetView workbookViewId="0"{selected}><pane{split} topLeftCell="{top_left}" '
                f'activePane="{pane}" state="frozen"/><selection pane="{pane}" activeCell="{top_left}" '
                f'sqref="{top_left}"/></sheetView></sheetViews>')  # fmt: skip

    def defined_names(self, index: int) -> list[str]:
        quoted = "'" + self.name.replace("'", "''") + "'"
        names = []
        if self.auto_filter:
            first, last = self.auto_filter
            names.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{index}" hidden="1">'
                         f"{escape(quoted)}!$A${first}:${self.letters[-1]}${last}</definedName>")  # fmt: skip
        if self.page.title_rows:
            first, last = self.page.title_rows
            names.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{index}">'
                         f"{escape(quoted)}!${first}:${last}</definedName>")  # fmt: skip
        return names


class StreamingWorkbook:
    """A workbook written once, sheet rows streamed: add sheets and styles, append rows, then `save(stream)`."""

    def __init__(self, title: str = "", creator: str = "Inspector", base: Style = Style()) -> None:
        self.title = title
        self.creator = creator
        self.sheets: list[Sheet] = []
        self._styles: dict[Style, int] = {base: 0}

    def style(self, style: Style) -> int:
        """The index of a cell format (registered on first use)."""
        index = self._styles.get(style)
        if index is None:
            index = self._styles[style] = len(self._styles)
        return index

    def add_sheet(self, name: str, widths: Sequence[float]) -> Sheet:
        sheet = Sheet(self, name, widths)
        self.sheets.append(sheet)
        return sheet

    def discard(self) -> None:
        """Delete the sheets' temporary files (after a failure, or after saving)."""
        for sheet in self.sheets:
            sheet.close()

    def save(self, stream: BinaryIO, created: datetime | None = None) -> None:
        """Write the package to `stream` (which may be unseekable) and delete the temporary files."""
        try:
            with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as package:
                package.writestr("[Content_Types].xml", self._content_types())
                package.writestr("_rels/.rels", _ROOT_RELS)
                package.writestr("docProps/app.xml", _APP)
                package.writestr("docProps/core.xml", self._core(created))
                package.writestr("xl/workbook.xml", self._workbook())
                package.writestr("xl/_rels/workbook.xml.rels", self._workbook_rels())
                package.writestr("xl/styles.xml", self._styles_part())
                for index, sheet in enumerate(self.sheets):
                    sheet.write_to(package, f"xl/worksheets/sheet{index + 1}.xml", index)
        finally:
            self.discard()

    def _content_types(self) -> str:
        sheets = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{sheets}"
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
            "</Types>"
        )

    def _core(self, created: datetime | None) -> str:
        moment = (created or datetime.now().astimezone()).astimezone().strftime("%Y-%m-%dT%H:%M:%S%z")
        moment = moment[:-2] + ":" + moment[-2:]
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{escape(self.title)}</dc:title><dc:creator>{escape(self.creator)}</dc:creator>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{moment}</dcterms:created>'
            "</cp:coreProperties>"
        )

    def _workbook(self) -> str:
        sheets = "".join(
            f'<sheet name={quoteattr(sheet.name)} sheetId="{n}" r:id="rId{n}"/>'
            for n, sheet in enumerate(self.sheets, start=1)
        )
        names = [name for index, sheet in enumerate(self.sheets) for name in sheet.defined_names(index)]
        defined = f"<definedNames>{''.join(names)}</definedNames>" if names else ""
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook {_NS} {_NS_R}>'
            '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
            f"<sheets>{sheets}</sheets>{defined}</workbook>"
        )

    def _workbook_rels(self) -> str:
        sheets = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, len(self.sheets) + 1)
        )
        styles = f'<Relationship Id="rId{len(self.sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/>'
        return (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{sheets}{styles}'
            "</Relationships>"
        )

    def _styles_part(self) -> str:
        formats: dict[str, int] = {}
        fonts: dict[tuple[bool, float], int] = {}
        fills: dict[str | None, int] = {None: 0}
        xfs = []
        for style in self._styles:  # in index order (dicts keep insertion order)
            number = 0
            if style.number_format:
                number = formats.setdefault(style.number_format, 164 + len(formats))
            font = fonts.setdefault((style.bold, style.size), len(fonts))
            fill = fills.setdefault(style.fill, len(fills) + 1)  # 0 none, 1 gray125 (both required)
            border = 1 if style.border else 0
            attributes = (f'numFmtId="{number}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
                          + (' applyNumberFormat="1"' if number else "") + (' applyFont="1"' if font else "")
                          + (' applyFill="1"' if fill else "") + (' applyBorder="1"' if border else ""))  # fmt: skip
            align = ""
            if style.wrap or style.horizontal or style.vertical:
                align = "<alignment" + (f' horizontal="{style.horizontal}"' if style.horizontal else "")
                align += (f' vertical="{style.vertical}"' if style.vertical else "") + (
                    ' wrapText="1"' if style.wrap else ""
                ) + "/>"
                attributes += ' applyAlignment="1"'
            xfs.append(f"<xf {attributes}>{align}</xf>" if align else f"<xf {attributes}/>")
        num_fmts = "".join(f'<numFmt numFmtId="{n}" formatCode={quoteattr(code)}/>' for code, n in formats.items())
        font_xml = "".join(
            f"<font>{'<b/>' if bold else ''}<sz val=\"{size:g}\"/><name val=\"宋体\"/><family val=\"3\"/>"
            '<charset val="134"/></font>'
            for bold, size in fonts
        )
        fill_xml = '<fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
        fill_xml += "".join(
            f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill>'
            "</fill>"
            for rgb in fills
            if rgb is not None
        )
        thin = '<{0} style="thin"><color rgb="FF808080"/></{0}>'
        border_xml = "<border><left/><right/><top/><bottom/><diagonal/></border><border>" + "".join(
            thin.format(side) for side in ("left", "right", "top", "bottom")
        ) + "<diagonal/></border>"
        return (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
            + (f'<numFmts count="{len(formats)}">{num_fmts}</numFmts>' if formats else "")
            + f'<fonts count="{len(fonts)}">{font_xml}</fonts>'
            + f'<fills count="{len(fills) + 1}">{fill_xml}</fills>'
            + f'<borders count="2">{border_xml}</borders>'
            + '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
            + f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
            + '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
            + "</styleSheet>"
        )


_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL}/extended-properties" Target="docProps/app.xml"/>'
    "</Relationships>"
)
_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Inspector</Application></Properties>"
)
