"""The statistics charts, drawn offscreen and read back pixel by pixel: bars where their months are and as tall as
their values, gaps for missing values, legends, month labels that fit, the empty message, PNG export, tooltips."""

from __future__ import annotations

from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFontMetricsF, QImage
from PySide6.QtWidgets import QApplication, QToolTip

from inspector.core.statistics import ClosureSummary
from inspector.ui import statistics_charts as charts
from inspector.ui.statistics_charts import ChartData, ChartWidget, Kind, Series

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
