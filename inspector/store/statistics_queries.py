"""The statistics page's figures as aggregate SQL over the findings and their events (one query per chart or table).

Each function here gives the same counts as the pure functions of `inspector.core.statistics` over the local views
and event histories (the reference; tests/store/test_statistics_queries.py holds them equal), without reading a
finding's JSON: the findings' columns through the covering index of schema step 0017_statistics, and, for the
overdue count at a past month's end, the spans during which each finding stood 整改中 under one deadline, found
with window functions over its server-confirmed events. docs/statistics.md writes each query out.

Instants are stored as UTC text of one format (YYYY-MM-DDTHH:MM:SS.mmmZ), so they are compared as text with the
bounds of Beijing months and days worked out in Python (Beijing has kept UTC+8 without summer time since 1991: a
deadline day ends at 16:00 UTC of its date).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from inspector.core import statistics
from inspector.core.clock import SHANGHAI, local_date, to_iso
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import FindingState
from inspector.core.month import EXPOSED_SOURCES
from inspector.core.statistics import ClosureSummary, InspectionFacts, StreetMonth, SubjectFacts, UnitMonth
from inspector.store import jsonutil
from inspector.store.findings import finding_from_json
from inspector.store.transactions import transaction
from inspector.store.view_events import events_by_finding, view_events

# made by schema step 0017_statistics: the findings' columns in order of report time, and by state and deadline
STATISTICS_INDEX = "idx_findings_statistics"
OPEN_INDEX = "idx_findings_open_clock"
MS_PER_DAY = 86_400_000
_ON_LEDGER = "f.state NOT IN ('reported', 'rejected')"
_CLOSED = "(f.state = 'closed' AND f.closed_at IS NOT NULL)"
# closed by 24:00 Beijing of the deadline day, i.e. before 16:00 UTC of that date
_ON_TIME = f"({_CLOSED} AND (f.deadline IS NULL OR f.closed_at < f.deadline || 'T16:00:00.000Z'))"
# milliseconds from report to closure, exact (stored instants are YYYY-MM-DDTHH:MM:SS.mmmZ)
_CLOSE_MS = (
    "((unixepoch(substr(f.closed_at, 1, 19)) - unixepoch(substr(f.reported_at, 1, 19))) * 1000"
    " + CAST(substr(f.closed_at, 21, 3) AS INTEGER) - CAST(substr(f.reported_at, 21, 3) AS INTEGER))"
)


def _month_start(key: str) -> datetime:
    year, month = (int(part) for part in statistics.check_month(key).split("-"))
    return datetime(year, month, 1, tzinfo=SHANGHAI)


def _bounds(months: Sequence[str]) -> tuple[str, str]:
    """The stored UTC text of the first instant of the first month and of the one after the last month."""
    ordered = sorted(statistics.check_month(key) for key in months)
    return to_iso(_month_start(ordered[0])), to_iso(statistics.month_end(ordered[-1]))


def _ranges(months: Sequence[str]) -> list[tuple[str, str, str]]:
    """Each month with its bounds as stored text [start, end), oldest first."""
    return [(key, to_iso(_month_start(key)), to_iso(statistics.month_end(key))) for key in sorted(set(months))]


def _area(area: str, column: str = "f.jurisdiction") -> tuple[str, list[Any]]:
    """The condition (and its parameters) that keeps the findings whose code starts with `area` (any level: a
    district, a 街乡, a community); none for "" (every finding, those without a code too)."""
    if not area:
        return "", []
    return f" AND substr({column}, 1, ?) = ?", [len(area), area]


def findings_by_month(db: Database, months: Sequence[str]) -> dict[str, Counter[str]]:
    """statistics.findings_by_month over the findings table: reported in each month, by category, not rejected
    (a range of the report-time index per month)."""
    counts: dict[str, Counter[str]] = {statistics.check_month(key): Counter() for key in months}
    if not counts:
        return {}
    ranges = _ranges(list(counts))
    one = (
        f"SELECT ? AS m, f.category, count(*) FROM findings f INDEXED BY {STATISTICS_INDEX} "
        "WHERE f.reported_at >= ? AND f.reported_at < ? AND f.state != 'rejected' GROUP BY f.category"
    )
    rows = db.execute(" UNION ALL ".join(one for _ in ranges), [value for bounds in ranges for value in bounds])
    for key, category, number in rows:
        counts[key][category] += number
    return dict(sorted(counts.items()))


@dataclass
class _Closure:
    on_ledger: int = 0
    closed: int = 0
    on_time: int = 0
    close_ms: int = 0

    def add(self, other: _Closure) -> None:
        self.on_ledger += other.on_ledger
        self.closed += other.closed
        self.on_time += other.on_time
        self.close_ms += other.close_ms

    def summary(self) -> ClosureSummary:
        return ClosureSummary(
            on_ledger=self.on_ledger,
            closed=self.closed,
            closed_on_time=self.on_time,
            closure_rate=self.closed / self.on_ledger if self.on_ledger else None,
            on_time_rate=self.on_time / self.closed if self.closed else None,
            mean_days_to_close=self.close_ms / self.closed / MS_PER_DAY if self.closed else None,
        )


def closure(db: Database, months: Sequence[str]) -> tuple[ClosureSummary, dict[str, ClosureSummary]]:
    """statistics.closure_summary of every finding and statistics.closure_by_month of each month's cohort, from one
    query grouped by the month of report."""
    ranges = _ranges(months)
    # the whole ledger in consecutive ranges of report time: before the months, each month, after them
    parts = [("", "", ranges[0][1]), *ranges, ("", ranges[-1][2], "~")] if ranges else [("", "", "~")]
    one = (
        f"SELECT ?, count(*), sum({_CLOSED}), sum({_ON_TIME}), sum(CASE WHEN {_CLOSED} THEN {_CLOSE_MS} ELSE 0 END) "
        f"FROM findings f INDEXED BY {STATISTICS_INDEX} WHERE f.reported_at >= ? AND f.reported_at < ? AND {_ON_LEDGER}"
    )
    rows = db.execute(" UNION ALL ".join(one for _ in parts), [value for bounds in parts for value in bounds])
    whole = _Closure()
    by_month = {statistics.check_month(key): _Closure() for key in months}
    for key, on_ledger, closed, on_time, close_ms in rows:
        group = _Closure(on_ledger, closed or 0, on_time or 0, close_ms or 0)
        whole.add(group)
        if key in by_month:
            by_month[key].add(group)
    return whole.summary(), {key: group.summary() for key, group in by_month.items()}


@dataclass
class OverdueTally:
    """The findings overdue at one instant, counted in all, per 街乡 (9 digits) and per subject."""

    total: int = 0
    by_street: Counter[str] = field(default_factory=Counter)
    by_subject: Counter[str] = field(default_factory=Counter)

    def add(self, street: str, subject_id: str | None, number: int = 1) -> None:
        self.total += number
        self.by_street[street] += number
        if subject_id:
            self.by_subject[subject_id] += number


def overdue_now(db: Database, now: datetime, area: str = "") -> OverdueTally:
    """The findings overdue at `now` (ledger.is_overdue: 整改中 with a deadline day already over in Beijing), of
    the `area` ("" = all)."""
    tally = OverdueTally()
    inside, values = _area(area)
    rows = db.execute(
        f"SELECT substr(f.jurisdiction, 1, 9), f.subject_id, count(*) FROM findings f INDEXED BY {OPEN_INDEX} "
        f"WHERE f.state = 'assigned' AND f.deadline IS NOT NULL AND f.deadline < ?{inside} GROUP BY 1, 2",
        [local_date(now).isoformat(), *values],
    )
    for street, subject_id, number in rows:
        tally.add(street or "", subject_id, number)
    return tally


# The actions that change a finding's state or deadline (core.ledger's table): those that leave it 整改中 all carry
# the deadline it stands under then (an extension is decided only while 整改中), except a send-back or an approval
# without a date, whose finding is replayed instead.
_TO_ASSIGNED = ("assign", "extend", "approve_extension", "verify_fail", "reopen")
_TO_OTHER = ("report", "report_fixed_on_site", "accept", "reject", "rectify", "verify_pass")
_TIMELINE = "server_seq IS NULL, server_seq, created_at, rowid"  # view_events' order
_NO_DATE = "nullif(trim(json_extract(e.payload, '$.deadline')), '') IS NULL"
# The stored events of the findings marked changed, with `reached`, the latest instant among each event and those
# before it in the timeline: replaying to a month's end applies the events while their instant is before the end, so
# a change n stands at an end E when reached(n) < E ≤ reached(next change). A finding with a local command still
# pending (it may or may not fit) or a dateless send-back or approval is marked `odd`, to be replayed instead.
_TIMELINE_OF_CHANGED = f"""
CREATE TEMP TABLE statistics_timeline AS
WITH ev AS (
    SELECT e.finding_id, e.at, e.server_seq, e.created_at, e.rowid AS rowid,
           e.action IN ({", ".join(repr(a) for a in (*_TO_ASSIGNED, *_TO_OTHER))}) AS change,
           CASE WHEN e.action IN ({", ".join(repr(a) for a in _TO_ASSIGNED)})
                THEN json_extract(e.payload, '$.deadline') END AS deadline,
           (e.sync_state = 'pending' OR (e.action IN ('approve_extension', 'verify_fail') AND {_NO_DATE})) AS odd
    FROM finding_events e
    WHERE e.sync_state IN ('acknowledged', 'pending') AND e.finding_id IN (SELECT finding_id FROM statistics_dirty)
)
SELECT finding_id, change, deadline, max(at) OVER w AS reached, row_number() OVER w AS n,
       max(odd) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS odd
