"""A campaign's summary (专项行动总结) as PDF and xlsx: the headline sentence, the tables per checklist and per
街乡, and the open cases (docs/campaigns.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from inspector.core.campaigns import Campaign, CaseFact, Progress, Tally, headline, percent
from inspector.reports.output import Target, write_document
from inspector.reports.pdf_common import LABEL_FILL, PageFrame, build_pdf, gap, grid_style, para
from inspector.reports.xlsx_stream import PageSetup, StreamingWorkbook, Style

TALLY_HEADERS = ("点位数", "已检查", "发现", "整改", "整改率", "一般隐患", "重大隐患", "隐患挂账", "隐患销账",
                 "问题立案", "问题结案")  # fmt: skip
CASE_HEADERS = ("台账编号", "检查点位", "类别", "类型", "等级", "状态", "整改期限", "描述")
KIND_NAMES = {"hazard": "安全隐患", "problem": "城市管理问题"}
GRADE_NAMES = {"general": "一般", "major": "重大"}
STATE_NAMES = {"reported": "待受理", "registered": "已立案", "assigned": "已派遣", "rectified": "已整改待核查",
               "closed": "已销账", "rejected": "不予受理"}  # fmt: skip
_ROWS_PER_TABLE = 400  # the open-case list is laid out in tables of this many rows: reportlab splits long ones slowly
_DESCRIPTION = 60  # characters of a case's description in the PDF (the workbook keeps it whole)


@dataclass(frozen=True)
class SummaryInput:
    """What the summary shows: the campaign, its figures and the names of its checklists and 街乡."""

    campaign: Campaign
    progress: Progress
    checklist_titles: Mapping[str, str]
    street_names: Mapping[str, str]


def tally_cells(tally: Tally) -> list[Any]:
    """A row of figures in the order of TALLY_HEADERS."""
    return [tally.sites, tally.checked, tally.found, tally.fixed, percent(tally.rate), tally.hazards_general,
            tally.hazards_major, tally.hazards_open, tally.hazards_closed, tally.problems_filed,
            tally.problems_closed]  # fmt: skip


def case_cells(case: CaseFact) -> list[str]:
    """A row of the open cases in the order of CASE_HEADERS."""
    return [case.ledger_number, case.subject_name, case.category, KIND_NAMES.get(case.kind, case.kind),
            GRADE_NAMES.get(case.severity or "", ""), STATE_NAMES.get(case.state, case.state), case.deadline,
            case.description]  # fmt: skip


def _by_checklist(data: SummaryInput) -> list[list[Any]]:
    return [[data.checklist_titles.get(key, key), *tally_cells(tally)]
            for key, tally in data.progress.by_checklist.items()]  # fmt: skip


def _by_street(data: SummaryInput) -> list[list[Any]]:
    return [[data.street_names.get(key, key), *tally_cells(tally)] for key, tally in data.progress.by_street.items()]


def period_text(campaign: Campaign) -> str:
    return f"{campaign.starts.isoformat()} 至 {campaign.ends.isoformat()}"


# ---------------------------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------------------------


def _figures_table(first: str, rows: list[list[Any]], total: Tally, width: float) -> Table:
    header = [first, *TALLY_HEADERS]
    body = [[str(cell) for cell in row] for row in rows]
    first_width = width * 0.22
    other = (width - first_width) / len(TALLY_HEADERS)
    table = Table([header, *body, ["合计", *(str(cell) for cell in tally_cells(total))]],
                  colWidths=[first_width, *([other] * len(TALLY_HEADERS))], repeatRows=1)  # fmt: skip
    table.setStyle(grid_style(("FONTSIZE", (0, 0), (-1, -1), 8), ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL),
                              ("BACKGROUND", (0, -1), (-1, -1), LABEL_FILL), ("ALIGN", (1, 1), (-1, -1), "RIGHT")))
    return table


def _case_tables(cases: Sequence[CaseFact], width: float) -> list[Flowable]:
    widths = [w * mm for w in (34, 44, 30, 22, 10, 22, 20)]
    widths.append(width - sum(widths))
    tables: list[Flowable] = []
    style = grid_style(("FONTSIZE", (0, 0), (-1, -1), 7), ("LEADING", (0, 0), (-1, -1), 9),
                       ("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL), ("TOPPADDING", (0, 0), (-1, -1), 1),
                       ("BOTTOMPADDING", (0, 0), (-1, -1), 1))  # fmt: skip
    for start in range(0, len(cases), _ROWS_PER_TABLE):
        rows = []
        for case in cases[start : start + _ROWS_PER_TABLE]:
            cells = case_cells(case)
            text = " ".join(cells[-1].split())
            cells[-1] = text if len(text) <= _DESCRIPTION else text[: _DESCRIPTION - 1] + "…"
            cells[1] = cells[1][:22]
            rows.append(cells)
        table = Table([list(CASE_HEADERS), *rows], colWidths=widths, repeatRows=1)
        table.setStyle(style)
        tables.append(table)
    return tables


def write_pdf(data: SummaryInput, target: Target, created: datetime | None = None) -> None:
    """The summary as a landscape A4 PDF."""
    campaign, figures = data.campaign, data.progress
    frame = PageFrame(title=f"{campaign.name} 总结", footer=f"{campaign.name} · 专项行动总结",
                      pagesize=landscape(A4), margin=12 * mm)  # fmt: skip
    width = frame.body_width
    story: list[Flowable] = [
        para(f"{campaign.name}", "title"),
        para(f"{campaign.kind_label} · {period_text(campaign)}", "subtitle"),
        gap(4),
        para(headline(campaign, figures), "indented"),
        gap(2),
        para(f"隐患挂账 {figures.total.hazards_open} 个、销账 {figures.total.hazards_closed} 个（一般 "
             f"{figures.total.hazards_general} 个、重大 {figures.total.hazards_major} 个）；问题立案 "
             f"{figures.total.problems_filed} 个、结案 {figures.total.problems_closed} 个。", "indented"),
        para("一、分检查表（方面）", "heading"),
        _figures_table("检查表", _by_checklist(data), figures.total, width),
        para("二、分街乡", "heading"),
        _figures_table("街乡", _by_street(data), figures.total, width),
        para(f"三、未销账问题隐患（{len(figures.open_cases)} 个）", "heading"),
    ]
    if figures.open_cases:
        story.extend(_case_tables(figures.open_cases, width))
    else:
        story.append(para("无", "body", colors.black))
    build_pdf(target, frame, story, created)


# ---------------------------------------------------------------------------------------------------------------
# xlsx
# ---------------------------------------------------------------------------------------------------------------


def write_xlsx(data: SummaryInput, target: Target, created: datetime | None = None) -> None:
    """The summary as a workbook: 总体 (the headline and the totals), 分检查表, 分街乡, 未销账."""
    campaign, figures = data.campaign, data.progress
    book = StreamingWorkbook(title=f"{campaign.name} 总结")
    plain = book.style(Style())
    bold = book.style(Style(bold=True, size=14))
    head = book.style(Style(bold=True, fill="DDEBF7", border=True, wrap=True, horizontal="center"))
    cell = book.style(Style(border=True))
    wide = book.style(Style(wrap=True))

    overview = book.add_sheet("总体", [18, 90])
    overview.page = PageSetup(landscape=False)
    overview.append([campaign.name, None], [bold, plain])
    overview.append([headline(campaign, figures), None], [wide, plain])
    for label, value in (("类型", campaign.kind_label), ("期间", period_text(campaign)),
                         ("检查表", "、".join(data.checklist_titles.get(c, c) for c in campaign.checklists)),
                         ("检查人员", "、".join(campaign.inspectors))):  # fmt: skip
        overview.append([label, value], [cell, cell])
    for label, value in zip(TALLY_HEADERS, tally_cells(figures.total), strict=True):
        overview.append([label, value], [cell, cell])

    for name, first, rows in (("分检查表", "检查表", _by_checklist(data)), ("分街乡", "街乡", _by_street(data))):
        sheet = book.add_sheet(name, [30, *([10] * len(TALLY_HEADERS))])
        sheet.append([first, *TALLY_HEADERS], [head] * (len(TALLY_HEADERS) + 1))
        for row in rows:
            sheet.append(row, [cell] * len(row))
        sheet.append(["合计", *tally_cells(figures.total)], [head] * (len(TALLY_HEADERS) + 1))
        sheet.freeze = (1, 1)

    cases = book.add_sheet("未销账", [20, 28, 16, 12, 8, 12, 12, 60])
    cases.append(list(CASE_HEADERS), [head] * len(CASE_HEADERS))
    for case in figures.open_cases:
        cases.append(case_cells(case), [cell] * len(CASE_HEADERS))
    cases.freeze = (1, 0)

    def produce(stream: BinaryIO) -> None:
        book.save(stream, created)

    try:
        write_document(target, produce)
    finally:
        book.discard()
