"""The statistics view's charts, drawn with pyqtgraph: bars, stacked bars and lines over months, with hover tooltips,
zoom and pan (mouse wheel, drag; the "A" button or the context menu shows everything again), a month chosen from the
keyboard (←/→, Home/End) or a click, whose values are read out under the chart and to screen readers, and PNG and CSV
export. pyqtgraph (with numpy) takes about a second to import, so the app imports it in the background once the main
window is up (`warm_up.py`): the PySide6 modules it loads here on the GUI thread (a few milliseconds), the rest on a
worker. While that import runs, a chart with figures says it is being prepared and draws them as soon as it ends;
without it (a chart used before or without the warm-up) the first plot imports pyqtgraph itself."""

from __future__ import annotations

import atexit
import contextlib
import csv
import html
import importlib
import math
import weakref
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, QTimer
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
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QResizeEvent,
)
from PySide6.QtWidgets import QApplication, QLabel, QStackedWidget, QToolTip, QVBoxLayout, QWidget

from inspector.core.statistics import ClosureSummary

PALETTE = ("#1f5fa8", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#9e9d24", "#5d4037", "#455a64")
EXPORT_WIDTH = 1200
MAX_SERIES = 7  # the smallest categories beyond these are summed as "others"
HEIGHT = 270  # the legend and the plot with its axes; the read-out goes below
MIN_WIDTH = 200
MARGIN = 2  # around the plot, inside the focus frame
READOUT_GAP = 4  # between the plot and the read-out
BAR_FRACTION = 0.6  # of a month's slot
MARKER_SIZE = 7.0  # the line series' round markers, in pixels
HIT_PIXELS = 8.0  # a point counts as hovered this far from its marker's centre
LABEL_GAP = 8.0  # at least this much between two month labels
PERCENT_TICKS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
BACKGROUND = "#ffffff"
AXIS = "#9e9e9e"
TEXT = "#424242"
EMPTY_TEXT = "#757575"
HIGHLIGHT = QColor("#e3ecf8")  # the chosen month's band, behind its bars and points
NO_VALUE = "—"
NBSP = "\u00a0"  # between a name and its value in the read-out, so a wrapped line never parts them
WORD_JOINER = "\u2060"  # between the characters of a legend entry's name: no line break there


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
    waiting_text: str = ""  # shown while pyqtgraph is being imported

    def is_empty(self) -> bool:
        return not self.months or all(value is None for series in self.series for value in series.values)


@dataclass(frozen=True)
class Mark:
    """A bar (or a piece of a stack) or a point, in the plot's coordinates: x is the month's index."""

    month: int
    series: int
    value: float
    left: float
    right: float
    bottom: float
    top: float
    point: bool = False


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
    waiting: str = ""  # shown while the chart library is being imported


def chart_font() -> QFont:
    """The application's (CJK-capable) font, a pixel smaller, sized in pixels so it measures alike on any device."""
    font = QFont(QApplication.font())
    font.setPixelSize(max(11, QFontInfo(QApplication.font()).pixelSize() - 1))
    return font


QT_MODULES = ("PySide6.QtSvg", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets")  # pyqtgraph's
OPTIONAL_QT_MODULES = ("PySide6.QtTest",)  # pyqtgraph tries it and goes on without it (the bundle leaves it out)


class Plotting(Enum):
    """Where pyqtgraph's import stands."""

    ON_DEMAND = "on demand"  # not imported: the first plot imports it on the GUI thread
    LOADING = "loading"  # a worker is importing it: charts with figures wait for it
    READY = "ready"


_plotting = Plotting.ON_DEMAND
# charts whose figures wait for pyqtgraph, in the order they got them
_WAITING: weakref.WeakKeyDictionary[ChartWidget, None] = weakref.WeakKeyDictionary()


def import_qt_modules() -> None:
    """Load the PySide6 modules pyqtgraph imports (QtSvg, QtOpenGL…), on the GUI thread: a few milliseconds, and
    loading them on a worker while the window ran crashed the process once. Call before `import_plotting()` runs
    on a worker."""
    for name in QT_MODULES:
        importlib.import_module(name)
    for name in OPTIONAL_QT_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)


def import_plotting() -> None:
    """Import numpy and pyqtgraph. Off the GUI thread only after `import_qt_modules()`: what is left is Python code
    and numpy, which create no Qt object when imported (pyqtgraph makes its QApplication only in mkQApp)."""
    import numpy  # noqa: F401
    import pyqtgraph  # noqa: F401


def plotting_loading() -> None:
    """A worker has begun `import_plotting()`: charts given figures from now on wait for it."""
    global _plotting
    if _plotting is Plotting.ON_DEMAND:
        _plotting = Plotting.LOADING


def plotting_loaded(imported: bool = True) -> None:
    """The worker's import ended (on the GUI thread): the waiting charts draw now, the first at once and the others
    one per turn of the event loop. If it failed, plots import pyqtgraph themselves (and show its error)."""
    global _plotting
    _plotting = Plotting.READY if imported else Plotting.ON_DEMAND
    _draw_next_waiting()


def _draw_next_waiting() -> None:
    """Draw the chart that has waited longest, and leave the next to a later turn of the event loop: each builds its
    plot (some tens of milliseconds), and all of a page's at once held the window still for a tenth of a second."""
    while _WAITING:
        chart = next(iter(_WAITING))
        del _WAITING[chart]
        if shiboken6.isValid(chart):
            chart.set_data(chart.data)
            break
    if _WAITING:
        QTimer.singleShot(0, _draw_next_waiting)


def plotting_state() -> Plotting:
    return _plotting


_SPARE_PLOTS: list[Plot] = []  # built ahead (prepare_plots), taken by the first charts to draw
_plots_built = 0


def plots_built() -> int:
    return _plots_built


def prepare_plots(count: int) -> None:
    """Build plots ahead, one per turn of the event loop (each some tens of milliseconds: pyqtgraph's plot item, its
    axes and menus), until `count` were built in this process; the charts drawn first take them."""
    global _plots_built
    if _plots_built >= count or _plotting is not Plotting.READY:
        return
    _SPARE_PLOTS.append(Plot())
    QTimer.singleShot(0, lambda: prepare_plots(count))


# -- the figures, as marks and as text ------------------------------------------------------------------------------


def value_text(value: float, percent: bool = False) -> str:
    """A value as tooltips and the read-out show it: counts as whole numbers, rates with one decimal."""
    return f"{value:.1f}%" if percent else f"{value:g}"


def marks(data: ChartData) -> list[Mark]:
    """Every bar, piece of a stack and point: BAR series side by side in BAR_FRACTION of their month's slot, STACKED
    ones on each other (first series at the bottom), LINE points at their value; none where a value is None."""
    result: list[Mark] = []
    bars = [index for index, series in enumerate(data.series) if series.kind is Kind.BAR]
    width = BAR_FRACTION / max(len(bars), 1)
    for group, index in enumerate(bars):
        for month, value in enumerate(data.series[index].values):
            if value is not None:
                left = month - BAR_FRACTION / 2 + width * group
                result.append(Mark(month, index, value, left, left + width, 0.0, value))
    heights = [0.0] * len(data.months)
    for index, series in enumerate(data.series):
        if series.kind is Kind.STACKED:
            for month, value in enumerate(series.values):
                if value is not None:
                    low = heights[month]
                    heights[month] += value
                    result.append(Mark(month, index, value, month - BAR_FRACTION / 2, month + BAR_FRACTION / 2,
                                       low, low + value))  # fmt: skip
    for index, series in enumerate(data.series):
        if series.kind is Kind.LINE:
            for month, value in enumerate(series.values):
                if value is not None:
                    result.append(Mark(month, index, value, month, month, value, value, point=True))
    return result


def axis_top(data: ChartData) -> float:
    """The top of the value axis: 100 for rates, else the tallest bar, stack or point (at least 1)."""
    if data.percent:
        return PERCENT_TICKS[-1]
    return max([1.0, *(mark.top for mark in marks(data))])


def tooltip_text(data: ChartData, mark: Mark) -> str:
    """Month, series and value, as the tooltip shows them."""
    value = value_text(mark.value, data.percent)
    return f"{data.month_labels[mark.month]}\n{data.series[mark.series].name}: {value}"


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
        return NO_VALUE if value is None else value_text(value, data.percent)

    parts = [f"{series.name}{NBSP}{shown(series.values[month])}" for series in data.series]
    total = month_total(data, month)
    if total is not None:
        parts.append(f"{words.total}{NBSP}{shown(total)}")
    return words.readout.replace("%1", data.month_labels[month]).replace("%2", words.separator.join(parts))


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


# -- the pyqtgraph plot ---------------------------------------------------------------------------------------------

_VIEWS: weakref.WeakSet[QWidget] = weakref.WeakSet()  # every plot's view, deleted before the application at exit


@atexit.register
def _delete_views() -> None:
    """Delete the plots' views while the application still exists: a graphics scene that outlives the QApplication
    crashes the process as Python tears its objects down."""
    for view in list(_VIEWS):
        if shiboken6.isValid(view):
            shiboken6.delete(view)


class Plot:
    """The pyqtgraph side of a chart: a plot whose x axis is the months' indexes, a band for the chosen month."""

    def __init__(self) -> None:
        import pyqtgraph as pg

        global _plots_built
        _plots_built += 1

        class CountAxis(pg.AxisItem):  # type: ignore[misc,name-defined]
            """A value axis that offers no ticks between whole numbers when the chart shows counts."""

            whole = True

            def tickValues(self, minVal: float, maxVal: float, size: float) -> list[Any]:  # noqa: N803  (pyqtgraph's names)
                levels = super().tickValues(minVal, maxVal, size)
                if not self.whole:
                    return levels  # type: ignore[no-any-return]
                return [(spacing, values) for spacing, values in levels if spacing >= 1] or [(1.0, [])]

        font = chart_font()
        self.pg = pg
        self.view = pg.GraphicsLayoutWidget()
        _VIEWS.add(self.view)
        self.view.setBackground(BACKGROUND)
        self.view.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the chart widget around it takes the keyboard
        self.view.setMinimumWidth(MIN_WIDTH - 2 * MARGIN)
        self.view.ci.setContentsMargins(2, 2, 10, 2)
        self.left = CountAxis("left")
        self.bottom = pg.AxisItem("bottom")
        self.item = self.view.addPlot(row=0, col=0, axisItems={"left": self.left, "bottom": self.bottom})
        for axis in (self.left, self.bottom):
            axis.setStyle(tickFont=font, tickLength=-4)
            axis.setPen(pg.mkPen(AXIS))
            axis.setTextPen(pg.mkPen(TEXT))
        self.item.showGrid(y=True, alpha=0.15)
        self.box = self.item.getViewBox()
        self.band = pg.LinearRegionItem(movable=False, brush=pg.mkBrush(HIGHLIGHT), pen=pg.mkPen(None))
        self.band.setZValue(-10)
        self.band.hide()

    def bind(self, owner: ChartWidget) -> None:
        """Let the chart widget follow the plot's resizing, panning, hovering and clicks."""
        self.box.sigResized.connect(owner.fit_axes)
        self.box.sigXRangeChanged.connect(owner.fit_axes)
        self.view.scene().sigMouseMoved.connect(owner.hover)
        self.view.scene().sigMouseClicked.connect(owner.clicked)

    def draw(self, data: ChartData) -> None:
        """Replace the series with `data`'s and show all of it (0 to the axis top, every month)."""
        pg = self.pg
        self.item.clear()
        self.item.addItem(self.band, ignoreBounds=True)
        drawn = marks(data)
        for index, series in enumerate(data.series):
            colour = QColor(series.colour)
            own = [mark for mark in drawn if mark.series == index]
            if series.kind is Kind.LINE:
                values = [math.nan if value is None else value for value in series.values]
                item = pg.PlotDataItem(list(range(len(values))), values, connect="finite",
                                       pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=MARKER_SIZE,
                                       symbolBrush=colour, symbolPen=colour)  # fmt: skip
            else:  # a white seam between the pieces of a stack; no outline that would show a zero as a line
                seam = pg.mkPen(BACKGROUND, width=1) if series.kind is Kind.STACKED else pg.mkPen(None)
                item = pg.BarGraphItem(
                    x0=[mark.left for mark in own], width=[mark.right - mark.left for mark in own],
                    y0=[mark.bottom for mark in own], height=[mark.top - mark.bottom for mark in own],
                    brush=colour, pen=seam,
                )  # fmt: skip
            self.item.addItem(item)
        self.left.whole = not data.percent and all(
            float(value).is_integer() for series in data.series for value in series.values if value is not None
        )
        self.left.setTicks([[(value, f"{value:g}%") for value in PERCENT_TICKS]] if data.percent else None)
        top = axis_top(data)
        widest = "100%" if data.percent else str(math.ceil(top * 1.2))  # as wide as the widest tick label
        self.left.setWidth(math.ceil(QFontMetricsF(chart_font()).horizontalAdvance(widest)) + 12)
        self.box.setLimits(xMin=-1.0, xMax=len(data.months), yMin=-top * 0.1, yMax=top * 1.5)
        # padding: room for the end ticks' labels, which pyqtgraph leaves out when they would stick out of the plot
        self.box.setRange(xRange=(-0.5, len(data.months) - 0.5), yRange=(0, top), padding=0.06)

    def show_month(self, month: int | None) -> None:
        """Band the chosen month's slot, or none."""
        if month is not None:
            self.band.setRegion((month - 0.5, month + 0.5))
        self.band.setVisible(month is not None)


def legend_html(data: ChartData) -> str:
    """The legend: a swatch in each series' colour (■ for bars, ● for lines) and its name; it wraps between entries,
    never inside one."""
    entries = []
    for series in data.series:
        swatch = "●" if series.kind is Kind.LINE else "■"
        name = WORD_JOINER.join(html.escape(series.name))  # Chinese may otherwise break between any characters
        entries.append(f'<span style="color:{series.colour}">{swatch}</span>&nbsp;{name}')
    return "&nbsp;&nbsp; ".join(entries)


# -- the widget -----------------------------------------------------------------------------------------------------


class ChartWidget(QWidget):
    """A chart of monthly figures: a pyqtgraph plot (built when the chart first has figures), its empty message, and
    a read-out line below. Hovering a bar or point shows its month, series and value. Without a mouse: Tab to the
    chart, ←/→ (Home/End) choose a month; its slot is banded and every series' value in it is written under the chart
    and set as the accessible description, for screen readers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumWidth(MIN_WIDTH)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab and click (a click on the plot reaches this widget)
        self.data = ChartData()
        self.month: int | None = None  # the chosen month's index
        self.plot: Plot | None = None
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet(f"color: {EMPTY_TEXT};")
        self.empty.setFont(chart_font())
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setFont(chart_font())
        self.legend.setStyleSheet(f"color: {TEXT};")
        self.legend.setContentsMargins(6, 4, 6, 0)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.body = QWidget()  # what an export shows: the legend and the plot, or the empty message
        self.body.setObjectName("chartBody")
        self.body.setStyleSheet(f"QWidget#chartBody {{ background: {BACKGROUND}; }}")
        self.body.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.body.setFixedHeight(HEIGHT - 2 * MARGIN)
        self.inner = QVBoxLayout(self.body)
        self.inner.setContentsMargins(0, 0, 0, 0)
        self.inner.setSpacing(0)
        self.inner.addWidget(self.legend)
        self.inner.addWidget(self.stack, 1)
        self.readout_label = QLabel()
        self.readout_label.setWordWrap(True)
        self.readout_label.setFont(chart_font())
        self.readout_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(MARGIN, MARGIN, MARGIN, MARGIN)
        self.column.setSpacing(READOUT_GAP)
        self.column.addWidget(self.body)
        self.column.addWidget(self.readout_label)
        self._readout_height = 0
        self._fit_height()

    # -- data -------------------------------------------------------------------------------------------------------

    def set_data(self, data: ChartData) -> None:
        """Show other figures; the chosen month stays chosen when the new data has it."""
        kept = None if self.month is None else self.data.months[self.month]
        self.data = data
        self.month = data.months.index(kept) if kept in data.months and not data.is_empty() else None
        if self.month is None and self.hasFocus() and not data.is_empty():
            self.month = len(data.months) - 1
        self.empty.setText(data.empty_text)
        self.legend.setText(legend_html(data))
        self.legend.setVisible(not data.is_empty())
        _WAITING.pop(self, None)
        if data.is_empty():
            self.stack.setCurrentWidget(self.empty)
        elif _plotting is Plotting.LOADING and self.plot is None:  # drawn by plotting_loaded()
            _WAITING[self] = None
            self.empty.setText(data.waiting_text)
            self.stack.setCurrentWidget(self.empty)
        else:
            plot = self._plot()
            plot.draw(data)
            plot.show_month(self.month)
            self.stack.setCurrentWidget(plot.view)
            self.fit_axes()
        self._fit_height()
        self._describe()

    @property
    def waiting(self) -> bool:
        """Whether the figures wait for pyqtgraph's import to be drawn."""
        return self in _WAITING

    def _plot(self) -> Plot:
        if self.plot is None:
            self.plot = _SPARE_PLOTS.pop() if _SPARE_PLOTS else Plot()
            self.plot.bind(self)
            self.stack.addWidget(self.plot.view)
        return self.plot

    def set_month(self, month: int | None) -> None:
        """Choose a month (kept within the chart's months), or none; the band, read-out and description follow."""
        if month is not None:
            month = None if self.data.is_empty() else max(0, min(month, len(self.data.months) - 1))
        if month != self.month:
            self.month = month
            if self.plot is not None:
                self.plot.show_month(month)
            self._describe()

    def readout(self) -> str:
        """The text under the chart: the chosen month's values, or how to choose one ("" for an empty chart)."""
        if self.data.is_empty():
            return ""
        return self.data.words.hint if self.month is None else readout_text(self.data, self.month)

    def _describe(self) -> None:
        """The read-out under the chart and as the accessible description, with an event so a screen reader reads
        it again."""
        self.readout_label.setText(self.readout())
        colour = TEXT if self.month is not None else EMPTY_TEXT
        self.readout_label.setStyleSheet(f"color: {colour};")
        text = self.readout() or self.data.empty_text
        if text != self.accessibleDescription():
            self.setAccessibleDescription(text)
            QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.DescriptionChanged))

    def _fit_height(self) -> None:
        """Room under the plot for the longest month's read-out at the current width (the same for every month, so
        nothing moves while stepping): the chart grows by its lines, the plot keeps its height."""
        months = range(len(self.data.months))
        texts = [] if self.data.is_empty() else [self.data.words.hint, *(readout_text(self.data, m) for m in months)]
        width = max(self.width() - 2 * MARGIN, MIN_WIDTH - 2 * MARGIN)
        metrics = QFontMetricsF(self.readout_label.font())
        flags = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap)
        tallest = max((metrics.boundingRect(QRectF(0, 0, width, 10_000), flags, text).height() for text in texts),
                      default=0.0)  # fmt: skip
        self._readout_height = math.ceil(tallest)
        self.readout_label.setFixedHeight(self._readout_height)
        self.readout_label.setVisible(bool(texts))
        height = HEIGHT + (self._readout_height + READOUT_GAP if texts else 0)
        if self.minimumHeight() != height or self.maximumHeight() != height:
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:
        return QSize(480, self.height() if self.height() >= HEIGHT else HEIGHT)

    # -- between the plot's coordinates and the widget's --------------------------------------------------------

    def to_widget(self, x: float, y: float) -> QPointF:
        """Where the plot's point (x = month index, y = value) is in this widget."""
        plot = self._plot()
        scene = plot.box.mapViewToScene(QPointF(x, y))
        inside = plot.view.viewportTransform().map(scene)
        return QPointF(plot.view.viewport().mapTo(self, inside.toPoint())) + (inside - QPointF(inside.toPoint()))

    def to_plot(self, position: QPointF) -> QPointF | None:
        """The plot's coordinates of a point in this widget, or None outside the plot's area."""
        if self.plot is None or self.data.is_empty():
            return None
        view = self.plot.view
        local = QPointF(view.viewport().mapFrom(self, position.toPoint())) + (position - QPointF(position.toPoint()))
        scene = view.viewportTransform().inverted()[0].map(local)
        if not self.plot.box.sceneBoundingRect().contains(scene):
            return None
        return QPointF(self.plot.box.mapSceneToView(scene))

    def plot_area(self) -> QRectF:
        """The plot's data area (inside the axes) in this widget's coordinates."""
        plot = self._plot()
        rect = plot.box.sceneBoundingRect()
        top_left = plot.view.viewport().mapTo(self, plot.view.mapFromScene(rect.topLeft()))
        bottom_right = plot.view.viewport().mapTo(self, plot.view.mapFromScene(rect.bottomRight()))
        return QRectF(QPointF(top_left), QPointF(bottom_right))

    def mark_at(self, position: QPointF) -> Mark | None:
        """The point (nearest, within HIT_PIXELS) or else the bar under `position`; None over empty space."""
        at = self.to_plot(position)
        if at is None:
            return None
        drawn = marks(self.data)

        def distance(mark: Mark) -> float:
            centre = self.to_widget(mark.month, mark.value)
            return math.hypot(centre.x() - position.x(), centre.y() - position.y())

        nearest = min((mark for mark in drawn if mark.point), key=distance, default=None)
        if nearest is not None and distance(nearest) <= HIT_PIXELS:
            return nearest
        for mark in reversed(drawn):
            if not mark.point and mark.left <= at.x() <= mark.right and mark.bottom <= at.y() <= mark.top:
                return mark
        return None

    def tooltip_at(self, position: QPointF) -> str | None:
        """The tooltip for a position in the widget: month, series and value of the bar or point there."""
        mark = self.mark_at(position)
        return None if mark is None else tooltip_text(self.data, mark)

    # -- pyqtgraph's signals ----------------------------------------------------------------------------------------

    def _from_scene(self, scene: QPointF) -> QPointF:
        assert self.plot is not None
        return QPointF(self.plot.view.viewport().mapTo(self, self.plot.view.mapFromScene(scene)))

    def hover(self, scene: QPointF) -> None:
        """The mouse moved over the plot: show the tooltip of the bar or point under it, or hide it."""
        position = self._from_scene(scene)
        text = self.tooltip_at(position)
        if text is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(self.mapToGlobal(position.toPoint()), text, self, QRect())

    def clicked(self, event: Any) -> None:
        """A left click inside the plot chooses the month clicked."""
        if event.button() != Qt.MouseButton.LeftButton:
            return
        at = self.to_plot(self._from_scene(event.scenePos()))
        if at is not None and -0.5 <= at.x() < len(self.data.months) - 0.5:
            self.setFocus(Qt.FocusReason.MouseFocusReason)
            self.set_month(round(at.x()))

    def fit_axes(self, *_args: object) -> None:
        """Month labels that fit the visible months' slots (every n-th, counted back from the latest, which always
        has its label)."""
        plot = self.plot
        if plot is None or self.data.is_empty():
            return
        metrics = QFontMetricsF(chart_font())
        (low, high), _y = plot.box.viewRange()
        slot = plot.box.width() / max(high - low, 1e-9)
        widest = max(metrics.horizontalAdvance(label) for label in self.data.month_labels)
        stride = max(1, math.ceil((widest + LABEL_GAP) / max(slot, 1e-9) - 1e-9))
        last = len(self.data.months) - 1
        shown = range(last % stride, last + 1, stride)
        plot.bottom.setTicks([[(month, self.data.month_labels[month]) for month in shown]])

    # -- Qt events --------------------------------------------------------------------------------------------------

    def paintEvent(self, _event: QPaintEvent) -> None:
        if not self.hasFocus():
            return
        painter = QPainter(self)
        try:
            painter.setPen(QPen(self.palette().color(QPalette.ColorRole.Highlight), 2))
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

    def leaveEvent(self, event: Any) -> None:
        QToolTip.hideText()
        super().leaveEvent(event)

    # -- export -----------------------------------------------------------------------------------------------------

    def render_image(self, width: int = EXPORT_WIDTH) -> QImage:
        """The chart as it is on screen (legend and plot, or the empty message) drawn again `width` pixels wide
        (height in proportion, device pixel ratio 1), without the chosen month and its read-out."""
        if self.waiting:  # drawn now, importing pyqtgraph here if its worker has not finished
            _WAITING.pop(self, None)
            plot = self._plot()
            plot.draw(self.data)
            self.stack.setCurrentWidget(plot.view)
            self.fit_axes()
        if not self.isVisible():  # never shown: lay it out at the size it would have
            self.resize(self.sizeHint())
            self.column.activate()
            self.inner.activate()
        size = self.body.size()
        scale = width / max(size.width(), 1)
        image = QImage(width, round(size.height() * scale), QImage.Format.Format_RGB32)
        image.setDevicePixelRatio(1)
        image.fill(QColor(BACKGROUND))
        if self.plot is not None:
            self.plot.show_month(None)
        painter = QPainter(image)
        try:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
            painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
            painter.scale(scale, scale)
            self.body.render(painter, QPoint(0, 0))
        finally:
            painter.end()
            if self.plot is not None:
                self.plot.show_month(self.month)
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
    return ChartData(tuple(months), month_labels, tuple(series), percent, labels.empty, labels.words, labels.waiting)


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
