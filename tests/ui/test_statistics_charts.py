"""The statistics charts, drawn offscreen and read back pixel by pixel: bars where their months are and as tall as
their values, gaps for missing values, legends, month labels that fit, the empty message, PNG export, tooltips; a
month chosen from the keyboard (Tab, ←/→, Home/End) banded and read out whole under the chart and to screen readers;
the figures exported as CSV and read back cell by cell."""

from __future__ import annotations

import csv
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QPointF, QRectF, QSizeF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QToolTip, QVBoxLayout, QWidget

from inspector.core.statistics import ClosureSummary
from inspector.ui.statistics import charts
from inspector.ui.statistics.charts import ChartData, ChartWidget, Kind, Series

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04")
LABELS = charts.ChartLabels(
    month=lambda key: f"{int(key[5:])}月",
    others="其他",
    closure_rate="销账率",
    on_time_rate="按期销账率",
    overdue="月末逾期",
    empty="所选月份没有数据",
)
RED, BLUE, GREEN = "#c62828", "#1f5fa8", "#2e7d32"


@pytest.fixture
def chart(app: QApplication, qtbot) -> ChartWidget:  # type: ignore[no-untyped-def]
    widget = ChartWidget()
    qtbot.addWidget(widget)
    widget.resize(600, charts.HEIGHT)
    return widget


def show(chart: ChartWidget, series: list[Series], percent: bool = False, months: tuple[str, ...] = MONTHS) -> QImage:
    chart.set_data(ChartData(months, tuple(f"{int(m[5:])}月" for m in months), tuple(series), percent, "没有数据"))
    return chart.grab().toImage()


def coloured(image: QImage, colour: str, x: int) -> list[int]:
    """The rows of column x that have exactly this colour."""
    wanted = QColor(colour).rgb()
    return [y for y in range(image.height()) if image.pixel(x, y) == wanted]


def coloured_columns(image: QImage, colour: str, top: int) -> list[tuple[int, int]]:
    """Runs of columns (first, last) below row `top` that hold this colour: one run per bar."""
    runs: list[tuple[int, int]] = []
    for x in range(image.width()):
        if any(y > top for y in coloured(image, colour, x)):
            if runs and runs[-1][1] == x - 1:
                runs[-1] = (runs[-1][0], x)
            else:
                runs.append((x, x))
    return runs


