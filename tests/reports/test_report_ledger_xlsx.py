"""The xlsx ledgers (问题台账, 隐患排查治理台账, 汇总): exported from a real data folder, opened again with openpyxl
and checked cell by cell, printed through LibreOffice where it is installed."""

from __future__ import annotations

import io
import logging
import shutil
import struct
import subprocess
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from ledgerbook import ME, SUPERVISOR, Book, build_ledger_folder
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportkit import OTHER_STREET, History, history_to, pdf_pages, pdf_text

import inspector.core.ledger as ledger_rules
from inspector.core.clock import local_date, utc_now
from inspector.core.ledger import STATE_LABELS, Action, State
from inspector.exports import export_ledger, split_targets
from inspector.reports.errors import ReportError
from inspector.reports.ledger_xlsx import (
    HAZARD,
    PROBLEM,
    Basis,
    LedgerHeading,
    LedgerRow,
    export_ledger_xlsx,
    has_hex_id,
    headers_of,
    ledger_row,
)
from inspector.store import findings
from inspector.store.ledger_queries import LedgerQuery, LedgerSort

PROBLEM_HEADERS = [
    "序号", "台账编号", "问题名称", "问题描述", "问题类别", "检查依据", "专项/领域", "检查对象", "所属街乡", "位置",
    "网格编码", "发现时间", "发现人", "发现方式", "责任单位", "整改责任人", "联系电话", "处置措施", "处置期限",
    "延期次数", "延期原因", "整改反馈人", "整改完成时间", "整改前照片", "整改后照片", "核查人", "核查时间", "核查意见",
    "状态", "是否逾期", "逾期天数", "结案时间", "督办级别", "督办单位", "督办文号", "督办日期", "督办期限", "备注",
]  # fmt: skip
HAZARD_HEADERS = [
    "序号", "台账编号", "隐患名称", "隐患描述", "隐患类别", "隐患类型", "检查依据", "“1+10”领域", "检查对象",
    "所属街乡", "位置", "网格编码", "发现时间", "发现人", "发现方式", "隐患等级", "责任单位", "整改责任人", "联系电话",
    "整改措施", "整改资金", "应急措施/临时管控措施", "整改期限", "延期次数", "延期原因", "整改反馈人", "整改完成时间",
    "整改前照片", "整改后照片", "复查验收人", "验收时间", "验收意见", "状态", "是否逾期", "逾期天数", "销账时间",
    "督办级别", "督办单位", "督办文号", "督办日期", "督办期限", "备注",
]  # fmt: skip
SUMMARY_HEADERS = ("台账", "街乡", "待受理", "不予立案", "已挂账", "整改中", "待核查", "已销账", "合计", "其中逾期",
                   "发现", "整改", "整改率", "销账率")  # fmt: skip
PEOPLE = {"u-insp": "张三", "u-sup": "李四"}
NOW = datetime(2026, 3, 12, 4, 0, tzinfo=UTC)  # 12:00 on 12 March in Beijing
GAS = Basis("AQ-RQ-01", "应当安装可燃气体报警装置", "燃气安全隐患检查清单", "1+10 城市管理安全隐患检查清单")


@pytest.fixture
def book(tmp_path: Path) -> Book:
    return build_ledger_folder(tmp_path / "data")


@pytest.fixture
def exported(book: Book, tmp_path: Path) -> Path:
    target = tmp_path / "台账.xlsx"
    done = export_ledger(book.folder, LedgerQuery(), LedgerSort(), target, "朝阳区 2026年3月")
    assert (done.rows, done.path) == (3, target)
    return target


def sheet_rows(sheet: Worksheet) -> list[dict[str, Any]]:
    """The rows under the header row (row 3), keyed by header."""
    headers = [cell.value for cell in sheet[3]]
    return [dict(zip(headers, row, strict=True)) for row in sheet.iter_rows(min_row=4, values_only=True)]


