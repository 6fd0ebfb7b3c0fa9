"""The figures of the statistics view, computed on a worker from the local database with `inspector.core.statistics`
(the formulas of docs/statistics.md): nothing here is Qt, so a worker thread can build it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from inspector.core import stage_clock, statistics
from inspector.core.clock import utc_now
from inspector.core.hotline import HotlineMonth, hotline_months
from inspector.core.ledger import State
from inspector.core.scoring import MonthStatus
from inspector.core.statistics import (
    ClosureSummary,
    RedBlackList,
    StreetRank,
)
from inspector.core.tiers import TierChange
from inspector.core.time_limits import Stage
from inspector.store import (
    hotline,
    jurisdictions,
    scoring_rules,
    stage_clocks,
    statistics_facts,
    statistics_queries,
    tiers,
)
from inspector.store.database import DataFolder

DEFAULT_MONTHS = 6


@dataclass
class StatisticsData:
    """Everything the charts and tables show, for `months` (oldest first) and the ranking month `month`."""

    months: list[str]
    month: str
    by_month: dict[str, Counter[str]] = field(default_factory=dict)
    closure: ClosureSummary | None = None
    closure_by_month: dict[str, ClosureSummary] = field(default_factory=dict)
    overdue_now: int = 0
    overdue_trend: dict[str, int] = field(default_factory=dict)
    late_by_stage: dict[str, int] = field(default_factory=dict)  # open cases late now, by stage (core.stage_clock)
    hotline: list[HotlineMonth] = field(default_factory=list)  # 12345 work orders per 街乡 and month
    ranking: list[StreetRank] = field(default_factory=list)
    back_streets: dict[str, list[MonthStatus]] = field(default_factory=dict)
    tiers: dict[str, list[TierChange]] = field(default_factory=dict)  # back streets' tier histories (store.tiers)
    rule: str = ""  # "<rule id> v<version>": the rule every figure here was computed with
    rules: statistics.StatisticsRules = statistics.DEFAULT_RULES  # its parameters (the summaries quote them)
    subject_names: dict[str, str] = field(default_factory=dict)
    street_names: dict[str, str] = field(default_factory=dict)  # by 9-digit code
    red_black: RedBlackList | None = None
    findings: int = 0


def recent_months(now: datetime, count: int = DEFAULT_MONTHS) -> list[str]:
    """The `count` Beijing months up to and including the month of `now`, oldest first."""
    last = statistics.month_of(now)
    year, month = (int(part) for part in last.split("-"))
    index = year * 12 + month - 1 - (count - 1)
    return statistics.months_between(f"{index // 12:04d}-{index % 12 + 1:02d}", last)


def load_statistics(folder: DataFolder, months: list[str], month: str, now: datetime | None = None,
                    rules: statistics.StatisticsRules | None = None) -> StatisticsData:  # fmt: skip
    """Read the local ledger, inspections and subjects and compute every figure (on the caller's thread) with the
    given rules, else the rule this laptop uses (`store.scoring_rules.active_rule`).

    The findings are counted by aggregate SQL (store/statistics_queries, one query per chart or table); the few
    subjects and inspections are read as records; the ranking and the points are core.statistics' formulas."""
    moment = now or utc_now()
    current = statistics.month_of(moment)
    wanted = sorted({*months, month})
    db = folder.connect()
    try:
        if rules is None:
            rules = scoring_rules.active_rule(db).rules
        by_month = statistics_queries.findings_by_month(db, months)
        closure, closure_months = statistics_queries.closure(db, months)
        # One overdue count per month, used by every figure: the trend's bar, the summary line and the ranking; the
        # running month (whose end has not come) counts the findings overdue now.
        overdue = statistics_queries.overdue_by_month(db, sorted({*wanted, current}), moment)
        now_overdue = overdue[current]
        due = statistics_queries.streets_due(db, month)
        unit_counts = statistics_queries.unit_findings(db, month)
        total = statistics_queries.finding_count(db)
        subjects = statistics_facts.subject_facts(db)
        inspections = statistics_facts.inspection_facts(db)
        names = jurisdictions.street_names(db)
        late_states = stage_clocks.late_by_state(db, moment)
        orders = hotline.order_facts(db)
        tier_histories = tiers.all_histories(db)
    finally:
        db.close()
    overdue_in_month = overdue[month]
    units = statistics_queries.unit_inputs(
        month, subjects, statistics_queries.at_levels(inspections, rules.unit_levels), unit_counts, overdue_in_month
    )
    ranked = statistics_queries.at_levels(inspections, rules.ranking_levels)
    streets = statistics_queries.ranking_inputs(month, subjects, ranked, due, overdue_in_month, names)
    return StatisticsData(
        months=months,
        month=month,
        by_month=by_month,
        closure=closure,
        closure_by_month=closure_months,
        overdue_now=now_overdue.total,
        overdue_trend={key: overdue[key].total for key in months},
        late_by_stage=_late_by_stage(late_states),
        hotline=hotline_months(orders, months),
        ranking=statistics.rank_streets(streets, rules),
        back_streets=statistics.back_street_status(inspections, rules=rules),
        tiers=tier_histories,
        rule=f"{rules.rule_id} v{rules.rule_version}",
        rules=rules,
        subject_names={subject.subject_id: subject.name for subject in subjects},
        street_names=names,
        red_black=statistics.red_black_list(units, rules),
        findings=total,
    )


def _late_by_stage(late: Counter[State]) -> dict[str, int]:
    """Late open cases by stage, in the order of the stages (a late `reported` case counts under 受理, as in
    stage_clock.late_by_stage)."""
    by_stage = Counter({stage_clock.STATE_STAGES[state][0]: number for state, number in late.items()})
    return {stage.value: by_stage[stage] for stage in Stage if by_stage[stage]}
