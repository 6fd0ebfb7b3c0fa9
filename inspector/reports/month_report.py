"""The month's outputs as documents: 月检查 (PDF), 月曝光 (PDF with photos), 月排名及通报 (PDF and xlsx), from one
`MonthReport` of plain figures (built by `inspector.month_report` from the laptop's data, docs/reports.md)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from inspector.core.levels import LEVEL_LABELS_ZH, InspectionLevel
from inspector.core.month import Coverage, Frequency, MonthChecks, StatusChange, Talk
from inspector.core.statistics import RedBlackList, StreetRank
from inspector.reports.output import Target, write_document
from inspector.reports.pdf_common import PageFrame, build_pdf, gap, grid_style, para, photo_image

CHECKS_TITLE = "月检查"
EXPOSURE_TITLE = "月曝光"
RANKING_TITLE = "月排名及通报"
PROPOSED_RULE = (
    "本项目建议的规则（排名：0.4 按期销账 + 0.3 逾期 + 0.3 检查覆盖；门前三包积分 ≥95 红榜、<80 黑榜；"
    "见 docs/statistics.md）"
)
NO_PHOTO = "〔无照片〕"
PHOTO_NOT_HERE = "〔照片未在本机（未下载）〕"
THUMB_WIDTH, THUMB_HEIGHT = 38 * mm, 30 * mm


@dataclass(frozen=True)
class ExposedCase:
    """One case of the month's exposure: what the PDF prints of it."""

    finding_id: str
    ledger_number: str
    description: str
    category: str
    place: str  # the subject's name and address, or the case's place
    street: str  # the 街乡's name
    deadline: date | None
    status: str
    reasons: tuple[str, ...]
    photo: Path | None  # the first 整改前 photo in the local store; None: the case has none
    photo_missing: bool = False  # the case names a photo that is not on this laptop


@dataclass
class MonthReport:
    """Everything the month's documents print, for one month and one area."""

    month: str
    area: str  # the jurisdiction the report covers, by name
    created: datetime
    checks: MonthChecks
    checklist_names: Mapping[str, str] = field(default_factory=dict)
    person_names: Mapping[str, str] = field(default_factory=dict)
    subject_names: Mapping[str, str] = field(default_factory=dict)
    street_names: Mapping[str, str] = field(default_factory=dict)
    subject_streets: Mapping[str, str] = field(default_factory=dict)
    coverage: Sequence[tuple[Frequency, Sequence[Coverage]]] = ()
    until: date | None = None  # coverage counted up to this day (a running month)
    exposed: Sequence[ExposedCase] = ()
    ranking: Sequence[StreetRank] = ()
    changes: Sequence[StatusChange] = ()
    red_black: RedBlackList | None = None
    rule: str = PROPOSED_RULE
    talks: Sequence[Talk] = ()


def level_label(level: str) -> str:
    """The Chinese name of an inspection level ("未注明" when not known)."""
    try:
        return LEVEL_LABELS_ZH[InspectionLevel(level)]
    except ValueError:
        return "未注明"


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float]) -> Table:
    cells = [[para(text, "label") for text in header]] + [[para(value) for value in row] for row in rows]
    if not rows:
        cells.append([para("（无）")] + [""] * (len(header) - 1))
    return Table(cells, colWidths=list(widths), repeatRows=1, style=grid_style())


def _heading(report: MonthReport, title: str) -> list[Flowable]:
    return [para(f"{report.area}{report.month[:4]}年{int(report.month[5:])}月{title}", "title"), gap(3)]


def _frame(report: MonthReport, title: str, wide: bool = False) -> PageFrame:
    size = landscape(A4) if wide else A4
    return PageFrame(title=f"{report.month} {title}", footer=f"{report.area} {report.month} {title}", pagesize=size)


# --------------------------------------------------------------------------------------------------------------
# 月检查
# --------------------------------------------------------------------------------------------------------------


def coverage_lines(report: MonthReport) -> list[tuple[Frequency, int, int, float | None]]:
    """Per frequency: subjects, subjects fully covered, and the share of required periods covered."""
    lines = []
    for frequency, rows in report.coverage:
        required = sum(row.required for row in rows)
        covered = sum(row.covered for row in rows)
        full = sum(1 for row in rows if row.required and row.covered == row.required)
        lines.append((frequency, len(rows), full, covered / required if required else None))
    return lines


