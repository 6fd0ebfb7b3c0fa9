"""The statistics view's charts, drawn with pyqtgraph (imported with this module, which the view loads when it is
first opened), and their export as PNG."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyqtgraph as pg
import pyqtgraph.exporters
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

from inspector.core.statistics import ClosureSummary

PALETTE = ("#1f5fa8", "#ef6c00", "#2e7d32", "#c62828", "#6a1b9a", "#00838f", "#9e9d24", "#5d4037", "#455a64")
EXPORT_WIDTH = 1200
MAX_SERIES = 7
HEADROOM = 1.6  # room above the tallest bar for the legend  # the smallest categories are summed as "others"


@dataclass(frozen=True)
class ChartLabels:
    """The words the charts draw, in the interface language."""

    month: Callable[[str], str]  # YYYY-MM → a tick label
    others: str
    closure_rate: str
    on_time_rate: str
    overdue: str


class ChartWidget(pg.PlotWidget):  # type: ignore[misc]
    """A white plot with month ticks along the bottom, in the application's (CJK-capable) font."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, background="w")
        self.setFixedHeight(270)
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        font = QFont(QApplication.font())
        font.setPointSizeF(max(8.0, font.pointSizeF() - 1))
        for name in ("left", "bottom"):
            axis = self.getAxis(name)
            axis.setTextPen("#424242")
            axis.setPen("#9e9e9e")
            axis.setStyle(tickFont=font)
        self.showGrid(y=True, alpha=0.25)
        self.legend = self.addLegend(offset=(-6, 4), labelTextColor="#212121", brush=pg.mkBrush(255, 255, 255, 220),
                                     colCount=4)  # fmt: skip

    def reset(self, months: Sequence[str], labels: ChartLabels) -> None:
        self.clear()
        self.legend.clear()
        self.getAxis("bottom").setTicks([[(index, labels.month(key)) for index, key in enumerate(months)]])
        self.setXRange(-0.6, max(0, len(months) - 1) + 0.6, padding=0)

    def export_png(self, path: Path) -> Path:
        """Write the chart as a PNG image (wider than on screen, for documents)."""
        exporter = pyqtgraph.exporters.ImageExporter(self.plotItem)
        exporter.parameters()["width"] = EXPORT_WIDTH
        exporter.export(str(path))
        return path


def _series(by_month: Mapping[str, Counter[str]], others: str) -> list[str]:
    """Categories by total count, largest first; beyond MAX_SERIES the rest are summed as `others` (last)."""
    totals: Counter[str] = Counter()
    for counts in by_month.values():
        totals.update(counts)
    names = [name for name, _count in totals.most_common()]
    return names if len(names) <= MAX_SERIES + 1 else [*names[:MAX_SERIES], others]


def draw_findings_by_month(
    chart: ChartWidget, months: Sequence[str], by_month: Mapping[str, Counter[str]], labels: ChartLabels
) -> None:
    """Stacked bars: findings reported each month, one colour per category."""
    chart.reset(months, labels)
    names = _series(by_month, labels.others)
    bottoms = [0.0] * len(months)
    lumped = len(names) > MAX_SERIES and names[-1] == labels.others
    for number, (colour, name) in enumerate(zip(PALETTE, names, strict=False)):
        counts = [by_month.get(key, Counter()) for key in months]
        if lumped and number == len(names) - 1:
            heights = [float(sum(v for k, v in c.items() if k not in names[:-1])) for c in counts]
        else:
            heights = [float(c.get(name, 0)) for c in counts]
        if not any(heights):
            continue
        bars = pg.BarGraphItem(x=list(range(len(months))), height=heights, y0=list(bottoms), width=0.6,
                               brush=colour, pen=pg.mkPen("w"))  # fmt: skip
        chart.addItem(bars)
        chart.legend.addItem(bars, name)
        bottoms = [bottom + height for bottom, height in zip(bottoms, heights, strict=True)]
    chart.setYRange(0, max([*bottoms, 1.0]) * HEADROOM, padding=0)


def draw_closure(
    chart: ChartWidget, months: Sequence[str], by_month: Mapping[str, ClosureSummary], labels: ChartLabels
) -> None:
    """Lines: closure rate and on-time rate (%) of each month's findings."""
    chart.reset(months, labels)
    positions = list(range(len(months)))
    lines = ((PALETTE[0], labels.closure_rate, "closure_rate"), (PALETTE[2], labels.on_time_rate, "on_time_rate"))
    for colour, label, attribute in lines:
        values = [getattr(by_month[key], attribute) if key in by_month else None for key in months]
        points = [(x, value * 100) for x, value in zip(positions, values, strict=True) if value is not None]
        if points:
            chart.plot([p[0] for p in points], [p[1] for p in points], pen=pg.mkPen(colour, width=2), symbol="o",
                       symbolBrush=colour, symbolPen=colour, symbolSize=7, name=label)  # fmt: skip
    chart.setYRange(0, 100 * HEADROOM * 0.85, padding=0)
    chart.getAxis("left").setTicks([[(value, f"{value}%") for value in range(0, 101, 20)]])


def draw_overdue(chart: ChartWidget, months: Sequence[str], trend: Mapping[str, int], labels: ChartLabels) -> None:
    """Bars: findings overdue at each month's end."""
    chart.reset(months, labels)
    heights = [float(trend.get(key, 0)) for key in months]
    bars = pg.BarGraphItem(x=list(range(len(months))), height=heights, width=0.55, brush=PALETTE[3],
                           pen=pg.mkPen("w"))  # fmt: skip
    chart.addItem(bars)
    chart.legend.addItem(bars, labels.overdue)
    chart.setYRange(0, max([*heights, 1.0]) * HEADROOM, padding=0)
