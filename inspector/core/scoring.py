"""Scoring of an inspection (deduction or pass/fail) and the back-street monthly 达标/不达标 rule."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from inspector.core.checklist import Checklist, Item

RESULTS = ("pass", "fail", "na")
STREET_PASS_SCORE = 90.0
STREET_RESTORE_MONTHS = 3
COMPLIANT, NON_COMPLIANT = "达标", "不达标"


@dataclass(frozen=True)
class Response:
    """An inspector's answer to one item: result, measured value or text, how many occurrences failed."""

    result: str | None = None
    value: float | str | None = None
    occurrences: int = 1


@dataclass(frozen=True)
class SectionScore:
    """A section's points after deductions."""

    section_id: str
    score: float
    max_score: float
    failed: int


@dataclass(frozen=True)
class ScoreResult:
    """The outcome of scoring; `complete` is False while items are unanswered (the outcome is provisional)."""

    score: float | None
    max_score: float | None
    passed: bool
    outcome: str
    complete: bool
    section_scores: dict[str, SectionScore]
    failed_items: tuple[str, ...]
    unanswered: tuple[str, ...]


def effective_result(item: Item, response: Response | None) -> str | None:
    """pass / fail / na, or None when unanswered; a number item passes when its value lies in [min, max]."""
    if response is None:
        return None
    if item.response == "text":
        return "pass" if response.value or response.result in RESULTS else None
    if item.response == "number" and response.result != "na":
        if not isinstance(response.value, int | float) or isinstance(response.value, bool):
            return None
        too_low = item.min is not None and response.value < item.min
        too_high = item.max is not None and response.value > item.max
        return "fail" if too_low or too_high else "pass"
    return response.result if response.result in RESULTS else None


def deduction(item: Item, response: Response | None) -> float:
    """Points an item loses: all its points, or deduct_per × occurrences capped at its points."""
    if effective_result(item, response) != "fail":
        return 0.0
    if item.deduct_per is None or response is None:
        return item.points
    return min(item.points, item.deduct_per * max(1, response.occurrences))


def score(checklist: Checklist, responses: Mapping[str, Response]) -> ScoreResult:
    """Score an inspection's responses against its checklist."""
    failed: list[str] = []
    unanswered: list[str] = []
    sections: dict[str, SectionScore] = {}
    for section in checklist.sections:
        lost, section_failed = 0.0, 0
        for item in section.items:
            result = effective_result(item, responses.get(item.id))
            if result is None and item.can_fail:
                unanswered.append(item.id)
            elif result == "fail":
                failed.append(item.id)
                section_failed += 1
                lost += deduction(item, responses.get(item.id))
        sections[section.id] = SectionScore(section.id, section.max_points - lost, section.max_points, section_failed)
    rules = checklist.scoring
    total: float | None = None
    maximum: float | None = None
    if rules.method == "deduction":
        counted = [sections[rules.outcome_section]] if rules.outcome_section else list(sections.values())
        total = sum(s.score for s in counted)
        maximum = sum(s.max_score for s in counted)
        passed = total >= (rules.pass_score or 0)
    else:
        passed = not failed
    return ScoreResult(
        score=total,
        max_score=maximum,
        passed=passed,
        outcome=rules.pass_label if passed else rules.fail_label,
        complete=not unanswered,
        section_scores=sections,
        failed_items=tuple(failed),
        unanswered=tuple(unanswered),
    )


def visit_outcome(results: Sequence[ScoreResult]) -> tuple[bool, str]:
    """The whole visit's (passed, outcome) over its lists' results, first list first (the "1+10" visit): passed only
    when every list passed, else the outcome of the first list that did not pass."""
    if not results:
        raise ValueError("a visit has at least one list")
    failing = next((result for result in results if not result.passed), None)
    return (True, results[0].outcome) if failing is None else (False, failing.outcome)


def overlapping_items(checklists: Iterable[Checklist]) -> list[str]:
    """Item ids found in more than one of the lists of one visit (an item must belong to exactly one list)."""
    seen: set[str] = set()
    twice: list[str] = []
    for checklist in checklists:
        for item in checklist.items:
            if item.id in seen and item.id not in twice:
                twice.append(item.id)
            seen.add(item.id)
    return twice


@dataclass(frozen=True)
class MonthStatus:
    """A back street's status after one calendar month.

    `score` is the lowest score the rule read that month; `downgrade_score` the lowest of the inspections that can
    downgrade (降档, the 第三方 check) and `restore_score` the lowest of those that count toward a restore (复档, the
    市级日常检查).
    """

    month: str  # YYYY-MM
    score: float | None
    status: str
    changed: bool
    passing_run: int  # consecutive months at or above the line, while 不达标
    downgrade_score: float | None = None
    restore_score: float | None = None


def month_key(day: date) -> str:
    """YYYY-MM of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def _next_month(key: str) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return f"{year + month // 12:04d}-{month % 12 + 1:02d}"


def monthly_scores(scored: Iterable[tuple[date, float]]) -> dict[str, float]:
    """One score per month from dated scores; where a month has several, the lowest counts (conservative)."""
    months: dict[str, float] = {}
    for day, value in scored:
        key = month_key(day)
        months[key] = min(value, months.get(key, value))
    return months


def street_status_by_month(
    scores: Mapping[str, float],
    initial: str = COMPLIANT,
    pass_score: float = STREET_PASS_SCORE,
    restore_months: int = STREET_RESTORE_MONTHS,
    restore_scores: Mapping[str, float] | None = None,
) -> list[MonthStatus]:
    """Apply the 降档/复档 rule (standards.md §1.6) month by month, from the first scored month to the last.

    `scores` are the monthly scores that can downgrade a street (the 第三方 check), `restore_scores` those that
    count toward a restore (the 市级日常检查); without `restore_scores` the one series does both.
    A downgrading score below the line makes a 达标 street 不达标 at once. A 不达标 street returns to 达标 after
    `restore_months` consecutive calendar months each with a restoring score at or above the line; a month with a
    restoring score below the line, a month without one, or a downgrading score below the line breaks the run.
    A restoring score below the line never downgrades, and a downgrading score at or above the line never restores.
    """
    restoring = scores if restore_scores is None else restore_scores
    if not scores and not restoring:
        return []
    status, run = initial, 0
    history: list[MonthStatus] = []
    month, last = min([*scores, *restoring]), max([*scores, *restoring])
    while month <= last:
        down, up = scores.get(month), restoring.get(month)
        before = status
        if down is not None and down < pass_score:
            status, run = NON_COMPLIANT, 0
        elif status == NON_COMPLIANT:
            run = run + 1 if up is not None and up >= pass_score else 0
            if run >= restore_months:
                status, run = COMPLIANT, 0
        counted = [value for value in (down, up) if value is not None]
        lowest = min(counted) if counted else None
        history.append(MonthStatus(month, lowest, status, status != before, run, down, up))
        month = _next_month(month)
    return history