def write_checks_pdf(report: MonthReport, target: Target) -> None:
    """月检查: what was checked (by checklist, by level), by whom, and coverage against the required frequency."""
    frame = _frame(report, CHECKS_TITLE)
    width = frame.body_width
    checks = report.checks
    story: list[Flowable] = _heading(report, CHECKS_TITLE)
    story.append(para(f"本月检查 {checks.total} 次，涉及检查对象 {checks.subjects_visited} 个。"))
    story += [gap(3), para("一、按检查表", "heading")]
    rows = [(report.checklist_names.get(key, key), count) for key, count in checks.by_checklist.items()]
    story.append(_table(["检查表", "次数"], rows, [width * 0.75, width * 0.25]))
    story += [gap(3), para("二、按检查层级", "heading")]
    story.append(_table(["层级", "次数"], [(level_label(k), n) for k, n in checks.by_level.items()],
                        [width * 0.75, width * 0.25]))  # fmt: skip
    story += [gap(3), para("三、按检查人", "heading")]
    people = [
        (report.person_names.get(by, by) or "—", level_label(level), n) for (by, level), n in checks.by_person.items()
    ]
    story.append(_table(["检查人", "层级", "次数"], people, [width * 0.5, width * 0.3, width * 0.2]))
    story += [gap(3), para("四、检查覆盖（按要求频次）", "heading")]
    if report.until is not None:
        story.append(para(f"本月尚未结束，统计至 {report.until.isoformat()}。", "caption"))
    summary = [(f.label, f.source, n, full, _percent(rate)) for f, n, full, rate in coverage_lines(report)]
    story.append(_table(["要求", "依据", "对象数", "全部达到", "覆盖率"], summary,
                        [width * 0.14, width * 0.46, width * 0.12, width * 0.14, width * 0.14]))  # fmt: skip
    for frequency, coverage_rows in report.coverage:
        missing = [row for row in coverage_rows if row.missed]
        if not missing:
            continue
        story += [gap(2), para(f"未达到“{frequency.label}”的对象", "heading")]
        lines = [
            (report.subject_names.get(row.subject_id, row.subject_id),
             report.street_names.get(report.subject_streets.get(row.subject_id, ""), ""),
             f"{row.covered}/{row.required}", _missed_text(row))
            for row in missing
        ]  # fmt: skip
        story.append(_table(["对象", "街乡", "已覆盖/应覆盖", "缺少的时段"], lines,
                            [width * 0.3, width * 0.2, width * 0.15, width * 0.35]))  # fmt: skip
    build_pdf(target, frame, story, report.created)


def _missed_text(row: Coverage, limit: int = 6) -> str:
    spans = [first.strftime("%m-%d") if first == last else f"{first:%m-%d}～{last:%m-%d}" for first, last in row.missed]
    shown = "、".join(spans[:limit])
    return shown + (f" 等 {len(spans)} 个" if len(spans) > limit else "")


# --------------------------------------------------------------------------------------------------------------
# 月曝光
# --------------------------------------------------------------------------------------------------------------


def exposure_photo(case: ExposedCase) -> Flowable:
    """The case's thumbnail, or a note saying why there is none."""
    if case.photo is None:
        return para(PHOTO_NOT_HERE if case.photo_missing else NO_PHOTO, "caption")
    if not case.photo.exists():
        return para(PHOTO_NOT_HERE, "caption")
    return photo_image(case.photo, THUMB_WIDTH, THUMB_HEIGHT)


def write_exposure_pdf(report: MonthReport, target: Target) -> None:
    """月曝光: each exposed case with its photo, place, 街乡, deadline and status (landscape)."""
    frame = _frame(report, EXPOSURE_TITLE, wide=True)
    width = frame.body_width
    story: list[Flowable] = _heading(report, EXPOSURE_TITLE)
    story.append(para(f"本月曝光问题 {len(report.exposed)} 个。", "body"))
    story.append(gap(3))
    header = ["照片", "编号", "问题", "地点", "街乡", "整改期限", "状态", "曝光原因"]
    cells: list[list[Any]] = [[para(text, "label") for text in header]]
    for case in report.exposed:
        cells.append([
            exposure_photo(case), para(case.ledger_number or "待编号"),
            para(f"{case.category}：{case.description}" if case.category else case.description), para(case.place),
            para(case.street), para(case.deadline.isoformat() if case.deadline else "—"), para(case.status),
            para("、".join(case.reasons)),
        ])  # fmt: skip
    if not report.exposed:
        cells.append([para("（本月无曝光问题）")] + [""] * (len(header) - 1))
    fractions = (0.15, 0.12, 0.22, 0.15, 0.08, 0.09, 0.07, 0.12)
    story.append(Table(cells, colWidths=[width * f for f in fractions], repeatRows=1,
                       style=grid_style(("VALIGN", (0, 0), (-1, -1), "MIDDLE"))))  # fmt: skip
    build_pdf(target, frame, story, report.created)


# --------------------------------------------------------------------------------------------------------------
# 月排名及通报
# --------------------------------------------------------------------------------------------------------------


def ranking_rows(report: MonthReport) -> list[list[Any]]:
    return [
        [rank.rank, rank.name or report.street_names.get(rank.street, rank.street), round(rank.score, 2),
         _percent(rank.on_time_rate), _percent(rank.coverage), rank.overdue]
        for rank in report.ranking
    ]  # fmt: skip


