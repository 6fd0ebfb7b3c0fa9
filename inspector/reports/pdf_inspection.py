"""The inspection record (检查记录) as a PDF: subject, checklist version, every item's result, scores, photos; a "1+10"
visit shows each of its lists with its own answers, score and outcome."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Table

from inspector.core.checklist import (
    PROVENANCE_LABELS,
    RESPONSE_LABELS,
    SUBJECT_KIND_LABELS,
    Checklist,
    Item,
    Section,
)
from inspector.core.clock import display
from inspector.core.levels import LEVEL_LABELS_ZH, InspectionLevel
from inspector.core.scoring import (
    Response,
    ScoreResult,
    deduction,
    effective_result,
    overlapping_items,
    score,
    visit_outcome,
)
from inspector.reports.errors import ReportError
from inspector.reports.output import Target
from inspector.reports.pdf_common import (
    FAIL_COLOUR,
    LABEL_FILL,
    MUTED,
    PageFrame,
    PhotoRef,
    build_pdf,
    field_table,
    gap,
    grid_style,
    keep,
    para,
    photo_grid,
    signature_lines,
)

UNANSWERED = "未检查"
# Marks after an item's text for wording that is not official (the inspector sees the same status in the app).
# Every item not quoted from a rule in force carries a mark after its text, explained under the table.
PROVENANCE_MARKS = {
    "repealed_rule": "◆",
    "notice": "◇",
    "news_summary": "○",
    "district_plan": "□",
    "seed": "△",
    "reconstructed": "※",
    "legacy_official": "☆",
}
PROVENANCE_NOTES = {
    "repealed_rule": "出自已废止或被替代的规定，非现行原文，以现行规定为准。",
    "notice": "出自通知通报，不是规章或标准原文。",
    "news_summary": "出自新闻报道或摘要，不是规定原文，以规定全文为准。",
    "district_plan": "出自区级工作方案，非全市统一规定。",
    "seed": "表述出自所列规划、意见、评估报告或期刊文章，非检查标准原文。",
    "reconstructed": "未取得官方原文，为本系统整理的参考表述，不作为官方依据。",
    "legacy_official": "旧版检查表标注为官方，未区分现行与已废止，未经复核。",
}


@dataclass(frozen=True)
class ItemAnswer:
    """An inspector's answer to one item: pass / fail / na, a measured value or text, occurrences, a note."""

    result: str | None = None
    value: float | str | None = None
    occurrences: int = 1
    note: str = ""

    @property
    def response(self) -> Response:
        return Response(self.result, self.value, self.occurrences)


@dataclass(frozen=True)
class InspectionDocument:
    """Everything the inspection record shows; times are aware datetimes, shown in Beijing time."""

    checklist: Checklist
    answers: Mapping[str, ItemAnswer]
    subject_name: str
    started_at: datetime
    finished_at: datetime | None = None
    subject_kind: str = ""  # street_front_unit / back_street / site
    subject_address: str = ""
    subject_code: str = ""
    jurisdiction_name: str = ""
    inspectors: Sequence[str] = ()
    location: str = ""
    notes: str = ""
    inspection_id: str = ""
    photos: Sequence[PhotoRef] = field(default_factory=tuple)
    level: str = ""  # core.levels.InspectionLevel value: who did the inspection (检查层级)
    programme: str = ""  # the campaign or standing programme it was made under
    area_lists: Sequence[Checklist] = ()  # the further lists of a "1+10" visit, after `checklist` (the general one)

    @property
    def lists(self) -> list[Checklist]:
        """Every list of the record, in order."""
        return [self.checklist, *self.area_lists]


def inspection_record_pdf(document: InspectionDocument, target: Target, *, created: datetime | None = None) -> None:
    """Write the inspection record to a path (atomically) or a binary stream."""
    _check(document)
    frame = PageFrame(
        title=f"检查记录 {document.checklist.title} {document.subject_name}",
        footer=f"检查记录 {document.inspection_id}".rstrip(),
    )
    build_pdf(target, frame, _story(document, frame.body_width), created)


def _check(document: InspectionDocument) -> None:
    if not isinstance(document.checklist, Checklist):
        raise ReportError("检查记录需要检查表", "the inspection record needs its checklist")
    if not document.subject_name.strip():
        raise ReportError("检查记录需要检查对象名称", "the inspection record needs the subject's name")
    if not all(isinstance(checklist, Checklist) for checklist in document.area_lists):
        raise ReportError("检查记录的领域清单必须是检查表", "the record's area lists must be checklists")
    shared = overlapping_items(document.lists)
    if shared:
        raise ReportError(
            f"检查表之间有相同编号的检查项：{', '.join(shared[:5])}",
            f"the lists share item ids: {', '.join(shared[:5])}",
        )
    keys = "、".join(checklist.key for checklist in document.lists)
    unknown = sorted(set(document.answers) - {item.id for checklist in document.lists for item in checklist.items})
    if unknown:
        raise ReportError(
            f"检查表 {keys} 中没有这些检查项：{', '.join(unknown)}",
            f"answers for items the checklist {keys} does not have: {', '.join(unknown)}",
        )
    for moment in (document.started_at, document.finished_at):
        if moment is not None and moment.tzinfo is None:
            raise ReportError("检查时间必须带时区", "times must be aware datetimes")