FROM ev WINDOW w AS (PARTITION BY finding_id ORDER BY {_TIMELINE})
"""
_SPANS_OF_CHANGED = """
INSERT INTO statistics_spans (finding_id, reached, until, deadline, street, subject_id)
SELECT s.finding_id, s.reached, s.until, s.deadline, substr(f.jurisdiction, 1, 9), f.subject_id FROM (
    SELECT finding_id, deadline, reached, lead(reached) OVER (PARTITION BY finding_id ORDER BY n) AS until
    FROM temp.statistics_timeline WHERE change AND NOT odd
) s JOIN findings f ON f.id = s.finding_id WHERE s.deadline IS NOT NULL
"""
_OVERDUE_AT_ENDS = """
WITH ends AS (
    SELECT value ->> '$[0]' AS key, value ->> '$[1]' AS ends, value ->> '$[2]' AS next_day FROM json_each(?)
)
SELECT m.key, s.street, s.subject_id, count(*)
FROM statistics_spans s JOIN ends m ON s.deadline < m.next_day AND s.reached < m.ends
     AND (s.until IS NULL OR s.until >= m.ends)
{area}
GROUP BY 1, 2, 3
"""


def refresh_spans(db: Database) -> int:
    """Bring `statistics_spans` up to date: the findings whose events changed since (marked in `statistics_dirty` by
    the triggers of schema step 0017_statistics) get their 整改中 spans again from their events. Returns how many
    findings were gone through (all of them the first time, a sync's worth later)."""
    changed = int(db.execute("SELECT count(*) FROM statistics_dirty").fetchone()[0])
    if not changed:
        return 0
    with transaction(db):
        db.execute("DROP TABLE IF EXISTS temp.statistics_timeline")
        db.execute(_TIMELINE_OF_CHANGED)
        for table in ("statistics_spans", "statistics_replayed"):
            db.execute(f"DELETE FROM {table} WHERE finding_id IN (SELECT finding_id FROM statistics_dirty)")
        db.execute(_SPANS_OF_CHANGED)
        db.execute(
            "INSERT INTO statistics_replayed (finding_id) SELECT DISTINCT finding_id FROM temp.statistics_timeline "
            "WHERE odd"
        )
        db.execute("DELETE FROM statistics_dirty")
        db.execute("DROP TABLE temp.statistics_timeline")
    return changed


def overdue_at_month_ends(db: Database, months: Sequence[str], area: str = "") -> dict[str, OverdueTally]:
    """statistics.overdue_at_month_ends, counted: the findings overdue at the end of each month as they stood then,
    of the findings whose code (now) starts with `area` ("" = all).

    The spans during which each finding stood 整改中 under one deadline are kept in `statistics_spans` (brought up
    to date first, for the findings whose events changed); one query counts those standing at each month's end with
    their deadline day over. The few findings with a pending command or a dateless send-back or approval are
    replayed with the core function."""
    ordered = sorted(statistics.check_month(key) for key in months)
    tallies = {key: OverdueTally() for key in ordered}
    if not ordered:
        return tallies
    refresh_spans(db)
    ends = [[key, to_iso(statistics.month_end(key)), statistics.month_end(key).date().isoformat()] for key in ordered]
    inside, values = _area(area)
    within = f"WHERE s.finding_id IN (SELECT f.id FROM findings f WHERE 1{inside})" if area else ""
    rows = db.execute(_OVERDUE_AT_ENDS.format(area=within), [json.dumps(ends), *values])
    for key, street, subject_id, number in rows:
        tallies[key].add(street or "", subject_id, number)
    replayed = [row[0] for row in db.execute(f"SELECT s.finding_id FROM statistics_replayed s {within}", values)]
    if replayed:
        histories = [view_events(events) for events in events_by_finding(db, replayed).values()]
        assigned = [events for events in histories if any(event.action == "assign" for event in events)]
        for key, found in statistics.overdue_at_month_ends(assigned, ordered).items():
            for finding in found:
                tallies[key].add(street_of(finding.jurisdiction), finding.subject_id)
    return tallies


def overdue_by_month(db: Database, months: Sequence[str], now: datetime, area: str = "") -> dict[str, OverdueTally]:
    """The overdue count each month's figures use, of the `area` ("" = all): at the month's end as the findings
    stood then, and for a month whose end has not come (the running one) the findings overdue at `now`."""
    tallies = overdue_at_month_ends(db, [key for key in months if statistics.month_end(key) <= now], area)
    running = [key for key in months if key not in tallies]
    if running:
        current = overdue_now(db, now, area)
        tallies.update({key: current for key in running})
    return tallies


@dataclass
class StreetDue:
    """A 街乡's findings due in a month (deadline in it, on the ledger) and how many of them were closed on time."""

    due: int = 0
    on_time: int = 0


def streets_due(db: Database, month: str, area: str = "") -> dict[str, StreetDue]:
    """Every 街乡 that has a finding (any state) in the `area` ("" = all), with its findings due in the month and
    those closed on time.

    The due ones are a range of the state-and-deadline index per state on the ledger; the 街乡 are found by skipping
    through the jurisdiction index from one 街乡's codes to the next (a handful of seeks, not a scan)."""
    start = f"{statistics.check_month(month)}-01"
    after = statistics.month_end(month).date().isoformat()
    inside, values = _area(area)
    # the codes that start with `area` lie between it and it followed by the highest character
    first = " AND jurisdiction < ? || char(1114111) AND substr(jurisdiction, 1, ?) = ?" if area else ""
    first_values = [area, *values] if area else []
    rows = db.execute(
        f"""WITH RECURSIVE streets(street) AS (
            SELECT substr(min(jurisdiction), 1, 9) FROM findings WHERE jurisdiction >= ?{first}
            UNION ALL
            SELECT (SELECT substr(min(jurisdiction), 1, 9) FROM findings
                    WHERE jurisdiction > streets.street || '~'{first})
            FROM streets WHERE streets.street IS NOT NULL
        )
        SELECT street, 0, 0 FROM streets WHERE street IS NOT NULL
        UNION ALL
        SELECT substr(f.jurisdiction, 1, 9), count(*), sum({_ON_TIME}) FROM findings f INDEXED BY {OPEN_INDEX}
        WHERE f.state IN ('registered', 'assigned', 'rectified', 'closed') AND f.deadline >= ? AND f.deadline < ?
        {inside} GROUP BY 1""",
        [area, *first_values, *first_values, start, after, *values],
    )
    found: dict[str, StreetDue] = {}
    for street, due, on_time in rows:
        counted = found.setdefault(street or "", StreetDue())
        counted.due += int(due or 0)
        counted.on_time += int(on_time or 0)
    return found


@dataclass
class UnitFindings:
    """A subject's findings of one month: reported and on the ledger (一般/重大) and closed on time in the month."""

    general: int = 0
    major: int = 0
    closed_on_time: int = 0


def unit_findings(db: Database, month: str, area: str = "") -> dict[str, UnitFindings]:
    """Per subject, the findings counting for the month's points (statistics.unit_months): those reported in the
    month (a range of the report-time index) and those closed in it (a range of the closing-time index); only the
    findings of the `area` ("" = all)."""
    start, end = _bounds([month])
    inside, values = _area(area)
    rows = db.execute(
        "SELECT f.subject_id, sum(f.severity IS 'major'), sum(f.severity IS NOT 'major'), 0 "
        f"FROM findings f INDEXED BY {STATISTICS_INDEX} WHERE f.reported_at >= ? AND f.reported_at < ? "
        f"AND {_ON_LEDGER} AND f.subject_id IS NOT NULL{inside} GROUP BY f.subject_id "
        "UNION ALL "
        f"SELECT f.subject_id, 0, 0, count(*) FROM findings f INDEXED BY idx_findings_closed_at "
        f"WHERE f.closed_at >= ? AND f.closed_at < ? AND {_ON_TIME} AND f.subject_id IS NOT NULL{inside} "
        "GROUP BY f.subject_id",
        [start, end, *values, start, end, *values],
    )
    found: dict[str, UnitFindings] = {}
    for subject, major, general, on_time in rows:
        counted = found.setdefault(subject, UnitFindings())
        counted.major += int(major or 0)
        counted.general += int(general or 0)
        counted.closed_on_time += int(on_time or 0)
    return found


def exposure_candidates(db: Database, month: str, now: datetime, area: str = "") -> list[FindingState]:
    """The findings of the `area` ("" = all) that core.month.exposure_reasons may preselect for the month, and
    others: on the ledger and reported before the month's end, and reported in it by a check of a level above, or
    under 督办, or 整改中 with a deadline day not after the day the month ends (or `now`, for a running month).
    The rule itself decides on these few; the rest of the ledger is not read."""
    start, end = _bounds([month])
    last_day = local_date(min(statistics.month_end(month), now)).isoformat()
    inside, values = _area(area)
    sources = ", ".join("?" for _ in EXPOSED_SOURCES)
    rows = db.execute(
        f"""SELECT f.projection FROM findings f WHERE f.id IN (
            SELECT id FROM findings INDEXED BY idx_findings_source
            WHERE source IN ({sources}) AND reported_at >= ? AND reported_at < ?
            UNION SELECT id FROM findings INDEXED BY idx_findings_escalation
            WHERE escalation IS NOT NULL AND reported_at < ?
            UNION SELECT id FROM findings INDEXED BY idx_findings_state_deadline
            WHERE state = 'assigned' AND deadline <= ? AND reported_at < ?
        ) AND {_ON_LEDGER}{inside} ORDER BY f.id""",
        [*sorted(source.value for source in EXPOSED_SOURCES), start, end, end, last_day, end, *values],
    )
    return [finding_from_json(jsonutil.loads(projection)) for (projection,) in rows]


def finding_count(db: Database) -> int:
    """How many findings the ledger holds."""
    return int(db.execute("SELECT count(*) FROM findings").fetchone()[0])


def at_levels(inspections: list[InspectionFacts], levels: frozenset[str]) -> list[InspectionFacts]:
    """The inspections of the levels a rule counts (as core.statistics' `levels` arguments)."""
    return [inspection for inspection in inspections if inspection.level in levels]


def ranking_inputs(
    month: str,
    subjects: list[SubjectFacts],
    inspections: list[InspectionFacts],
    due: dict[str, StreetDue],
    overdue: OverdueTally,
    names: dict[str, str],
) -> list[StreetMonth]:
    """The ranking inputs (statistics.street_months) from the SQL counts and the subjects' records."""
    street_of_subject = {subject.subject_id: subject.street for subject in subjects}
    subject_counts = Counter(street_of_subject.values())
    inspected = {
        inspection.subject_id
        for inspection in inspections
        if inspection.subject_id in street_of_subject and statistics.month_of(inspection.at) == month
    }
    inspected_counts = Counter(street_of_subject[subject_id] for subject_id in inspected)
    streets = set(subject_counts) | set(due) | set(overdue.by_street)
    return [
        StreetMonth(
            street=street,
            due=due[street].due if street in due else 0,
            due_closed_on_time=due[street].on_time if street in due else 0,
            overdue=overdue.by_street[street],
            subjects=subject_counts[street],
            subjects_inspected=inspected_counts[street],
            name=names.get(street, ""),
        )
        for street in sorted(streets)
    ]


def unit_inputs(
    month: str,
    subjects: list[SubjectFacts],
    inspections: list[InspectionFacts],
    findings: dict[str, UnitFindings],
    overdue: OverdueTally,
) -> list[UnitMonth]:
    """The points inputs of the street-front units (statistics.unit_months) from the SQL counts and the records."""
    no_findings = UnitFindings()
    inspected: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for inspection in inspections:
        if inspection.checklist_id == statistics.STREET_FRONT_CHECKLIST and statistics.month_of(inspection.at) == month:
            inspected[inspection.subject_id] += 1
            failed[inspection.subject_id] += inspection.failed_items
    units = sorted((s for s in subjects if s.kind == statistics.STREET_FRONT_KIND), key=lambda s: s.subject_id)
    return [
        UnitMonth(
            subject.subject_id,
            inspections=inspected[subject.subject_id],
            failed_items=failed[subject.subject_id],
            general_findings=findings.get(subject.subject_id, no_findings).general,
            major_findings=findings.get(subject.subject_id, no_findings).major,
            overdue=overdue.by_subject[subject.subject_id],
            closed_on_time=findings.get(subject.subject_id, no_findings).closed_on_time,
            name=subject.name,
            street=subject.street,
        )
        for subject in units
    ]
