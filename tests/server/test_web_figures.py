"""The dashboard's figures and charts from cases written out by hand: rates, overdue, 督办, ranking, months, and
that names in a chart are escaped."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from inspector.server.web import figures

NOW = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
SLT, JW = "110105004000000", "110105001000000"


def case(code: str, state: str, created: str = "2026-03-02T02:00:00.000Z", **data: Any) -> figures.CaseRow:
    return figures.CaseRow(f"{code}-{state}-{len(data)}", code, state, "general", created, data)


def test_rates_overdue_and_escalation_per_street() -> None:
    rows = [
        case(SLT, "assigned", deadline="2026-03-19"),  # overdue: the deadline day has ended
        case(SLT, "assigned", deadline="2026-03-20"),  # due today: not yet
        case(SLT, "rectified", deadline="2026-03-01"),  # waits on the supervisor: never overdue
        case(SLT, "closed", closed_at="2026-03-10T02:00:00.000Z"),
        case(SLT, "reported", escalation="street"),
        case(SLT, "registered"),
        case(SLT, "rejected"),
        case(JW, "closed", escalation="district", closed_at="2026-03-11T02:00:00.000Z"),
    ]
    slt, jw = figures.street_figures(rows, {SLT: "三里屯街道", JW: "建外街道"}, NOW)[::-1]
    assert (slt.name, slt.total, slt.overdue, slt.escalated) == ("三里屯街道", 7, 1, 1)
    assert slt.rectify_rate == 2 / 4  # rectified + closed of assigned onward
    assert slt.close_rate == 1 / 5  # closed of registered onward
    assert (jw.close_rate, jw.escalated) == (1.0, 0)  # a closed case's 督办 is over
    assert [item.code for item in figures.ranking([slt, jw])] == [JW, SLT]


def test_the_monthly_ranking_and_the_months_count_by_beijing_time() -> None:
    late = case(SLT, "reported", created="2026-02-28T17:00:00.000Z")  # 3月1日 01:00 in Beijing
    early = case(JW, "reported", created="2026-02-28T15:00:00.000Z")  # still February in Beijing
    assert figures.of_month([late, early], NOW) == [late]
    months = figures.monthly([late, early], NOW)
    assert len(months) == 12 and months[-1] == ("2026-03", 1, 0) and months[-2] == ("2026-02", 1, 0)


def test_a_street_name_is_escaped_in_the_chart() -> None:
    rows = [case(SLT, "assigned")]
    chart = figures.bar_chart(figures.street_figures(rows, {SLT: "<b>三里屯</b>"}, NOW))
    assert "&lt;b&gt;三里屯&lt;/b&gt;" in chart and "<b>" not in chart
