"""The monthly figures on small known data, each expected value worked out by hand (as in docs/statistics.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from inspector.core.ledger import Action, Event, FindingState, Severity, State
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT
from inspector.core.statistics import (
    BLACK,
    RED,
    InspectionFacts,
    RankingWeights,
    StatisticsRules,
    StreetMonth,
    SubjectFacts,
    UnitMonth,
    UnitPointsRule,
    back_street_status,
    closure_by_month,
    closure_summary,
    findings_by_month,
    month_end,
    month_of,
    months_between,
    overdue_at_month_ends,
    overdue_count,
    overdue_trend,
    rank_streets,
    red_black_list,
    street_months,
    unit_months,
    unit_points,
)

A, B, C, D = "110105001", "110105002", "110105003", "110105004"


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


BASE = FindingState(
    finding_id="f",
    state=State.REGISTERED,
    jurisdiction=A + "001001",
    severity=Severity.GENERAL,
    category="垃圾堆物",
    description="堆物",
    subject_id=None,
    ledger_number="L",
    deadline=None,
    responsible_unit=None,
    responsible_person=None,
    responsible_phone=None,
    measures=None,
    funds=None,
    contingency_plan=None,
    rectified_by=None,
    escalation=None,
    reported_by="u1",
    reported_at=utc(2026, 3, 1, 2),
    closed_at=None,
    photos=(),
    after_photos=(),
    event_count=2,
    last_event_id="e",
)


def finding(finding_id: str, **changes: Any) -> FindingState:
    return replace(BASE, finding_id=finding_id, **changes)


# --------------------------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------------------------


def test_months_are_beijing_calendar_months() -> None:
    assert month_of(utc(2026, 2, 28, 15, 59)) == "2026-02"  # 23:59 in Beijing
    assert month_of(utc(2026, 2, 28, 16, 0)) == "2026-03"  # 00:00 on 1 March in Beijing
    assert month_end("2026-12") == datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    assert months_between("2025-11", "2026-02") == ["2025-11", "2025-12", "2026-01", "2026-02"]


@pytest.mark.parametrize("bad", ["2026-13", "2026-3", "26-03", "", "2026-03-01"])
def test_a_bad_month_is_refused_clearly(bad: str) -> None:
    with pytest.raises(ValueError, match="YYYY-MM"):
        months_between(bad, "2026-04")


def test_a_naive_time_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        month_of(datetime(2026, 3, 1))


# --------------------------------------------------------------------------------------------------------------
# Findings per month, closure, overdue
# --------------------------------------------------------------------------------------------------------------


def test_findings_per_month_by_category_skip_rejected_and_keep_empty_months() -> None:
    findings = [
        finding("a", reported_at=utc(2026, 2, 28, 16, 30), category="垃圾堆物"),  # 1 March in Beijing
        finding("b", reported_at=utc(2026, 3, 15), category="垃圾堆物"),
        finding("c", reported_at=utc(2026, 3, 20), category="乱停车"),
        finding("d", reported_at=utc(2026, 3, 21), category="乱停车", state=State.REJECTED),
        finding("e", reported_at=utc(2026, 2, 10), category="乱停车", state=State.REPORTED),
        finding("f", reported_at=utc(2026, 5, 1), category="乱停车"),
    ]
    counts = findings_by_month(findings, ["2026-02", "2026-03", "2026-04"])
    assert counts == {"2026-02": {"乱停车": 1}, "2026-03": {"垃圾堆物": 2, "乱停车": 1}, "2026-04": {}}
    assert list(findings_by_month(findings)) == ["2026-02", "2026-03", "2026-05"]


CLOSURE_SET = [
    finding(
        "f1", state=State.CLOSED, reported_at=utc(2026, 3, 1), closed_at=utc(2026, 3, 3, 12), deadline=date(2026, 3, 5)
    ),
    finding(
        "f2", state=State.CLOSED, reported_at=utc(2026, 3, 2), closed_at=utc(2026, 3, 6), deadline=date(2026, 3, 5)
    ),
    finding("f3", state=State.ASSIGNED, deadline=date(2026, 3, 9)),
    finding("f4", state=State.REGISTERED),
    finding("f5", state=State.REPORTED),
    finding("f6", state=State.REJECTED),
]


def test_closure_rate_on_time_rate_and_mean_days_to_close() -> None:
    summary = closure_summary(CLOSURE_SET)
    assert (summary.on_ledger, summary.closed, summary.closed_on_time) == (4, 2, 1)
    assert summary.closure_rate == pytest.approx(0.5)
    assert summary.on_time_rate == pytest.approx(0.5)
    assert summary.mean_days_to_close == pytest.approx((2.5 + 4.0) / 2)


def test_closure_of_nothing_has_no_rates() -> None:
    summary = closure_summary([finding("p", state=State.REPORTED)])
    assert (summary.on_ledger, summary.closure_rate, summary.on_time_rate, summary.mean_days_to_close) == (
        0,
        None,
        None,
        None,
    )


def test_closure_by_month_groups_by_the_month_reported() -> None:
    late_february = finding("g", state=State.CLOSED, reported_at=utc(2026, 2, 20), closed_at=utc(2026, 3, 1))
    by_month = closure_by_month([*CLOSURE_SET, late_february], ["2026-02", "2026-03"])
    assert by_month["2026-02"].closed == 1 and by_month["2026-02"].mean_days_to_close == pytest.approx(9.0)
    assert by_month["2026-03"].on_ledger == 4


def test_overdue_count_uses_the_ledger_rule() -> None:
    findings = [
        finding("x", state=State.ASSIGNED, deadline=date(2026, 3, 5)),
        finding("y", state=State.ASSIGNED, deadline=date(2026, 3, 6)),
        finding("z", state=State.RECTIFIED, deadline=date(2026, 3, 1)),  # waits on the supervisor: not overdue
    ]
    assert overdue_count(findings, utc(2026, 3, 5, 16, 0)) == 1  # 6 March 00:00 in Beijing


def _event(finding_id: str, n: int, action: Action, at: datetime, **payload: Any) -> Event:
    return Event(f"{finding_id}-{n}", finding_id, action, "u", at, payload, None)


def _history(finding_id: str, deadline: str, *later: tuple[Action, datetime, dict[str, Any]]) -> list[Event]:
    report = {"description": "d", "category": "c",
              "kind": "hazard", "source": "patrol", "severity": "general", "jurisdiction": A}
    events = [
        _event(finding_id, 0, Action.REPORT, utc(2026, 2, 1), **report),
        _event(finding_id, 1, Action.ACCEPT, utc(2026, 2, 2), severity="general"),
        _event(
            finding_id,
            2,
            Action.ASSIGN,
            utc(2026, 2, 3),
            responsible_unit="u",
            responsible_person="p",
            deadline=deadline,
            measures="m",
        ),
    ]
    events += [_event(finding_id, 3 + n, action, at, **payload) for n, (action, at, payload) in enumerate(later)]
    return events


def test_overdue_trend_replays_each_history_to_each_month_end() -> None:
    extended_then_fixed = _history(
        "h1",
        "2026-02-20",
        (Action.EXTEND, utc(2026, 3, 5), {"deadline": "2026-03-25", "reason": "r"}),
        (Action.RECTIFY, utc(2026, 4, 2), {"description": "done", "after_photos": ["0" * 64]}),
    )
    due_last_day_of_march = _history("h2", "2026-03-31")
    months = ["2026-02", "2026-03", "2026-04"]
    assert overdue_trend([extended_then_fixed, due_last_day_of_march], months) == {
        "2026-02": 1,  # h1: 20 Feb has passed; h2 not yet due
        "2026-03": 2,  # h1 extended to 25 Mar and still open; h2's day ended at the month's end
        "2026-04": 1,  # h1 rectified on 2 April
    }
    at_march_end = overdue_at_month_ends([extended_then_fixed], ["2026-03"])["2026-03"]
    assert [f.deadline for f in at_march_end] == [date(2026, 3, 25)]


# --------------------------------------------------------------------------------------------------------------
# The 街乡 ranking
# --------------------------------------------------------------------------------------------------------------

WORKED_STREETS = [
    StreetMonth(A, due=4, due_closed_on_time=3, overdue=2, subjects=20, subjects_inspected=15, name="三里屯"),
    StreetMonth(B, due=0, due_closed_on_time=0, overdue=0, subjects=10, subjects_inspected=10, name="团结湖"),
    StreetMonth(C, due=5, due_closed_on_time=5, overdue=4, subjects=8, subjects_inspected=2, name="呼家楼"),
]


def test_ranking_worked_example() -> None:
    ranked = rank_streets(WORKED_STREETS)
    assert [(r.rank, r.name, r.score) for r in ranked] == [
        (1, "团结湖", 100.0),
        (2, "三里屯", 67.5),
        (3, "呼家楼", 47.5),
    ]
    sanlitun = ranked[1]
    assert (sanlitun.on_time_rate, sanlitun.overdue_score, sanlitun.coverage) == (0.75, 0.5, 0.75)


def test_equal_scores_share_a_rank_and_the_next_rank_is_skipped() -> None:
    twin = replace(WORKED_STREETS[0], street=D, name="三里屯二")
    ranked = rank_streets([*WORKED_STREETS, twin])
    assert [(r.rank, r.street) for r in ranked] == [(1, B), (2, A), (2, D), (4, C)]


def test_no_overdue_anywhere_and_no_subjects() -> None:
    ranked = rank_streets([StreetMonth(A, due=0, due_closed_on_time=0, overdue=0, subjects=0, subjects_inspected=0)])
    assert (ranked[0].on_time_rate, ranked[0].overdue_score, ranked[0].coverage, ranked[0].score) == (1.0, 1.0, 0, 70.0)


def test_weights_are_parameters() -> None:
    only_on_time = StatisticsRules(ranking=RankingWeights(on_time_closure=1.0, overdue=0.0, coverage=0.0))
    ranked = rank_streets(WORKED_STREETS, only_on_time)
    assert [(r.rank, r.street, r.score) for r in ranked] == [(1, B, 100.0), (1, C, 100.0), (3, A, 75.0)]


def test_weights_that_do_not_add_up_are_refused() -> None:
    with pytest.raises(ValueError, match="add up to 1"):
        RankingWeights(on_time_closure=0.5, overdue=0.5, coverage=0.5)


def test_street_months_from_plain_records() -> None:
    subjects = [SubjectFacts(f"s{n}", A, "street_front_unit" if n < 3 else "back_street") for n in range(1, 5)]
    inspections = [
        InspectionFacts("s1", "menqian-sanbao", utc(2026, 3, 3)),
        InspectionFacts("s1", "menqian-sanbao", utc(2026, 3, 20)),
        InspectionFacts("s2", "beijie-xiaoxiang", utc(2026, 3, 31, 15, 59)),  # 31 March 23:59 in Beijing
        InspectionFacts("s3", "beijie-xiaoxiang", utc(2026, 3, 31, 16, 0)),  # 1 April in Beijing
        InspectionFacts("s9", "menqian-sanbao", utc(2026, 3, 3)),  # not a subject we know
    ]
    closed = State.CLOSED
    findings = [
        finding("f1", state=closed, deadline=date(2026, 3, 10), closed_at=utc(2026, 3, 9)),
        finding("f2", state=closed, deadline=date(2026, 3, 20), closed_at=utc(2026, 3, 20, 16, 30)),  # 21 Mar
        finding("f3", state=State.ASSIGNED, deadline=date(2026, 3, 31)),
        finding("f4", state=State.ASSIGNED, deadline=date(2026, 4, 5)),
        finding("f5", state=State.REJECTED),
        finding("f6", state=closed, deadline=date(2026, 3, 31), closed_at=utc(2026, 3, 31, 15, 59)),
        finding("f7", jurisdiction=B + "000000", state=closed, deadline=date(2026, 3, 2), closed_at=utc(2026, 3, 1)),
    ]
    overdue = [findings[2]]
    rows = street_months("2026-03", findings, overdue, subjects, inspections, {A: "三里屯"})
    assert rows == [
        StreetMonth(A, due=4, due_closed_on_time=2, overdue=1, subjects=4, subjects_inspected=2, name="三里屯"),
        StreetMonth(B, due=1, due_closed_on_time=1, overdue=0, subjects=0, subjects_inspected=0, name=""),
    ]


# --------------------------------------------------------------------------------------------------------------
# Back streets
# --------------------------------------------------------------------------------------------------------------


def test_back_street_status_uses_the_lowest_monthly_score_and_the_three_month_rule() -> None:
    scored = [
        ("2026-01-10", 85.0, "third_party"),  # the 第三方 check downgrades
        ("2026-02-05", 92.0, "city"),
        ("2026-02-20", 88.0, "city"),  # the lowest of February counts: the run does not start
        ("2026-03-12", 91.0, "city"),
        ("2026-04-12", 95.0, "city"),
        ("2026-05-12", 90.0, "city"),  # third 市级 month in a row at or above 90: back to 达标
    ]
    inspections = [
        InspectionFacts("b1", "beijie-xiaoxiang", datetime.fromisoformat(day + "T02:00:00+00:00"), score, 0, level)
        for day, score, level in scored
    ]
    inspections += [
        InspectionFacts("b1", "menqian-sanbao", utc(2026, 1, 11), 10.0, 0, "third_party"),  # another checklist
        InspectionFacts("b2", "beijie-xiaoxiang", utc(2026, 1, 31, 17), 80.0, 0, "third_party"),  # 1 Feb in Beijing
    ]
    status = back_street_status(inspections)
    assert [(m.month, m.score, m.status, m.changed, m.passing_run) for m in status["b1"]] == [
        ("2026-01", 85.0, NON_COMPLIANT, True, 0),
        ("2026-02", 88.0, NON_COMPLIANT, False, 0),
        ("2026-03", 91.0, NON_COMPLIANT, False, 1),
        ("2026-04", 95.0, NON_COMPLIANT, False, 2),
        ("2026-05", 90.0, COMPLIANT, True, 0),
    ]
    assert [(m.month, m.status) for m in status["b2"]] == [("2026-02", NON_COMPLIANT)]
    stricter = back_street_status(inspections, {"b1": NON_COMPLIANT}, StatisticsRules(street_pass_score=92.0))
    assert [m.status for m in stricter["b1"]] == [NON_COMPLIANT] * 5


# --------------------------------------------------------------------------------------------------------------
# The red/black list
# --------------------------------------------------------------------------------------------------------------

WORKED_UNITS = [
    UnitMonth("u1", inspections=1),
    UnitMonth("u2", inspections=2, failed_items=3, general_findings=1),
    UnitMonth("u3", inspections=1, failed_items=2, major_findings=1, overdue=1),
    UnitMonth("u4"),
    UnitMonth("u5", inspections=1, failed_items=1, general_findings=1, closed_on_time=2),
    UnitMonth("u6", inspections=1, major_findings=5, overdue=3),
]


def test_unit_points_worked_example() -> None:
    assert [unit_points(unit) for unit in WORKED_UNITS] == [100.0, 89.0, 66.0, 100.0, 97.0, 0.0]


def test_red_and_black_lists_worked_example() -> None:
    lists = red_black_list(WORKED_UNITS)
    assert [(u.subject_id, u.points) for u in lists.red] == [("u1", 100.0), ("u5", 97.0)]
    assert [(u.subject_id, u.points) for u in lists.black] == [("u6", 0.0), ("u3", 66.0)]
    assert {u.subject_id: u.listed for u in lists.units} == {
        "u1": RED,
        "u2": "",
        "u3": BLACK,
        "u4": "",
        "u5": RED,
        "u6": BLACK,
    }


def test_an_uninspected_unit_reaches_the_red_list_only_when_the_rule_allows() -> None:
    lenient = StatisticsRules(units=UnitPointsRule(red_needs_inspection=False))
    assert [u.subject_id for u in red_black_list(WORKED_UNITS, lenient).red] == ["u1", "u4", "u5"]


def test_points_lines_must_be_in_order() -> None:
    with pytest.raises(ValueError, match="black_below"):
        UnitPointsRule(red_at_least=70.0, black_below=80.0)


def test_unit_months_from_plain_records() -> None:
    subjects = [SubjectFacts("u1", A, "street_front_unit", "某某餐饮店"), SubjectFacts("b1", A, "back_street")]
    inspections = [
        InspectionFacts("u1", "menqian-sanbao", utc(2026, 3, 3), failed_items=2),
        InspectionFacts("u1", "menqian-sanbao", utc(2026, 3, 18), failed_items=1),
        InspectionFacts("u1", "beijie-xiaoxiang", utc(2026, 3, 18), failed_items=4),  # another checklist
        InspectionFacts("u1", "menqian-sanbao", utc(2026, 2, 18), failed_items=5),  # another month
        InspectionFacts("b1", "menqian-sanbao", utc(2026, 3, 18), failed_items=5),  # not a street-front unit
    ]
    major = finding("m", subject_id="u1", severity=Severity.MAJOR, state=State.ASSIGNED, deadline=date(2026, 3, 9))
    findings = [
        finding("g", subject_id="u1", state=State.REGISTERED, reported_at=utc(2026, 3, 4)),
        major,
        finding("p", subject_id="u1", state=State.REPORTED),  # not reviewed yet
        finding("r", subject_id="u1", state=State.REJECTED),
        finding(
            "c",
            subject_id="u1",
            state=State.CLOSED,
            reported_at=utc(2026, 2, 10),
            deadline=date(2026, 3, 5),
            closed_at=utc(2026, 3, 2),
        ),
    ]
    units = unit_months("2026-03", subjects, inspections, findings, [major])
    assert units == [
        UnitMonth(
            "u1",
            inspections=2,
            failed_items=3,
            general_findings=1,
            major_findings=1,
            overdue=1,
            closed_on_time=1,
            name="某某餐饮店",
            street=A,
        )
    ]
    assert unit_points(units[0]) == 100 - 2 * 3 - 5 - 20 - 10 + 2
