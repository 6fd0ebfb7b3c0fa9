"""The statistics view's charts: a small QPainter widget over plain series data, with hover tooltips, a month chosen
from the keyboard (←/→, Home/End) whose values are read out under the chart and to screen readers, and PNG and CSV
export."""

from __future__ import annotations

import csv
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QFocusEvent,
    QFont,
    QFontInfo,
    QFontMetricsF,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QToolTip, QWidget

from inspector.core import chart_scale
from inspector.core.statistics import ClosureSummary

PALETTE = ("#1f5fa8", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#9e9d24", "#5d4037", "#455a64")
EXPORT_WIDTH = 1200
MAX_SERIES = 7  # the smallest categories beyond these are summed as "others"
HEIGHT = 270
MIN_WIDTH = 200
PAD = 8.0  # around the drawing
TICK = 4.0  # tick marks below the months
LABEL_GAP = 8.0  # at least this much between two month labels
SWATCH = 12.0
LEGEND_SPACING = 14.0
MARKER_RADIUS = 3.5
HIT_SLACK = 5.0  # a point counts as hovered this far from its marker's edge
BAR_FRACTION = 0.6  # of a month's slot
BACKGROUND = QColor("#ffffff")
GRID = QColor("#e6e6e6")
AXIS = QColor("#9e9e9e")
TEXT = QColor("#424242")
EMPTY_TEXT = QColor("#757575")
HIGHLIGHT = QColor("#e3ecf8")  # the chosen month's band, behind its bars and points
HIGHLIGHT_TEXT = QColor("#1f5fa8")  # and its month label
READOUT_GAP = 6.0  # between the month labels and the read-out of the chosen month
READOUT_FLAGS = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
NO_VALUE = "—"
NBSP = "\u00a0"  # between a name and its value in the read-out, so a wrapped line never parts them


class Kind(Enum):
    """How a series is drawn."""

    BAR = "bar"  # its own bar per month (several BAR series stand side by side)
    STACKED = "stacked"  # a piece of the month's stacked bar, first series at the bottom
    LINE = "line"  # a line with round markers, broken where a value is None


@dataclass(frozen=True)
class Series:
    """One named, coloured series: a value per month, None where there is none (a gap)."""

    name: str
    colour: str
    kind: Kind
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ReadoutWords:
    """The words of the chosen month's read-out and of the CSV export, in the interface language."""

    month_column: str = "月份"
    total: str = "合计"
    readout: str = "%1：%2"  # %1 the month, %2 its values
    separator: str = "，"
    hint: str = "点击图表或用 ←/→ 键逐月查看数值"


@dataclass(frozen=True)
class ChartData:
    """Everything a chart draws: the months (keys and tick labels), the series, the axis kind, the empty message."""

    months: tuple[str, ...] = ()
    month_labels: tuple[str, ...] = ()
    series: tuple[Series, ...] = ()
    percent: bool = False  # a 0–100 % axis instead of counts
    empty_text: str = ""
    words: ReadoutWords = field(default_factory=ReadoutWords)

    def is_empty(self) -> bool:
        return not self.months or all(value is None for series in self.series for value in series.values)


@dataclass(frozen=True)
class Mark:
    """A drawn bar or point: which month and series, its value, and where it is (for hover tooltips)."""

    month: int
    series: int
    value: float
    rect: QRectF
    point: bool = False


@dataclass
class ChartLayout:
    """Where everything goes at one size, computed from the data and the font's metrics."""

    size: QSizeF
    plot: QRectF = field(default_factory=QRectF)
    ticks: list[float] = field(default_factory=list)
    axis_top: float = 1.0
    centres: list[float] = field(default_factory=list)
    labels: list[tuple[int, float]] = field(default_factory=list)  # month index, left x
    legend: list[tuple[int, QRectF, str]] = field(default_factory=list)  # series index, rect, (elided) name
    marks: list[Mark] = field(default_factory=list)
    readout: QRectF = field(default_factory=QRectF)  # under the month labels; empty when none is reserved


@dataclass(frozen=True)
class ChartLabels:
    """The words the charts draw, in the interface language."""

    month: Callable[[str], str]  # YYYY-MM → a tick label
    others: str
    closure_rate: str
    on_time_rate: str
    overdue: str
    empty: str  # shown when a chart has nothing to draw
    words: ReadoutWords = field(default_factory=ReadoutWords)


def chart_font() -> QFont:
    """The application's (CJK-capable) font, a pixel smaller, sized in pixels so it measures alike on any device."""
    font = QFont(QApplication.font())
    font.setPixelSize(max(11, QFontInfo(QApplication.font()).pixelSize() - 1))
    return font


# -- layout ---------------------------------------------------------------------------------------------------------


def axis_ticks(data: ChartData) -> list[float]:
    """The left axis: 0–100 % for rates, else nice ticks up to the tallest bar, stack or point."""
    if data.percent:
        return list(chart_scale.PERCENT_TICKS)
    tallest = 0.0
    stacked = [series.values for series in data.series if series.kind is Kind.STACKED]
    tallest = max([tallest, *chart_scale.stack_totals(stacked)])
    others = [value for series in data.series if series.kind is not Kind.STACKED for value in series.values]
    tallest = max([tallest, *(value for value in others if value is not None)])
    whole = all(float(value).is_integer() for series in data.series for value in series.values if value is not None)
    return chart_scale.nice_ticks(tallest, integer=whole)


def legend_entries(
    data: ChartData, metrics: QFontMetricsF, left: float, right: float, top: float
) -> list[tuple[int, QRectF, str]]:
    """Swatch-and-name items in rows from `left`, wrapping before `right`; names too long for a row are elided."""
    available = max(right - left, SWATCH * 4)
    names = [
        metrics.elidedText(series.name, Qt.TextElideMode.ElideRight, available - SWATCH - 5) for series in data.series
    ]
    widths = [SWATCH + 5 + metrics.horizontalAdvance(name) for name in names]
    line = metrics.height()
    entries = []
    for row, indexes in enumerate(chart_scale.wrap_rows(widths, available, LEGEND_SPACING)):
        x = left
        for index in indexes:
            entries.append((index, QRectF(x, top + row * (line + 2), widths[index], line), names[index]))
            x += widths[index] + LEGEND_SPACING
    return entries


def layout_chart(data: ChartData, size: QSizeF, metrics: QFontMetricsF, readout: float = 0.0) -> ChartLayout:
    """Place the legend, the plot area, the ticks, the month labels and every bar and point; `readout` pixels at the
    bottom are kept for the read-out of the chosen month (none in an export)."""
    layout = ChartLayout(size)
    if data.is_empty():
        return layout
    line = metrics.height()
    layout.ticks = axis_ticks(data)
    layout.axis_top = layout.ticks[-1]
    tick_width = max(metrics.horizontalAdvance(chart_scale.tick_text(v, data.percent)) for v in layout.ticks)
    left = PAD + tick_width + 6
    right = max(left + 1, size.width() - PAD)
    layout.legend = legend_entries(data, metrics, left, right, PAD)
    legend_bottom = max((rect.bottom() for _index, rect, _name in layout.legend), default=PAD)
    top = legend_bottom + 6 + line / 2
    bottom = max(top + 1, size.height() - PAD - line - TICK - readout)
    layout.plot = QRectF(QPointF(left, top), QPointF(right, bottom))
    if readout > 0:
        layout.readout = QRectF(PAD, size.height() - PAD - readout + READOUT_GAP, size.width() - 2 * PAD,
                                readout - READOUT_GAP)  # fmt: skip
    count = len(data.months)
    layout.centres = chart_scale.slot_centres(count, left, right - left)
    widths = [metrics.horizontalAdvance(text) for text in data.month_labels]
    layout.labels = chart_scale.place_labels(layout.centres, widths, PAD / 2, size.width() - PAD / 2, LABEL_GAP)
    layout.marks = bar_marks(data, layout) + point_marks(data, layout)
    return layout


def _y(layout: ChartLayout, value: float) -> float:
    return chart_scale.to_pixel(value, layout.axis_top, layout.plot.top(), layout.plot.bottom())


def bar_marks(data: ChartData, layout: ChartLayout) -> list[Mark]:
    """The rectangles of the bars: side by side for BAR series, stacked for STACKED ones."""
    slot = layout.plot.width() / max(len(layout.centres), 1)
    marks: list[Mark] = []
    bars = [index for index, series in enumerate(data.series) if series.kind is Kind.BAR]
    for group, index in enumerate(bars):
        for month, value in enumerate(data.series[index].values):
            if value is not None:
                span = chart_scale.bar_span(layout.centres[month], slot, BAR_FRACTION, group, len(bars))
                marks.append(Mark(month, index, value, _bar_rect(layout, span, 0.0, value)))
    stacked = [index for index, series in enumerate(data.series) if series.kind is Kind.STACKED]
    pieces = chart_scale.stack([data.series[index].values for index in stacked])
    for index, column in zip(stacked, pieces, strict=True):
        for month, piece in enumerate(column):
            value = data.series[index].values[month]
            if piece is not None and value is not None:
                span = chart_scale.bar_span(layout.centres[month], slot, BAR_FRACTION)
                marks.append(Mark(month, index, value, _bar_rect(layout, span, *piece)))
    return marks


def _bar_rect(layout: ChartLayout, span: chart_scale.Span, low: float, high: float) -> QRectF:
    top, bottom = _y(layout, high), _y(layout, low)
    return QRectF(span.left, top, span.width, bottom - top)


def point_marks(data: ChartData, layout: ChartLayout) -> list[Mark]:
    """The markers of the line series, one per month with a value."""
    marks = []
    for index, series in enumerate(data.series):
        if series.kind is not Kind.LINE:
            continue
        for month, value in enumerate(series.values):
            if value is not None:
                centre = QPointF(layout.centres[month], _y(layout, value))
                radius = QPointF(MARKER_RADIUS, MARKER_RADIUS)
                marks.append(Mark(month, index, value, QRectF(centre - radius, centre + radius), point=True))
    return marks


# -- hit testing ----------------------------------------------------------------------------------------------------


def mark_at(layout: ChartLayout, position: QPointF) -> Mark | None:
    """The point (nearest, within a few pixels) or else the bar under `position`; None over empty space."""
    points = [mark for mark in layout.marks if mark.point]
    nearest = min(points, key=lambda mark: _distance(mark.rect.center(), position), default=None)
    if nearest is not None and _distance(nearest.rect.center(), position) <= MARKER_RADIUS + HIT_SLACK:
        return nearest
    for mark in reversed(layout.marks):
        if not mark.point and mark.rect.adjusted(0, -1, 0, 1).contains(position):
            return mark
    return None


def _distance(a: QPointF, b: QPointF) -> float:
    return math.hypot(a.x() - b.x(), a.y() - b.y())


def tooltip_text(data: ChartData, mark: Mark) -> str:
    """Month, series and value, as the tooltip shows them."""
    value = chart_scale.value_text(mark.value, data.percent)
    return f"{data.month_labels[mark.month]}\n{data.series[mark.series].name}: {value}"


def month_at(layout: ChartLayout, x: float) -> int | None:
    """The month whose slot holds x (inside the plot's width), or None."""
    if not layout.centres or not layout.plot.left() <= x <= layout.plot.right():
        return None
    return min(range(len(layout.centres)), key=lambda month: abs(layout.centres[month] - x))


# -- the chosen month's values, as text ----------------------------------------------------------------------------


def _stacked(data: ChartData) -> list[Series]:
    return [series for series in data.series if series.kind is Kind.STACKED]


def month_total(data: ChartData, month: int) -> float | None:
    """The height of the month's stack when the chart stacks more than one series, else None (no total shown)."""
    stacked = _stacked(data)
    if len(stacked) < 2:
        return None
    return sum(series.values[month] or 0.0 for series in stacked)


def readout_text(data: ChartData, month: int) -> str:
    """Every series' value in one month (and the stack's total): 3月：卫生 2，秩序 3，合计 5 (each name and its value
    joined by a no-break space)."""
    words = data.words

    def shown(value: float | None) -> str:
        return NO_VALUE if value is None else chart_scale.value_text(value, data.percent)

    parts = [f"{series.name}{NBSP}{shown(series.values[month])}" for series in data.series]
    total = month_total(data, month)
    if total is not None:
        parts.append(f"{words.total}{NBSP}{shown(total)}")
    return words.readout.replace("%1", data.month_labels[month]).replace("%2", words.separator.join(parts))


def readout_height(data: ChartData, width: float, metrics: QFontMetricsF) -> float:
    """Room for the longest month's read-out, wrapped at `width` (the same for every month, so nothing moves)."""
    if data.is_empty():
        return 0.0
    texts = [data.words.hint, *(readout_text(data, month) for month in range(len(data.months)))]
    area = QRectF(0, 0, max(width - 2 * PAD, 1.0), 10_000)
    tallest = max(metrics.boundingRect(area, int(READOUT_FLAGS), text).height() for text in texts)
    return math.ceil(tallest) + READOUT_GAP


def table_rows(data: ChartData) -> list[list[str]]:
    """The chart's figures as a table: a header, then one row per month (YYYY-MM, a column per series, the total
    of a stack); rates in percent with one decimal, counts as whole numbers, an empty cell where there is no value."""
    words = data.words
    header = [words.month_column, *(f"{s.name} (%)" if data.percent else s.name for s in data.series)]
    stacked = len(_stacked(data)) > 1
    if stacked:
        header.append(words.total)

    def cell(value: float | None) -> str:
        return "" if value is None else f"{value:.1f}" if data.percent else f"{value:g}"

    rows = [header]
    for month, key in enumerate(data.months):
        row = [key, *(cell(series.values[month]) for series in data.series)]
        if stacked:
            row.append(cell(month_total(data, month)))
        rows.append(row)
    return rows


def write_csv(data: ChartData, path: Path) -> Path:
    """The table of the chart as CSV in UTF-8 with a byte-order mark (so Excel reads the Chinese names right)."""
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        csv.writer(file).writerows(table_rows(data))
    return path


# -- painting -------------------------------------------------------------------------------------------------------


def paint_chart(
    painter: QPainter, data: ChartData, layout: ChartLayout, font: QFont, highlight: int | None = None
) -> None:
    """Draw the whole chart (background, grid and axes, bars, lines, labels, legend) or its empty message; with a
    `highlight`ed month, its band behind the bars and, where the layout keeps room, its values as text."""
    painter.setFont(font)
    painter.fillRect(QRectF(QPointF(0, 0), layout.size), BACKGROUND)
    if data.is_empty():
        painter.setPen(EMPTY_TEXT)
        flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
        painter.drawText(QRectF(QPointF(PAD, PAD), layout.size - QSizeF(PAD, PAD) * 2), flags, data.empty_text)
        return
    if highlight is not None:
        _paint_band(painter, layout, highlight)
    _paint_grid(painter, data, layout)
    _paint_bars(painter, data, layout)
    _paint_lines(painter, data, layout)
    _paint_month_labels(painter, data, layout, highlight)
    _paint_legend(painter, data, layout)
    if not layout.readout.isEmpty():
        _paint_readout(painter, data, layout, highlight)


def band_rect(layout: ChartLayout, month: int) -> QRectF:
    """The chosen month's slot, the height of the plot."""
    slot = layout.plot.width() / max(len(layout.centres), 1)
    centre = layout.centres[month]
    return QRectF(centre - slot / 2, layout.plot.top(), slot, layout.plot.height())


def _paint_band(painter: QPainter, layout: ChartLayout, month: int) -> None:
    painter.fillRect(band_rect(layout, month), HIGHLIGHT)


def _paint_readout(painter: QPainter, data: ChartData, layout: ChartLayout, month: int | None) -> None:
    """The chosen month's values under the month labels, or how to choose one."""
    painter.setPen(TEXT if month is not None else EMPTY_TEXT)
    text = data.words.hint if month is None else readout_text(data, month)
    painter.drawText(layout.readout, int(READOUT_FLAGS), text)


def _paint_grid(painter: QPainter, data: ChartData, layout: ChartLayout) -> None:
    plot = layout.plot
    metrics = QFontMetricsF(painter.font())
    for value in layout.ticks:
        y = _y(layout, value)
        painter.setPen(QPen(GRID, 0))
        if value:
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(TEXT)
        text_rect = QRectF(PAD / 2, y - metrics.height() / 2, plot.left() - 6 - PAD / 2, metrics.height())
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            chart_scale.tick_text(value, data.percent),
        )
    painter.setPen(QPen(AXIS, 0))
    painter.drawLine(plot.bottomLeft(), plot.bottomRight())
    painter.drawLine(plot.bottomLeft(), plot.topLeft())
    for index, _left in layout.labels:
        x = layout.centres[index]
        painter.drawLine(QPointF(x, plot.bottom()), QPointF(x, plot.bottom() + TICK))