def row_by_number(sheet: Worksheet, ledger_number: str) -> dict[str, Any]:
    headers = [cell.value for cell in sheet[3]]
    for row in sheet.iter_rows(min_row=4):
        if row[1].value == ledger_number:
            return {header: cell for header, cell in zip(headers, row, strict=True)}
    raise AssertionError(f"no row {ledger_number}")


def days_late(deadline: date) -> int:
    return (local_date(utc_now()) - deadline).days


def state_word(kind: str, state: State) -> str:
    """The state as the ledger of that kind words it (the rules' per-kind words where they have them)."""
    by_kind: dict[Any, dict[State, str]] = getattr(ledger_rules, "KIND_STATE_LABELS", {})
    return by_kind.get(kind, STATE_LABELS)[state]


def default_source(finding_id: str, book: Book) -> str | None:
    """发现方式 of a report that names none: blank, or the projection's default once cases carry a source."""
    db = book.folder.connect()
    try:
        source = getattr(findings.get(db, finding_id).view, "source", None)
    finally:
        db.close()
    return getattr(ledger_rules, "SOURCE_LABELS", {}).get(source) if source else None


# --------------------------------------------------------------------------------------------------------------
# Both ledgers from a real data folder
# --------------------------------------------------------------------------------------------------------------


def test_the_two_ledgers_and_the_summary_are_separate_sheets(exported: Path) -> None:
    workbook = load_workbook(exported)
    assert workbook.sheetnames == ["问题台账", "隐患排查治理台账", "汇总"]
    assert [cell.value for cell in workbook["问题台账"][3]] == PROBLEM_HEADERS == list(headers_of(PROBLEM))
    assert [cell.value for cell in workbook["隐患排查治理台账"][3]] == HAZARD_HEADERS == list(headers_of(HAZARD))
    numbers = {sheet: [row["台账编号"] for row in sheet_rows(workbook[sheet])] for sheet in workbook.sheetnames[:2]}
    # the T-01 (十无) finding and the ad-hoc report are problems; the AQ-RQ-01 ("1+10" 燃气) finding a hazard; in
    # the order of the ledger view (newest report first)
    assert numbers == {"问题台账": ["待编号", "朝阳-三里屯-2026-0001"], "隐患排查治理台账": ["朝阳-三里屯-2026-0002"]}


def test_a_closed_problem_cell_by_cell(exported: Path, book: Book) -> None:
    row = row_by_number(load_workbook(exported)["问题台账"], "朝阳-三里屯-2026-0001")
    values = {header: cell.value for header, cell in row.items()}
    assert values == {
        "序号": 2, "台账编号": "朝阳-三里屯-2026-0001", "问题名称": "沿街搭建彩钢板棚约6平方米",
        "问题描述": "沿街搭建彩钢板棚约6平方米", "问题类别": "私搭乱建", "检查依据": "T-01 无私搭乱建",
        "专项/领域": "测试街巷检查表", "检查对象": "三里屯北三街", "所属街乡": "三里屯街道", "位置": "三里屯北三街东段",
        "网格编码": "110105004001000", "发现时间": datetime(2026, 3, 2, 9, 30), "发现人": "张三",
        "发现方式": default_source(book.problem, book),
        "责任单位": "北京市朝阳区某某餐饮店", "整改责任人": "王某", "联系电话": "13800000000",
        "处置措施": "清理堆物，规范店外经营秩序", "处置期限": datetime(2026, 3, 20), "延期次数": 1,
        "延期原因": "材料采购需要时间", "整改反馈人": "张三", "整改完成时间": datetime(2026, 3, 2, 13, 30),
        "整改前照片": "1张", "整改后照片": "1张", "核查人": "—", "核查时间": datetime(2026, 3, 2, 14, 30),
        "核查意见": "现场核查已拆除", "状态": state_word(PROBLEM, State.CLOSED), "是否逾期": "否", "逾期天数": None,
        "结案时间": datetime(2026, 3, 2, 14, 30), "督办级别": None, "督办单位": None, "督办文号": None,
        "督办日期": None, "督办期限": None, "备注": None,
    }  # fmt: skip
    for header in ("发现时间", "整改完成时间", "核查时间", "结案时间"):
        assert row[header].is_date and row[header].number_format == "yyyy-mm-dd hh:mm"
    assert row["处置期限"].is_date and row["处置期限"].number_format == "yyyy-mm-dd"


