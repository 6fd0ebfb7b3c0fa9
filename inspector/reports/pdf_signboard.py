"""The street-front unit's public notice board (门前三包责任公示牌) as a one-page PDF with its 一户一码 QR code."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A3, A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from inspector.reports.errors import ReportError
from inspector.reports.output import Target
from inspector.reports.pdf_common import FRAME_PADDING, PageFrame, build_pdf, gap, plain_style, qr_code, styles, text

TITLE = "门前三包责任公示牌"
CITY_HOTLINE = "12345"
# The three duties of the 2026 《北京市“门前三包”责任制管理办法》, each with the 1999 duties it takes in.
DUTIES: tuple[tuple[str, str], ...] = (
    ("包卫生干净", "责任区内环境整洁，清扫地面，清除痰迹、污物、废弃物和积水积雪"),
    ("包容貌整洁", "外立面整洁，不乱贴乱挂，维护绿化设施，不擅自设置地锁、栏杆、石墩"),
    ("包环境有序", "不乱堆乱放杂物，不乱设摊点，不私搭乱建，不乱停车辆"),
)
DUTY_COLOURS = ("#1f6f43", "#1f4e79", "#8a4b08")
PAGE_SIZES = {"A4": landscape(A4), "A3": landscape(A3)}
SHRINK_STEPS = (1.0, 0.92, 0.85, 0.78, 0.72, 0.66)


@dataclass(frozen=True)
class SignboardDocument:
    """What the board shows for one street-front unit; `qr_content` defaults to the unit's code."""

    unit_name: str
    unit_code: str  # 一户一码: the subject's code
    responsible_person: str
    street_name: str  # 所属街乡
    responsible_phone: str = ""
    address: str = ""
    zone: str = ""  # 责任区范围
    street_phone: str = ""  # the 街乡's supervision number
    community_contact: str = ""  # 社区联系人及电话
    qr_content: str = ""


def signboard_pdf(
    document: SignboardDocument, target: Target, *, page: str = "A4", created: datetime | None = None
) -> None:
    """Write the board (one landscape page, A4 or A3) to a path (atomically) or a binary stream."""
    _check(document, page)
    pagesize = PAGE_SIZES[page]
    frame = PageFrame(title=f"{TITLE} {document.unit_name}", footer=f"{TITLE} {document.unit_code}", pagesize=pagesize)
    build_pdf(target, frame, _one_page_story(document, frame, pagesize[0] / PAGE_SIZES["A4"][0]), created)


def _one_page_story(document: SignboardDocument, frame: PageFrame, page_scale: float) -> list[Flowable]:
    """The board at the largest type size that fits one page; long names and ranges make the type smaller."""
    height = frame.pagesize[1] - 2 * frame.margin - FRAME_PADDING
    for shrink in SHRINK_STEPS:
        story = _story(document, frame.body_width, page_scale * shrink)
        if sum(flowable.wrap(frame.body_width, height)[1] for flowable in story) <= height:
            return story
    raise ReportError(
        "公示牌内容过长，一页放不下，请精简责任单位名称或责任区范围",
        "the board's text does not fit one page: shorten the unit's name or the area it answers for",
    )


def _check(document: SignboardDocument, page: str) -> None:
    missing = [
        label
        for label, value in (
            ("责任单位 unit_name", document.unit_name),
            ("单位编码 unit_code", document.unit_code),
            ("责任人 responsible_person", document.responsible_person),
            ("所属街乡 street_name", document.street_name),
        )
        if not value.strip()
    ]
    if missing:
        raise ReportError(
            f"公示牌缺少必填内容：{'、'.join(missing)}", f"the board needs these fields: {', '.join(missing)}"
        )
    if page not in PAGE_SIZES:
        raise ReportError(
            f"纸张 {page!r} 不支持，可选 {'、'.join(PAGE_SIZES)}",
            f"unsupported page size {page!r}: choose one of {', '.join(PAGE_SIZES)}",
        )


def _style(name: str, size: float, colour: str = "#000000", centred: bool = False) -> ParagraphStyle:
    return ParagraphStyle(
        name,
        parent=styles()["body"],
        fontSize=size,
        leading=size * 1.3,
        textColor=colors.HexColor(colour),
        alignment=TA_CENTER if centred else 0,
    )


