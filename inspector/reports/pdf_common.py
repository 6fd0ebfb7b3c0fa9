"""Building blocks of the PDF documents: Chinese styles, page frame, field tables, photos, QR codes, signatures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

import segno
from PIL import Image as PILImage
from PIL import ImageOps, UnidentifiedImageError
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from inspector.core.clock import display, utc_now
from inspector.reports.fonts import cjk_font_name
from inspector.reports.output import Target, write_document

GRID_COLOUR = colors.HexColor("#7f7f7f")
LABEL_FILL = colors.HexColor("#eef3f8")
FAIL_COLOUR = colors.HexColor("#c00000")
MUTED = colors.HexColor("#595959")
PHOTO_PIXELS = 1000  # longest side of an embedded photo: sharp in print at thumbnail size, small files
PHOTO_QUALITY = 80
FRAME_PADDING = 12 + 1  # reportlab's frame pads 6 points top and bottom; one more for rounding
QR_ERROR = "m"  # 15 % damage tolerance: a sign in the street gets dirty


@dataclass(frozen=True)
class PhotoRef:
    """A photo file to place in a document, with a caption; `item_id` ties it to a checklist item."""

    path: Path
    caption: str = ""
    item_id: str | None = None


def text(value: Any) -> str:
    """Plain text made safe for a reportlab Paragraph: markup escaped, line breaks kept."""
    return escape("" if value is None else str(value)).replace("\n", "<br/>")


@lru_cache(maxsize=1)
def styles() -> dict[str, ParagraphStyle]:
    """Paragraph styles in the embedded Chinese font; CJK word wrap breaks lines between any two characters."""
    font = cjk_font_name()
    base = ParagraphStyle("body", fontName=font, fontSize=10, leading=14, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "label": ParagraphStyle("label", parent=base, fontSize=9, leading=12, textColor=colors.HexColor("#1f3864")),
        "title": ParagraphStyle("title", parent=base, fontSize=20, leading=26, alignment=TA_CENTER, spaceAfter=4),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=11, leading=15, alignment=TA_CENTER),
        "heading": ParagraphStyle(
            "heading", parent=base, fontSize=12, leading=16, spaceBefore=8, spaceAfter=4, keepWithNext=1
        ),
        "caption": ParagraphStyle("caption", parent=base, fontSize=8, leading=11, textColor=MUTED, alignment=TA_CENTER),
        "centre": ParagraphStyle("centre", parent=base, alignment=TA_CENTER),
        "indented": ParagraphStyle("indented", parent=base, firstLineIndent=20),
    }


def para(value: Any, style: str = "body", colour: colors.Color | None = None) -> Paragraph:
    """A paragraph of plain text in one of the shared styles."""
    content = text(value)
    if colour is not None:
        content = f'<font color="{colour.hexval()}">{content}</font>'
    return Paragraph(content, styles()[style])


def plain_style(*commands: tuple[Any, ...]) -> TableStyle:
    """A table style in the Chinese font (cells given as plain strings would otherwise use an unembedded font)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), cjk_font_name()), *commands])


def grid_style(*extra: tuple[Any, ...]) -> TableStyle:
    """The shared table look: thin grid, padded cells, top-aligned, plus any extra commands."""
    return plain_style(
        ("GRID", (0, 0), (-1, -1), 0.5, GRID_COLOUR),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        *extra,
    )


def field_table(pairs: Sequence[tuple[str, Any]], width: float, columns: int = 2) -> Table:
    """Label/value pairs laid out `columns` pairs to a row; a value given as a Flowable is used as it is."""
    label_width = 24 * mm
    value_width = width / columns - label_width
    rows: list[list[Any]] = []
    for start in range(0, len(pairs), columns):
        row: list[Any] = []
        for label, value in pairs[start : start + columns]:
            row += [para(label, "label"), value if isinstance(value, Flowable) else para(value, "cell")]
        row += ["", ""] * (columns - len(pairs[start : start + columns]))
        rows.append(row)
    label_fill = [("BACKGROUND", (col, 0), (col, -1), LABEL_FILL) for col in range(0, columns * 2, 2)]
    return Table(rows, colWidths=[label_width, value_width] * columns, style=grid_style(*label_fill))


# --------------------------------------------------------------------------------------------------------------
# Photos
# --------------------------------------------------------------------------------------------------------------