def test_an_escalated_major_hazard_cell_by_cell(exported: Path, book: Book) -> None:
    row = row_by_number(load_workbook(exported)["隐患排查治理台账"], "朝阳-三里屯-2026-0002")
    values = {header: cell.value for header, cell in row.items()}
    item = "餐饮等行业的生产经营单位使用燃气的，应当安装可燃气体报警装置，并保障其正常使用"
    assert values["检查依据"] == f"AQ-RQ-01 {item}"
    assert values["“1+10”领域"] == "燃气安全隐患检查清单"
    assert (values["检查对象"], values["位置"]) == ("某某餐饮店", "三里屯路19号")
    assert (values["隐患等级"], values["整改资金"]) == ("重大隐患", "3000元")
    assert values["应急措施/临时管控措施"] == "暂停使用燃气灶具"
    assert (values["整改责任人"], values["整改反馈人"], values["复查验收人"]) == ("赵六", None, None)
    assert (values["是否逾期"], values["逾期天数"]) == ("是", days_late(date(2026, 3, 5)))
    assert values["状态"] == state_word(HAZARD, State.ASSIGNED)
    assert (values["督办级别"], values["督办日期"]) == ("区级督办", datetime(2026, 3, 2, 0, 0))
    assert values["发现方式"] == default_source(book.hazard, book) and values["隐患类型"] is None  # never invented
    assert (values["延期次数"], values["延期原因"]) == (None, None)


def test_an_ad_hoc_report_shows_its_reported_place_and_nobody_by_id(exported: Path) -> None:
    row = sheet_rows(load_workbook(exported)["问题台账"])[0]
    assert (row["台账编号"], row["状态"], row["检查对象"]) == ("待编号", state_word(PROBLEM, State.REPORTED), None)
    assert row["位置"] == "三里屯路与工体北路路口"
    assert row["发现人"] == "—"  # reported by a user this laptop has no name for


def test_the_summary_counts_and_rates_per_ledger(exported: Path) -> None:
    rows = list(load_workbook(exported)["汇总"].iter_rows(values_only=True))
    assert rows[1][:2] == ("范围", "朝阳区 2026年3月")
    assert rows[4] == SUMMARY_HEADERS
    # problems: one waiting (not yet found), one closed → 发现 1, 整改 1; hazards: one being rectified
    assert rows[5] == ("问题台账", "三里屯街道", 1, 0, 0, 0, 0, 1, 2, 0, 1, 1, 1.0, 1.0)
    assert rows[6] == ("问题台账", "小计", 1, 0, 0, 0, 0, 1, 2, 0, 1, 1, 1.0, 1.0)
    assert rows[7] == ("隐患排查治理台账", "三里屯街道", 0, 0, 0, 1, 0, 0, 1, 1, 1, 0, 0.0, 0.0)
    assert rows[9] == ("合计", None, 1, 0, 0, 1, 0, 1, 3, 1, 2, 1, 0.5, 0.5)


def test_no_id_of_32_hex_digits_anywhere_in_the_file(exported: Path) -> None:
    with zipfile.ZipFile(exported) as package:
        assert package.namelist()[0] == "[Content_Types].xml"
        raw = exported.read_bytes()
        for info in package.infolist():
            ElementTree.fromstring(package.read(info))  # every part is well-formed XML
            name_length, extra_length = struct.unpack("<HH", raw[info.header_offset + 26 : info.header_offset + 30])
            extra = raw[info.header_offset + 30 + name_length :][:extra_length]
            assert not extra.startswith(b"\x01\x00"), info.filename  # no ZIP64 field on a small part
        text = "".join(package.read(name).decode("utf-8") for name in package.namelist())
    assert "张三" in text and ME not in text and SUPERVISOR not in text
    assert not has_hex_id(text)
    assert has_hex_id(f"检查人 {ME}") and has_hex_id(ME.replace("-", ""))  # the check itself can fail


