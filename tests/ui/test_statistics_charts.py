"""The statistics charts, pyqtgraph plots drawn offscreen and read back pixel by pixel: bars where their months are
and as tall as their values, gaps for missing values, legends, month labels that fit, the empty message, PNG export,
tooltips, zoom; a month chosen from the keyboard (Tab, ←/→, Home/End) or a click, banded and read out whole under the
chart and to screen readers; the figures exported as CSV and read back cell by cell."""

from __future__ import annotations

import csv
from collections import Counter
from itertools import pairwise
from pathlib import Path

import pytest
import shiboken6
from PIL import Image
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QTextDocument
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QToolTip, QVBoxLayout, QWidget
from ui_helpers import under_wine

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


def centre(chart: ChartWidget, month: int) -> int:
    """The x pixel of a month's centre in the chart."""
    return round(chart.to_widget(month, 0).x())


def axis_labels(axis) -> list[tuple[str, QRectF]]:  # type: ignore[no-untyped-def]
    """The tick labels pyqtgraph draws on an axis (it leaves out those that do not fit), with their rectangles."""
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(text, rect) for rect, _flags, text in specs[2]]


def legend_text(chart: ChartWidget) -> str:
    document = QTextDocument()
    document.setHtml(chart.legend.text())
    return document.toPlainText().replace(charts.WORD_JOINER, "")


def legend_lines(chart: ChartWidget) -> list[str]:
    """The legend's lines as its label wraps them at its width."""
    document = QTextDocument()
    document.setDocumentMargin(0)
    document.setDefaultFont(chart.legend.font())
    document.setHtml(chart.legend.text())
    document.setTextWidth(chart.legend.contentsRect().width())
    document.documentLayout().documentSize()  # lays the text out
    block = document.firstBlock()
    layout, text = block.layout(), block.text()
    lines = (layout.lineAt(index) for index in range(layout.lineCount()))
    texts = (text[line.textStart() : line.textStart() + line.textLength()] for line in lines)
    return [line.replace(charts.WORD_JOINER, "") for line in texts]


