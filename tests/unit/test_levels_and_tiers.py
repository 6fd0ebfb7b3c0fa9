"""Known-data tests of the levels the back-street rule counts (standards.md §1.6) and of the tiers' history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from inspector.core.ledger import Source
from inspector.core.levels import LEVEL_SOURCE, InspectionLevel, level_from_source
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT
from inspector.core.statistics import InspectionFacts, StatisticsRules, back_street_status
from inspector.core.tiers import Tier, TierChange, parse_tier, tier_at, tier_months

STREET = "beijie-xiaoxiang"


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day + "T02:00:00+00:00")


def _facts(*checks: tuple[str, float, str]) -> list[InspectionFacts]:
    return [InspectionFacts("b1", STREET, _at(day), score, 0, level) for day, score, level in checks]


def _history(inspections: list[InspectionFacts]) -> list[tuple[str, str]]:
    return [(month.month, month.status) for month in back_street_status(inspections)["b1"]]


def test_a_failed_third_party_check_downgrades_and_three_city_months_restore() -> None:
    checks = _facts(
        ("2025-01-15", 95.0, "city"),  # 达标 street, a good 市级 check
        ("2025-03-20", 86.0, "third_party"),  # the quarterly 第三方 check below 90: 降档
        ("2025-04-10", 93.0, "city"),
        ("2025-05-10", 91.0, "city"),
        ("2025-06-10", 90.0, "city"),  # third 市级 month in a row ≥ 90: 复档
    )
    status = back_street_status(checks)["b1"]
    assert [(m.month, m.status, m.changed) for m in status] == [
        ("2025-01", COMPLIANT, False),
        ("2025-02", COMPLIANT, False),
        ("2025-03", NON_COMPLIANT, True),
        ("2025-04", NON_COMPLIANT, False),
        ("2025-05", NON_COMPLIANT, False),
        ("2025-06", COMPLIANT, True),
    ]
    assert (status[2].downgrade_score, status[2].restore_score) == (86.0, None)
    assert [m.passing_run for m in status[3:5]] == [1, 2]


def test_a_self_check_or_district_check_below_90_changes_nothing() -> None:
    checks = _facts(
        ("2025-01-15", 70.0, "street_self"),
        ("2025-02-15", 60.0, "district"),
        ("2025-03-15", 50.0, "unit_self"),
    )
    assert back_street_status(checks) == {}  # no counted inspection: nothing to show
    with_third_party = [*checks, *_facts(("2025-03-20", 92.0, "third_party"))]
    assert _history(with_third_party) == [("2025-03", COMPLIANT)]


def test_a_self_check_does_not_restore_and_a_city_check_below_90_does_not_downgrade() -> None:
    checks = _facts(
        ("2025-01-20", 80.0, "third_party"),
        ("2025-02-10", 95.0, "street_self"),  # a 自查 month ≥ 90 is no 市级 month: the run does not start
        ("2025-03-10", 95.0, "city"),
        ("2025-04-10", 95.0, "city"),
        ("2025-05-10", 95.0, "city"),
        ("2025-06-10", 85.0, "city"),  # a 市级 check below 90 does not downgrade a 达标 street
    )
    assert _history(checks) == [
        ("2025-01", NON_COMPLIANT),
        ("2025-02", NON_COMPLIANT),
        ("2025-03", NON_COMPLIANT),
        ("2025-04", NON_COMPLIANT),
        ("2025-05", COMPLIANT),
        ("2025-06", COMPLIANT),
    ]


def test_a_failed_third_party_check_breaks_the_restore_run() -> None:
    checks = _facts(
        ("2025-01-20", 80.0, "third_party"),
        ("2025-02-10", 95.0, "city"),
        ("2025-03-10", 95.0, "city"),
        ("2025-03-25", 88.0, "third_party"),
        ("2025-04-10", 95.0, "city"),
    )
    assert [m.passing_run for m in back_street_status(checks)["b1"]] == [0, 1, 0, 1]


def test_the_levels_each_rule_counts_are_parameters() -> None:
    checks = _facts(("2025-01-20", 80.0, "district"))
    district_counts = StatisticsRules(street_downgrade_levels=frozenset({"third_party", "district"}))
    assert back_street_status(checks) == {}
    assert [m.status for m in back_street_status(checks, rules=district_counts)["b1"]] == [NON_COMPLIANT]


def test_levels_and_sources_agree() -> None:
    assert LEVEL_SOURCE[InspectionLevel.THIRD_PARTY] == Source.THIRD_PARTY_CHECK
    assert all(level_from_source(LEVEL_SOURCE[level]) == level for level in InspectionLevel)
    assert level_from_source("hotline_12345") == level_from_source(None) == InspectionLevel.STREET_SELF


def test_tier_history_gives_each_month_its_tier() -> None:
    history = [
        TierChange("b1", Tier.FINE, datetime(2023, 3, 31, 17, tzinfo=UTC), "王科长"),  # 1 April in Beijing
        TierChange("b1", Tier.PREMIUM, datetime(2024, 6, 1, tzinfo=UTC), "王科长", "提升为精品街巷"),
    ]
    assert [tier_at(history, month) for month in ("2023-03", "2023-04", "2024-05", "2024-06")] == [
        None,
        Tier.FINE,
        Tier.FINE,
        Tier.PREMIUM,
    ]
    status = back_street_status(_facts(("2024-05-20", 80.0, "third_party")))["b1"]
    months = tier_months(history, status)
    assert [(m.month, m.tier, m.downgraded) for m in months] == [
        ("2023-04", Tier.FINE, False),
        ("2024-05", Tier.FINE, True),
        ("2024-06", Tier.PREMIUM, False),
    ]
    assert parse_tier("精品") == parse_tier("精品街巷") == parse_tier("premium") == Tier.PREMIUM
    with pytest.raises(ValueError):
        parse_tier("一般")
