"""The rectification notice (整改通知书) as a PDF: 文号, ledger number in text and QR code, problem, measures,
deadline. The body, the issuer and the signature block stay on one page: photos shrink to fit beside them, and move
to an appendix page (附件) when even small ones would push the signatures over."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, PageBreak, Table

from inspector.core.clock import display, local_date, utc_now
from inspector.core.ledger import ESCALATION_LABELS, SEVERITY_LABELS, FindingState, Severity, State
from inspector.reports.errors import ReportError
from inspector.reports.output import Target
from inspector.reports.pdf_common import (
    FAIL_COLOUR,
    FRAME_PADDING,
    PageFrame,
    PhotoRef,
    build_pdf,
    field_table,
    gap,
    keep,
    para,
    photo_grid,
    plain_style,
    qr_code,
    signature_lines,
)

TITLE = "隐患整改通知书"
PHOTO_HEIGHT = 40 * mm  # small enough that a notice with up to three photos fits on one page
SMALL_PHOTO_HEIGHT = 26 * mm  # the smallest photos still worth printing beside the text (four to a row)
APPENDIX_PHOTO_HEIGHT = 60 * mm
# The notice's standing text; a district may pass its own wording (NoticeDocument.requirements).
DEFAULT_REQUIREMENTS = (
    "一、请你单位按上列整改措施，于整改期限届满前（含当日）完成整改。",
    "二、整改完成后，请及时告知检查人员并提供整改后照片，经现场核查合格后销账。",
    "三、整改期间应采取必要的临时管控措施，防止发生事故或造成不良影响。",
    "四、逾期未完成整改的，将列入逾期隐患通报，并按有关规定处理。",
)


@dataclass(frozen=True)
class NoticeDocument:
    """The finding on the ledger, and what the notice shows besides it."""

    finding: FindingState
    issuer: str  # 发出通知的单位, e.g. the 街道办事处
    location: str = ""  # 隐患位置: the subject's name and address, or the reported address
    street_name: str = ""
    inspectors: Sequence[str] = ()
    photos: Sequence[PhotoRef] = field(default_factory=tuple)  # 整改前照片
    issued_on: date | None = None  # default: today in Beijing
    contact: str = ""  # the issuer's contact person and phone
    requirements: Sequence[str] = DEFAULT_REQUIREMENTS
    unit_link: str = ""  # the unit's web page (sign, report the fix); the QR code holds it, else the ledger number
    document_number: str = ""  # 文号; default: from the ledger number (document_number_of)


def document_number_of(ledger_number: str) -> str:
    """The notice's 文号 from its ledger number: 朝阳-三里屯-2026-00123 → 三里屯隐改〔2026〕123号 ("" when the number
    has another shape)."""
    parts = ledger_number.split("-")
    if len(parts) < 4 or not parts[-1].isdigit() or not parts[-2].isdigit():
        return ""
    return f"{parts[-3]}隐改〔{parts[-2]}〕{int(parts[-1])}号"


def rectification_notice_pdf(document: NoticeDocument, target: Target, *, created: datetime | None = None) -> None:
    """Write the notice to a path (atomically) or a binary stream; the finding must be numbered and assigned."""
    _check(document)
    number = document.finding.ledger_number or ""
    frame = PageFrame(title=f"{TITLE} {number}", footer=f"{TITLE} {number}")
    height = frame.pagesize[1] - 2 * frame.margin - FRAME_PADDING
    build_pdf(target, frame, _story(document, frame.body_width, height, created), created)


def _check(document: NoticeDocument) -> None:
    finding = document.finding
    if not isinstance(finding, FindingState):
        raise ReportError("整改通知书需要一条台账隐患", "the notice needs a FindingState")
    if finding.state in (State.REPORTED, State.REJECTED):
        raise ReportError(
            "隐患尚未挂账，不能发整改通知书", f"finding {finding.finding_id} is not on the ledger: {finding.state}"
        )
    missing = [
        label
        for label, value in (
            ("台账编号 ledger_number", finding.ledger_number),
            ("责任单位 responsible_unit", finding.responsible_unit),
            ("整改措施 measures", finding.measures),
            ("整改期限 deadline", finding.deadline),
        )
        if not value
    ]
    if missing:
        raise ReportError(
            f"隐患 {finding.finding_id} 缺少整改通知书必填内容：{'、'.join(missing)}",
            f"finding {finding.finding_id} lacks {', '.join(missing)}: assign the finding before printing its notice",
        )
    if not document.issuer.strip():
        raise ReportError("整改通知书需要发出单位", "the notice needs its issuer")


def _story(document: NoticeDocument, width: float, height: float, created: datetime | None) -> list[Flowable]:
    """The notice on one page when it fits: photos at full size, else smaller, else on an appendix page."""
    if not document.photos:
        return _main(document, width, created, [])
    for photo_height, columns in ((PHOTO_HEIGHT, 3), (SMALL_PHOTO_HEIGHT, 4)):
        story = _main(document, width, created, _photo_block(document, width, photo_height, columns))
        if _height(story, width, height) <= height:
            return story
    appendix = [
        PageBreak(),
        para(f"附件：问题照片（{len(document.photos)}张）", "heading"),
        para(f"台账编号：{document.finding.ledger_number or ''}", "small"),
        photo_grid(document.photos, width, columns=2, height=APPENDIX_PHOTO_HEIGHT),
    ]
    note = para(f"问题照片（{len(document.photos)}张）见附件。", "body")
    return [*_main(document, width, created, [note]), *appendix]


def _height(story: Sequence[Flowable], width: float, height: float) -> float:
    """The height the story takes on an endless page (a KeepTogether counts as the sum of its members)."""
    total = 0.0
    for flowable in story:
        if isinstance(flowable, KeepTogether):
            total += _height(flowable._content, width, height)
        else:
            total += flowable.wrap(width, height)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total


def _photo_block(document: NoticeDocument, width: float, photo_height: float, columns: int) -> list[Flowable]:
    heading = para(f"问题照片（{len(document.photos)}张）", "heading")
    return [heading, photo_grid(document.photos, width, columns=columns, height=photo_height)]


def _main(document: NoticeDocument, width: float, created: datetime | None, photos: list[Flowable]) -> list[Flowable]:
    finding = document.finding
    issued = document.issued_on or local_date(created or utc_now())
    story: list[Flowable] = [
        _title_block(finding.ledger_number or "", _number(document), width, document.unit_link),
        gap(3),
        para(f"{finding.responsible_unit}：", "body"),
        gap(1),
        para(
            f"经检查，你单位{_where(document)}存在下列隐患。现将隐患情况和整改要求通知如下，请按期完成整改并及时反馈。",
            "indented",
        ),
        gap(2),
        field_table(_fields(document), width, columns=1),
        *photos,
    ]
    story.append(
        keep(
            para("整改要求", "heading"),
            *(para(line) for line in document.requirements),
            gap(3),
            _issuer_block(document, issued, width),
            gap(1),
            signature_lines(("检查人", "责任单位签收", "日期"), width),
        )
    )
    return story


def _number(document: NoticeDocument) -> str:
    return document.document_number or document_number_of(document.finding.ledger_number or "")


def _title_block(ledger_number: str, number: str, width: float, unit_link: str = "") -> Table:
    """Title, 文号 and ledger number on the left; on the right the QR code of the unit's page (签收 and 整改反馈 from
    a phone) when the server issued one, else of the ledger number."""
    qr_size = 28 * mm
    left = [para(TITLE, "title"), *([para(number, "subtitle")] if number else []),
            para(f"台账编号：{ledger_number}", "subtitle")]  # fmt: skip
    if unit_link:
        right = [qr_code(unit_link, qr_size), para("扫码签收、反馈整改", "caption")]
    else:
        right = [qr_code(ledger_number, qr_size), para("扫码查台账编号", "caption")]
    return Table(
        [[left, right]],
        colWidths=[width - qr_size - 6 * mm, qr_size + 6 * mm],
        style=plain_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "CENTER")),
    )


def _where(document: NoticeDocument) -> str:
    place = document.location or document.street_name
    return f"在{place}" if place else ""


def _fields(document: NoticeDocument) -> list[tuple[str, str | Flowable]]:
    finding = document.finding
    person = "  ".join(part for part in (finding.responsible_person, finding.responsible_phone) if part)
    pairs: list[tuple[str, str | Flowable]] = [
        ("文号", _number(document)),
        ("台账编号", finding.ledger_number or ""),
        ("责任单位", finding.responsible_unit or ""),
        ("整改责任人", person),
        ("隐患位置", document.location),
        ("所属街乡", document.street_name),
        ("发现时间", f"{display(finding.reported_at)}（北京时间）"),
        ("隐患等级", SEVERITY_LABELS[finding.severity] if finding.severity else "—"),
        ("隐患类别", finding.category),
        ("问题描述", finding.description),
        ("整改措施", finding.measures or ""),
        ("整改期限", para(f"{_chinese_date(finding.deadline)}前（含当日）", "cell", FAIL_COLOUR)),
    ]
    if finding.severity == Severity.MAJOR or finding.funds or finding.contingency_plan:
        pairs += [("整改资金", finding.funds or ""), ("应急预案", finding.contingency_plan or "")]
    if finding.escalation:
        pairs.append(("督办级别", ESCALATION_LABELS[finding.escalation]))
    if document.inspectors:
        pairs.append(("检查人", "、".join(document.inspectors)))
    return [(label, value) for label, value in pairs if value]


def _issuer_block(document: NoticeDocument, issued: date, width: float) -> Table:
    lines = [para(document.issuer, "body"), para(_chinese_date(issued), "body")]
    if document.contact:
        lines.insert(1, para(f"联系人：{document.contact}", "body"))
    return Table([["", lines]], colWidths=[width * 0.55, width * 0.45], style=plain_style())


def _chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""