def test_unknown_people_are_logged_not_shown(caplog: pytest.LogCaptureFixture) -> None:
    history = History("f-unknown").add(Action.REPORT, "0195f7a2-9999-7000-8000-00000000abcd", {
        "description": "堆物", "category": "垃圾堆物", "severity": "general", "jurisdiction": OTHER_STREET + "001001",
        "photos": [], "location": {"lat": 39.93612, "lon": 116.4548}})  # fmt: skip
    with caplog.at_level(logging.WARNING, logger="inspector.reports.ledger_xlsx"):
        row = ledger_row(history.events, {})
    assert row.reporter == "—" and row.location == "39.936120, 116.454800"
    assert "0195f7a2-9999-7000-8000-00000000abcd" in caplog.text


def test_separate_files_hold_one_ledger_each(book: Book, tmp_path: Path) -> None:
    target = tmp_path / "台账.xlsx"
    done = export_ledger(book.folder, LedgerQuery(), LedgerSort(), target, "全部", separate=True)
    paths = split_targets(target)
    assert done.rows == 3 and not target.exists()
    assert [p.name for p in paths.values()] == ["台账-问题台账.xlsx", "台账-隐患排查治理台账.xlsx"]
    problems, hazards = (load_workbook(path) for path in paths.values())
    assert problems.sheetnames == ["问题台账", "汇总"] and hazards.sheetnames == ["隐患排查治理台账", "汇总"]
    assert len(sheet_rows(problems["问题台账"])) == 2 and len(sheet_rows(hazards["隐患排查治理台账"])) == 1
    summary = list(hazards["汇总"].iter_rows(min_row=6, values_only=True))
    assert [row[:2] for row in summary] == [("隐患排查治理台账", "三里屯街道"), ("隐患排查治理台账", "小计")]


# --------------------------------------------------------------------------------------------------------------
# Print settings, title block, borders
# --------------------------------------------------------------------------------------------------------------


def test_print_settings_title_block_and_borders(exported: Path) -> None:
    workbook = load_workbook(exported)
    for name, headers in (("问题台账", PROBLEM_HEADERS), ("隐患排查治理台账", HAZARD_HEADERS)):
        sheet = workbook[name]
        setup = sheet.page_setup
        assert (setup.paperSize, setup.orientation) == (8, "landscape")  # A3 landscape
        assert sheet.sheet_properties.pageSetUpPr.fitToPage and (setup.fitToWidth, setup.fitToHeight) == (1, 0)
        assert sheet.print_title_rows == "$3:$3"  # the header row on every page
        assert sheet.freeze_panes == "C4" and sheet.auto_filter.ref.startswith("A3:")
        assert sheet.oddFooter.center.text == "第 &P 页，共 &N 页"
        last = sheet.cell(3, len(headers)).column_letter
        assert f"A1:{last}1" in {str(merged) for merged in sheet.merged_cells.ranges}
        assert sheet["A1"].value == name and sheet["A1"].font.b and sheet["A1"].alignment.horizontal == "center"
        info = [cell.value for cell in sheet[2] if cell.value]
        assert info == ["填报单位：朝阳区三里屯街道办事处", "制表人：张三", f"制表日期：{local_date(utc_now())}"]
        for row in sheet.iter_rows(min_row=3):
            for cell in row:  # every cell of the table, empty ones too, is ruled
                assert cell.border.left.style == cell.border.bottom.style == "thin", cell.coordinate
        assert all(cell.font.b and cell.fill.fgColor.rgb == "FFDDEBF7" for cell in sheet[3])
        assert sheet.row_dimensions[3].height == 42