def _story(document: SignboardDocument, width: float, scale: float) -> list[Flowable]:
    title = Table(
        [[Paragraph(TITLE, _style("board-title", 34 * scale, "#ffffff", centred=True))]],
        colWidths=[width],
        style=plain_style(
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor("#b22222")),
            ("TOPPADDING", (0, 0), (-1, -1), 6 * scale),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 12 * scale),
        ),
    )
    return [
        title,
        gap(4 * scale),
        _details_and_code(document, width, scale),
        gap(6 * scale),
        _duties(width, scale),
        gap(6 * scale),
        _supervision(document, width, scale),
    ]


def _details_and_code(document: SignboardDocument, width: float, scale: float) -> Table:
    label = _style("board-label", 14 * scale, "#404040")
    value = _style("board-value", 18 * scale)
    person = "  ".join(part for part in (document.responsible_person, document.responsible_phone) if part)
    pairs = [
        ("责任单位", document.unit_name),
        ("责任人", person),
        ("地址", document.address),
        ("责任区范围", document.zone),
        ("所属街乡", document.street_name),
    ]
    rows = [[Paragraph(text(name), label), Paragraph(text(content), value)] for name, content in pairs if content]
    qr_size = 55 * mm * scale
    details = Table(
        rows,
        colWidths=[30 * mm * scale, width - qr_size - 40 * mm * scale],
        style=plain_style(("VALIGN", (0, 0), (-1, -1), "TOP"), ("TOPPADDING", (0, 0), (0, -1), 3 * scale)),
    )
    code = [
        qr_code(document.qr_content or document.unit_code, qr_size, module_pixels=16),
        Paragraph(text(f"一户一码 {document.unit_code}"), _style("board-code", 11 * scale, centred=True)),
    ]
    return Table(
        [[details, code]],
        colWidths=[width - qr_size - 10 * mm * scale, qr_size + 10 * mm * scale],
        style=plain_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")),
    )


def _duties(width: float, scale: float) -> Table:
    heading = _style("duty-heading", 24 * scale, "#ffffff", centred=True)
    body = _style("duty-body", 15 * scale)
    column = width / len(DUTIES)
    headings = [Paragraph(text(name), heading) for name, _ in DUTIES]
    contents = [Paragraph(text(content), body) for _, content in DUTIES]
    fills = [("BACKGROUND", (index, 0), (index, 0), colors.HexColor(c)) for index, c in enumerate(DUTY_COLOURS)]
    boxes = [("BOX", (index, 0), (index, 1), 1.2, colors.HexColor(c)) for index, c in enumerate(DUTY_COLOURS)]
    return Table(
        [headings, contents],
        colWidths=[column] * len(DUTIES),
        style=plain_style(
            *fills,
            *boxes,
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, 0), 4 * scale),
            ("BOTTOMPADDING", (0, 0), (-1, 0), 10 * scale),
            ("TOPPADDING", (0, 1), (-1, 1), 12 * scale),
            ("BOTTOMPADDING", (0, 1), (-1, 1), 18 * scale),
            ("LEFTPADDING", (0, 0), (-1, -1), 8 * scale),
            ("RIGHTPADDING", (0, 0), (-1, -1), 8 * scale),
        ),
    )


def _supervision(document: SignboardDocument, width: float, scale: float) -> Table:
    phones = [f"市民服务热线 {CITY_HOTLINE}"]
    if document.street_phone:
        phones.append(f"{document.street_name} {document.street_phone}")
    lines = [Paragraph(text("监督电话：" + "　　".join(phones)), _style("board-phone", 20 * scale, "#b22222"))]
    if document.community_contact:
        lines.append(Paragraph(text(f"社区联系人：{document.community_contact}"), _style("board-contact", 14 * scale)))
    return Table(
        [[lines]],
        colWidths=[width],
        style=plain_style(
            ("LINEABOVE", (0, 0), (-1, 0), 1, colors.HexColor("#b22222")),
            ("TOPPADDING", (0, 0), (-1, -1), 8 * scale),
        ),
    )