def photo_image(path: Path, max_width: float, max_height: float) -> Flowable:
    """A photo turned upright by its EXIF orientation, scaled into the box; a note in its place when unreadable."""
    try:
        with PILImage.open(path) as opened:
            upright = ImageOps.exif_transpose(opened)
            upright = upright.convert("RGB")
            upright.thumbnail((PHOTO_PIXELS, PHOTO_PIXELS))
            buffer = io.BytesIO()
            upright.save(buffer, "JPEG", quality=PHOTO_QUALITY, optimize=True)
            pixel_width, pixel_height = upright.size
    except (OSError, UnidentifiedImageError, ValueError) as error:
        reason = "文件不存在" if isinstance(error, FileNotFoundError) else "无法读取"
        return para(f"〔照片{reason}：{path.name}〕", "caption")
    scale = min(max_width / pixel_width, max_height / pixel_height)
    buffer.seek(0)
    return Image(buffer, width=pixel_width * scale, height=pixel_height * scale)


def photo_grid(photos: Sequence[PhotoRef], width: float, columns: int = 3, height: float = 55 * mm) -> Table:
    """Photos in rows of `columns`, each scaled into its cell with its caption underneath."""
    cell_width = width / columns
    cells: list[Any] = [
        [photo_image(photo.path, cell_width - 8, height), para(photo.caption, "caption")] for photo in photos
    ]
    cells += [""] * (-len(cells) % columns)  # fill the last row
    rows = [cells[start : start + columns] for start in range(0, len(cells), columns)] or [[""] * columns]
    return Table(
        rows,
        colWidths=[cell_width] * columns,
        style=grid_style(("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "BOTTOM")),
    )


def register_heif() -> None:
    """Let Pillow read HEIC photos from phones (pi-heif)."""
    try:
        from pi_heif import register_heif_opener
    except ImportError:  # pragma: no cover - a declared dependency; without it HEIC photos show as unreadable
        return
    register_heif_opener()


register_heif()

# --------------------------------------------------------------------------------------------------------------
# QR codes and signatures
# --------------------------------------------------------------------------------------------------------------


def qr_code(content: str, size: float, module_pixels: int = 12) -> Image:
    """A QR code of `content` as a 1-bit image, `size` points wide with its quiet zone.

    Each module is a block of `module_pixels` pixels, so the code stays sharp when a viewer smooths images.
    """
    code = segno.make(content, error=QR_ERROR, micro=False)
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=module_pixels, border=4)
    buffer.seek(0)
    return Image(buffer, width=size, height=size)


def signature_lines(labels: Sequence[str], width: float) -> Table:
    """Labels side by side, each followed by its own blank line to sign on."""
    gutter = 6 * mm
    label_widths = [(len(label) + 1) * 10.5 + 8 for label in labels]
    blank = (width - sum(label_widths) - gutter * (len(labels) - 1)) / len(labels)
    row: list[Any] = []
    widths: list[float] = []
    lines = []
    for index, label in enumerate(labels):
        if index:
            row.append("")
            widths.append(gutter)
        row += [para(f"{label}：", "body"), ""]
        widths += [label_widths[index], blank]
        lines.append(("LINEBELOW", (len(row) - 1, 0), (len(row) - 1, 0), 0.6, colors.black))
    return Table(
        [row],
        colWidths=widths,
        rowHeights=[12 * mm],
        style=plain_style(
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            *lines,
        ),
    )


def keep(*flowables: Flowable) -> KeepTogether:
    """Flowables that move to the next page together rather than split."""
    return KeepTogether(list(flowables))


def gap(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


# --------------------------------------------------------------------------------------------------------------
# The document
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PageFrame:
    """Page size, margins and the footer line of a document."""

    title: str
    footer: str
    pagesize: tuple[float, float] = A4
    margin: float = 16 * mm

    @property
    def body_width(self) -> float:
        return self.pagesize[0] - 2 * self.margin


def build_pdf(target: Target, frame: PageFrame, story: Sequence[Flowable], created: datetime | None = None) -> None:
    """Lay out the story on pages with the footer (text, generation time, page number) and write the PDF."""
    stamp = f"生成于 {display(created or utc_now())}（北京时间）"

    def footer(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(cjk_font_name(), 8)
        canvas.setFillColor(MUTED)
        y = frame.margin / 2
        canvas.drawString(frame.margin, y, f"{frame.footer}  {stamp}")
        canvas.drawRightString(frame.pagesize[0] - frame.margin, y, f"第 {document.page} 页")
        canvas.restoreState()

    def produce(stream: BinaryIO) -> None:
        document = SimpleDocTemplate(
            stream,
            pagesize=frame.pagesize,
            leftMargin=frame.margin,
            rightMargin=frame.margin,
            topMargin=frame.margin,
            bottomMargin=frame.margin,
            title=frame.title,
            initialFontName=cjk_font_name(),
            author="Inspector",
            creator="Inspector",
        )
        document.build(list(story), onFirstPage=footer, onLaterPages=footer)

    write_document(target, produce)
