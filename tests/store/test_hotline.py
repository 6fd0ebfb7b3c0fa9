"""12345 work orders into cases: the shipped template, another layout mapped once and remembered, re-imports without
duplicates, bad rows reported by number with nothing half-imported, callbacks, figures and the status workbook."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlite_utils import Database

from inspector.core import hotline as rules
from inspector.core.clock import SHANGHAI
from inspector.core.ledger import Action, Actor, Role, State
from inspector.reports.hotline_sheet import headers_of, read_table, write_status, write_template
from inspector.store import findings, hotline, jurisdictions, outbox, settings
from inspector.store.hotline import HotlineImportError, HotlineMappingError

SANLITUN = "110105004000000"
JIANWAI = "110105001000000"
SHIPPED_TEMPLATE = Path(__file__).resolve().parents[2] / "resources" / "templates" / "12345-work-orders.xlsx"


@pytest.fixture
def places(db: Database) -> Database:
    jurisdictions.save(db, "110105000000000", "朝阳区")
    jurisdictions.save(db, SANLITUN, "三里屯街道")
    jurisdictions.save(db, JIANWAI, "建外街道")
    return db


def template_file(tmp_path: Path, rows: list[list[Any]], name: str = "orders.xlsx") -> Path:
    """The template as shipped, its example row replaced by these rows."""
    path = write_template(tmp_path / name)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    sheet.delete_rows(2)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def order_row(number: str, street: str = "三里屯街道", deadline: Any = "2026-12-03 17:30", **changes: Any) -> list[Any]:
    row = {
        "order_number": number,
        "received_at": datetime(2026, 12, 1, 9, 12),
        "demand": f"工单 {number}：门前堆放杂物",
        "address": "朝阳区三里屯路19号",
        "reply_deadline": deadline,
        "category": "暴露垃圾",
        "street": street,
        "caller": "王女士",
        "caller_phone": "13800000000",
    }
    row.update(changes)
    return [row[key] for key in rules.FIELD_KEYS]


def do_import(db: Database, path: Path, default: str | None = None) -> hotline.ImportResult:
    table = read_table(path)
    orders, problems = hotline.read_orders(db, table, hotline.mapping_for(db, headers_of(table)), default)
    return hotline.import_orders(db, orders, problems, path.name, source=rules.SOURCE_12345,
                                 now=datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # fmt: skip


def counts(db: Database) -> tuple[int, int, int]:
    return (
        db.execute("SELECT count(*) FROM findings").fetchone()[0],
        db.execute("SELECT count(*) FROM hotline_orders").fetchone()[0],
        outbox.count_pending(db),
    )


def test_the_shipped_template_is_the_template() -> None:
    table = read_table(SHIPPED_TEMPLATE)
    assert headers_of(table) == list(rules.TEMPLATE_HEADERS)
    assert rules.guess_mapping(headers_of(table)) == {key: i for i, key in enumerate(rules.FIELD_KEYS)}
    assert [row[0] for row in load_workbook(SHIPPED_TEMPLATE)["填写说明"].iter_rows(min_row=2, values_only=True)] == [
        field.header for field in rules.FIELDS
    ]


def test_the_template_imports_each_order_as_a_case(places: Database, tmp_path: Path) -> None:
    path = template_file(tmp_path, [order_row("A-001"), order_row("A-002", street="建外街道", deadline="2026-12-04")])
    result = do_import(places, path)
    assert result.created == ["A-001", "A-002"] and result.already == []
    stored = {order.order_number: order for order in hotline.orders(places)}
    assert stored["A-002"].reply_deadline == datetime(2026, 12, 4, 17, 30, tzinfo=SHANGHAI)  # a date: 17:30 that day
    assert stored["A-001"].received_at == datetime(2026, 12, 1, 9, 12, tzinfo=SHANGHAI)
    case = findings.get(places, stored["A-002"].finding_id)
    assert case.view.state is State.REPORTED and case.view.jurisdiction == JIANWAI and case.view.category == "暴露垃圾"
    assert case.view.description == "【12345工单 A-002】工单 A-002：门前堆放杂物"
    event = findings.events(places, case.id)[0].event
    assert event.action is Action.REPORT and event.payload["work_order_number"] == "A-002"
    assert event.payload["source"] == "hotline_12345" and event.payload["kind"] == "problem"
    assert event.payload["location"] == {"address": "朝阳区三里屯路19号"}
    assert counts(places) == (2, 2, 2)  # each case queued for the server with its report


def test_another_layout_is_mapped_once_and_remembered(places: Database, tmp_path: Path) -> None:
    headers = ["受理编号", "街道", "反映内容", "事发地址", "答复期限", "备注"]
    lines = [
        ",".join(headers),
        "B-1,三里屯街道,夜间施工噪音扰民,三里屯路1号,2026/12/5,",
        "B-2,,路灯不亮,工体北路,2026-12-06 12:00,夜间",
    ]
    path = tmp_path / "platform.csv"
    path.write_bytes("\r\n".join(lines).encode("gb18030"))  # as Excel on Chinese Windows saves it
    table = read_table(path)
    guessed = hotline.mapping_for(places, headers_of(table))
    assert "order_number" not in guessed and guessed["demand"] == 2 and guessed["street"] == 1
    with pytest.raises(HotlineMappingError) as caught:
        hotline.read_orders(places, table, guessed, SANLITUN)
    assert "工单编号" in caught.value.zh and "work order number" in caught.value.en
    mapping = {**guessed, "order_number": 0}
    hotline.remember_mapping(places, headers_of(table), mapping)
    orders, problems = hotline.read_orders(places, table, hotline.mapping_for(places, headers_of(table)), SANLITUN)
    assert problems == [] and [o.jurisdiction for o in orders] == [SANLITUN, SANLITUN]  # B-2 takes the default
    assert hotline.import_orders(places, orders, problems, path.name).created == ["B-1", "B-2"]
    # the next file of this layout gets the mapping without asking
    later = tmp_path / "platform-2.csv"
    later.write_text("\n".join([",".join(headers), "B-3,建外街道,井盖缺失,建国门外大街,2026-12-07,"]), "utf-8")
    assert hotline.remembered_mapping(places, headers_of(read_table(later))) == mapping
    assert do_import(places, later).created == ["B-3"]
    assert hotline.remembered_mapping(places, [*headers, "另一列"]) is None  # another layout is another signature


def test_reimporting_the_same_or_an_overlapping_file_creates_no_duplicates(places: Database, tmp_path: Path) -> None:
    first = template_file(tmp_path, [order_row("C-1"), order_row("C-2")], "first.xlsx")
    assert do_import(places, first).created == ["C-1", "C-2"]
    again = do_import(places, first)
    assert again.created == [] and again.already == ["C-1", "C-2"]
    overlap = template_file(tmp_path, [order_row("C-2"), order_row("C-3")], "second.xlsx")
    result = do_import(places, overlap)
    assert result.created == ["C-3"] and result.already == ["C-2"]
    assert counts(places) == (3, 3, 3)
    with pytest.raises(sqlite3.IntegrityError):  # the database itself refuses a second C-1 in the district
        places.execute(
            "INSERT INTO hotline_orders (finding_id, district, order_number, demand, address, reply_deadline, "
            "source_file, source_row, imported_at) SELECT finding_id, district, order_number, demand, address, "
            "reply_deadline, source_file, source_row, imported_at FROM hotline_orders WHERE order_number = 'C-1'"
        )


def test_bad_rows_are_reported_by_number_and_nothing_is_imported(places: Database, tmp_path: Path) -> None:
    rows = [
        order_row("D-1"),
        order_row("", demand=""),  # row 3: two required cells empty
        order_row("D-3", deadline="下周五"),  # row 4: not a date
        None,  # row 5: blank, skipped
        order_row("D-1"),  # row 6: the same number twice
        order_row("D-7", street="不存在街道"),  # row 7
    ]
    path = template_file(tmp_path, [row or [None] * 9 for row in rows])
    with pytest.raises(HotlineImportError) as caught:
        do_import(places, path)
    problems = caught.value.problems
    assert [(p.row, p.field) for p in problems] == [
        (3, "工单编号"), (3, "诉求内容"), (4, "回复期限"), (6, "工单编号"), (7, "所属街乡"),
    ]  # fmt: skip
    assert "与第 2 行重复" in problems[3].zh and "repeats row 2" in problems[3].en
    assert "4 行有误" in caught.value.zh and "nothing was imported" in caught.value.en
    assert counts(places) == (0, 0, 0)


def test_a_refusal_half_way_undoes_the_rows_before_it(places: Database, tmp_path: Path) -> None:
    settings.put(places, "user.jurisdictions", [SANLITUN])  # an account of 三里屯 only
    settings.put(places, "user.roles", [Role.INSPECTOR.value])
    path = template_file(tmp_path, [order_row("E-1"), order_row("E-2"), order_row("E-3", street="建外街道")])
    with pytest.raises(HotlineImportError) as caught:
        do_import(places, path)
    assert [(p.row, p.field) for p in caught.value.problems] == [(4, "工单编号")]
    assert "不在您负责的范围内" in caught.value.problems[0].zh
    assert counts(places) == (0, 0, 0)


def test_callbacks_figures_and_the_status_workbook(places: Database, tmp_path: Path) -> None:
    path = template_file(tmp_path, [order_row("F-1"), order_row("F-2"), order_row("F-3", street="建外街道")])
    do_import(places, path)
    ids = {order.order_number: order.finding_id for order in hotline.orders(places)}
    boss = Actor("boss", frozenset({Role.SUPERVISOR}), frozenset({"110105000000000"}))
    accepted_at = datetime(2026, 12, 2, 1, 0, tzinfo=UTC)
    findings.record_command(places, action="accept", actor=boss, payload={"severity": "general"},
                            finding_id=ids["F-1"], now=accepted_at)  # fmt: skip
    findings.record_command(places, action="reject", actor=boss, payload={"reason": "非本街乡职责"},
                            finding_id=ids["F-2"], now=datetime(2026, 12, 9, 1, 0, tzinfo=UTC))  # fmt: skip
    hotline.record_callback(places, ids["F-1"], "satisfied")
    hotline.record_callback(places, ids["F-2"], rules.Satisfaction.DISSATISFIED)
    months = rules.hotline_months(hotline.order_facts(places))
    assert [(m.street, m.month, m.received, m.responded_in_time, m.solved, m.rated, m.satisfied) for m in months] == [
        ("110105001", "2026-12", 1, 0, 0, 0, 0),
        ("110105004", "2026-12", 2, 1, 0, 2, 1),  # F-2 was answered after its reply deadline
    ]
    assert months[1].response_rate == 0.5 and months[1].satisfaction_rate == 0.5 and months[0].satisfaction_rate is None
    out = tmp_path / "status.xlsx"
    assert write_status(out, hotline.status_rows(places)) == 3
    sheet = load_workbook(out).worksheets[0]
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert [cell.value for cell in sheet[1]][:3] == ["工单编号", "办理状态", "台账编号"]
    assert rows["F-1"][1] == "已受理" and rows["F-1"][4] == "2026-12-02 09:00" and rows["F-1"][6] == "是"
    assert rows["F-2"][1] == "不予受理" and rows["F-2"][6] == "否" and rows["F-2"][8] == "非本街乡职责"
    assert rows["F-2"][9] == "不满意" and rows["F-3"][1] == "已接收" and rows["F-3"][4] is None


def test_the_command_line_imports_maps_and_exports(folder: Any, tmp_path: Path, capsys: Any) -> None:
    from inspector.__main__ import main

    db = folder.connect()
    jurisdictions.save(db, "110105000000000", "朝阳区")
    jurisdictions.save(db, SANLITUN, "三里屯街道")
    db.close()
    data = ["--data-dir", str(folder.root)]
    path = template_file(tmp_path, [order_row("H-1"), order_row("H-2")])
    assert main([*data, "import-12345", str(path)]) == 0
    assert "已导入 2 个工单" in capsys.readouterr().out
    assert main([*data, "import-12345", str(path)]) == 0
    assert "imported 0 work orders, 2 already here" in capsys.readouterr().out
    other = tmp_path / "other.csv"
    other.write_text(
        "受理编号,反映内容,事发地址,答复期限\nH-3,噪音,三里屯路,2026-12-09\nH-4,,三里屯路,2026-12-09\n", "utf-8"
    )
    assert main([*data, "import-12345", str(other), "--jurisdiction", SANLITUN, "--map", "order_number=受理编号"]) == 1
    err = capsys.readouterr().err
    assert "第 3 行 诉求内容：必填" in err and "nothing was imported" in err
    other.write_text("受理编号,反映内容,事发地址,答复期限\nH-3,噪音,三里屯路,2026-12-09\n", "utf-8")
    assert main([*data, "import-12345", str(other), "--jurisdiction", SANLITUN, "--map", "order_number=受理编号"]) == 0
    assert main([*data, "import-12345", str(other), "--jurisdiction", SANLITUN]) == 0  # the layout is remembered
    assert "1 already here" in capsys.readouterr().out
    assert main([*data, "callback-12345", "H-2", "basically_satisfied"]) == 0
    assert main([*data, "callback-12345", "H-9", "satisfied"]) == 1
    out = tmp_path / "status.xlsx"
    assert main([*data, "export-12345", "--out", str(out)]) == 0
    assert [row[0] for row in load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        "H-1", "H-2", "H-3",
    ]  # fmt: skip
    assert [row[9] for row in load_workbook(out).worksheets[0].iter_rows(min_row=2, values_only=True)] == [
        None, "基本满意", None,
    ]  # fmt: skip