def test_bars_stand_on_their_months_as_tall_as_their_values_with_a_gap_for_none(chart: ChartWidget) -> None:
    image = show(chart, [Series("月末逾期", RED, Kind.BAR, (1.0, 4.0, None, 2.0))])
    layout = chart.chart_layout()
    legend_bottom = int(layout.plot.top())  # the legend's swatch has the colour too: look below it
    bars = coloured_columns(image, RED, legend_bottom)
    assert len(bars) == 3  # March has no value: no bar
    for (first, last), month in zip(bars, (0, 1, 3), strict=True):
        assert first < layout.centres[month] < last  # centred on its month
    heights = [len(coloured(image, RED, (first + last) // 2)) for first, last in bars]
    assert heights[1] > heights[2] > heights[0] > 0
    assert heights[1] == pytest.approx(4 * heights[0], abs=3) and heights[2] == pytest.approx(2 * heights[0], abs=3)
    assert coloured(image, RED, round(layout.centres[2])) == []


def test_stacked_bars_put_each_series_on_the_one_before(chart: ChartWidget) -> None:
    image = show(
        chart,
        [
            Series("卫生", BLUE, Kind.STACKED, (2.0, 0.0, 1.0, 3.0)),
            Series("秩序", GREEN, Kind.STACKED, (2.0, 3.0, None, 1.0)),
        ],
    )
    layout = chart.chart_layout()
    x = round(layout.centres[0])
    blue, green = coloured(image, BLUE, x), coloured(image, GREEN, x)
    assert blue and green and max(green) < min(blue)  # 秩序 above 卫生
    assert len(blue) == pytest.approx(len(green), abs=2)  # 2 and 2
    second = round(layout.centres[1])
    assert coloured(image, BLUE, second) == [] and len(coloured(image, GREEN, second)) > len(green)
    assert coloured(image, GREEN, round(layout.centres[2])) == []  # None: only 卫生 stands in March
    assert layout.ticks == [0, 1, 2, 3, 4]  # the axis covers the tallest stack


def test_lines_have_markers_and_break_where_a_value_is_none(chart: ChartWidget) -> None:
    image = show(chart, [Series("销账率", BLUE, Kind.LINE, (50.0, 60.0, None, 80.0))], percent=True)
    layout = chart.chart_layout()
    assert layout.ticks == [0, 20, 40, 60, 80, 100]
    points = [mark for mark in layout.marks if mark.point]
    assert [mark.month for mark in points] == [0, 1, 3]
    for mark in points:
        assert coloured(image, BLUE, round(mark.rect.center().x()))  # a marker there
    gap = round((layout.centres[1] + layout.centres[3]) / 2)
    joined = round((layout.centres[0] + layout.centres[1]) / 2)
    assert coloured(image, BLUE, gap) == [] and coloured(image, BLUE, joined)
    eighty = points[2].rect.center().y()
    assert eighty == pytest.approx(layout.plot.bottom() - 0.8 * layout.plot.height(), abs=0.5)


def test_the_legend_names_every_series_and_wraps_at_small_widths(chart: ChartWidget) -> None:
    names = ["广告牌匾", "秩序", "卫生", "有限空间", "外立面", "乱停车", "私搭乱建", "其他"]
    series = [
        Series(name, colour, Kind.STACKED, (1.0, 2.0, 3.0, 4.0))
        for name, colour in zip(names, charts.PALETTE, strict=False)
    ]
    wide = show(chart, series)
    layout = chart.chart_layout()
    assert [name for _index, _rect, name in layout.legend] == names
    for index, rect, _name in layout.legend:
        swatch_x = round(rect.left() + charts.SWATCH / 2)
        assert any(rect.top() <= y <= rect.bottom() for y in coloured(wide, series[index].colour, swatch_x))
    rows = {rect.top() for _i, rect, _n in layout.legend}

    chart.resize(charts.MIN_WIDTH, charts.HEIGHT)
    show(chart, series)
    narrow = chart.chart_layout()
    assert len({rect.top() for _i, rect, _n in narrow.legend}) > len(rows)  # wrapped into more rows
    for _index, rect, _name in narrow.legend:
        assert rect.left() >= 0 and rect.right() <= charts.MIN_WIDTH
    for (_a, first, _x), (_b, second, _y) in pairwise(narrow.legend):
        assert not first.intersects(second)
    assert narrow.plot.top() > max(rect.bottom() for _i, rect, _n in narrow.legend)  # the plot starts below it


def test_month_labels_are_skipped_rather_than_overlap_when_narrow(chart: ChartWidget) -> None:
    months = tuple(f"2025-{m:02d}" for m in range(1, 13))
    values = tuple(float(m) for m in range(12))
    show(chart, [Series("月末逾期", RED, Kind.BAR, values)], months=months)
    assert [index for index, _left in chart.chart_layout().labels] == list(range(12))  # all fit at 600 px

    chart.resize(charts.MIN_WIDTH, charts.HEIGHT)
    show(chart, [Series("月末逾期", RED, Kind.BAR, values)], months=months)
    labels = chart.chart_layout().labels
    assert 1 < len(labels) < 12 and labels[-1][0] == 11  # the latest month keeps its label
    metrics = QFontMetricsF(charts.chart_font())
    spans = [(left, left + metrics.horizontalAdvance(f"{int(months[i][5:])}月")) for i, left in labels]
    assert all(left >= 0 and right <= charts.MIN_WIDTH for left, right in spans)
    assert all(a[1] < b[0] for a, b in pairwise(spans))


def test_an_empty_chart_draws_its_message(chart: ChartWidget) -> None:
    charts.draw_findings_by_month(chart, list(MONTHS), {}, LABELS)
    assert chart.data.is_empty() and chart.data.empty_text == "所选月份没有数据"
    image = chart.grab().toImage()
    layout = chart.chart_layout()
    assert layout.marks == [] and layout.legend == []
    white = QColor("#ffffff").rgb()
    every_other = [(x, y) for y in range(0, image.height(), 2) for x in range(0, image.width(), 2)]
    inked = [(x, y) for x, y in every_other if image.pixel(x, y) != white]
    assert inked  # the message is drawn
    assert all(abs(y - image.height() / 2) < 20 for _x, y in inked)  # in the middle, nothing else
    assert chart.tooltip_at(QPointF(300, 135)) is None


def test_export_png_is_1200_pixels_wide_and_drawn(chart: ChartWidget, tmp_path: Path) -> None:
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3, "2026-04": 5}, LABELS)
    chart.show()
    path = chart.export_png(tmp_path / "overdue.png")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size == (1200, round(charts.HEIGHT * 1200 / chart.width()))
        colours = {colour: count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert len(colours) > 8  # text, grid, bars: not blank
    assert colours[(0xC6, 0x28, 0x28)] > 1000  # the bars, scaled up


def test_export_of_a_chart_never_shown_uses_its_preferred_width(app: QApplication, tmp_path: Path) -> None:
    chart = ChartWidget()
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3}, LABELS)
    image = chart.render_image()
    assert (image.width(), image.height()) == (1200, round(charts.HEIGHT * 1200 / chart.sizeHint().width()))
    assert image.devicePixelRatio() == 1
    chart.deleteLater()


