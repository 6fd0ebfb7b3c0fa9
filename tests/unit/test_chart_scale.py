"""The charts' layout arithmetic: nice ticks, value→pixel, bar spans, month label skipping, stacking, legend rows."""

from __future__ import annotations

import math
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from inspector.core import chart_scale as cs


@pytest.mark.parametrize(
    ("maximum", "ticks"),
    [
        (0, [0, 1, 2, 3]),
        (1, [0, 1, 2, 3]),
        (3, [0, 1, 2, 3]),
        (4, [0, 1, 2, 3, 4]),
        (5, [0, 1, 2, 3, 4, 5]),
        (6, [0, 2, 4, 6]),
        (11, [0, 5, 10, 15]),
        (26, [0, 10, 20, 30]),
        (100, [0, 20, 40, 60, 80, 100]),
        (101, [0, 50, 100, 150]),
        (1234, [0, 500, 1000, 1500]),
    ],
)
def test_nice_ticks_of_counts(maximum: float, ticks: list[float]) -> None:
    assert cs.nice_ticks(maximum) == ticks


def test_nice_ticks_of_fractions_step_below_one() -> None:
    assert cs.nice_ticks(0.7, integer=False) == [0, 0.2, 0.4, 0.6, 0.8]
    assert cs.nice_ticks(2.5, integer=False) == [0, 0.5, 1, 1.5, 2, 2.5]


@given(st.floats(min_value=0, max_value=1e9, allow_nan=False), st.booleans())
def test_nice_ticks_are_four_to_six_even_steps_of_1_2_or_5_covering_the_maximum(maximum: float, integer: bool) -> None:
    ticks = cs.nice_ticks(maximum, integer=integer)
    assert 4 <= len(ticks) <= 6
    assert ticks[0] == 0 and ticks[-1] >= maximum * (1 - 1e-9)
    step = ticks[1]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(math.isclose(mantissa, nice) for nice in (1, 2, 5))
    assert all(math.isclose(b - a, step, rel_tol=1e-6) for a, b in pairwise(ticks))
    if integer:
        assert step >= 1


def test_tick_and_value_texts() -> None:
    assert [cs.tick_text(v) for v in (0, 10, 2.5)] == ["0", "10", "2.5"]
    assert cs.tick_text(40, percent=True) == "40%"
    assert cs.value_text(4.0) == "4" and cs.value_text(16.66, percent=True) == "16.7%"


def test_values_map_to_pixels_from_the_bottom_up() -> None:
    assert cs.to_pixel(0, 30, plot_top=10, plot_bottom=210) == 210
    assert cs.to_pixel(30, 30, plot_top=10, plot_bottom=210) == 10
    assert cs.to_pixel(15, 30, plot_top=10, plot_bottom=210) == 110
    assert cs.to_pixel(5, 0, plot_top=10, plot_bottom=210) == 210  # a degenerate axis puts everything at 0


def test_bars_are_centred_on_their_month_slot() -> None:
    centres = cs.slot_centres(4, left=100, width=400)
    assert centres == [150, 250, 350, 450]
    bar = cs.bar_span(centres[1], slot=100, fraction=0.6)
    assert (bar.left, bar.width, bar.right) == (220, 60, 280)
    pair = [cs.bar_span(250, 100, 0.6, group, 2) for group in (0, 1)]
    assert [(s.left, s.width) for s in pair] == [(220, 30), (250, 30)]  # side by side, together as wide as one
    assert cs.slot_centres(0, 0, 100) == []


def test_label_stride_skips_labels_that_would_overlap() -> None:
    assert cs.label_stride([20, 20, 20], slot=40, gap=8) == 1
    assert cs.label_stride([20, 30, 20], slot=30, gap=8) == 2
    assert cs.label_stride([50] * 12, slot=20, gap=8) == 3
    assert cs.label_stride([], slot=20, gap=8) == 1


def test_placed_labels_never_overlap_stay_inside_and_always_name_the_latest_month() -> None:
    centres = cs.slot_centres(12, left=40, width=200)  # slots of 16.7 px
    widths = [30.0] * 12
    placed = cs.place_labels(centres, widths, lower=0, upper=250, gap=8)
    assert placed[-1][0] == 11
    assert len(placed) < 12
    for (_a, left_a), (_b, left_b) in pairwise(placed):
        assert left_a + 30 + 8 <= left_b
    assert all(left >= 0 and left + 30 <= 250 for _index, left in placed)


def test_all_labels_are_placed_when_there_is_room_and_edge_ones_are_pulled_inside() -> None:
    centres = cs.slot_centres(3, left=10, width=300)  # 60, 160, 260
    placed = cs.place_labels(centres, [80, 40, 80], lower=4, upper=296, gap=8)
    assert placed == [(0, 20.0), (1, 140.0), (2, 216.0)]


def test_stacking_puts_each_piece_on_the_ones_below_and_leaves_gaps_for_none() -> None:
    pieces = cs.stack([[1, 2, None], [3, None, 4]])
    assert pieces == [[(0, 1), (0, 2), None], [(1, 4), None, (0, 4)]]
    assert cs.stack_totals([[1, 2, None], [3, None, 4]]) == [4, 2, 4]
    assert cs.stack([]) == [] and cs.stack_totals([]) == []


def test_a_none_breaks_a_line_into_runs() -> None:
    assert cs.line_runs([1, 2, None, 4, None, None, 7, 8]) == [[0, 1], [3], [6, 7]]
    assert cs.line_runs([None, None]) == []


def test_legend_items_wrap_into_rows_that_fit() -> None:
    assert cs.wrap_rows([40, 40, 40], available=200, spacing=10) == [[0, 1, 2]]
    assert cs.wrap_rows([40, 40, 40], available=100, spacing=10) == [[0, 1], [2]]
    assert cs.wrap_rows([150, 40], available=100, spacing=10) == [[0], [1]]  # too wide alone: a row of its own