def test_rows_with_long_text_are_tall_enough_to_show_it(tmp_path: Path) -> None:
    long_text = "店外乱堆纸箱杂物，占用便道约3平方米。" * 3  # 112.5 character units: 4 lines of the 30-wide column
    short = history_to(State.REPORTED, "s", description="店外堆物", kind="problem")
    tall = history_to(State.REPORTED, "l", description=long_text, kind="problem")
    rows = [ledger_row(short.events, PEOPLE), ledger_row(tall.events, PEOPLE)]
    path = tmp_path / "tall.xlsx"
    export_ledger_xlsx(rows, path, now=NOW)
    sheet = load_workbook(path)["问题台账"]
    assert sheet.row_dimensions[4].height == 16.5  # one line
    assert sheet.row_dimensions[5].height == 4 * 13.5 + 3
    assert sheet["D5"].alignment.wrap_text and sheet["D5"].value == long_text
    assert sheet["C5"].value == long_text[:29] + "…"  # 名称 from the description, cut at 30 characters


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed here: `scripts/setup.sh test` installs it on Linux")
    return found


def _print(xlsx: Path) -> Path:
    profile = xlsx.parent / "lo-profile"
    subprocess.run([_soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(xlsx.parent), str(xlsx)], check=True, capture_output=True, timeout=180)  # fmt: skip
    return xlsx.with_suffix(".pdf")


def _hazards(count: int) -> list[LedgerRow]:
    states = [State.REGISTERED, State.ASSIGNED, State.RECTIFIED, State.CLOSED]
    return [ledger_row(history_to(states[n % 4], f"h{n:03d}").events, PEOPLE, street="三里屯街道",
                       subject_name="某某餐饮店", basis=GAS) for n in range(count)]  # fmt: skip


def test_a_30_row_ledger_prints_on_one_a3_page_fit_to_width(tmp_path: Path) -> None:
    path = tmp_path / "ledger30.xlsx"
    heading = LedgerHeading("朝阳区三里屯街道办事处", "张三", "朝阳区")
    export_ledger_xlsx(_hazards(30), path, now=NOW, heading=heading, kinds=[HAZARD])
    pdf = _print(path)
    # 30 rows of three lines at the fit-to-width scale fill one A3 page; the summary takes the second
    assert pdf_pages(pdf) == 2
    first = pdf_text(pdf).split("\f")[0].replace(" ", "")
    assert "隐患排查治理台账" in first and "填报单位：朝阳区三里屯街道办事处" in first and "制表人：张三" in first
    for header in ("序号", "隐患名称", "督办期限", "备注"):  # the first and the last columns on the same page
        assert header in first
    assert "第1页，共2页" in first and not has_hex_id(pdf_text(pdf))
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    assert "1190.55 x 841.89 pts (A3)" in info


def test_a_long_ledger_repeats_its_header_row_on_every_page(tmp_path: Path) -> None:
    path = tmp_path / "ledger120.xlsx"
    export_ledger_xlsx(_hazards(120), path, now=NOW, kinds=[HAZARD])
    pdf = _print(path)
    assert pdf_pages(pdf) == 4  # three pages of 40 rows, then the summary
    pages = pdf_text(pdf).split("\f")[:3]
    assert all("台账编号" in page and "备注" in page for page in pages)
    assert sum("隐患排查治理台账" in page for page in pages) == 1  # the title only on the first page


# --------------------------------------------------------------------------------------------------------------
# Kinds, sources, and the rules every export keeps
# --------------------------------------------------------------------------------------------------------------


def test_a_case_that_says_its_kind_and_source_is_shown_as_it_says() -> None:
    history = history_to(State.REGISTERED, "k", kind="hazard", source="hotline_12345")
    row = ledger_row(history.events, PEOPLE)
    assert row.kind == HAZARD  # the report's own kind wins over the checklist (none here)
    assert row.source in ("12345工单", "hotline_12345")  # labelled once the rules carry the sources' labels
    # a checklist of the "1+10" group finds hazards, any other problems ...
    assert GAS.kind == HAZARD and Basis("T-01", "无私搭乱建", "背街小巷环境精细化治理检查表", "").kind == PROBLEM
    # ... and decides the ledger of a case that does not say its kind (until cases carry one)
    plain = history_to(State.REGISTERED, "g").events
    if not hasattr(ledger_row(plain).finding, "kind"):
        assert ledger_row(plain, PEOPLE, basis=GAS).kind == HAZARD
        assert ledger_row(plain, PEOPLE).kind == PROBLEM


