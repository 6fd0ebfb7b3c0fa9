"""A street-front unit's file (一户一码一档) as a PDF: the unit, its 责任书, inspections, cases and monthly 积分, with
the unit's code as a QR that opens the same file on a laptop (扫码查档)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Table

from inspector.reports.errors import ReportError
from inspector.reports.output import Target
from inspector.reports.pdf_common import PageFrame, build_pdf, field_table, gap, grid_style, para, qr_code

TITLE = "门前三包责任单位档案"
POINTS_NOTE = "积分按本项目提议的计分规则计算（非官方口径）"


@dataclass(frozen=True)
class PledgeLine:
    """The unit's 责任书 as the file shows it."""

    signed_on: str
    term_months: int
    renewal_due: str
    signer: str
    standing: str  # 有效 / 临期待续签 / 已过期
    scan: str  # "已存扫描件" or "无扫描件"


@dataclass(frozen=True)
class UnitFileDocument:
    """One unit's file; rows are already worded (dates in Beijing time)."""

    unit_name: str
    unit_code: str
    street_name: str
    address: str = ""
    responsible_person: str = ""
    phone: str = ""
    pledge: PledgeLine | None = None
    inspections: Sequence[tuple[str, str, str, str, str]] = field(default_factory=tuple)  # 日期 检查表 层级 得分 结论
    cases: Sequence[tuple[str, str, str, str, str]] = field(default_factory=tuple)  # 编号 发现日期 问题 状态 期限
    points: Sequence[tuple[str, str, str, str]] = field(default_factory=tuple)  # 月份 检查次数 积分 榜单
    qr_content: str = ""


def unit_file_pdf(document: UnitFileDocument, target: Target, created: datetime | None = None) -> None:
    """Write the file (A4, as many pages as it needs) to a path (atomically) or a binary stream."""
    if not document.unit_name.strip() or not document.unit_code.strip():
        raise ReportError("档案缺少责任单位名称或编码", "the file needs the unit's name and code")
    frame = PageFrame(title=f"{TITLE} {document.unit_name}", footer=f"{TITLE} {document.unit_code}")
    build_pdf(target, frame, _story(document, frame.body_width), created)


def _story(document: UnitFileDocument, width: float) -> list[Flowable]:
    head = Table(
        [[
            [para(TITLE, "title"), para(f"{document.unit_name}（一户一码：{document.unit_code}）", "heading")],
            qr_code(document.qr_content or document.unit_code, 28 * mm),
        ]],
        colWidths=[width - 32 * mm, 32 * mm],
    )  # fmt: skip
    story: list[Flowable] = [
        head,
        gap(3),
        field_table(
            [
                ("所属街乡", document.street_name),
                ("地址", document.address),
                ("责任人", document.responsible_person),
                ("电话", document.phone),
            ],
            width,
        ),
        gap(4),
        para("一、门前三包责任书", "heading"),
    ]
    pledge = document.pledge
    if pledge is None:
        story.append(para("尚未录入责任书"))
    else:
        story.append(
            field_table(
                [
                    ("签订日期", pledge.signed_on),
                    ("期限", f"{pledge.term_months} 个月"),
                    ("续签截止", pledge.renewal_due),
                    ("状态", pledge.standing),
                    ("签字人", pledge.signer),
                    ("扫描件", pledge.scan),
                ],
                width,
            )
        )
    story += [gap(4), para("二、检查记录", "heading")]
    story.append(_rows(("日期", "检查表", "检查层级", "得分", "结论"), document.inspections, width, "无检查记录"))
    story += [gap(4), para("三、问题与隐患", "heading")]
    story.append(_rows(("编号", "发现日期", "问题", "状态", "整改期限"), document.cases, width, "无问题记录"))
    story += [gap(4), para("四、月度积分", "heading")]
    story.append(_rows(("月份", "检查次数", "积分", "红黑榜"), document.points, width, "无积分"))
    story += [gap(2), para(POINTS_NOTE, "small")]
    return story


def _rows(header: Sequence[str], rows: Sequence[Sequence[str]], width: float, empty: str) -> Flowable:
    if not rows:
        return para(empty)
    body: list[list[Paragraph]] = [[para(text, "label") for text in header]]
    body += [[para(value, "cell") for value in row] for row in rows]
    return Table(body, colWidths=[width / len(header)] * len(header), style=grid_style(), repeatRows=1)
