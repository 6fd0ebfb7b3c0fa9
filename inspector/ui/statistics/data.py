"""The figures of the statistics view, computed on a worker from the local database with `inspector.core.statistics`
(the formulas of docs/statistics.md): nothing here is Qt, so a worker thread can build it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from inspector.core import stage_clock, statistics
from inspector.core.clock import utc_now
from inspector.core.hotline import HotlineMonth, hotline_months
from inspector.core.ledger import FindingState, is_overdue
from inspector.core.scoring import MonthStatus
from inspector.core.statistics import ClosureSummary, RedBlackList, StreetRank
from inspector.core.tiers import TierChange
from inspector.core.time_limits import Stage
from inspector.store import (
    hotline,
    jurisdictions,
    ledger_queries,
    scoring_rules,
    stage_clocks,
    statistics_facts,
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
    given rules, else the rule this laptop uses (`store.scoring_rules.active_rule`)."""
    moment = now or utc_now()
    db = folder.connect()
    try:
        if rules is None:
            rules = scoring_rules.active_rule(db).rules
        views = list(ledger_queries.iter_views(db))
        histories = list(ledger_queries.iter_histories(db))
        subjects = statistics_facts.subject_facts(db)
        inspections = statistics_facts.inspection_facts(db)
        names = jurisdictions.street_names(db)
        late = stage_clock.late_by_stage(stage_clocks.open_clocks(db, moment).values())
        orders = hotline.order_facts(db)
        tier_histories = tiers.all_histories(db)
    finally:
        db.close()
    wanted = sorted({*months, month})
    overdue_ends = statistics.overdue_at_month_ends(histories, wanted)
    # One overdue list per month, used by every figure: the trend's bar, the summary line and the ranking.
    overdue = {key: _overdue_at_end(views, overdue_ends, key, moment) for key in wanted}
    overdue_in_month = overdue[month]
    current = statistics.month_of(moment)
    units = statistics.unit_months(month, subjects, inspections, views, overdue_in_month, levels=rules.unit_levels)
    streets = statistics.street_months(
        month, views, overdue_in_month, subjects, inspections, names, levels=rules.ranking_levels
    )
    return StatisticsData(
        months=months,
        month=month,
        by_month=statistics.findings_by_month(views, months),
        closure=statistics.closure_summary(views),
        closure_by_month=statistics.closure_by_month(views, months),
        overdue_now=len(overdue[current]) if current in overdue else statistics.overdue_count(views, moment),
        overdue_trend={key: len(overdue[key]) for key in months},
        late_by_stage={stage.value: late[stage] for stage in Stage if late[stage]},
        hotline=hotline_months(orders, months),
        ranking=statistics.rank_streets(streets, rules),
        back_streets=statistics.back_street_status(inspections, rules=rules),
        tiers=tier_histories,
        rule=f"{rules.rule_id} v{rules.rule_version}",
        rules=rules,
        subject_names={subject.subject_id: subject.name for subject in subjects},
        street_names=names,
        red_black=statistics.red_black_list(units, rules),
        findings=len(views),
    )


def _overdue_at_end(
    views: list[FindingState], ends: dict[str, list[FindingState]], month: str, now: datetime
) -> list[FindingState]:
    """The month's overdue list: replayed at its end, or, for the running month (whose end has not come), the
    findings overdue now — so the running month's bar, 当前逾期 and the ranking are one number."""
    if statistics.month_of(now) == month:
        return [finding for finding in views if is_overdue(finding, now)]
    return ends.get(month, [])
