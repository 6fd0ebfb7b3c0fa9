"""门前三包 as a cycle on known data: when a 责任书 falls due, what a walk and a 自查 count as visits, and a unit's
monthly 积分 from its counts."""

from __future__ import annotations

from datetime import date

import pytest

from inspector.core.levels import InspectionLevel
from inspector.core.statistics import UnitMonth, red_black_list, unit_points
from inspector.core.unit_cycle import (
    PatrolError,
    PatrolRole,
    PledgeError,
    PledgeStanding,
    Visit,
    VisitKind,
    add_months,
    assigned_streets,
    inspection_visit,
    make_patrol,
    make_pledge,
    patrol_visits,
    pledge_of,
)


def test_renewal_due_is_the_last_day_the_term_covers() -> None:
    pledge = make_pledge("2026-03-10", 12, " 李四 ")
    assert pledge.renewal_due == date(2027, 3, 9) and pledge.signer == "李四"
    assert make_pledge(date(2026, 1, 31), 1, "王五").renewal_due == date(2026, 2, 27)  # 1-31 + 1 month → 2-28
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29) and add_months(date(2026, 11, 30), 3) == date(
        2027, 2, 28
    )


def test_standing_counts_thirty_days_before_the_due_day_and_expires_after_it() -> None:
    pledge = make_pledge("2026-03-10", 12, "李四")  # due 2027-03-09
    assert pledge.standing(date(2027, 2, 6)) == PledgeStanding.VALID  # 31 days before
    assert pledge.standing(date(2027, 2, 7)) == PledgeStanding.DUE_SOON  # 30 days before
    assert pledge.standing(date(2027, 3, 9)) == PledgeStanding.DUE_SOON  # the due day itself
    assert pledge.standing(date(2027, 3, 10)) == PledgeStanding.EXPIRED
    assert pledge.standing(date(2027, 2, 20), window_days=7) == PledgeStanding.VALID


def test_pledge_round_trips_through_details_and_bad_ones_are_refused() -> None:
    scan = "a" * 64
    pledge = make_pledge("2026-03-10", "24", "李四", scan)
    assert pledge_of({"name": "x", **pledge.details()}) == pledge
    assert pledge_of({}) is None and pledge_of({"pledge_signed_on": "2026-13-01"}) is None
    for args, field in ((("2026-02-30", 12, "x"), "signed_on"), (("2026-02-01", 0, "x"), "term_months"),
                        (("2026-02-01", 12, " "), "signer"), (("2026-02-01", 12, "x", "nothex"), "scan")):  # fmt: skip
        with pytest.raises(PledgeError, match=field):
            make_pledge(*args)


def _walk(**changes: object) -> dict[str, object]:
    base: dict[str, object] = {
        "patrol_id": "p1", "role": "lane_steward", "jurisdiction": "110105004000000",
        "started_at": "2026-03-04T16:30:00.000Z", "ended_at": "2026-03-04T17:30:00.000Z",
        "streets": ["s1", "s2", "s1"], "checks": [{"item": "乱堆物料", "result": "pass"}],
    }  # fmt: skip
    return {**base, **changes}


def test_a_walk_is_one_street_self_visit_per_street_on_its_beijing_day() -> None:
    log = make_patrol(_walk())
    assert log.role == PatrolRole.LANE_STEWARD and log.streets == ("s1", "s2")
    # 16:30 UTC is 00:30 the next day in Beijing
    assert patrol_visits(log) == [
        Visit("s1", date(2026, 3, 5), InspectionLevel.STREET_SELF, VisitKind.PATROL),
        Visit("s2", date(2026, 3, 5), InspectionLevel.STREET_SELF, VisitKind.PATROL),
    ]
    with pytest.raises(PatrolError, match="ended_at"):
        make_patrol(_walk(ended_at="2026-03-04T16:00:00.000Z"))
    with pytest.raises(PatrolError, match="checks"):
        make_patrol(_walk(checks=[{"item": "x", "result": "maybe"}]))
    with pytest.raises(PatrolError, match="role"):
        make_patrol(_walk(role="mayor"))


def test_a_unit_self_inspection_is_a_self_check_visit_others_are_inspections() -> None:
    assert inspection_visit("u1", "2026-03-05T02:00:00.000Z", "unit_self") == Visit(
        "u1", date(2026, 3, 5), InspectionLevel.UNIT_SELF, VisitKind.SELF_CHECK
    )
    assert inspection_visit("u1", "2026-03-05T02:00:00.000Z", InspectionLevel.CITY).kind == VisitKind.INSPECTION
    assert inspection_visit(None, "2026-03-05T02:00:00.000Z", "city") is None


def test_streets_are_assigned_by_the_back_streets_details() -> None:
    streets = [("a", {"street_chief_id": "u1"}), ("b", {"lane_steward_id": "u1", "street_chief_id": "u2"}), ("c", {})]
    assert assigned_streets("u1", streets) == {"a": [PatrolRole.STREET_CHIEF], "b": [PatrolRole.LANE_STEWARD]}


def test_unit_points_on_known_counts() -> None:
    # 100 − 2×3 failed items − 5 general − 20 major − 10 overdue + 2 on time = 61: black list (below 80)
    heavy = UnitMonth("u1", inspections=2, failed_items=3, general_findings=1, major_findings=1, overdue=1,
                      closed_on_time=1)  # fmt: skip
    clean = UnitMonth("u2", inspections=1, closed_on_time=3)  # 100 + 6, kept at the maximum 100: red list
    unseen = UnitMonth("u3")  # 100 but nobody inspected it: on no list
    assert unit_points(heavy) == 61.0 and unit_points(clean) == 100.0
    listed = red_black_list([heavy, clean, unseen])
    assert [unit.subject_id for unit in listed.red] == ["u2"] and [unit.subject_id for unit in listed.black] == ["u1"]