def test_tooltips_name_the_month_series_and_value_under_the_mouse(chart: ChartWidget, qtbot) -> None:  # type: ignore[no-untyped-def]
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4, "2026-03": 1}, LABELS)
    bars = {mark.month: mark for mark in chart.chart_layout().marks}
    assert chart.tooltip_at(bars[1].rect.center()) == "2月\n月末逾期: 4"
    above = QPointF(bars[2].rect.center().x(), bars[2].rect.top() - 10)
    assert chart.tooltip_at(above) is None  # over the empty space above a short bar

    closure = {"2026-01": ClosureSummary(4, 2, 1, 0.5, 0.5, 2.0), "2026-03": ClosureSummary(3, 1, 1, 1 / 3, 1.0, 1.0)}
    charts.draw_closure(chart, list(MONTHS), closure, LABELS)
    points = [mark for mark in chart.chart_layout().marks if mark.series == 0]
    near = points[1].rect.center() + QPointF(3, -2)  # a few pixels off the marker still counts
    assert chart.tooltip_at(near) == "3月\n销账率: 33.3%"
    between = QPointF(chart.chart_layout().centres[1], points[1].rect.center().y())
    assert chart.tooltip_at(between) is None  # February has no rate

    chart.show()
    qtbot.waitExposed(chart)
    qtbot.mouseMove(chart, points[1].rect.center().toPoint())
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2000)
    assert QToolTip.text() == "3月\n销账率: 33.3%"
    QToolTip.hideText()


def test_the_findings_chart_lumps_the_smallest_categories_as_others(chart: ChartWidget) -> None:
    names = [f"类别{n}" for n in range(10)]
    by_month = {"2026-01": Counter({name: 20 - n for n, name in enumerate(names)}), "2026-03": Counter({"类别0": 1})}
    charts.draw_findings_by_month(chart, list(MONTHS), by_month, LABELS)
    series = chart.data.series
    assert [s.name for s in series] == [*names[: charts.MAX_SERIES], "其他"]
    assert all(s.kind is Kind.STACKED for s in series)
    assert series[0].values == (20.0, 0.0, 1.0, 0.0)
    assert series[-1].values == (float(13 + 12 + 11), 0.0, 0.0, 0.0)  # 类别7–9 together
    assert chart.data.month_labels == ("1月", "2月", "3月", "4月")


def test_the_closure_chart_draws_rates_as_percent_with_gaps(chart: ChartWidget) -> None:
    closure = {"2026-02": ClosureSummary(4, 2, 1, 0.5, 0.5, 2.0), "2026-03": ClosureSummary(2, 0, 0, 0.0, None, None)}
    charts.draw_closure(chart, list(MONTHS), closure, LABELS)
    rates, on_time = chart.data.series
    assert chart.data.percent and rates.name == "销账率" and on_time.name == "按期销账率"
    assert rates.values == (None, 50.0, 0.0, None) and on_time.values == (None, 50.0, None, None)


# -- reading the months from the keyboard, and the figures as CSV ----------------------------------------------------


@pytest.fixture
def focusable(app: QApplication, qtbot) -> tuple[QWidget, QPushButton, ChartWidget]:  # type: ignore[no-untyped-def]
    """A window with a button before the chart, shown and active, so Tab goes from the button to the chart."""
    window = QWidget()
    qtbot.addWidget(window)
    button = QPushButton("前一个控件", window)
    chart = ChartWidget(window)
    column = QVBoxLayout(window)
    column.addWidget(button)
    column.addWidget(chart)
    window.resize(600, 400)
    window.show()
    window.activateWindow()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.isActiveWindow(), timeout=2000)
    return window, button, chart


