"""The statistics view: the app starts and shows every other page without importing numpy or pyqtgraph, which only
the statistics page's charts import; the figures are those of
`inspector.core.statistics` over the local data; every panel exports a PNG, every chart its figures as CSV, and a
chart's months are read from the keyboard."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from ui_helpers import close_app, open_app, under_wine

from inspector.core import statistics
from inspector.core.clock import utc_now
from inspector.core.ledger import OPEN_STATES, is_overdue
from inspector.core.stage_clock import assess
from inspector.store import findings, jurisdictions, ledger_queries, stage_clocks, statistics_facts
from inspector.store.database import open_data_folder
from inspector.store.seed import seed_demo_data
from inspector.store.view_events import view_events
from inspector.ui.statistics.data import recent_months

CHILD = Path(__file__).with_name("statistics_child.py")


def _distinct_colours(path: Path) -> int:
    with Image.open(path) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 16) or [])


def test_only_the_statistics_charts_import_numpy_and_pyqtgraph_and_each_panel_exports_png(tmp_path: Path) -> None:
    data = tmp_path / "data"
    seed_demo_data(open_data_folder(data), inspections=8, photos=3)
    out = tmp_path / "png"
    out.mkdir()
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # its JSON has Chinese, which Windows' code page may lack
    run = subprocess.run([sys.executable, str(CHILD), str(data), str(out)], capture_output=True, encoding="utf-8",
                         env=env, timeout=180, cwd=CHILD.parent)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    # start-up and every other page import neither: only the charts module does, in the background warm-up after
    # start-up (statistics/warm_up.py) or when the statistics page opens
    before = {importer for _name, importer in result["attempts_before"] if importer.startswith("inspector")}
    assert before <= {"inspector.ui.statistics.charts"}
    assert "pyqtgraph" in result["loaded"] and "numpy" in result["loaded"]  # the charts are pyqtgraph's
    ours = {importer for _name, importer in result["attempts"] if importer.startswith("inspector")}
    assert ours == {"inspector.ui.statistics.charts"}
    assert result["series"]["findings"] and result["series"]["overdue"] == ["月末逾期"]  # the charts have data
    assert set(result["exported"]) == {"findings", "closure", "overdue", "ranking", "streets", "units", "hotline"}
    for key, name in result["exported"].items():
        path = Path(name)
        with Image.open(path) as image:
            assert image.format == "PNG" and image.width >= 300 and image.height >= 150, key
        # drawn, not blank: bars, grid and text (Wine has no Chinese font: there, bars and grid only)
        assert _distinct_colours(path) > (3 if under_wine() else 8), key
    for key in ("findings", "closure", "overdue"):
        with Image.open(result["exported"][key]) as chart:
            assert chart.width == 1200, key  # charts are drawn again, wider than on screen


def test_the_figures_are_the_core_formulas_over_the_local_data(app, qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    folder = open_data_folder(data_dir)
    seed_demo_data(folder, inspections=10, photos=3)
    db = folder.connect()
    views = list(ledger_queries.iter_views(db))
    subjects, inspections = statistics_facts.subject_facts(db), statistics_facts.inspection_facts(db)
    names = jurisdictions.street_names(db)
    now = utc_now()
    setup = stage_clocks.load_setup(db)
    clocks = [
        assess(view_events(findings.events(db, f.finding_id)), setup.limits, setup.calendar, now)
        for f in views
        if f.state in OPEN_STATES
    ]
    late = Counter(clock.stages[0].value for clock in clocks if clock is not None and clock.late)
    db.close()
    month = statistics.month_of(now)
    closure = statistics.closure_summary(views)
    overdue_now = [f for f in views if is_overdue(f, now)]
    ranking = statistics.rank_streets(statistics.street_months(month, views, overdue_now, subjects, inspections, names))
    units = statistics.red_black_list(statistics.unit_months(month, subjects, inspections, views, overdue_now))
    by_month = statistics.findings_by_month(views, recent_months(now))

    controller = open_app(data_dir)
    try:
        page = controller.window.show_page("statistics")
        qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
        data = page.data
        assert data.month == month and data.months == recent_months(now)
        assert data.closure == closure and data.overdue_now == len(overdue_now) and data.by_month == by_month
        assert data.ranking == ranking and data.red_black == units
        summary = page.panels["closure"].summary.text()
        assert f"已销账 {closure.closed}" in summary and f"挂账 {closure.on_ledger}" in summary
        names = (("accept", "受理/立案"), ("dispatch", "派遣"), ("dispose", "处置"), ("verify", "核查"))
        stages = "，".join(f"{name} {late[key]}" for key, name in names)
        assert page.panels["overdue"].summary.text() == f"当前逾期 {len(overdue_now)} 个；各阶段超时限：{stages}"
        assert data.late_by_stage == {key: count for key, count in late.items() if count}
        assert sum(late.values()) > len(overdue_now)  # stages other than 处置 run late too
        table = page.ranking_table
        assert table.rowCount() == len(ranking) and table.item(0, 1).text() == (ranking[0].name or ranking[0].street)
        assert page.streets_table.rowCount() == len({*data.back_streets, *data.tiers}) > 0
        assert page.streets_table.horizontalHeaderItem(1).text() == "街巷等级" and data.rule == "inspector-default v1"
        assert page.red_table.rowCount() == len(units.red) and page.black_table.rowCount() == len(units.black)

        page.range.setCurrentIndex(page.range.findData(12))  # twelve months: read again
        qtbot.waitUntil(lambda: page.worker is None and len(page.data.months) == 12, timeout=30_000)
        controller.ctx.set_language("en")
        QApplication.processEvents()  # LanguageChange reaches the widgets through the event loop
        assert page.title.text() == "Statistics" and page.panels["units"].title.text().startswith("Street-front")
        assert page._month_label("2026-03") == "Mar"
    finally:
        close_app(controller)


def test_the_charts_are_read_from_the_keyboard_and_export_their_figures_as_csv(app, qtbot, data_dir: Path,  # type: ignore[no-untyped-def]
                                                                              tmp_path: Path) -> None:  # fmt: skip
    seed_demo_data(open_data_folder(data_dir), inspections=8, photos=2)
    controller = open_app(data_dir)
    try:
        window = controller.window
        window.show()
        window.activateWindow()
        qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=5000)
        page = window.show_page("statistics")
        qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
        data = page.data
        chart, panel = page.findings_chart, page.panels["findings"]
        assert [key for key, p in page.panels.items() if p.csv_button is not None] == ["findings", "closure", "overdue"]
        assert chart.accessibleName() == panel.title.text() == "每月问题数（按类别）"

        panel.export_button.setFocus()
        QTest.keyClick(panel.export_button, Qt.Key.Key_Tab)  # the title row's buttons, then the chart
        assert chart.hasFocus() and chart.month == len(data.months) - 1
        busiest = max(range(len(data.months)), key=lambda i: sum(data.by_month.get(data.months[i], Counter()).values()))
        QTest.keyClick(chart, Qt.Key.Key_Home)
        for _step in range(busiest):
            QTest.keyClick(chart, Qt.Key.Key_Right)
        month_key = data.months[busiest]
        chosen = data.by_month.get(month_key, Counter())
        assert chart.month == busiest and sum(chosen.values()) > 0
        described = chart.accessibleDescription()
        assert described == chart.readout() and described.startswith(page._month_label(month_key) + "：")
        for series in chart.data.series:
            if series.name != "其他":
                assert f"{series.name}\u00a0{chosen.get(series.name, 0)}" in described
        assert described.endswith(f"合计\u00a0{sum(chosen.values())}")

        written = panel.export_csv(tmp_path / "findings.csv")
        assert written is not None and written.read_bytes().startswith(b"\xef\xbb\xbf")
        with written.open(encoding="utf-8-sig", newline="") as file:
            rows = list(csv.reader(file))
        names = [series.name for series in chart.data.series]
        assert rows[0] == ["月份", *names, "合计"] and [row[0] for row in rows[1:]] == data.months
        for row, key in zip(rows[1:], data.months, strict=True):
            counts = data.by_month.get(key, Counter())
            for name, cell in zip(names, row[1:-1], strict=True):
                expected = counts.get(name, 0) if name != "其他" else sum(
                    v for k, v in counts.items() if k not in names[:-1])  # fmt: skip
                assert cell == str(expected), (key, name)
            assert row[-1] == str(sum(counts.values()))
        assert page.panels["ranking"].export_csv(tmp_path / "ranking.csv") is None  # tables have no CSV

        controller.ctx.set_language("en")
        QApplication.processEvents()
        assert panel.csv_button is not None and panel.csv_button.text() == "Export CSV…"
        english = chart.accessibleDescription()
        assert english.startswith(page._month_label(month_key) + ": ") and ", " in english
        assert english.endswith(f"Total\u00a0{sum(chosen.values())}")
        assert chart.month == busiest  # the chosen month stays while the page shows the figures again
    finally:
        close_app(controller)



def test_figures_computed_ahead_are_shown_once_and_never_after_a_change(app, qtbot, data_dir: Path,  # type: ignore[no-untyped-def]
                                                                         monkeypatch) -> None:  # fmt: skip
    from inspector.ui.shared.context import FINDINGS
    from inspector.ui.statistics import warm_up

    seed_demo_data(open_data_folder(data_dir), inspections=6, photos=1)
    for name, value in (("_started", True), ("_page_loaded", False), ("_figures", None), ("_prefetching", False)):
        monkeypatch.setattr(warm_up, name, value)  # this process's warm-up as if its imports had just ended
    controller = open_app(data_dir)
    try:
        ctx = controller.ctx
        ctx.changed.connect(warm_up._data_changed)
        months = recent_months(utc_now())

        def ahead() -> None:
            warm_up._prefetch(ctx)
            qtbot.waitUntil(lambda: not warm_up._prefetching, timeout=30_000)

        ahead()
        assert warm_up.take_figures(ctx.folder, months[1:], months[-1]) is None  # other months: not these figures
        ahead()
        taken = warm_up.take_figures(ctx.folder, months, months[-1])
        assert taken is not None and taken.months == months and taken.findings > 0
        assert warm_up.take_figures(ctx.folder, months, months[-1]) is None  # once only

        ahead()
        ctx.notify(FINDINGS)  # a finding changed after they were computed
        assert warm_up.take_figures(ctx.folder, months, months[-1]) is None

        warm_up._prefetch(ctx)
        ctx.notify(FINDINGS)  # … or while they were computed
        qtbot.waitUntil(lambda: not warm_up._prefetching, timeout=30_000)
        assert warm_up.take_figures(ctx.folder, months, months[-1]) is None

        ahead()
        kept = warm_up._figures
        assert kept is not None
        page = controller.window.show_page("statistics")  # the page opens on the default months: it takes them
        qtbot.waitUntil(lambda: page.data is not None, timeout=30_000)
        assert page.data is kept[-1] and warm_up._figures is None
    finally:
        close_app(controller)
