"""The xlsx hazard ledger, opened again with openpyxl and checked cell by cell."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from reportkit import OTHER_STREET, STREET, history_to

from inspector.core.ledger import Action, State
from inspector.reports.errors import ReportError
from inspector.reports.ledger_xlsx import LedgerRow, export_ledger_xlsx, ledger_row

# standards.md §4.4 "Recommended app columns", in order; 序号/台账编号 split in two, 位置 with 所属街乡 and 网格编码
# beside it, 状态 with the derived 逾期 beside it.
EXPECTED_HEADERS = [
    "序号", "台账编号", "隐患名称", "隐患描述", "隐患类别", "隐患类型", "所属街乡", "位置", "网格编码", "责任单位",
    "责任人及电话", "发现时间", "发现人", "发现方式", "隐患等级", "整改措施", "整改期限", "整改资金",
    "应急措施/临时管控措施", "整改责任人", "整改完成时间", "整改前照片", "整改后照片", "复查/验收人", "验收时间",
    "验收意见", "状态", "是否逾期", "逾期天数", "销账时间", "督办级别", "备注",
]  # fmt: skip
PEOPLE = {"u-insp": "张三", "u-sup": "李四"}
NOW = datetime(2026, 3, 12, 4, 0, tzinfo=UTC)  # 12:00 on 12 March in Beijing


def sample_rows() -> list[LedgerRow]:
    """Six findings in 三里屯 (one per state) and two in 团结湖, one of them overdue and escalated."""
    rows = [
        ledger_row(history_to(state, f"f{n}").events, PEOPLE, street="三里屯街道", subject_name="某某餐饮店")
        for n, state in enumerate(State)
    ]
    late = history_to(State.ASSIGNED, "t1", deadline=date(2026, 3, 9), jurisdiction=OTHER_STREET + "002003")
    late.add(Action.ESCALATE, "u-sup", {"level": "district", "note": "督办"})
    rows.append(ledger_row(late.events, PEOPLE, street="团结湖街道", title="不乱堆乱放杂物", note="已约谈"))
    waiting = history_to(State.REPORTED, "t2", jurisdiction=OTHER_STREET, location={"address": "团结湖路1号"})
    rows.append(ledger_row(waiting.events, PEOPLE, street="团结湖街道"))
    return rows


@pytest.fixture
def workbook_path(tmp_path: Path) -> Path:
    path = tmp_path / "台账.xlsx"
    export_ledger_xlsx(sample_rows(), path, now=NOW, scope="朝阳区 2026年3月")
    return path


def ledger_sheet(path: Path) -> Worksheet:
    return load_workbook(path)["隐患排查治理台账"]


def row_by_number(sheet: Worksheet, ledger_number: str) -> dict[str, Any]:
    headers = [cell.value for cell in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == ledger_number:
            return {header: cell for header, cell in zip(headers, row, strict=True)}
    raise AssertionError(f"no row {ledger_number}")


def test_headers_in_chinese_frozen_and_filtered(workbook_path: Path) -> None:
    sheet = ledger_sheet(workbook_path)
    assert [cell.value for cell in sheet[1]] == EXPECTED_HEADERS
    assert sheet.freeze_panes == "C2"  # the header row and the 序号/台账编号 columns stay in view
    assert sheet.auto_filter.ref == "A1:AF9"
    assert sheet.max_row == 9  # one row per finding
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.column_dimensions["D"].width >= 30  # 隐患描述 is wide enough for Chinese text


def test_a_closed_finding_cell_by_cell(workbook_path: Path) -> None:
    row = row_by_number(ledger_sheet(workbook_path), "朝阳-三里屯-2026-f5")
    values = {header: cell.value for header, cell in row.items()}
    assert values["序号"] == 6
    assert values["隐患描述"] == "店外乱堆纸箱杂物，占用便道约3平方米"
    assert values["隐患名称"] == "店外乱堆纸箱杂物，占用便道约3平方米"  # no title given: the description's first line
    assert values["隐患类别"] == "垃圾堆物"
    assert values["所属街乡"] == "三里屯街道"
    assert values["位置"] == "某某餐饮店"
    assert values["网格编码"] == STREET + "001001"
    assert values["责任单位"] == "北京市朝阳区某某餐饮店"
    assert values["责任人及电话"] == "王某  13800000000"
    assert values["发现人"] == "张三" and values["整改责任人"] == "张三" and values["复查/验收人"] == "李四"
    assert values["隐患等级"] == "一般隐患"
    assert values["整改前照片"] == "2张" and values["整改后照片"] == "1张"
    assert values["验收意见"] == "现场核查已整改到位"
    assert values["状态"] == "已销账" and values["是否逾期"] == "否" and values["逾期天数"] is None
    # Real Excel dates in Beijing time: reported 01:30 UTC = 09:30, then one event an hour.
    assert values["发现时间"] == datetime(2026, 3, 2, 9, 30)
    assert values["整改完成时间"] == datetime(2026, 3, 2, 12, 30)
    assert values["验收时间"] == values["销账时间"] == datetime(2026, 3, 2, 13, 30)
    assert values["整改期限"] == datetime(2026, 3, 10)
    for header in ("发现时间", "整改完成时间", "验收时间", "销账时间"):
        assert row[header].is_date and row[header].number_format == "yyyy-mm-dd hh:mm"
    assert row["整改期限"].is_date and row["整改期限"].number_format == "yyyy-mm-dd"


def test_states_overdue_and_numbers(workbook_path: Path) -> None:
    sheet = ledger_sheet(workbook_path)
    states = [row[26].value for row in sheet.iter_rows(min_row=2)]
    assert states == ["待受理", "不予立案", "已挂账", "整改中", "待核查", "已销账", "整改中", "待受理"]
    numbers = [row[1].value for row in sheet.iter_rows(min_row=2)]
    assert numbers[0] == numbers[1] == numbers[7] == "待编号"
    late = row_by_number(sheet, "朝阳-三里屯-2026-t1")
    # deadline 9 March, exported 12 March in Beijing: three days late
    assert (late["是否逾期"].value, late["逾期天数"].value) == ("是", 3)
    assert late["督办级别"].value == "区级督办" and late["备注"].value == "已约谈"
    assert late["隐患名称"].value == "不乱堆乱放杂物"
    also_late = row_by_number(sheet, "朝阳-三里屯-2026-f3")  # assigned, deadline 10 March
    assert (also_late["状态"].value, also_late["是否逾期"].value, also_late["逾期天数"].value) == ("整改中", "是", 2)
    waiting = row_by_number(sheet, "朝阳-三里屯-2026-f4")  # rectified: waits on the supervisor, not overdue
    assert (waiting["状态"].value, waiting["是否逾期"].value) == ("待核查", "否")
    assert sheet["H9"].value == "团结湖路1号"  # 位置 from the reported address


def test_summary_by_street_and_state(workbook_path: Path) -> None:
    sheet = load_workbook(workbook_path)["汇总"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("范围", "朝阳区 2026年3月")
    assert "2026-03-12 12:00" in rows[2][1]
    header = rows[4]
    assert header == ("街乡", "待受理", "不予立案", "已挂账", "整改中", "待核查", "已销账", "合计", "其中逾期")
    assert rows[5] == ("三里屯街道", 1, 1, 1, 1, 1, 1, 6, 1)
    assert rows[6] == ("团结湖街道", 1, 0, 0, 1, 0, 0, 2, 1)
    assert rows[7] == ("合计", 2, 1, 1, 2, 1, 1, 8, 2)
    assert sheet.freeze_panes == "B6"


def test_rows_with_long_text_are_tall_enough_to_show_it(tmp_path: Path) -> None:
    long_text = "店外乱堆纸箱杂物，占用便道约3平方米。" * 3  # 112.5 character units: 3 lines of the 40-wide column
    short = history_to(State.REPORTED, "s", description="店外堆物")
    rows = [ledger_row(short.events), ledger_row(history_to(State.REPORTED, "l", description=long_text).events)]
    path = tmp_path / "tall.xlsx"
    export_ledger_xlsx(rows, path, now=NOW)
    sheet = ledger_sheet(path)
    assert sheet.row_dimensions[2].height is None  # one line: the spreadsheet's own height
    assert sheet.row_dimensions[3].height == 45
    assert sheet["D3"].alignment.wrap_text
    assert sheet["C3"].value == long_text[:29] + "…"  # 隐患名称 from the description, cut at 30 characters


def test_result_reports_what_was_written(tmp_path: Path) -> None:
    result = export_ledger_xlsx(sample_rows(), tmp_path / "a.xlsx", now=NOW)
    assert (result.rows, result.overdue) == (8, 2)
    assert result.by_street["团结湖街道"]["assigned"] == 1


def test_an_empty_ledger_still_has_its_headers_and_a_zero_summary(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    export_ledger_xlsx([], path, now=NOW)
    workbook = load_workbook(path)
    assert [cell.value for cell in workbook["隐患排查治理台账"][1]] == EXPECTED_HEADERS
    assert list(workbook["汇总"].iter_rows(min_row=6, values_only=True)) == [("合计", 0, 0, 0, 0, 0, 0, 0, 0)]


def test_text_that_looks_like_a_formula_stays_text_and_control_characters_go(tmp_path: Path) -> None:
    history = history_to(State.REPORTED, "x", description='=HYPERLINK("http://example.invalid")\x07 堆物')
    path = tmp_path / "x.xlsx"
    export_ledger_xlsx([ledger_row(history.events, street="=SUM(1)", note="=1+1")], path, now=NOW, scope="=A1")
    row = row_by_number(ledger_sheet(path), "待编号")
    assert row["隐患描述"].value == '=HYPERLINK("http://example.invalid") 堆物'
    assert row["隐患描述"].data_type == "s"
    assert row["备注"].value == "=1+1" and row["备注"].data_type == "s"
    summary = load_workbook(path)["汇总"]
    assert (summary["B2"].value, summary["B2"].data_type) == ("=A1", "s")
    assert (summary["A6"].value, summary["A6"].data_type) == ("=SUM(1)", "s")


def test_writes_to_a_stream() -> None:
    stream = io.BytesIO()
    export_ledger_xlsx(sample_rows(), stream, now=NOW)
    stream.seek(0)
    assert load_workbook(stream)["隐患排查治理台账"].max_row == 9


def test_a_failed_export_leaves_the_previous_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"previous export")
    with pytest.raises(ReportError, match="row 2 is not a LedgerRow"):
        export_ledger_xlsx([sample_rows()[0], "not a row"], path, now=NOW)  # type: ignore[list-item]
    assert path.read_bytes() == b"previous export"
    assert [p.name for p in tmp_path.iterdir()] == ["ledger.xlsx"]


def test_bad_targets_and_times_give_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="output folder does not exist"):
        export_ledger_xlsx([], tmp_path / "missing" / "a.xlsx", now=NOW)
    with pytest.raises(ReportError, match="output path is a folder"):
        export_ledger_xlsx([], tmp_path, now=NOW)
    with pytest.raises(ReportError, match="aware"):
        export_ledger_xlsx([], tmp_path / "a.xlsx", now=datetime(2026, 3, 1))
    naive = replace(sample_rows()[5], verified_at=datetime(2026, 3, 2, 13, 30))
    with pytest.raises(ReportError, match="naive datetime"):
        export_ledger_xlsx([naive], tmp_path / "a.xlsx", now=NOW)
    assert list(tmp_path.iterdir()) == []


def test_coordinates_stand_for_a_missing_address() -> None:
    history = history_to(State.REPORTED, "g", location={"lat": 39.93612, "lon": 116.4548}, subject_id=None)
    assert ledger_row(history.events).location == "39.936120, 116.454800"
    named = ledger_row(history.events, subject_name="三里屯北三街")
    assert named.location == "三里屯北三街，39.936120, 116.454800"