def test_bars_stand_on_their_months_as_tall_as_their_values_with_a_gap_for_none(chart: ChartWidget) -> None:
    image = show(chart, [Series("月末逾期", RED, Kind.BAR, (1.0, 4.0, None, 2.0))])
    plot = chart.plot_area()
    bars = coloured_columns(image, RED, int(plot.top()))  # the legend's swatch has the colour too: look below it
    assert len(bars) == 3  # March has no value: no bar
    for (first, last), month in zip(bars, (0, 1, 3), strict=True):
        assert first < chart.to_widget(month, 0).x() < last  # centred on its month
    heights = [len(coloured(image, RED, (first + last) // 2)) for first, last in bars]
    assert heights[1] > heights[2] > heights[0] > 0
    assert heights[1] == pytest.approx(4 * heights[0], abs=3) and heights[2] == pytest.approx(2 * heights[0], abs=3)
    assert coloured(image, RED, centre(chart, 2)) == []
    zero = chart.to_widget(1, 0).y()
    assert max(coloured(image, RED, centre(chart, 1))) == pytest.approx(zero, abs=2)  # standing on 0
    assert min(coloured(image, RED, centre(chart, 1))) == pytest.approx(chart.to_widget(1, 4).y(), abs=2)


def test_stacked_bars_put_each_series_on_the_one_before(chart: ChartWidget) -> None:
    image = show(
        chart,
        [
            Series("卫生", BLUE, Kind.STACKED, (2.0, 0.0, 1.0, 3.0)),
            Series("秩序", GREEN, Kind.STACKED, (2.0, 3.0, None, 1.0)),
        ],
    )
    x = centre(chart, 0)
    blue, green = coloured(image, BLUE, x), coloured(image, GREEN, x)
    assert blue and green and max(green) < min(blue)  # 秩序 above 卫生
    assert len(blue) == pytest.approx(len(green), abs=2)  # 2 and 2
    second = centre(chart, 1)
    assert coloured(image, BLUE, second) == [] and len(coloured(image, GREEN, second)) > len(green)
    assert coloured(image, GREEN, centre(chart, 2)) == []  # None: only 卫生 stands in March
    assert charts.axis_top(chart.data) == 4  # the axis covers the tallest stack
    assert chart.plot is not None
    _x, (low, high) = chart.plot.box.viewRange()
    assert low <= 0 and high >= 4
    labels = [text for text, _rect in axis_labels(chart.plot.left)]
    assert labels == ["0", "1", "2", "3", "4"]  # counts: whole numbers only


def test_lines_have_markers_and_break_where_a_value_is_none(chart: ChartWidget) -> None:
    image = show(chart, [Series("销账率", BLUE, Kind.LINE, (50.0, 60.0, None, 80.0))], percent=True)
    assert chart.plot is not None
    assert [text for text, _rect in axis_labels(chart.plot.left)] == ["0%", "20%", "40%", "60%", "80%", "100%"]
    points = [mark for mark in charts.marks(chart.data) if mark.point]
    assert [mark.month for mark in points] == [0, 1, 3]
    for mark in points:
        assert coloured(image, BLUE, centre(chart, mark.month))  # a marker there
    gap = round((chart.to_widget(1, 0).x() + chart.to_widget(3, 0).x()) / 2)
    joined = round((chart.to_widget(0, 0).x() + chart.to_widget(1, 0).x()) / 2)
    assert coloured(image, BLUE, gap) == [] and coloured(image, BLUE, joined)
    marker = coloured(image, BLUE, centre(chart, 3))
    eighty = chart.to_widget(3, 80).y()
    assert (min(marker) + max(marker)) / 2 == pytest.approx(eighty, abs=1.5)
    zero, hundred = chart.to_widget(3, 0).y(), chart.to_widget(3, 100).y()
    assert eighty == pytest.approx(zero + 0.8 * (hundred - zero), abs=0.5)


def test_the_legend_names_every_series_and_wraps_at_small_widths(chart: ChartWidget) -> None:
    names = ["广告牌匾", "秩序", "卫生", "有限空间", "外立面", "乱停车", "私搭乱建", "其他"]
    series = [
        Series(name, colour, Kind.STACKED, (1.0, 2.0, 3.0, 4.0))
        for name, colour in zip(names, charts.PALETTE, strict=False)
    ]
    wide = show(chart, series)
    text = legend_text(chart)
    assert [text.index(name) for name in names] == sorted(text.index(name) for name in names)  # all, in order
    legend = chart.legend.geometry().translated(chart.body.pos())
    for one in series:  # each swatch in its colour inside the legend
        pixels = [(x, y) for x in range(legend.left(), legend.right()) for y in coloured(wide, one.colour, x)]
        assert any(legend.contains(x, y) for x, y in pixels), one.name
    one_row = chart.legend.height()

    chart.resize(charts.MIN_WIDTH, charts.HEIGHT)
    narrow = show(chart, series)
    assert chart.legend.height() > one_row  # wrapped into more rows
    assert chart.legend.geometry().right() <= chart.body.width()
    assert chart.plot_area().top() > chart.legend.geometry().translated(chart.body.pos()).bottom()  # plot below
    lines = legend_lines(chart)
    assert len(lines) > 1
    for name in names:  # a name is never broken over two lines
        assert any(name in line for line in lines), (name, lines)
    assert narrow.width() == charts.MIN_WIDTH


def test_while_pyqtgraph_is_imported_a_chart_says_so_and_draws_when_the_import_ends(chart: ChartWidget,
                                                                                     monkeypatch) -> None:  # type: ignore[no-untyped-def]  # fmt: skip
    waiting = LABELS.__class__(**{**LABELS.__dict__, "waiting": "正在准备图表…"})
    monkeypatch.setattr(charts, "_plotting", charts.Plotting.LOADING)  # as while the warm-up's worker imports it
    try:
        charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3}, waiting)
        assert chart.waiting and chart.plot is None  # no pyqtgraph work on the GUI thread yet
        assert chart.stack.currentWidget() is chart.empty and chart.empty.text() == "正在准备图表…"
        assert not chart.legend.isHidden()  # the legend is there already
    finally:
        charts.plotting_loaded()
    assert not chart.waiting and chart.plot is not None
    assert chart.stack.currentWidget() is chart.plot.view
    image = chart.grab().toImage()
    assert len(coloured_columns(image, RED, int(chart.plot_area().top()))) == 1  # February's bar, drawn now


def test_charts_waiting_for_pyqtgraph_draw_one_per_turn_of_the_event_loop_in_the_order_they_waited(
    app: QApplication, qtbot, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    page = [ChartWidget() for _ in range(3)]
    for chart in page:
        qtbot.addWidget(chart)
    monkeypatch.setattr(charts, "_plotting", charts.Plotting.LOADING)
    for chart in page:
        charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3}, LABELS)
    assert all(chart.waiting for chart in page)
    dropped = ChartWidget()  # a chart closed while it waited is skipped
    charts.draw_overdue(dropped, list(MONTHS), {"2026-02": 1}, LABELS)
    page.insert(1, dropped)
    shiboken6.delete(dropped)
    page.remove(dropped)

    charts.plotting_loaded()
    assert [chart.waiting for chart in page] == [False, True, True]  # the first at once, the window free after it
    assert page[0].plot is not None and page[1].plot is None
    QApplication.processEvents()  # one turn: one more
    assert [chart.waiting for chart in page] == [False, False, True]
    qtbot.waitUntil(lambda: not any(chart.waiting for chart in page), timeout=5000)
    assert all(chart.stack.currentWidget() is chart.plot.view for chart in page if chart.plot is not None)
    assert all(chart.plot is not None for chart in page)


