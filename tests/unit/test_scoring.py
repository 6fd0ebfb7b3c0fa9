"""Scoring of inspections and the back-street 90-point and three-month rules."""

from __future__ import annotations

from datetime import date

import pytest

from inspector.core.checklist_loader import parse_checklist
from inspector.core.scoring import (
    COMPLIANT,
    NON_COMPLIANT,
    Response,
    monthly_scores,
    score,
    street_status_by_month,
)

DEDUCTION = """\
format: inspector-checklist/1
id: street
version: "1"
title: 街巷
subject_kinds: [back_street]
scoring: {method: deduction, pass_score: 90, outcome_section: ten, outcome_labels: {pass: 达标, fail: 不达标}}
sources: [{id: S, title: s}]
sections:
  - id: ten
    title: 十无
    items:
""" + "".join(
    f"""      - id: T-{n:02d}
        text: 第{n}项
        response: pass_fail
        points: 10
        deduct_per: 2
        on_fail: {{severity: general, category: c}}
        provenance: {{status: official, source: S}}
"""
    for n in range(1, 11)
) + """  - id: five
    title: 五好
    items:
      - id: F-01
        text: 公共环境好
        response: pass_fail
        points: 20
        on_fail: {severity: general, category: c}
        provenance: {status: official, source: S}
      - id: F-02
        text: 高差
        response: number
        max: 5
        points: 20
        on_fail: {severity: general, category: c}
        provenance: {status: official, source: S}
"""

PASS_FAIL = """\
format: inspector-checklist/1
id: gas
version: "1"
title: 燃气
subject_kinds: [site]
scoring: {method: pass_fail, outcome_labels: {pass: 未发现隐患, fail: 发现隐患}}
sources: [{id: S, title: s}]
sections:
  - id: a
    title: A
    items:
      - {id: G-01, text: 报警器, response: pass_fail, on_fail: {severity: major, category: 燃气安全},
         provenance: {status: official, source: S}}
      - {id: G-02, text: 记录, response: text, provenance: {status: reconstructed, note: n}}
"""


@pytest.fixture(scope="module")
def street():  # type: ignore[no-untyped-def]
    return parse_checklist(DEDUCTION, "street.yaml")


def all_pass(checklist, **overrides: Response) -> dict[str, Response]:  # type: ignore[no-untyped-def]
    responses = {item.id: Response("pass", value=1) for item in checklist.items}
    responses.update(overrides)
    return responses


def test_perfect_street_scores_100(street) -> None:  # type: ignore[no-untyped-def]
    result = score(street, all_pass(street))
    assert (result.score, result.max_score, result.passed, result.outcome) == (100, 100, True, "达标")
    assert result.complete and result.failed_items == ()


def test_deduct_per_occurrence_is_capped_at_the_item_points(street) -> None:  # type: ignore[no-untyped-def]
    result = score(street, all_pass(street, **{"T-01": Response("fail", occurrences=3),
                                               "T-02": Response("fail", occurrences=50)}))
    assert result.score == 100 - 6 - 10
    assert result.failed_items == ("T-01", "T-02")
    assert result.outcome == "不达标" and not result.passed


def test_exactly_90_is_compliant_and_89_is_not(street) -> None:  # type: ignore[no-untyped-def]
    at_line = score(street, all_pass(street, **{"T-03": Response("fail", occurrences=5)}))
    assert at_line.score == 90 and at_line.outcome == "达标"
    below = score(street, all_pass(street, **{"T-03": Response("fail", occurrences=5),
                                              "T-04": Response("fail", occurrences=1)}))
    assert below.score == 88 and below.outcome == "不达标"


def test_only_the_outcome_section_decides(street) -> None:  # type: ignore[no-untyped-def]
    result = score(street, all_pass(street, **{"F-01": Response("fail"), "F-02": Response(value=9.5)}))
    assert result.score == 100 and result.passed
    assert result.section_scores["five"].score == 0
    assert result.section_scores["five"].failed == 2


def test_not_applicable_deducts_nothing_and_unanswered_is_provisional(street) -> None:  # type: ignore[no-untyped-def]
    responses = all_pass(street, **{"T-05": Response("na")})
    del responses["T-06"]
    responses["F-02"] = Response(value="abc")  # not a number: still unanswered
    result = score(street, responses)
    assert result.score == 100
    assert result.unanswered == ("T-06", "F-02")
    assert not result.complete


def test_number_item_boundary(street) -> None:  # type: ignore[no-untyped-def]
    assert score(street, all_pass(street, **{"F-02": Response(value=5)})).section_scores["five"].failed == 0
    assert score(street, all_pass(street, **{"F-02": Response(value=5.1)})).section_scores["five"].failed == 1


def test_pass_fail_method() -> None:
    gas = parse_checklist(PASS_FAIL, "gas.yaml")
    ok = score(gas, {"G-01": Response("pass")})
    assert (ok.score, ok.passed, ok.outcome, ok.complete) == (None, True, "未发现隐患", True)
    bad = score(gas, {"G-01": Response("fail"), "G-02": Response(value="现场有异味")})
    assert (bad.passed, bad.outcome, bad.failed_items) == (False, "发现隐患", ("G-01",))


def statuses(scores: dict[str, float], **kwargs: str) -> list[tuple[str, str]]:
    return [(m.month, m.status) for m in street_status_by_month(scores, **kwargs)]


def test_below_90_downgrades_at_once() -> None:
    assert statuses({"2025-01": 95, "2025-02": 89.5}) == [("2025-01", COMPLIANT), ("2025-02", NON_COMPLIANT)]


def test_three_consecutive_months_at_90_restore() -> None:
    history = statuses({"2025-01": 80, "2025-02": 90, "2025-03": 91, "2025-04": 90})
    assert history == [("2025-01", NON_COMPLIANT), ("2025-02", NON_COMPLIANT), ("2025-03", NON_COMPLIANT),
                       ("2025-04", COMPLIANT)]


def test_two_good_months_are_not_enough_and_a_bad_month_resets() -> None:
    history = statuses({"2025-01": 80, "2025-02": 95, "2025-03": 95, "2025-04": 85, "2025-05": 95,
                        "2025-06": 95})
    assert [s for _, s in history] == [NON_COMPLIANT] * 6


def test_a_month_without_a_score_breaks_the_run() -> None:
    history = street_status_by_month({"2025-11": 80, "2025-12": 95, "2026-02": 95, "2026-03": 95, "2026-04": 95})
    assert [m.month for m in history] == ["2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04"]
    assert history[2].score is None and history[2].passing_run == 0
    assert [m.status for m in history][-2:] == [NON_COMPLIANT, COMPLIANT]
    assert history[-1].changed


def test_initial_status_and_empty_input() -> None:
    assert statuses({"2025-01": 95}, initial=NON_COMPLIANT) == [("2025-01", NON_COMPLIANT)]
    assert street_status_by_month({}) == []


def test_monthly_scores_take_the_lowest_of_a_month() -> None:
    assert monthly_scores([(date(2025, 3, 1), 95), (date(2025, 3, 30), 88), (date(2025, 4, 2), 91)]) == {
        "2025-03": 88, "2025-04": 91}
