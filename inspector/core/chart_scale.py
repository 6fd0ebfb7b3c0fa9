"""Layout arithmetic of the statistics charts: nice axis ticks, value→pixel mapping, bar spans, label skipping."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

NICE_STEPS = (1.0, 2.0, 5.0)  # × 10^n
MIN_TICKS = 4
MAX_TICKS = 6
PERCENT_TICKS = (0.0, 20.0, 40.0, 60.0, 80.0, 100.0)
TINY = 1e-9


@dataclass(frozen=True)
class Span:
    """A horizontal stretch in pixels: where a bar starts and how wide it is."""

    left: float
    width: float

    @property
    def right(self) -> float:
        return self.left + self.width


def nice_steps(smallest: float) -> list[float]:
    """The 1/2/5×10^n steps from the decade of `smallest` upwards, enough to cover any axis above it."""
    decade = 10.0 ** math.floor(math.log10(smallest))
    return [base * decade * 10.0**power for power in range(0, 20) for base in NICE_STEPS]


def nice_ticks(maximum: float, integer: bool = True) -> list[float]:
    """Tick values from 0 up to at least `maximum`: 4–6 values spaced 1, 2 or 5 × 10^n.

    The step is the smallest nice one that covers `maximum` in at most 5 intervals; when that takes fewer than 3
    intervals the axis is extended so there are always at least 4 ticks. `integer` (counts) keeps the step ≥ 1.
    A maximum below TINY counts as 0."""
    top = float(maximum) if maximum >= TINY else 0.0
    smallest = 1.0 if integer or top == 0 else top / (MAX_TICKS - 1) / 10
    for step in nice_steps(smallest):
        if step < smallest:
            continue
        intervals = math.ceil(top / step - 1e-9)
        if intervals <= MAX_TICKS - 1:
            count = max(intervals, MIN_TICKS - 1)
            return [float(f"{step * index:.12g}") for index in range(count + 1)]  # 0.6, not 0.6000…1
    raise ValueError(f"no nice step for {maximum}")  # pragma: no cover  (steps grow without bound)


def tick_text(value: float, percent: bool = False) -> str:
    """A tick label: 20, 2.5, 40%."""
    text = f"{value:g}"
    return f"{text}%" if percent else text


def value_text(value: float, percent: bool = False) -> str:
    """A value as a tooltip shows it: counts as whole numbers, rates with one decimal."""
    return f"{value:.1f}%" if percent else f"{value:g}"


def to_pixel(value: float, axis_top: float, plot_top: float, plot_bottom: float) -> float:
    """The y pixel of `value` on an axis from 0 (at `plot_bottom`) to `axis_top` (at `plot_top`)."""
    if axis_top <= 0:
        return plot_bottom
    return plot_bottom - (plot_bottom - plot_top) * value / axis_top


def slot_centres(count: int, left: float, width: float) -> list[float]:
    """The centre of each of `count` equal month slots across [left, left + width]."""
    if count <= 0:
        return []
    slot = width / count
    return [left + slot * (index + 0.5) for index in range(count)]


def bar_span(centre: float, slot: float, fraction: float, group_index: int = 0, group_count: int = 1) -> Span:
    """A bar centred on its month: `fraction` of the slot wide, split side by side among `group_count` series."""
    total = slot * fraction
    width = total / max(group_count, 1)
    return Span(centre - total / 2 + width * group_index, width)


def label_stride(widths: Sequence[float], slot: float, gap: float) -> int:
    """Draw every n-th month label so that no two drawn labels overlap: the smallest such n (1 = all)."""
    if not widths or slot <= 0:
        return 1
    widest = max(widths) + gap
    return max(1, math.ceil(widest / slot - 1e-9))


def stack(columns: Sequence[Sequence[float | None]]) -> list[list[tuple[float, float] | None]]:
    """Stacked bars: for each series and month the (bottom, top) of its piece, None where it has no value.

    `columns` holds one sequence of values per series, all of the same length, bottom series first."""
    if not columns:
        return []
    heights = [0.0] * len(columns[0])
    result: list[list[tuple[float, float] | None]] = []
    for values in columns:
        pieces: list[tuple[float, float] | None] = []
        for month, value in enumerate(values):
            if value is None:
                pieces.append(None)
                continue
            pieces.append((heights[month], heights[month] + value))
            heights[month] += value
        result.append(pieces)
    return result


def stack_totals(columns: Sequence[Sequence[float | None]]) -> list[float]:
    """The height of each month's stack."""
    if not columns:
        return []
    return [sum(value or 0.0 for value in month) for month in zip(*columns, strict=True)]


def line_runs(values: Sequence[float | None]) -> list[list[int]]:
    """The month indexes of each unbroken run of values; a None breaks the line."""
    runs: list[list[int]] = []
    current: list[int] = []
    for index, value in enumerate(values):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(index)
    if current:
        runs.append(current)
    return runs


def wrap_rows(widths: Sequence[float], available: float, spacing: float) -> list[list[int]]:
    """Legend items in rows: each row holds as many items (by index) as fit in `available`; at least one each."""
    rows: list[list[int]] = []
    used = 0.0
    for index, width in enumerate(widths):
        if rows and used + spacing + width <= available:
            rows[-1].append(index)
            used += spacing + width
        else:
            rows.append([index])
            used = width
    return rows


def place_labels(
    centres: Sequence[float], widths: Sequence[float], lower: float, upper: float, gap: float
) -> list[tuple[int, float]]:
    """Month labels to draw, as (month index, left x), left to right: every `label_stride`-th one counted back from
    the last month (the latest month always has its label), each centred on its month but kept within
    [lower, upper]; a label that would then come closer than `gap` to the one after it is left out."""
    if not centres:
        return []
    slot = centres[1] - centres[0] if len(centres) > 1 else upper - lower
    stride = label_stride(widths, slot, gap)
    last = len(centres) - 1
    placed: list[tuple[int, float]] = []
    next_left = math.inf
    for index in range(last, -1, -stride):
        width = widths[index]
        left = min(max(centres[index] - width / 2, lower), max(lower, upper - width))
        if left + width + gap > next_left:
            continue
        placed.append((index, left))
        next_left = left
    return placed[::-1]