def change_rows(report: MonthReport) -> list[list[Any]]:
    return [
        [report.subject_names.get(c.subject_id, c.subject_id),
         report.street_names.get(report.subject_streets.get(c.subject_id, ""), ""), c.change,
         "—" if c.score is None else f"{c.score:g}", c.status]
        for c in report.changes
    ]  # fmt: skip


def list_rows(report: MonthReport, which: str) -> list[list[Any]]:
    lists = report.red_black
    units = [] if lists is None else lists.red if which == "red" else lists.black
    return [
        [position, unit.name or unit.subject_id, report.street_names.get(unit.street, unit.street), unit.points,
         unit.inspections]
        for position, unit in enumerate(units, start=1)
    ]  # fmt: skip


def talk_rows(report: MonthReport) -> list[list[Any]]:
    return [
        [talk.held_on.isoformat(), talk.person, talk.unit, report.street_names.get(talk.street, talk.street),
         talk.reason, talk.basis_text or talk.basis_ref, report.person_names.get(talk.recorded_by, "") or "—"]
        for talk in report.talks
    ]  # fmt: skip


RANK_HEADER = ["名次", "街乡", "得分", "按期销账率", "检查覆盖率", "月末逾期"]
CHANGE_HEADER = ["背街小巷", "街乡", "变化", "本月得分", "现状"]
LIST_HEADER = ["序号", "责任单位", "街乡", "积分", "当月检查次数"]
TALK_HEADER = ["约谈日期", "约谈对象", "单位", "街乡", "事由", "依据（排名条目）", "记录人"]


def write_ranking_pdf(report: MonthReport, target: Target) -> None:
    """月排名及通报: ranking, back streets' 降档/复档, 红榜 and 黑榜 with points, the rule used, the month's 约谈."""
    frame = _frame(report, RANKING_TITLE)
    w = frame.body_width
    story: list[Flowable] = _heading(report, RANKING_TITLE)
    story.append(para(f"计算规则：{report.rule}", "caption"))
    story += [gap(3), para("一、街乡月排名", "heading")]
    story.append(_table(RANK_HEADER, ranking_rows(report), [w * f for f in (0.1, 0.3, 0.12, 0.16, 0.16, 0.16)]))
    story += [gap(3), para("二、背街小巷降档、复档", "heading")]
    story.append(_table(CHANGE_HEADER, change_rows(report), [w * f for f in (0.3, 0.2, 0.15, 0.15, 0.2)]))
    fractions = (0.1, 0.4, 0.2, 0.12, 0.18)
    story += [gap(3), para("三、门前三包红榜", "heading")]
    story.append(_table(LIST_HEADER, list_rows(report, "red"), [w * f for f in fractions]))
    story += [gap(3), para("四、门前三包黑榜", "heading")]
    story.append(_table(LIST_HEADER, list_rows(report, "black"), [w * f for f in fractions]))
    story += [gap(3), para("五、本月约谈", "heading")]
    story.append(_table(TALK_HEADER, talk_rows(report), [w * f for f in (0.12, 0.1, 0.15, 0.11, 0.24, 0.18, 0.1)]))
    build_pdf(target, frame, story, report.created)


def write_ranking_xlsx(report: MonthReport, target: Target) -> None:
    """The same 通报 as a workbook: one sheet per part, plus the month's checks and coverage."""
    book = Workbook()
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="EEF3F8")

    def sheet(title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], first: bool = False) -> None:
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = title
        ws.append([f"{report.area}{report.month} {title}"])
        ws["A1"].font = Font(bold=True, size=13)
        ws.append(list(header))
        for cell in ws[2]:
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center")
        for row in rows:
            ws.append(list(row))
        for index, _ in enumerate(header):
            ws.column_dimensions[chr(ord("A") + index)].width = 18
        ws.freeze_panes = "A3"

    sheet("街乡排名", RANK_HEADER, ranking_rows(report), first=True)
    sheet("降档复档", CHANGE_HEADER, change_rows(report))
    sheet("红榜", LIST_HEADER, list_rows(report, "red"))
    sheet("黑榜", LIST_HEADER, list_rows(report, "black"))
    sheet("约谈", TALK_HEADER, talk_rows(report))
    checks = [[level_label(level), count] for level, count in report.checks.by_level.items()]
    sheet("检查层级", ["层级", "次数"], checks)
    coverage = [[f.label, f.source, n, full, rate] for f, n, full, rate in coverage_lines(report)]
    sheet("检查覆盖", ["要求", "依据", "对象数", "全部达到", "覆盖率"], coverage)
    rule = book.create_sheet("规则")
    rule.append(["计算规则", report.rule])

    def produce(stream: BinaryIO) -> None:
        book.save(stream)

    write_document(target, produce)