def test_an_empty_export_still_has_both_ledgers_and_a_zero_summary(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    result = export_ledger_xlsx([], path, now=NOW)
    workbook = load_workbook(path)
    assert [cell.value for cell in workbook["问题台账"][3]] == PROBLEM_HEADERS
    assert [cell.value for cell in workbook["隐患排查治理台账"][3]] == HAZARD_HEADERS
    assert list(workbook["汇总"].iter_rows(min_row=6, values_only=True)) == [
        ("问题台账", "小计", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None),
        ("隐患排查治理台账", "小计", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None),
        ("合计", None, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, None, None),
    ]
    assert (result.rows, result.by_kind) == (0, {PROBLEM: 0, HAZARD: 0})


def test_text_that_looks_like_a_formula_stays_text_and_control_characters_go(tmp_path: Path) -> None:
    history = history_to(State.REPORTED, "x", description='=HYPERLINK("http://example.invalid")\x07 <堆物> & "x"',
                         kind="problem")
    path = tmp_path / "x.xlsx"
    spaced = ledger_row(history_to(State.REPORTED, "y", kind="problem").events, note="  两端有空格\n第二行  ")
    rows = [ledger_row(history.events, street="=SUM(1)", note="=1+1"), spaced]
    export_ledger_xlsx(rows, path, now=NOW, scope="=A1")
    assert load_workbook(path)["问题台账"]["AL5"].value == "  两端有空格\n第二行  "  # kept as written
    row = row_by_number(load_workbook(path)["问题台账"], "待编号")
    assert row["问题描述"].value == '=HYPERLINK("http://example.invalid") <堆物> & "x"'
    assert row["问题描述"].data_type == "s"
    assert row["备注"].value == "=1+1" and row["备注"].data_type == "s"
    summary = load_workbook(path)["汇总"]
    assert (summary["B2"].value, summary["B2"].data_type) == ("=A1", "s")
    assert (summary["B6"].value, summary["B6"].data_type) == ("=SUM(1)", "s")


def test_writes_to_a_stream() -> None:
    stream = io.BytesIO()
    export_ledger_xlsx(_hazards(3), stream, now=NOW)
    stream.seek(0)
    assert load_workbook(stream)["隐患排查治理台账"].max_row == 6


def test_a_failed_export_leaves_the_previous_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"previous export")
    with pytest.raises(ReportError, match="row 2 is not a LedgerRow"):
        export_ledger_xlsx([_hazards(1)[0], "not a row"], path, now=NOW)  # type: ignore[list-item]
    assert path.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.xlsx"]


def test_bad_targets_kinds_and_times_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="output folder does not exist"):
        export_ledger_xlsx([], tmp_path / "missing" / "a.xlsx", now=NOW)
    with pytest.raises(ReportError, match="output path is a folder"):
        export_ledger_xlsx([], tmp_path, now=NOW)
    with pytest.raises(ReportError, match="aware"):
        export_ledger_xlsx([], tmp_path / "a.xlsx", now=datetime(2026, 3, 1))
    with pytest.raises(ReportError, match="no such ledger"):
        export_ledger_xlsx([], tmp_path / "a.xlsx", now=NOW, kinds=["complaint"])
    naive = replace(_hazards(1)[0], verified_at=datetime(2026, 3, 2, 13, 30))
    with pytest.raises(ReportError, match="naive datetime"):
        export_ledger_xlsx([naive], tmp_path / "a.xlsx", now=NOW)
    assert list(tmp_path.iterdir()) == []