@pytest.mark.skipif(under_wine(), reason="Wine has no Chinese font, so Qt draws none of the chart's labels")
def test_month_labels_are_skipped_rather_than_overlap_when_narrow(chart: ChartWidget) -> None:
    months = tuple(f"2025-{m:02d}" for m in range(1, 13))
    values = tuple(float(m) for m in range(12))
    show(chart, [Series("月末逾期", RED, Kind.BAR, values)], months=months)
    assert chart.plot is not None
    assert [text for text, _rect in axis_labels(chart.plot.bottom)] == [f"{m}月" for m in range(1, 13)]  # all fit

    chart.resize(charts.MIN_WIDTH, charts.HEIGHT)
    show(chart, [Series("月末逾期", RED, Kind.BAR, values)], months=months)
    labels = axis_labels(chart.plot.bottom)
    assert 1 < len(labels) < 12 and labels[-1][0] == "12月"  # the latest month keeps its label
    spans = sorted((rect.left(), rect.right()) for _text, rect in labels)
    bounds = chart.plot.bottom.boundingRect()
    assert all(left >= bounds.left() and right <= bounds.right() for left, right in spans)
    assert all(a[1] < b[0] for a, b in pairwise(spans))


def test_an_empty_chart_draws_its_message_without_pyqtgraph(chart: ChartWidget) -> None:
    charts.draw_findings_by_month(chart, list(MONTHS), {}, LABELS)
    assert chart.data.is_empty() and chart.data.empty_text == "所选月份没有数据"
    assert chart.plot is None  # nothing to plot: pyqtgraph is not even set up
    image = chart.grab().toImage()
    assert not chart.legend.isVisible() and chart.empty.text() == "所选月份没有数据"
    white = QColor("#ffffff").rgb()
    body = chart.body.geometry()
    every_other = [(x, y) for y in range(body.top(), body.bottom(), 2) for x in range(body.left(), body.right(), 2)]
    inked = [(x, y) for x, y in every_other if image.pixel(x, y) != white]
    assert inked  # the message is drawn
    assert all(abs(y - body.center().y()) < 20 for _x, y in inked)  # in the middle, nothing else
    assert chart.tooltip_at(QPointF(300, 135)) is None


@pytest.mark.skipif(under_wine(), reason="Wine has no Chinese font, so Qt draws none of the chart's labels")
def test_export_png_is_1200_pixels_wide_and_drawn(chart: ChartWidget, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3, "2026-04": 5}, LABELS)
    chart.show()
    qtbot.waitExposed(chart)
    path = chart.export_png(tmp_path / "overdue.png")
    with Image.open(path) as image:
        body = chart.body.size()
        assert image.format == "PNG" and image.size == (1200, round(body.height() * 1200 / body.width()))
        colours = {colour: count for count, colour in image.convert("RGB").getcolors(maxcolors=1 << 20) or []}
    assert len(colours) > 8  # text, grid, bars: not blank
    assert colours[(0xC6, 0x28, 0x28)] > 1000  # the bars, scaled up


def test_export_of_a_chart_never_shown_uses_its_preferred_width(app: QApplication) -> None:
    chart = ChartWidget()
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 3}, LABELS)
    image = chart.render_image()
    assert chart.body.width() == chart.sizeHint().width() - 2 * charts.MARGIN
    assert (image.width(), image.height()) == (1200, round(chart.body.height() * 1200 / chart.body.width()))
    assert image.devicePixelRatio() == 1
    red = QColor(RED).rgb()
    assert sum(1 for y in range(0, image.height(), 4) for x in range(0, 1200, 4) if image.pixel(x, y) == red) > 100
    chart.deleteLater()


def test_tooltips_name_the_month_series_and_value_under_the_mouse(chart: ChartWidget, qtbot) -> None:  # type: ignore[no-untyped-def]
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4, "2026-03": 1}, LABELS)
    assert chart.tooltip_at(chart.to_widget(1, 2)) == "2月\n月末逾期: 4"
    above = chart.to_widget(2, 1) - QPointF(0, 10)
    assert chart.tooltip_at(above) is None  # over the empty space above a short bar

    closure = {"2026-01": ClosureSummary(4, 2, 1, 0.5, 0.5, 2.0), "2026-03": ClosureSummary(3, 1, 1, 1 / 3, 1.0, 1.0)}
    charts.draw_closure(chart, list(MONTHS), closure, LABELS)
    point = chart.to_widget(2, 100 / 3)
    near = point + QPointF(3, -2)  # a few pixels off the marker still counts
    assert chart.tooltip_at(near) == "3月\n销账率: 33.3%"
    between = QPointF(chart.to_widget(1, 0).x(), point.y())
    assert chart.tooltip_at(between) is None  # February has no rate

    chart.show()
    qtbot.waitExposed(chart)
    qtbot.mouseMove(chart, chart.to_widget(2, 100 / 3).toPoint())
    qtbot.waitUntil(lambda: QToolTip.isVisible(), timeout=2000)
    assert QToolTip.text() == "3月\n销账率: 33.3%"
    QToolTip.hideText()


