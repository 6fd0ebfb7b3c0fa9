"""The month's outputs on a seeded month: coverage and the half-monthly patrol alert with known data, the exposure
rule, and every document (月检查, 月曝光, 月排名通报 PDF and xlsx) read back as text and cells, also through the CLI."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from month_seed import MISSING_PHOTO, MONTH, NOW, PHOTO, SeededMonth, seed_month
from openpyxl import load_workbook
from reportkit import pdf_images, pdf_text

from inspector import month_report
from inspector.__main__ import main
from inspector.core import month as rules
from inspector.core.levels import InspectionLevel
from inspector.core.month import Talk, Visit
from inspector.reports.month_report import MonthReport
from inspector.store import talks
from inspector.store.database import DataFolder, open_data_folder


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[DataFolder, SeededMonth]:
    folder = open_data_folder(tmp_path_factory.mktemp("month") / "data")
    made = seed_month(folder)
    db = folder.connect()
    try:
        talk = Talk("", MONTH, date(2026, 3, 18), "赵主任", "乙街道办事处", "110105002", "排名末位，逾期未整改",
                    rules.BASIS_RANK, "110105002", "第 2 名（共 2 个街乡）")  # fmt: skip
        talks.record(db, talk, "u-sup")
    finally:
        db.close()
    return folder, made


@pytest.fixture(scope="module")
def report(seeded: tuple[DataFolder, SeededMonth]) -> MonthReport:
    return month_report.load_month(seeded[0], MONTH, now=NOW)


def _flat(path: Path) -> str:
    return "".join(pdf_text(path).split())


def test_coverage_and_the_patrol_alert_follow_the_visits() -> None:
    units = [("u1", "street_front_unit"), ("u2", "street_front_unit"), ("b1", "back_street")]
    visits = [
        Visit("u1", date(2026, 3, 3), InspectionLevel.STREET_SELF), Visit("u1", date(2026, 3, 16), "street_self"),
        Visit("u2", date(2026, 3, 15), "street_self"), Visit("u2", date(2026, 3, 16), "unit_self"),
        Visit("u2", date(2026, 3, 17), "unit_self", kind=rules.VisitKind.SELF_CHECK),  # a later kind of row
        Visit("b1", date(2026, 3, 9), "unit_self"),  # a unit's own check never covers a back street
    ]  # fmt: skip
    half = {row.subject_id: row for row in rules.coverage(rules.UNIT_HALF_MONTH_PATROL, units, visits, MONTH)}
    assert (half["u1"].covered, half["u1"].required, half["u1"].missed) == (2, 2, ())
    assert half["u2"].missed == ((date(2026, 3, 16), date(2026, 3, 31)),) and half["u2"].rate == 0.5
    daily = {row.subject_id: row for row in rules.coverage(rules.UNIT_DAILY_SELF_CHECK, units, visits, MONTH,
                                                            until=date(2026, 3, 17))}  # fmt: skip
    assert (daily["u2"].covered, daily["u2"].required) == (2, 17) and daily["u1"].covered == 0
    back = rules.coverage(rules.BACK_STREET_MONTHLY, units, visits, MONTH)
    assert [(row.subject_id, row.covered) for row in back] == [("b1", 0)] and rules.BACK_STREET_MONTHLY.proposal
    assert rules.patrol_alert(units, visits, date(2026, 3, 15)) == []  # 1–15: both patrolled
    assert rules.patrol_alert(units, visits, date(2026, 3, 16)) == ["u2"]  # 16–31: only u1 so far
    assert rules.patrol_alert(units, visits, date(2026, 2, 28)) == ["u1", "u2"]  # a visit after "today" is not seen
    assert rules.half_month(date(2026, 2, 16)) == (date(2026, 2, 16), date(2026, 2, 28))


Seeded = tuple[DataFolder, SeededMonth]


def test_the_seeded_month_is_counted_and_the_exposure_preselected(report: MonthReport, seeded: Seeded) -> None:
    _folder, made = seeded
    assert report.checks.total == 8 and report.checks.by_level == {
        "city": 1, "district": 1, "street_self": 3, "third_party": 1, "unit_self": 2}  # fmt: skip
    assert report.checks.by_person[("u-insp", "street_self")] == 3
    half = dict(report.coverage)[rules.UNIT_HALF_MONTH_PATROL]
    assert {row.subject_id: row.covered for row in half} == {
        made.units["甲一餐馆"]: 2, made.units["甲二超市"]: 1, made.units["乙三药店"]: 0}  # fmt: skip
    daily = {row.subject_id: (row.covered, row.required) for row in dict(report.coverage)[rules.UNIT_DAILY_SELF_CHECK]}
    assert daily[made.units["甲一餐馆"]] == (2, 20)  # counted up to the 20th: the month is running
    exposed = {case.description: case for case in report.exposed}
    assert set(exposed) == {"胡同口堆放建筑垃圾", "店外占道经营", "桥下私搭乱建"}
    assert exposed["胡同口堆放建筑垃圾"].reasons == (rules.REASON_LEVEL,)
    assert exposed["店外占道经营"].reasons == (rules.REASON_OVERDUE,) and exposed["店外占道经营"].photo_missing
    assert exposed["桥下私搭乱建"].reasons == (rules.REASON_ESCALATED,) and exposed["桥下私搭乱建"].photo is None
    assert [(c.change, report.subject_names[c.subject_id]) for c in report.changes] == [("降档", "甲东胡同")]
    assert [t.person for t in report.talks] == ["赵主任"]


def test_every_document_reads_back(report: MonthReport, tmp_path: Path) -> None:
    paths = dict(zip(month_report.OUTPUTS, month_report.write_all(report, tmp_path), strict=True))
    checks = _flat(paths[month_report.CHECKS])
    for text in ("月检查", "市级检查", "第三方检查", "责任单位自查", "李巡查", "每日自查", "半月巡查",
                 "本项目建议", "乙三药店", "统计至2026-03-20"):  # fmt: skip
        assert text in checks, text
    exposure = _flat(paths[month_report.EXPOSURE])
    for text in (
        "胡同口堆放建筑垃圾",
        "甲东胡同",
        "甲街道",
        "2026-03-25",
        "上级检查发现",
        "照片未在本机",
        "无照片",
        "督办",
    ):
        assert text in exposure, text
    assert "已整改的小广告" not in exposure and "不予立案的问题" not in exposure
    (tmp_path / "images").mkdir()
    assert len(pdf_images(paths[month_report.EXPOSURE], tmp_path / "images")) == 1  # the one photo held here
    ranking = _flat(paths[month_report.RANKING_PDF])
    for text in ("街乡月排名", "甲街道", "降档", "甲东胡同", "红榜", "黑榜", "本项目建议的规则", "赵主任", "排名末位"):
        assert text in ranking, text
    book = load_workbook(paths[month_report.RANKING_XLSX], read_only=True)
    rows = {name: [list(row) for row in book[name].iter_rows(min_row=2, values_only=True)] for name in book.sheetnames}
    assert rows["街乡排名"][0] == ["名次", "街乡", "得分", "按期销账率", "检查覆盖率", "月末逾期"]
    assert sorted(row[1] for row in rows["街乡排名"][1:]) == ["乙街道", "甲街道"]
    assert rows["降档复档"][1] == ["甲东胡同", "甲街道", "降档", "85", "不达标"]
    assert rows["约谈"][1][:4] == ["2026-03-18", "赵主任", "乙街道办事处", "乙街道"] and rows["约谈"][1][-1] == "周督导"
    assert rows["检查层级"][1:] == [
        ["市级检查", 1],
        ["区级检查", 1],
        ["街乡自查", 3],
        ["第三方检查", 1],
        ["责任单位自查", 2],
    ]
    assert PHOTO != MISSING_PHOTO


def test_the_cli_writes_all_four(seeded: tuple[DataFolder, SeededMonth], tmp_path: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:  # fmt: skip
    folder, _made = seeded
    code = main(["--data-dir", str(folder.root), "month-report", "--month", MONTH, "--out", str(tmp_path),
                 "--jurisdiction", "110105002"])  # fmt: skip
    assert code == 0, capsys.readouterr().err
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(name.format(month=MONTH) for name in month_report.FILE_NAMES.values())
    exposure = _flat(tmp_path / f"{MONTH}-月曝光.pdf")
    assert "桥下私搭乱建" in exposure and "胡同口堆放建筑垃圾" not in exposure  # only 乙街道
    assert main(["--data-dir", str(folder.root), "month-report", "--month", "2026-13", "--out", str(tmp_path)]) == 2
