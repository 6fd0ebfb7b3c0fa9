"""Monthly figures: findings by category, closure, overdue, the 街乡 ranking, back streets' 十无 status, the 红黑榜.

Pure functions over plain records (the ledger's FindingState and event histories, and the small records below).
Months are Beijing calendar months written YYYY-MM. The ranking and the red/black-list rules are this project's
own proposals (no Beijing rule was found); every parameter is in StatisticsRules so a district can change them.
docs/statistics.md writes each formula out with a worked example.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from statistics import fmean

from inspector.core.clock import SHANGHAI, local_date
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import Event, FindingState, Severity, State, apply, is_overdue
from inspector.core.levels import InspectionLevel
from inspector.core.scoring import (
    COMPLIANT,
    STREET_PASS_SCORE,
    STREET_RESTORE_MONTHS,
    MonthStatus,
    month_key,
    monthly_scores,
    street_status_by_month,
)

BACK_STREET_CHECKLIST = "beijie-xiaoxiang"
STREET_FRONT_CHECKLIST = "menqian-sanbao"
STREET_FRONT_KIND = "street_front_unit"
RED, BLACK = "红榜", "黑榜"
SECONDS_PER_DAY = 86400.0
_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")

# --------------------------------------------------------------------------------------------------------------
# Parameters: the one place a district changes the rules
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RankingWeights:
    """Weights of the 街乡 monthly ranking; they must be non-negative and add up to 1."""

    on_time_closure: float = 0.4
    overdue: float = 0.3
    coverage: float = 0.3

    def __post_init__(self) -> None:
        weights = (self.on_time_closure, self.overdue, self.coverage)
        if any(weight < 0 for weight in weights) or abs(sum(weights) - 1.0) > 1e-9:
            raise ValueError(f"ranking weights must be non-negative and add up to 1, got {weights}")


@dataclass(frozen=True)
class UnitPointsRule:
    """Monthly points of a street-front unit (门前三包) and the red/black-list lines."""

    start: float = 100.0
    per_failed_item: float = 2.0  # each failed 门前三包 item in the month's inspections
    per_general_finding: float = 5.0  # each 一般隐患 of the unit reported in the month and put on the ledger
    per_major_finding: float = 20.0  # each 重大隐患, likewise
    per_overdue_finding: float = 10.0  # each finding of the unit overdue at the month's end
    bonus_on_time: float = 2.0  # each finding of the unit closed in the month by its deadline
    maximum: float = 100.0
    minimum: float = 0.0
    red_at_least: float = 95.0
    black_below: float = 80.0
    red_needs_inspection: bool = True  # a unit nobody inspected that month cannot be on the red list

    def __post_init__(self) -> None:
        if not self.minimum <= self.black_below <= self.red_at_least <= self.maximum:
            raise ValueError("points lines must satisfy minimum <= black_below <= red_at_least <= maximum")


@dataclass(frozen=True)
class StatisticsRules:
    """Every parameter of the monthly figures."""

    ranking: RankingWeights = field(default_factory=RankingWeights)
    units: UnitPointsRule = field(default_factory=UnitPointsRule)
    street_pass_score: float = STREET_PASS_SCORE
    street_restore_months: int = STREET_RESTORE_MONTHS
    # which inspection levels (core.levels.InspectionLevel values) can downgrade a back street (降档: the city's
    # quarterly 第三方 check) and which count toward its restore (复档: the 市级日常检查), standards.md §1.6
    street_downgrade_levels: frozenset[str] = frozenset({InspectionLevel.THIRD_PARTY.value})
    street_restore_levels: frozenset[str] = frozenset({InspectionLevel.CITY.value})
    # which levels' inspections count for the ranking's coverage and for the 门前三包 units' points (today: all)
    ranking_levels: frozenset[str] = frozenset(level.value for level in InspectionLevel)
    unit_levels: frozenset[str] = frozenset(level.value for level in InspectionLevel)
    rule_id: str = "inspector-default"  # the rule file these parameters came from (docs/rules.md)
    rule_version: str = "1"


DEFAULT_RULES = StatisticsRules()

# --------------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectFacts:
    """A subject (检查对象) as the statistics need it: its 街乡 (9-digit code) and kind."""

    subject_id: str
    street: str
    kind: str
    name: str = ""


@dataclass(frozen=True)
class InspectionFacts:
    """A finished inspection: when, of which subject, with which checklist, its score and failed item count."""

    subject_id: str
    checklist_id: str
    at: datetime
    score: float | None = None
    failed_items: int = 0
    level: str | None = None  # core.levels.InspectionLevel of who did it; None where not known
    inspector: str = ""  # the user id of who did it


# --------------------------------------------------------------------------------------------------------------
# Months
# --------------------------------------------------------------------------------------------------------------


def check_month(key: str) -> str:
    """The key itself when it is a valid YYYY-MM month; ValueError otherwise."""
    if not isinstance(key, str) or not _MONTH.fullmatch(key):
        raise ValueError(f"a month is written YYYY-MM, got {key!r}")
    return key


def month_of(moment: datetime) -> str:
    """The Beijing calendar month of an instant."""
    _require_aware(moment)
    return month_key(local_date(moment))


def month_end(key: str) -> datetime:
    """The first instant after the month, Beijing time (an aware datetime)."""
    year, month = (int(part) for part in check_month(key).split("-"))
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return datetime.combine(first_of_next, time.min, tzinfo=SHANGHAI)


def months_between(first: str, last: str) -> list[str]:
    """Every month from first to last, both included."""
    months: list[str] = []
    key = check_month(first)
    while key <= check_month(last):
        months.append(key)
        key = month_key(month_end(key).date())
    return months


def _require_aware(moment: datetime) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None:
        raise ValueError(f"an aware datetime is required, got {moment!r}")


def _street_of(finding: FindingState) -> str:
    return street_of(finding.jurisdiction)


def _on_ledger(finding: FindingState) -> bool:
    """Accepted onto the ledger (or fixed on the spot): not waiting for review, not rejected."""
    return finding.state not in (State.REPORTED, State.REJECTED)


def _closed_on_time(finding: FindingState) -> bool:
    """Closed, and on or before its deadline day in Beijing (a finding without a deadline was fixed on the spot)."""
    if finding.state != State.CLOSED or finding.closed_at is None:
        return False
    return finding.deadline is None or local_date(finding.closed_at) <= finding.deadline


# --------------------------------------------------------------------------------------------------------------
# Findings per month, closure, overdue
# --------------------------------------------------------------------------------------------------------------


def findings_by_month(findings: Iterable[FindingState], months: Sequence[str] | None = None) -> dict[str, Counter[str]]:
    """Findings reported in each month, counted by category; rejected ones (不予立案) are not hazards and not counted.

    With `months`, exactly those months (empty ones included, others left out); else every month that has one.
    """
    wanted = [check_month(key) for key in months] if months is not None else None
    counts: dict[str, Counter[str]] = {key: Counter() for key in wanted or ()}
    for finding in findings:
        if finding.state == State.REJECTED:
            continue
        key = month_of(finding.reported_at)
        if wanted is None:
            counts.setdefault(key, Counter())
        if key in counts:
            counts[key][finding.category] += 1
    return dict(sorted(counts.items()))


@dataclass(frozen=True)
class ClosureSummary:
    """Closure of a set of findings: rates are None when there is nothing to divide by."""

    on_ledger: int
    closed: int
    closed_on_time: int
    closure_rate: float | None  # closed / on_ledger
    on_time_rate: float | None  # closed_on_time / closed
    mean_days_to_close: float | None  # mean of (closed_at - reported_at) in days, over the closed ones


def closure_summary(findings: Iterable[FindingState]) -> ClosureSummary:
    """Closure rate, on-time share and mean time to close of the findings on the ledger."""
    on_ledger = closed = on_time = 0
    durations: list[float] = []
    for finding in findings:
        if not _on_ledger(finding):
            continue
        on_ledger += 1
        if finding.state == State.CLOSED and finding.closed_at is not None:
            closed += 1
            on_time += _closed_on_time(finding)
            durations.append((finding.closed_at - finding.reported_at).total_seconds() / SECONDS_PER_DAY)
    return ClosureSummary(
        on_ledger=on_ledger,
        closed=closed,
        closed_on_time=on_time,
        closure_rate=closed / on_ledger if on_ledger else None,
        on_time_rate=on_time / closed if closed else None,
        mean_days_to_close=fmean(durations) if durations else None,
    )


def closure_by_month(findings: Iterable[FindingState], months: Sequence[str]) -> dict[str, ClosureSummary]:
    """closure_summary of the findings reported in each month (the month's cohort, as it stands now)."""
    cohorts: dict[str, list[FindingState]] = {check_month(key): [] for key in months}
    for finding in findings:
        cohort = cohorts.get(month_of(finding.reported_at))
        if cohort is not None:
            cohort.append(finding)
    return {key: closure_summary(cohort) for key, cohort in cohorts.items()}


def overdue_count(findings: Iterable[FindingState], now: datetime) -> int:
    """How many findings are overdue (逾期) at this instant."""
    return sum(is_overdue(finding, now) for finding in findings)


def overdue_at_month_ends(histories: Iterable[Sequence[Event]], months: Sequence[str]) -> dict[str, list[FindingState]]:
    """For each month, the findings that were overdue at its end, as they stood then.

    Each history is one finding's events, oldest first; it is replayed once, stopping at each month's end, so an
    extension or a rectification after the month does not change that month's figure.
    """
    ordered = sorted(check_month(key) for key in months)
    ends = [(key, month_end(key)) for key in ordered]
    result: dict[str, list[FindingState]] = {key: [] for key in ordered}
    for events in histories:
        finding: FindingState | None = None
        position = 0
        for key, end in ends:
            while position < len(events) and events[position].at < end:
                finding = apply(finding, events[position])
                position += 1
            if finding is not None and is_overdue(finding, end):
                result[key].append(finding)
    return result


def overdue_trend(histories: Iterable[Sequence[Event]], months: Sequence[str]) -> dict[str, int]:
    """How many findings were overdue at the end of each month."""
    return {key: len(found) for key, found in overdue_at_month_ends(histories, months).items()}


# --------------------------------------------------------------------------------------------------------------
# The monthly ranking of 街乡 (月排名)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StreetMonth:
    """One 街乡's counts for one month, the inputs of the ranking."""

    street: str
    due: int  # findings whose deadline falls in the month
    due_closed_on_time: int  # of those, closed by their deadline
    overdue: int  # findings overdue at the month's end
    subjects: int  # the street's subjects
    subjects_inspected: int  # of those, inspected at least once in the month
    name: str = ""


@dataclass(frozen=True)
class StreetRank:
    """A 街乡's place in the month: rank (ties share one), score 0–100 and its three parts (each 0–1)."""

    rank: int
    street: str
    name: str
    score: float
    on_time_rate: float
    overdue_score: float
    coverage: float
    overdue: int


def street_months(
    month: str,
    findings: Iterable[FindingState],
    overdue_at_end: Iterable[FindingState],
    subjects: Iterable[SubjectFacts],
    inspections: Iterable[InspectionFacts],
    names: Mapping[str, str] | None = None,
    levels: Collection[str] | None = None,
) -> list[StreetMonth]:
    """The ranking inputs of every 街乡 that has subjects or findings, from the month's plain records.

    `overdue_at_end` is the month's list from overdue_at_month_ends (or, for the running month, the findings
    overdue now). With `levels` (a rule's `ranking_levels`), only inspections of those levels count as coverage.
    """
    check_month(month)
    street_of_subject = {subject.subject_id: subject.street for subject in subjects}
    subject_counts = Counter(street_of_subject.values())
    inspected = {
        inspection.subject_id
        for inspection in inspections
        if inspection.subject_id in street_of_subject
        and month_of(inspection.at) == month
        and (levels is None or inspection.level in levels)
    }
    inspected_counts = Counter(street_of_subject[subject_id] for subject_id in inspected)
    due: Counter[str] = Counter()
    on_time: Counter[str] = Counter()
    streets = set(subject_counts)
    for finding in findings:
        streets.add(_street_of(finding))
        if finding.deadline is not None and month_key(finding.deadline) == month and _on_ledger(finding):
            due[_street_of(finding)] += 1
            on_time[_street_of(finding)] += _closed_on_time(finding)
    overdue = Counter(_street_of(finding) for finding in overdue_at_end)
    streets |= set(overdue)
    labels = names or {}
    return [
        StreetMonth(
            street=street,
            due=due[street],
            due_closed_on_time=on_time[street],
            overdue=overdue[street],
            subjects=subject_counts[street],
            subjects_inspected=inspected_counts[street],
            name=labels.get(street, ""),
        )
        for street in sorted(streets)
    ]


def rank_streets(streets: Iterable[StreetMonth], rules: StatisticsRules = DEFAULT_RULES) -> list[StreetRank]:
    """Rank 街乡 for a month, best first.

    score = 100 × (w₁·R + w₂·V + w₃·C), rounded to 2 decimals, where
    R = due_closed_on_time / due (1 when nothing was due),
    V = 1 − overdue / (the largest overdue count among the streets) (1 when no street has any),
    C = min(1, subjects_inspected / subjects) (0 when the street has no subjects).
    Equal scores share a rank (1, 2, 2, 4); ties are listed by street code.
    """
    rows = list(streets)
    worst = max((row.overdue for row in rows), default=0)
    weights = rules.ranking
    scored = []
    for row in rows:
        on_time = row.due_closed_on_time / row.due if row.due else 1.0
        overdue_score = 1.0 - row.overdue / worst if worst else 1.0
        coverage = min(1.0, row.subjects_inspected / row.subjects) if row.subjects else 0.0
        total = 100 * (
            weights.on_time_closure * on_time + weights.overdue * overdue_score + weights.coverage * coverage
        )
        scored.append((round(total, 2), row, on_time, overdue_score, coverage))
    scored.sort(key=lambda entry: (-entry[0], entry[1].street))
    ranked: list[StreetRank] = []
    for position, (total, row, on_time, overdue_score, coverage) in enumerate(scored, start=1):
        rank = ranked[-1].rank if ranked and ranked[-1].score == total else position
        ranked.append(StreetRank(rank, row.street, row.name, total, on_time, overdue_score, coverage, row.overdue))
    return ranked


# --------------------------------------------------------------------------------------------------------------
# Back streets: monthly 十无 status (the 90-point and three-month rules live in scoring)
# --------------------------------------------------------------------------------------------------------------


def back_street_status(
    inspections: Iterable[InspectionFacts],
    initial: Mapping[str, str] | None = None,
    rules: StatisticsRules = DEFAULT_RULES,
    checklist_id: str = BACK_STREET_CHECKLIST,
) -> dict[str, list[MonthStatus]]:
    """Each back street's 十无 score and 达标/不达标 status month by month (scoring.street_status_by_month).

    Only the levels the rule names count: a score of a level in `rules.street_downgrade_levels` (第三方) can
    downgrade, one of a level in `rules.street_restore_levels` (市级) counts toward the restore; any other level
    (区级, 街乡自查, an inspection whose level is not known) changes nothing. A month with several counted
    inspections counts its lowest score; `initial` gives a street's status before its first scored month (default
    达标). Streets with no counted inspection are left out.
    """
    down: dict[str, list[tuple[date, float]]] = defaultdict(list)
    up: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for inspection in inspections:
        if inspection.checklist_id != checklist_id or inspection.score is None:
            continue
        _require_aware(inspection.at)
        dated = (local_date(inspection.at), inspection.score)
        if inspection.level in rules.street_downgrade_levels:
            down[inspection.subject_id].append(dated)
        if inspection.level in rules.street_restore_levels:
            up[inspection.subject_id].append(dated)
    starting = initial or {}
    return {
        subject_id: street_status_by_month(
            monthly_scores(down.get(subject_id, [])),
            starting.get(subject_id, COMPLIANT),
            rules.street_pass_score,
            rules.street_restore_months,
            restore_scores=monthly_scores(up.get(subject_id, [])),
        )
        for subject_id in sorted({*down, *up})
    }


# --------------------------------------------------------------------------------------------------------------
# The red/black list of street-front units (红黑榜)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitMonth:
    """One street-front unit's counts for one month, the inputs of its points."""

    subject_id: str
    inspections: int = 0
    failed_items: int = 0
    general_findings: int = 0
    major_findings: int = 0
    overdue: int = 0
    closed_on_time: int = 0
    name: str = ""
    street: str = ""


@dataclass(frozen=True)
class UnitPoints:
    """A unit's points for the month and the list it is on (红榜, 黑榜 or none)."""

    subject_id: str
    name: str
    street: str
    points: float
    listed: str
    inspections: int


@dataclass(frozen=True)
class RedBlackList:
    """The month's red list (best first), black list (worst first) and every unit's points."""

    red: list[UnitPoints]
    black: list[UnitPoints]
    units: list[UnitPoints]


def unit_months(
    month: str,
    subjects: Iterable[SubjectFacts],
    inspections: Iterable[InspectionFacts],
    findings: Iterable[FindingState],
    overdue_at_end: Iterable[FindingState],
    checklist_id: str = STREET_FRONT_CHECKLIST,
    levels: Collection[str] | None = None,
) -> list[UnitMonth]:
    """The points inputs of every street-front unit for the month, from the plain records.

    Inspections count when made with the 门前三包 checklist in the month; findings count when reported in the month
    and on the ledger (not 待受理 or 不予立案), by their accepted severity; on-time closures when closed in the month
    by the deadline. With `levels` (a rule's `unit_levels`), only inspections of those levels count.
    """
    check_month(month)
    units = {subject.subject_id: subject for subject in subjects if subject.kind == STREET_FRONT_KIND}
    counts: dict[str, Counter[str]] = {subject_id: Counter() for subject_id in units}
    for inspection in inspections:
        tally = counts.get(inspection.subject_id)
        counted = levels is None or inspection.level in levels
        if (
            tally is not None
            and counted
            and inspection.checklist_id == checklist_id
            and month_of(inspection.at) == month
        ):
            tally["inspections"] += 1
            tally["failed_items"] += inspection.failed_items
    for finding in findings:
        tally = counts.get(finding.subject_id or "")
        if tally is None:
            continue
        if _on_ledger(finding) and month_of(finding.reported_at) == month:
            tally["major_findings" if finding.severity == Severity.MAJOR else "general_findings"] += 1
        if _closed_on_time(finding) and finding.closed_at is not None and month_of(finding.closed_at) == month:
            tally["closed_on_time"] += 1
    for finding in overdue_at_end:
        tally = counts.get(finding.subject_id or "")
        if tally is not None:
            tally["overdue"] += 1
    return [
        UnitMonth(subject_id, name=units[subject_id].name, street=units[subject_id].street, **counts[subject_id])
        for subject_id in sorted(units)
    ]


def unit_points(unit: UnitMonth, rules: StatisticsRules = DEFAULT_RULES) -> float:
    """start − deductions + bonus, kept within [minimum, maximum]."""
    rule = rules.units
    raw = (
        rule.start
        - rule.per_failed_item * unit.failed_items
        - rule.per_general_finding * unit.general_findings
        - rule.per_major_finding * unit.major_findings
        - rule.per_overdue_finding * unit.overdue
        + rule.bonus_on_time * unit.closed_on_time
    )
    return min(rule.maximum, max(rule.minimum, raw))


def red_black_list(units: Iterable[UnitMonth], rules: StatisticsRules = DEFAULT_RULES) -> RedBlackList:
    """Points for every unit; red list: points ≥ red_at_least (and inspected, when the rule says so); black list:
    points < black_below. Red is ordered best first, black worst first, ties by subject id."""
    rule = rules.units
    scored: list[UnitPoints] = []
    for unit in units:
        points = unit_points(unit, rules)
        eligible = unit.inspections > 0 or not rule.red_needs_inspection
        listed = RED if points >= rule.red_at_least and eligible else BLACK if points < rule.black_below else ""
        scored.append(UnitPoints(unit.subject_id, unit.name, unit.street, points, listed, unit.inspections))
    red = sorted((unit for unit in scored if unit.listed == RED), key=lambda unit: (-unit.points, unit.subject_id))
    black = sorted((unit for unit in scored if unit.listed == BLACK), key=lambda unit: (unit.points, unit.subject_id))
    return RedBlackList(red=red, black=black, units=sorted(scored, key=lambda unit: unit.subject_id))