def _story(document: InspectionDocument, width: float) -> list[Flowable]:
    responses = {key: answer.response for key, answer in document.answers.items()}
    photo_numbers = _photo_numbers(document.photos)
    if not document.area_lists:
        result = score(document.checklist, responses)
        story: list[Flowable] = [
            para("检查记录", "title"),
            para(f"{document.checklist.title}（{document.checklist.key}）", "subtitle"),
            gap(4),
            field_table(_header_fields(document), width),
            gap(4),
            *_outcome(document.checklist, result, width),
        ]
        for section in document.checklist.sections:
            story += _section_table(section, document.answers, photo_numbers, width)
    else:
        scored = [(checklist, score(checklist, responses)) for checklist in document.lists]
        passed, outcome = visit_outcome([result for _checklist, result in scored])
        summary = "；".join(f"{checklist.title}：{result.outcome}" for checklist, result in scored)
        story = [
            para("检查记录", "title"),
            para("“1+10”检查：" + " + ".join(checklist.title for checklist in document.lists), "subtitle"),
            gap(4),
            field_table(_header_fields(document), width),
            gap(4),
            field_table(
                [("本次检查结论", para(outcome, "cell", None if passed else FAIL_COLOUR)), ("各清单结论", summary)],
                width,
                columns=1,
            ),
        ]
        for number, (checklist, result) in enumerate(scored, start=1):
            story += [gap(6), para(f"清单{number}：{checklist.title}（{checklist.key}）", "heading")]
            story += _outcome(checklist, result, width)
            for section in checklist.sections:
                story += _section_table(section, document.answers, photo_numbers, width)
    story += _legend(document.lists)
    if document.notes.strip():
        story += [para("检查说明", "heading"), para(document.notes)]
    if document.photos:
        story += [para(f"现场照片（{len(document.photos)}张）", "heading"), photo_grid(_captioned(document), width)]
    story += [gap(6), keep(signature_lines(("检查人（签字）", "被检查单位（签字）", "日期"), width))]
    return story


def _header_fields(document: InspectionDocument) -> list[tuple[str, str]]:
    kind = SUBJECT_KIND_LABELS.get(document.subject_kind, document.subject_kind)
    ended = display(document.finished_at) if document.finished_at else "未结束"
    return [
        ("检查对象", document.subject_name),
        ("对象类型", kind),
        ("地址", document.subject_address),
        ("对象编码", document.subject_code),
        ("所属辖区", document.jurisdiction_name),
        ("检查位置", document.location),
        ("检查人", "、".join(document.inspectors)),
        ("检查层级", _level_text(document.level)),
        ("检查计划", document.programme or "—"),
        ("记录编号", document.inspection_id),
        ("开始时间", f"{display(document.started_at)}（北京时间）"),
        ("结束时间", f"{ended}（北京时间）" if document.finished_at else ended),
    ]


def _level_text(level: str) -> str:
    """The level's Chinese name, or "未记录" for a record without one."""
    try:
        return LEVEL_LABELS_ZH[InspectionLevel(level)]
    except ValueError:
        return "未记录"


