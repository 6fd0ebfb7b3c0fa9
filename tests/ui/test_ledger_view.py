"""The ledger view (隐患台账) on demo data: every filter, Chinese substring search (one and two characters), date
ranges, sorting by the header, selecting a hidden finding, and the exports — the xlsx ledger of the selection and
the PDF 整改通知书 / 检查记录 / 公示牌 of a finding — read back (openpyxl, pdftotext)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from ledger_helpers import name_places, report_finding
from openpyxl import load_workbook
from PySide6.QtCore import QDate
from ui_helpers import close_app, open_app

from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import OPEN_STATES, State
from inspector.store import findings, subjects
from inspector.store.database import open_data_folder
from inspector.store.findings import LocalFinding
from inspector.store.seed import seed_demo_data


@pytest.fixture
def ledger(app, qtbot, data_dir: Path) -> Iterator[tuple]:  # type: ignore[no-untyped-def]
    """The ledger page on demo data plus one finding in another 街乡 (建外街道)."""
    seed_demo_data(open_data_folder(data_dir), inspections=6, photos=3)
    controller = open_app(data_dir)
    ctx = controller.ctx
    name_places(ctx.db)
    report_finding(ctx.db, jurisdiction="110105001001000", description="建外井盖破损", category="道路破损")
    try:
        yield controller.window.show_page("findings"), ctx
    finally:
        close_app(controller)


def _shown(page) -> list[LocalFinding]:  # type: ignore[no-untyped-def]
    return list(page.model.rows)


def _ids(found: list[LocalFinding]) -> set[str]:
    return {finding.id for finding in found}


def _searchable(ctx, finding: LocalFinding) -> str:  # type: ignore[no-untyped-def]
    view = finding.view
    subject = subjects.get(ctx.db, view.subject_id) if view.subject_id else None
    parts = [view.description, view.category, view.ledger_number, view.responsible_unit,
             subject.name if subject else None, subject.code if subject else None]  # fmt: skip
    return " ".join(part or "" for part in parts)


def test_filters_search_and_dates_select_what_they_say(ledger) -> None:  # type: ignore[no-untyped-def]
    page, ctx = ledger
    everything = findings.list_findings(ctx.db, limit=10_000)
    assert page.model.total == len(everything) and _ids(_shown(page)) == _ids(everything)
    filters = page.filters

    filters.state_filter.setCurrentIndex(filters.state_filter.findData("open"))
    assert _ids(_shown(page)) == _ids([f for f in everything if f.view.state in OPEN_STATES])
    filters.state_filter.setCurrentIndex(0)

    filters.street_filter.setCurrentIndex(filters.street_filter.findData("110105004000000"))
    assert _ids(_shown(page)) == _ids([f for f in everything if f.view.jurisdiction.startswith("110105004")])
    assert len(_shown(page)) == len(everything) - 1
    filters.street_filter.setCurrentIndex(0)

    subject_id = next(f.view.subject_id for f in everything if f.view.subject_id)
    filters.select_subject(subject_id)
    assert _ids(_shown(page)) == _ids([f for f in everything if f.view.subject_id == subject_id])
    filters.select_subject("")

    category = everything[0].view.category
    filters.category_filter.setCurrentIndex(filters.category_filter.findData(category))
    assert _ids(_shown(page)) == _ids([f for f in everything if f.view.category == category])
    filters.category_filter.setCurrentIndex(0)

    for text in ("井", "井盖", category[:1], "三里屯-2026"):  # one and two Chinese characters, a number's part
        page.search.setText(text)
        page._filter_later.flush()
        expected = _ids([f for f in everything if text in _searchable(ctx, f)])
        assert expected and _ids(_shown(page)) == expected, text
    page.search.setText("不存在的词")
    page._filter_later.flush()
    assert page.model.total == 0 and "共 0 条" in page.count.text()
    page.search.clear()
    page._filter_later.flush()

    today = local_date(utc_now())
    filters.date_field.setCurrentIndex(filters.date_field.findData("reported"))
    filters.date_from.setDate(QDate(today.year, today.month, today.day))
    filters.date_to.setDate(QDate(today.year, today.month, today.day))
    reported_today = _ids([f for f in everything if local_date(f.view.reported_at) == today])
    assert reported_today and _ids(_shown(page)) == reported_today
    filters.date_field.setCurrentIndex(filters.date_field.findData("deadline"))
    later = today + timedelta(days=40)
    filters.date_to.setDate(QDate(later.year, later.month, later.day))
    due = _ids([f for f in everything if f.view.deadline and today <= f.view.deadline <= later])
    assert due and _ids(_shown(page)) == due
    filters.date_field.setCurrentIndex(0)

    filters.overdue_only.setChecked(True)
    past_deadline = _ids([f for f in everything if f.is_overdue()])  # the unit's deadline: late at 处置
    late = _shown(page)
    assert past_deadline and past_deadline <= _ids(late)
    assert {f.view.state for f in late} - {State.ASSIGNED}, "a stage other than 处置 is late too"
    assert not _ids(late) & _ids([f for f in everything if f.view.state not in OPEN_STATES])
    late_column = page.model.COLUMNS.index("late")
    state_column = page.model.COLUMNS.index("state")
    for row in range(page.model.total):
        assert "逾期" in page.model.data(page.model.index(row, state_column))
        assert "逾期" in page.model.data(page.model.index(row, late_column)), "the late stage and by how much"
    filters.overdue_only.setChecked(False)
    filters.pending_only.setChecked(True)
    assert _ids(_shown(page)) == _ids([f for f in everything if f.has_pending])
    filters.clear()
    assert page.model.total == len(everything)


def test_sorting_by_the_header_and_selecting_a_hidden_finding(ledger, qtbot) -> None:  # type: ignore[no-untyped-def]
    page, _ctx = ledger
    header = page.table.horizontalHeader()
    deadline = page.model.COLUMNS.index("deadline")
    header.sectionClicked.emit(deadline)  # ascending first
    deadlines = [f.view.deadline for f in _shown(page)]
    undated = deadlines.count(None)
    assert deadlines[:undated] == [None] * undated and deadlines[undated:] == sorted(d for d in deadlines if d)
    header.sectionClicked.emit(deadline)  # then descending
    assert [f.view.deadline for f in _shown(page)][: len(deadlines) - undated] == sorted(
        (d for d in deadlines if d), reverse=True
    )
    header.sectionClicked.emit(page.model.COLUMNS.index("description"))  # not sortable: the order stays
    assert page.model.order.key == "deadline" and header.sortIndicatorSection() == deadline

    closed = next(f for f in _shown(page) if f.view.state.value == "closed")
    page.state_filter.setCurrentIndex(page.state_filter.findData("assigned"))
    assert closed.id not in _ids(_shown(page))
    page.select_finding(closed.id)  # clears the filters that hide it
    assert page.state_filter.currentIndex() == 0 and page.detail.finding.id == closed.id
    assert page.table.currentIndex().row() == page.model.row_of(closed.id)
    assert page.detail.timeline.count() == closed.view.event_count


def _pdf_text(path: Path) -> str:
    if sys.platform == "win32" and shutil.which("pdftotext") is None:
        pytest.skip("reads the PDF with poppler's pdftotext, which Windows does not have")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_exports_of_the_selection_and_of_a_finding(ledger, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, ctx = ledger
    page.state_filter.setCurrentIndex(page.state_filter.findData("assigned"))
    shown = _shown(page)
    workbook = tmp_path / "ledger.xlsx"
    page.export_ledger(workbook)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    assert str(workbook) in page.status.text()
    book = load_workbook(workbook)
    body = []
    # two ledgers, each with its title block above the header row and its kind's word for 派遣后 (处置中 / 整改中)
    for name, assigned_word in (("问题台账", "处置中"), ("隐患排查治理台账", "整改中")):
        header, *rows = list(book[name].iter_rows(min_row=3, values_only=True))
        sheet = [dict(zip(header, row, strict=True)) for row in rows]
        assert {row["状态"] for row in sheet} <= {assigned_word}
        body += sheet
    numbers = sorted(row["台账编号"] for row in body)
    assert numbers == sorted(f.view.ledger_number or "待编号" for f in shown)
    assert len(body) == len(shown) > 0
    summary = " ".join(str(c) for row in load_workbook(workbook)["汇总"].iter_rows(values_only=True) for c in row if c)
    assert "整改中" in summary

    assigned = next(f for f in shown if f.view.ledger_number and f.inspection_id)
    page.select_finding(assigned.id)
    buttons = page.detail.document_buttons
    assert buttons["notice"].isEnabled() and buttons["inspection"].isEnabled()
    notice, record = tmp_path / "notice.pdf", tmp_path / "record.pdf"
    page.export_document("notice", notice)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    page.export_document("inspection", record)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    text = _pdf_text(notice)
    assert "整改通知书" in text and assigned.view.ledger_number in text.replace(" ", "")
    assert assigned.view.responsible_unit in text.replace(" ", "")
    subject = subjects.get(ctx.db, assigned.view.subject_id)
    assert "检查记录" in _pdf_text(record) and subject.name in _pdf_text(record).replace(" ", "")

    units = {s.id for s in subjects.list_subjects(ctx.db, kind="street_front_unit")}
    unit = next(f for f in findings.list_findings(ctx.db, limit=10_000) if f.view.subject_id in units)
    page.select_finding(unit.id)
    assert buttons["signboard"].isEnabled()
    board = tmp_path / "board.pdf"
    page.export_document("signboard", board)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    assert subjects.get(ctx.db, unit.view.subject_id).name in _pdf_text(board).replace(" ", "")

    waiting = next(f for f in findings.list_findings(ctx.db, limit=10_000) if f.view.state.value == "reported")
    page.select_finding(waiting.id)
    assert not buttons["notice"].isEnabled()  # not on the ledger yet: no notice


def test_an_export_that_cannot_be_written_says_why(ledger, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page, _ctx = ledger
    target = tmp_path / "no-such-folder" / "ledger.xlsx"
    page.export_ledger(target)
    qtbot.waitUntil(lambda: page.exports.worker is None, timeout=30_000)
    assert "no-such-folder" in page.status.text() and "Traceback" not in page.status.text()
    box = page.exports.message_box
    assert box is not None and box.isVisible() and box.text() == page.status.text()
    box.close()
    assert not target.exists()
