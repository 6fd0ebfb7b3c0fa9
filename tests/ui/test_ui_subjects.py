"""Subjects page: import from CSV/Excel with a per-row error report, the template, and 1–2 character search."""

from __future__ import annotations

import csv
from pathlib import Path

from PySide6.QtWidgets import QApplication

from inspector.store import profile, settings, subjects
from inspector.ui.subjects.sheet import read_sheet, write_template
from inspector.ui.subjects.view import ImportReportDialog


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def import_and_wait(page, qtbot, path: Path):  # type: ignore[no-untyped-def]
    page.last_import = None
    page.import_file(path)
    qtbot.waitUntil(lambda: page.last_import is not None, timeout=20_000)
    QApplication.processEvents()
    return page.last_import


def test_import_reports_each_bad_row_and_keeps_the_good_ones(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    ctx = started.ctx
    settings.put(ctx.db, profile.DEFAULT_JURISDICTION, "110101001000000")
    subjects.create(ctx.db, kind="site", name="已有场所", jurisdiction="110101001000000", code="AQ-9")
    sheet = write_csv(tmp_path / "对象.csv", [
        ["类型", "名称", "编码", "地址", "辖区编码", "责任人", "电话", "街巷长"],
        ["背街小巷", "东四六条", "JX-1", "东四街道", "", "", "", "李明"],          # row 2: good, default jurisdiction
        ["门前三包责任单位", "老北京炸酱面", "MQ-1", "东四北大街 1 号", "110101001001000", "王", "138", ""],
        ["饭馆", "无类型", "X-1", "", "", "", "", ""],                             # row 4: unknown kind
        ["背街小巷", "", "JX-2", "", "", "", "", ""],                              # row 5: no name
        ["检查场所", "燃气间", "AQ-1", "", "12345", "", "", ""],                   # row 6: bad jurisdiction
        ["检查场所", "重复编码", "JX-1", "", "", "", "", ""],                       # row 7: code repeats row 2
        ["检查场所", "本机已有", "AQ-9", "", "", "", "", ""],                       # row 8: code exists already
        ["", "", "", "", "", "", "", ""],                                          # blank rows are ignored
        ["site", "胡同口充电站", "", "", "", "", "", ""],                           # row 10: good (English kind)
    ])
    page = started.window.show_page("subjects")
    report = import_and_wait(page, qtbot, sheet)

    assert report.created == 3
    assert [(e.number, e.name) for e in report.errors] == [
        (4, "无类型"), (5, ""), (6, "燃气间"), (7, "重复编码"), (8, "本机已有")
    ]
    reasons = {e.number: e.message for e in report.errors}
    assert "饭馆" in reasons[4] and "名称" in reasons[5] and "辖区" in reasons[6]
    assert "第 2 行" in reasons[7] and "AQ-9" in reasons[8]
    names = sorted(s.name for s in subjects.list_subjects(ctx.db))
    assert names == sorted(["已有场所", "东四六条", "老北京炸酱面", "胡同口充电站"])
    lane = subjects.find_by_code(ctx.db, "JX-1")[0]
    assert lane.jurisdiction == "110101001000000" and lane.extra == {"street_chief": "李明"}
    assert page.model.rowCount() == 4  # the page refreshed

    dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ImportReportDialog) and w.isVisible())
    assert dialog.table.rowCount() == 5 and dialog.table.item(0, 0).text() == "4"
    dialog.close()


def test_gbk_csv_and_unreadable_files_give_clear_messages(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    gbk = write_csv(tmp_path / "gbk.csv", [["类型", "名称", "辖区编码"], ["背街小巷", "史家胡同", "110101001000000"]],
                    encoding="gb18030")
    assert read_sheet(gbk)[0].values["name"] == "史家胡同"
    page = started.window.show_page("subjects")
    assert import_and_wait(page, qtbot, gbk).created == 1

    messages: list[str] = []
    page._import_failed = lambda progress, message: (progress.close(), messages.append(message))  # type: ignore[method-assign]
    (tmp_path / "note.txt").write_text("hello", encoding="utf-8")
    bad_header = write_csv(tmp_path / "bad.csv", [["类型", "门牌"], ["背街小巷", "1"]])
    for expected, path in enumerate((tmp_path / "note.txt", bad_header, tmp_path / "missing.xlsx"), start=1):
        page.import_file(path)
        qtbot.waitUntil(lambda n=expected: len(messages) >= n, timeout=10_000)
    assert "不支持的文件类型" in messages[0]
    assert "名称" in messages[1]
    assert "无法读取" in messages[2] or "不是有效的 Excel" in messages[2]


def test_template_round_trip_through_excel(started, qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    template = write_template(tmp_path / "模板.xlsx")
    page = started.window.show_page("subjects")
    report = import_and_wait(page, qtbot, template)
    assert report.created == 3 and not report.errors
    kinds = sorted(s.kind for s in subjects.list_subjects(started.ctx.db))
    assert kinds == ["back_street", "site", "street_front_unit"]


def test_search_finds_one_and_two_character_chinese_queries(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    db = started.ctx.db
    for name, address in (("东四六条", "东城区东四街道"), ("史家胡同", "东城区朝阳门街道"), ("南锣鼓巷", "交道口街道")):
        subjects.create(db, kind="back_street", name=name, address=address, jurisdiction="110101001000000")
    page = started.window.show_page("subjects")

    def search(text: str) -> list[str]:
        page.search.setText(text)
        page._search_later.flush()
        return sorted(page.model.rows[row].name for row in range(page.model.rowCount()))

    assert search("巷") == ["南锣鼓巷"]
    assert search("胡同") == ["史家胡同"]
    assert search("东城") == ["东四六条", "史家胡同"]  # matches the address too
    assert search("条") == ["东四六条"]
    assert search("") == ["东四六条", "南锣鼓巷", "史家胡同"]
    assert page.count.text() == "共 3 个"