def _paint_bars(painter: QPainter, data: ChartData, layout: ChartLayout) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    for mark in layout.marks:
        if mark.point or mark.rect.height() <= 0:
            continue
        painter.fillRect(mark.rect, QColor(data.series[mark.series].colour))
        if data.series[mark.series].kind is Kind.STACKED and mark.rect.height() > 3:
            painter.setPen(QPen(BACKGROUND, 1))  # a white seam between the pieces of a stack
            painter.drawLine(mark.rect.topLeft(), mark.rect.topRight())


def _paint_lines(painter: QPainter, data: ChartData, layout: ChartLayout) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    for index, series in enumerate(data.series):
        if series.kind is not Kind.LINE:
            continue
        colour = QColor(series.colour)
        painter.setPen(QPen(colour, 2))
        for run in chart_scale.line_runs(series.values):
            if len(run) > 1:
                painter.drawPolyline(
                    QPolygonF([QPointF(layout.centres[m], _y(layout, series.values[m] or 0.0)) for m in run])
                )
        painter.setPen(QPen(colour, 1))
        painter.setBrush(colour)
        for mark in layout.marks:
            if mark.point and mark.series == index:
                painter.drawEllipse(mark.rect)
        painter.setBrush(Qt.BrushStyle.NoBrush)


def _paint_month_labels(painter: QPainter, data: ChartData, layout: ChartLayout, highlight: int | None = None) -> None:
    metrics = QFontMetricsF(painter.font())
    top = layout.plot.bottom() + TICK + 1
    for index, left in layout.labels:
        text = data.month_labels[index]
        painter.setPen(HIGHLIGHT_TEXT if index == highlight else TEXT)  # the chosen month's label in the band's hue
        painter.drawText(
            QRectF(left, top, metrics.horizontalAdvance(text) + 1, metrics.height()),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop,
            text,
        )