def _findings(chart: ChartWidget) -> None:
    by_month = {"2026-01": Counter({"卫生": 2, "秩序": 1}), "2026-02": Counter({"秩序": 3}),
                "2026-04": Counter({"卫生": 1, "秩序": 4})}  # fmt: skip
    charts.draw_findings_by_month(chart, list(MONTHS), by_month, LABELS)


def said(text: str) -> str:
    """A read-out as written here with plain spaces: the chart joins each name and value with a no-break space."""
    return text.replace(" ", "\u00a0")


def _inked_rows(image: QImage, area: QRectF) -> list[int]:
    """Rows inside `area` that hold a pixel darker than the light grey of the grid (text)."""
    rows = []
    for y in range(max(0, int(area.top())), min(image.height(), int(area.bottom()) + 1)):
        xs = range(max(0, int(area.left())), min(image.width(), int(area.right()) + 1))
        if any(QColor(image.pixel(x, y)).lightness() < 160 for x in xs):
            rows.append(y)
    return rows


def test_tab_reaches_the_chart_and_arrows_choose_the_month_read_out_below(focusable) -> None:  # type: ignore[no-untyped-def]
    _window, button, chart = focusable
    _findings(chart)
    assert chart.month is None and chart.accessibleDescription() == chart.data.words.hint
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Tab)
    assert chart.hasFocus()
    assert chart.month == 3  # the latest month first
    assert chart.readout() == said("4月：秩序 4，卫生 1，合计 5")  # 秩序 has more findings: it comes first
    assert chart.accessibleDescription() == chart.readout()

    QTest.keyClick(chart, Qt.Key.Key_Left)
    QTest.keyClick(chart, Qt.Key.Key_Left)
    assert chart.month == 1 and chart.readout() == said("2月：秩序 3，卫生 0，合计 3")
    assert chart.accessibleDescription() == said("2月：秩序 3，卫生 0，合计 3")
    QTest.keyClick(chart, Qt.Key.Key_Home)
    QTest.keyClick(chart, Qt.Key.Key_Left)  # stays on the first month
    assert chart.month == 0 and chart.readout() == said("1月：秩序 1，卫生 2，合计 3")
    QTest.keyClick(chart, Qt.Key.Key_Right)
    assert chart.month == 1
    QTest.keyClick(chart, Qt.Key.Key_End)
    QTest.keyClick(chart, Qt.Key.Key_Right)  # stays on the last month
    assert chart.month == 3 and chart.accessibleDescription() == said("4月：秩序 4，卫生 1，合计 5")

    QTest.keyClick(chart, Qt.Key.Key_Left)  # March: no findings, still a month with values (0)
    assert chart.readout() == said("3月：秩序 0，卫生 0，合计 0")
    QTest.keyClick(chart, Qt.Key.Key_Tab)  # Tab leaves the chart again
    assert not chart.hasFocus() and chart.month == 2


def test_the_chosen_month_is_banded_and_its_read_out_drawn_whole_inside_the_chart(focusable) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    _findings(chart)
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Home)
    QTest.keyClick(chart, Qt.Key.Key_Right)
    image = chart.grab().toImage()
    layout = chart.chart_layout()
    band = charts.HIGHLIGHT.rgb()
    above_bar = round(layout.plot.top() + 3)
    assert QColor(image.pixel(round(layout.centres[1]), above_bar)).rgb() == band  # February's slot is banded
    for month in (0, 2, 3):
        assert QColor(image.pixel(round(layout.centres[month]), above_bar)).rgb() != band

    readout = layout.readout
    assert not readout.isEmpty()
    assert readout.top() > layout.plot.bottom() + charts.TICK  # below the month labels
    assert readout.bottom() <= chart.height() and readout.right() <= chart.width()
    metrics = QFontMetricsF(charts.chart_font())
    needed = metrics.boundingRect(readout, int(charts.READOUT_FLAGS), chart.readout())
    assert readout.contains(needed)  # the text fits its room: nothing cut off
    rows = _inked_rows(image, readout)
    assert rows and min(rows) >= readout.top() - 1 and max(rows) <= readout.bottom() + 1