def _outcome(checklist: Checklist, result: ScoreResult, width: float) -> list[Flowable]:
    outcome = result.outcome if result.complete else f"{result.outcome}（暂定：{len(result.unanswered)}项未检查）"
    colour = None if result.passed else FAIL_COLOUR
    pairs: list[tuple[str, Flowable | str]] = [("检查结论", para(outcome, "cell", colour))]
    if result.score is not None:
        pairs.append(("总分", f"{result.score:g} / {result.max_score:g}{_score_basis(checklist)}"))
    else:
        pairs.append(("不合格项", f"{len(result.failed_items)} 项"))
    rows = [["分项", "满分", "得分", "不合格项"]]
    for section in checklist.sections:
        section_score = result.section_scores[section.id]
        points = section_score.max_score > 0
        rows.append(
            [
                section.title,
                f"{section_score.max_score:g}" if points else "—",
                f"{section_score.score:g}" if points else "—",
                str(section_score.failed),
            ]
        )
    table = Table(
        [[para(cell, "cell") for cell in row] for row in rows],
        colWidths=[width - 75 * mm, 25 * mm, 25 * mm, 25 * mm],
        style=grid_style(("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL)),
        repeatRows=1,
    )
    return [field_table(pairs, width, columns=1), gap(2), table]


def _score_basis(checklist: Checklist) -> str:
    """How the total is counted, e.g. （按“十无”计分，90分及以上为达标）."""
    rules = checklist.scoring
    counted = f"按“{checklist.section(rules.outcome_section).title}”计分，" if rules.outcome_section else ""
    line = f"{rules.pass_score:g}分及以上为{rules.pass_label}" if rules.pass_score is not None else ""
    return f"（{counted}{line}）" if counted or line else ""


def _section_table(
    section: Section, answers: Mapping[str, ItemAnswer], photo_numbers: Mapping[str, list[int]], width: float
) -> list[Flowable]:
    with_points = section.max_points > 0
    header = ["编号", "检查项", "结果", *(["扣分"] if with_points else []), "说明"]
    rows: list[list[Flowable]] = [[para(cell, "label") for cell in header]]
    failed_rows: list[int] = []
    for item in section.items:
        answer = answers.get(item.id)
        outcome = effective_result(item, answer.response if answer else None)
        rows.append(_item_row(item, answer, outcome, with_points, photo_numbers.get(item.id, [])))
        if outcome == "fail":
            failed_rows.append(len(rows) - 1)
    widths = [22 * mm, 0.0, 17 * mm, *([13 * mm] if with_points else []), 50 * mm]
    widths[1] = width - sum(widths)
    fail_fill = [("BACKGROUND", (2, row), (2, row), "#fbe5e5") for row in failed_rows]
    table = Table(
        rows,
        colWidths=widths,
        repeatRows=1,
        style=grid_style(("BACKGROUND", (0, 0), (-1, 0), LABEL_FILL), *fail_fill),
    )
    return [para(section.title, "heading"), table]


def _item_row(
    item: Item, answer: ItemAnswer | None, outcome: str | None, with_points: bool, photos: list[int]
) -> list[Flowable]:
    mark = PROVENANCE_MARKS.get(item.provenance.status, "")
    result_text = RESPONSE_LABELS.get(outcome or "", UNANSWERED)
    if item.response == "text":
        result_text = "已记录" if outcome else UNANSWERED
    colour = FAIL_COLOUR if outcome == "fail" else (MUTED if outcome is None else None)
    note_parts = [_value_text(item, answer), answer.note.strip() if answer else ""]
    if answer and outcome == "fail" and answer.occurrences > 1:
        note_parts.insert(0, f"{answer.occurrences}处")
    if photos:
        note_parts.append("见照片" + "、".join(str(number) for number in photos))
    row = [
        para(item.id, "small"),
        para(f"{item.text}{mark}", "cell"),
        para(result_text, "cell", colour),
    ]
    if with_points:
        lost = deduction(item, answer.response if answer else None)
        row.append(para(f"{lost:g}" if lost else "", "cell", FAIL_COLOUR if lost else None))
    row.append(para("；".join(part for part in note_parts if part), "cell"))
    return row


def _value_text(item: Item, answer: ItemAnswer | None) -> str:
    if answer is None or answer.value is None or answer.value == "":
        return ""
    if item.response == "number":
        limits = _limits_text(item)
        return f"实测 {answer.value:g}{item.unit or ''}{limits}" if isinstance(answer.value, float | int) else ""
    return str(answer.value)


def _limits_text(item: Item) -> str:
    if item.min is not None and item.max is not None:
        return f"（要求 {item.min:g}–{item.max:g}{item.unit or ''}）"
    if item.min is not None:
        return f"（要求 ≥{item.min:g}{item.unit or ''}）"
    if item.max is not None:
        return f"（要求 ≤{item.max:g}{item.unit or ''}）"
    return ""


def _legend(lists: Sequence[Checklist]) -> list[Flowable]:
    used = {item.provenance.status for checklist in lists for item in checklist.items} & set(PROVENANCE_MARKS)
    if not used:
        return []
    return [
        gap(2),
        *(
            para(f"{mark} {PROVENANCE_LABELS[status]}：{PROVENANCE_NOTES[status]}", "small")
            for status, mark in PROVENANCE_MARKS.items()
            if status in used
        ),
    ]


def _photo_numbers(photos: Sequence[PhotoRef]) -> dict[str, list[int]]:
    numbers: dict[str, list[int]] = {}
    for number, photo in enumerate(photos, start=1):
        if photo.item_id:
            numbers.setdefault(photo.item_id, []).append(number)
    return numbers


def _captioned(document: InspectionDocument) -> list[PhotoRef]:
    captioned = []
    for number, photo in enumerate(document.photos, start=1):
        parts = [f"照片{number}", photo.item_id or "", photo.caption]
        captioned.append(PhotoRef(photo.path, " ".join(part for part in parts if part), photo.item_id))
    return captioned


__all__ = ["InspectionDocument", "ItemAnswer", "PhotoRef", "inspection_record_pdf"]