def _paint_legend(painter: QPainter, data: ChartData, layout: ChartLayout) -> None:
    for index, rect, name in layout.legend:
        series = data.series[index]
        colour = QColor(series.colour)
        middle = rect.center().y()
        swatch = QRectF(rect.left(), middle - SWATCH / 2, SWATCH, SWATCH)
        if series.kind is Kind.LINE:
            painter.setPen(QPen(colour, 2))
            painter.drawLine(QPointF(swatch.left(), middle), QPointF(swatch.right(), middle))
            painter.setBrush(colour)
            painter.drawEllipse(swatch.center(), MARKER_RADIUS, MARKER_RADIUS)
            painter.setBrush(Qt.BrushStyle.NoBrush)
        else:
            painter.fillRect(swatch, colour)
        painter.setPen(TEXT)
        text_rect = QRectF(swatch.right() + 5, rect.top(), rect.right() - swatch.right() - 5 + 1, rect.height())
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name)


# -- the widget -----------------------------------------------------------------------------------------------------


class ChartWidget(QWidget):
    """A chart of monthly figures, drawn with QPainter. Hovering a bar or point shows its month, series and value.
    Without a mouse: Tab to the chart, ←/→ (Home/End) choose a month; its slot is banded and every series' value in
    it is written under the chart and set as the accessible description, for screen readers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFixedHeight(HEIGHT)
        self.setMinimumWidth(MIN_WIDTH)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab and click
        self.data = ChartData()
        self.month: int | None = None  # the chosen month's index
        self._layout: ChartLayout | None = None
        self._readout = 0.0  # pixels kept under the month labels for the read-out

    def set_data(self, data: ChartData) -> None:
        """Show other figures; the chosen month stays chosen when the new data has it."""
        kept = None if self.month is None else self.data.months[self.month]
        self.data = data
        self.month = data.months.index(kept) if kept in data.months and not data.is_empty() else None
        if self.month is None and self.hasFocus() and not data.is_empty():
            self.month = len(data.months) - 1
        self._fit_height()
        self._describe()
        self.update()

    def set_month(self, month: int | None) -> None:
        """Choose a month (kept within the chart's months), or none; the band, read-out and description follow."""
        if month is not None:
            month = None if self.data.is_empty() else max(0, min(month, len(self.data.months) - 1))
        if month != self.month:
            self.month = month
            self._describe()
            self.update()

    def readout(self) -> str:
        """The text under the chart: the chosen month's values, or how to choose one ("" for an empty chart)."""
        if self.data.is_empty():
            return ""
        return self.data.words.hint if self.month is None else readout_text(self.data, self.month)

    def _describe(self) -> None:
        """The read-out as the accessible description, and an event so a screen reader reads it again."""
        text = self.readout() or self.data.empty_text
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))

    def _fit_height(self) -> None:
        """Taller by the read-out's lines at the current width, so the plot keeps its height and nothing is cut."""
        self._readout = readout_height(self.data, self.width(), QFontMetricsF(chart_font()))
        self._layout = None
        height = HEIGHT + round(self._readout)
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        return QSize(480, HEIGHT + round(self._readout))

    def chart_layout(self, size: QSizeF | None = None) -> ChartLayout:
        """The layout at the widget's size (kept until the data or the size change), or at another size without the
        read-out (for export)."""
        if size is not None:
            return layout_chart(self.data, size, QFontMetricsF(chart_font()))
        wanted = QSizeF(self.size())
        if self._layout is None or self._layout.size != wanted:
            self._layout = layout_chart(self.data, wanted, QFontMetricsF(chart_font()), self._readout)
        return self._layout

    def mark_at(self, position: QPointF) -> Mark | None:
        return mark_at(self.chart_layout(), position)

    def tooltip_at(self, position: QPointF) -> str | None:
        """The tooltip for a position in the widget: month, series and value of the bar or point there."""
        mark = self.mark_at(position)
        return None if mark is None else tooltip_text(self.data, mark)

    def paintEvent(self, _event: QPaintEvent) -> None:
        painter = QPainter(self)
        try:
            paint_chart(painter, self.data, self.chart_layout(), chart_font(), highlight=self.month)
            if self.hasFocus():
                painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
                painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(QRectF(self.rect()).adjusted(1, 1, -1, -1))
        finally:
            painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        if event.size().width() != event.oldSize().width():
            self._fit_height()
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        moves = (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Home, Qt.Key.Key_End)
        if self.data.is_empty() or key not in moves:
            super().keyPressEvent(event)
            return
        last = len(self.data.months) - 1
        if key == Qt.Key.Key_Home:
            self.set_month(0)
        elif key == Qt.Key.Key_End or self.month is None:
            self.set_month(last)
        else:
            self.set_month(self.month + (1 if key == Qt.Key.Key_Right else -1))
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        if self.month is None and not self.data.is_empty():
            self.set_month(len(self.data.months) - 1)  # the latest month first
        super().focusInEvent(event)
        self.update()  # the focus frame

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        month = month_at(self.chart_layout(), event.position().x())
        if month is not None and not self.data.is_empty():
            self.set_month(month)
        super().mousePressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        mark = self.mark_at(event.position())
        if mark is None:
            QToolTip.hideText()
        else:
            area = mark.rect.adjusted(-HIT_SLACK, -HIT_SLACK, HIT_SLACK, HIT_SLACK).toAlignedRect()
            QToolTip.showText(event.globalPosition().toPoint(), tooltip_text(self.data, mark), self, area)
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        QToolTip.hideText()
        super().leaveEvent(event)

    def render_image(self, width: int = EXPORT_WIDTH) -> QImage:
        """The chart as it is on screen, scaled up to `width` pixels (height in proportion, device pixel ratio 1),
        without the chosen month and its read-out."""
        width_now = self.width() if self.isVisible() else self.sizeHint().width()  # a hidden widget has no size yet
        logical = QSizeF(max(width_now, MIN_WIDTH), HEIGHT)
        scale = width / logical.width()
        image = QImage(width, round(logical.height() * scale), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(1)
        image.fill(BACKGROUND)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            painter.scale(scale, scale)
            paint_chart(painter, self.data, self.chart_layout(logical), chart_font())
        finally:
            painter.end()
        return image

    def export_png(self, path: Path) -> Path:
        """Write the chart as a PNG image EXPORT_WIDTH pixels wide (wider than on screen, for documents)."""
        saved = self.render_image().save(str(path), "PNG")  # type: ignore[call-overload]  # the stubs want bytes, Qt str
        if not saved:
            raise OSError(f"cannot write the PNG file {path}")
        return path

    def export_csv(self, path: Path) -> Path:
        """Write the chart's figures, month by series, as CSV (UTF-8 with BOM, for Excel)."""
        return write_csv(self.data, path)


# -- the three charts of the statistics view ------------------------------------------------------------------------


def _series(by_month: Mapping[str, Counter[str]], others: str) -> list[str]:
    """Categories by total count, largest first; beyond MAX_SERIES the rest are summed as `others` (last)."""
    totals: Counter[str] = Counter()
    for counts in by_month.values():
        totals.update(counts)
    names = [name for name, _count in totals.most_common()]
    return names if len(names) <= MAX_SERIES + 1 else [*names[:MAX_SERIES], others]


def _data(months: Sequence[str], labels: ChartLabels, series: Sequence[Series], percent: bool = False) -> ChartData:
    month_labels = tuple(labels.month(key) for key in months)
    return ChartData(tuple(months), month_labels, tuple(series), percent, labels.empty, labels.words)


def draw_findings_by_month(
    chart: ChartWidget, months: Sequence[str], by_month: Mapping[str, Counter[str]], labels: ChartLabels
) -> None:
    """Stacked bars: findings reported each month, one colour per category."""
    names = _series(by_month, labels.others)
    lumped = len(names) > MAX_SERIES and names[-1] == labels.others
    counts = [by_month.get(key, Counter()) for key in months]
    series = []
    for number, (colour, name) in enumerate(zip(PALETTE, names, strict=False)):
        if lumped and number == len(names) - 1:
            heights = [float(sum(v for k, v in c.items() if k not in names[:-1])) for c in counts]
        else:
            heights = [float(c.get(name, 0)) for c in counts]
        if any(heights):
            series.append(Series(name, colour, Kind.STACKED, tuple(heights)))
    chart.set_data(_data(months, labels, series))


def draw_closure(
    chart: ChartWidget, months: Sequence[str], by_month: Mapping[str, ClosureSummary], labels: ChartLabels
) -> None:
    """Lines: closure rate and on-time rate (%) of each month's findings; a month without a rate is a gap."""
    lines = ((PALETTE[0], labels.closure_rate, "closure_rate"), (PALETTE[2], labels.on_time_rate, "on_time_rate"))
    series = []
    for colour, label, attribute in lines:
        rates = [getattr(by_month[key], attribute) if key in by_month else None for key in months]
        values = tuple(None if rate is None else rate * 100 for rate in rates)
        if any(value is not None for value in values):
            series.append(Series(label, colour, Kind.LINE, values))
    chart.set_data(_data(months, labels, series, percent=True))


def draw_overdue(chart: ChartWidget, months: Sequence[str], trend: Mapping[str, int], labels: ChartLabels) -> None:
    """Bars: findings overdue at each month's end."""
    heights = tuple(float(trend.get(key, 0)) for key in months)
    chart.set_data(_data(months, labels, [Series(labels.overdue, PALETTE[3], Kind.BAR, heights)]))