def test_a_narrow_chart_grows_to_wrap_its_read_out_and_keeps_its_plot(focusable) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    names = ["广告牌匾", "秩序", "卫生", "有限空间", "外立面", "乱停车", "私搭乱建", "其他"]
    by_month = {key: Counter({name: 10 + n for n, name in enumerate(names)}) for key in MONTHS}
    charts.draw_findings_by_month(chart, list(MONTHS), by_month, LABELS)
    wide_height = chart.height()
    chart.setFixedWidth(charts.MIN_WIDTH)
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_End)
    assert chart.height() > wide_height  # more lines of read-out below
    layout = chart.chart_layout()
    metrics = QFontMetricsF(charts.chart_font())
    assert layout.readout.contains(metrics.boundingRect(layout.readout, int(charts.READOUT_FLAGS), chart.readout()))
    assert layout.readout.bottom() <= chart.height()
    without = charts.layout_chart(chart.data, QSizeF(charts.MIN_WIDTH, charts.HEIGHT), metrics)  # as exported
    assert layout.plot.height() == pytest.approx(without.plot.height(), abs=1)  # the read-out takes nothing from it


def test_a_click_chooses_the_month_and_new_data_keeps_it(focusable, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4, "2026-03": 1}, LABELS)
    layout = chart.chart_layout()
    march = QPoint(round(layout.centres[2]), round(layout.plot.center().y()))
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=march)
    assert chart.hasFocus() and chart.month == 2 and chart.readout() == said("3月：月末逾期 1")

    charts.draw_overdue(chart, ["2026-03", "2026-04", "2026-05"], {"2026-03": 2}, LABELS)
    assert chart.month == 0 and chart.readout() == said("3月：月末逾期 2")  # the same month, now first
    charts.draw_overdue(chart, [], {}, LABELS)
    assert chart.month is None and chart.readout() == "" and chart.accessibleDescription() == "所选月份没有数据"


def test_the_closure_read_out_shows_rates_and_a_dash_for_no_rate(chart: ChartWidget) -> None:
    closure = {"2026-02": ClosureSummary(4, 2, 1, 0.5, 0.5, 2.0), "2026-03": ClosureSummary(3, 1, 0, 1 / 3, None, 1.0)}
    charts.draw_closure(chart, list(MONTHS), closure, LABELS)
    chart.set_month(2)
    assert chart.readout() == said("3月：销账率 33.3%，按期销账率 —")
    chart.set_month(0)
    assert chart.readout() == said("1月：销账率 —，按期销账率 —")


def test_exports_leave_out_the_chosen_month(chart: ChartWidget) -> None:
    _findings(chart)
    before = chart.render_image()
    chart.set_month(1)
    assert chart.render_image() == before


def _read_csv(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 byte-order mark: Excel then reads the Chinese right
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def test_csv_export_holds_every_month_and_series_cell_by_cell(chart: ChartWidget, tmp_path: Path) -> None:
    _findings(chart)
    rows = _read_csv(chart.export_csv(tmp_path / "findings.csv"))
    assert rows == [
        ["月份", "秩序", "卫生", "合计"],
        ["2026-01", "1", "2", "3"],
        ["2026-02", "3", "0", "3"],
        ["2026-03", "0", "0", "0"],
        ["2026-04", "4", "1", "5"],
    ]

    closure = {"2026-02": ClosureSummary(4, 2, 1, 0.5, 0.5, 2.0), "2026-03": ClosureSummary(3, 1, 0, 1 / 3, None, 1.0)}
    charts.draw_closure(chart, list(MONTHS), closure, LABELS)
    rows = _read_csv(chart.export_csv(tmp_path / "closure.csv"))
    assert rows == [
        ["月份", "销账率 (%)", "按期销账率 (%)"],
        ["2026-01", "", ""],
        ["2026-02", "50.0", "50.0"],
        ["2026-03", "33.3", ""],
        ["2026-04", "", ""],
    ]

    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4}, LABELS)
    rows = _read_csv(chart.export_csv(tmp_path / "overdue.csv"))
    assert rows == [["月份", "月末逾期"], ["2026-01", "0"], ["2026-02", "4"], ["2026-03", "0"], ["2026-04", "0"]]
