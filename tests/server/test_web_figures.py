"""The dashboard's figures and charts from counts written out by hand: rates, ranking, months by Beijing time, and
that names in a chart are escaped. (Counting them in the database is tested with the pages.)"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise

from inspector.server.web import figures
from inspector.server.web.figures import Group

NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
SLT, JW = "110105004", "110105001"


def test_rates_and_ranking_per_street() -> None:
    groups = [
        Group(SLT, "assigned", "general", 2),
        Group(SLT, "rectified", "general", 1),
        Group(SLT, "closed", "major", 1),
        Group(SLT, "reported", "general", 1),
        Group(SLT, "registered", "general", 1),
        Group(SLT, "rejected", "general", 1),
        Group(JW, "closed", "general", 1),
    ]
    names = {SLT + "000000": "三里屯街道", JW + "000000": "建外街道"}
    jw, slt = figures.street_figures(groups, names, {SLT: 1}, {SLT: 1})
    assert (slt.name, slt.total, slt.overdue, slt.escalated) == ("三里屯街道", 7, 1, 1)
    assert slt.by_severity == {"general": 6, "major": 1}
    assert slt.rectify_rate == 2 / 4  # rectified + closed of assigned onward
    assert slt.close_rate == 1 / 5  # closed of registered onward
    assert jw.close_rate == 1.0 and jw.rectify_rate == 1.0
    assert [item.code for item in figures.ranking([slt, jw])] == [JW + "000000", SLT + "000000"]
    whole = figures.totals([slt, jw])
    assert (whole.total, whole.overdue, whole.by_state["closed"]) == (8, 1, 2)


def test_the_months_count_by_beijing_time() -> None:
    reported = {"2026-02-28T17": 2, "2026-02-28T15": 1}  # 3月1日 01:00 in Beijing; still February in Beijing
    months = figures.monthly(reported, {"2026-03-10T02": 4}, NOW)
    assert len(months) == 12 and months[-1] == ("2026-03", 2, 4) and months[-2] == ("2026-02", 1, 0)
    assert figures.month_start(NOW) == datetime(2026, 2, 28, 16, 0, tzinfo=UTC)


def test_a_street_name_is_escaped_in_the_chart() -> None:
    streets = figures.street_figures([Group(SLT, "assigned", "general", 1)], {SLT + "000000": "<b>三里屯</b>"})
    chart = figures.bar_chart(streets)
    assert "&lt;b&gt;三里屯&lt;/b&gt;" in chart and "<b>" not in chart


def test_kinds_and_12345_rates_per_street_from_the_grouped_counts() -> None:
    groups = [
        Group(SLT, "closed", None, 3, "problem", "hotline_12345"),
        Group(SLT, "assigned", None, 1, "problem", "hotline_12345", overdue=1, escalated=1),
        Group(SLT, "assigned", "major", 2, "hazard", "patrol", overdue=1),
        Group(JW, "closed", "general", 1, "hazard", "patrol"),
    ]
    jw, slt = figures.street_figures(groups, {})
    assert slt.by_kind == {"problem": 4, "hazard": 2} and slt.by_severity == {"major": 2}
    assert (slt.hotline, slt.hotline_closed, slt.hotline_rate) == (4, 3, 3 / 4)
    assert (slt.overdue, slt.escalated) == (2, 1)
    assert jw.hotline_rate is None  # no 12345 work orders: no rate, not 0%
    whole = figures.totals([slt, jw])
    assert (whole.hotline, whole.hotline_closed, whole.by_kind["hazard"]) == (4, 3, 3)


def test_the_month_bounds_are_beijing_months_as_stored_utc_stamps() -> None:
    bounds = figures.month_bounds(NOW)
    assert [month for month, _, _ in bounds] == figures.last_months(NOW)
    assert bounds[-1] == ("2026-03", "2026-02-28T16:00:00.000Z", None)  # the running month has no end yet
    assert bounds[-2] == ("2026-02", "2026-01-31T16:00:00.000Z", "2026-02-28T15:59:59.999Z")
    assert all(end is not None and end < after for (_, _, end), (_, after, _) in pairwise(bounds))