def test_zooming_in_shows_fewer_months_and_keeps_labels_and_tooltips_right(chart: ChartWidget, qtbot) -> None:  # type: ignore[no-untyped-def]
    months = [f"2025-{m:02d}" for m in range(1, 13)]
    charts.draw_overdue(chart, months, {key: n + 1 for n, key in enumerate(months)}, LABELS)
    chart.resize(charts.MIN_WIDTH + 40, charts.HEIGHT)
    chart.show()
    qtbot.waitExposed(chart)
    assert chart.plot is not None
    before = [text for text, _rect in axis_labels(chart.plot.bottom)]
    assert len(before) < 12  # too narrow for every label
    chart.plot.box.setXRange(7.5, 11.5, padding=0)  # as the mouse wheel zooms: September to December
    after = [text for text, _rect in axis_labels(chart.plot.bottom)]
    assert after == ["9月", "10月", "11月", "12月"]  # every visible month has room for its label now
    assert chart.tooltip_at(chart.to_widget(9, 5)) == "10月\n月末逾期: 10"
    assert chart.to_widget(2, 1).x() < chart.plot_area().left()  # March is panned out of sight
    assert chart.tooltip_at(chart.to_widget(2, 1)) is None
    chart.plot.item.autoBtnClicked()  # the "A" button: everything again
    box = chart.plot.box
    qtbot.waitUntil(lambda: box.viewRange()[0][0] <= 0 and box.viewRange()[0][1] >= 11, timeout=2000)


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


def test_the_chosen_month_is_banded_and_its_read_out_shown_whole_under_the_chart(focusable) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    _findings(chart)
    chart.setFocus()
    QTest.keyClick(chart, Qt.Key.Key_Home)
    QTest.keyClick(chart, Qt.Key.Key_Right)
    image = chart.grab().toImage()
    band = charts.HIGHLIGHT.rgb()
    above_bar = round(chart.plot_area().top() + 3)
    assert QColor(image.pixel(centre(chart, 1), above_bar)).rgb() == band  # February's slot is banded
    for month in (0, 2, 3):
        assert QColor(image.pixel(centre(chart, month), above_bar)).rgb() != band

    readout = QRectF(chart.readout_label.geometry())
    assert chart.readout_label.isVisible() and chart.readout_label.text() == chart.readout()
    assert readout.top() >= chart.body.geometry().bottom()  # below the plot and its month labels
    assert readout.bottom() <= chart.height() and readout.right() <= chart.width()
    assert chart.readout_label.heightForWidth(chart.readout_label.width()) <= readout.height()  # nothing cut off
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
    label = chart.readout_label
    assert label.text() == chart.readout() and label.heightForWidth(label.width()) <= label.height()
    assert label.geometry().bottom() <= chart.height()
    assert chart.body.height() == charts.HEIGHT - 2 * charts.MARGIN  # the read-out takes nothing from the plot
    plot_height = chart.plot_area().height()
    QTest.keyClick(chart, Qt.Key.Key_Home)  # another month's read-out: nothing moves
    assert chart.plot_area().height() == plot_height and chart.height() > wide_height


def test_a_click_chooses_the_month_and_new_data_keeps_it(focusable, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4, "2026-03": 1}, LABELS)
    assert chart.plot is not None
    viewport = chart.plot.view.viewport()  # the click lands on pyqtgraph's view, inside the chart
    march = viewport.mapFrom(chart, QPointF(chart.to_widget(2, 0).x(), chart.plot_area().center().y()).toPoint())
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=march)
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


def test_a_plot_built_ahead_is_taken_by_the_first_chart_to_draw(focusable, qtbot) -> None:  # type: ignore[no-untyped-def]
    _window, _button, chart = focusable
    charts.plotting_loaded()  # pyqtgraph ready
    built = charts.plots_built()
    charts.prepare_plots(built + 1)
    spare = charts._SPARE_PLOTS[-1]
    charts.draw_overdue(chart, list(MONTHS), {"2026-02": 4, "2026-03": 1}, LABELS)
    assert chart.plot is spare and charts.plots_built() == built + 1  # taken, not built again
    viewport = chart.plot.view.viewport()
    march = viewport.mapFrom(chart, QPointF(chart.to_widget(2, 0).x(), chart.plot_area().center().y()).toPoint())
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=march)
    assert chart.month == 2  # the plot's clicks reach the chart that took it
