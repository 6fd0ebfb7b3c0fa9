"""The stage clocks of the laptop's findings: the shipped time-limit table with the district's rows, the working
calendar from the chinesecalendar package and the district's years, and each open finding's clock at an instant."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import local_date, now_iso, to_iso
from inspector.core.ledger import OPEN_STATES, FindingState, State
from inspector.core.stage_clock import ENTERING_ACTIONS, LateCheck, StageClock, assess, deadline_clock
from inspector.core.time_limits import Limit, LimitTable, RowStatus, limit_from_json, parse_table, with_district_rows
from inspector.core.workcal import Coverage, WorkCalendar, YearDays, build_calendar, years_from_days
from inspector.paths import shipped_checklists_dir
from inspector.store import findings, jsonutil
from inspector.store.database import rows_in
from inspector.store.view_events import events_by_finding, view_events

TIME_LIMITS_FILE = Path("time-limits") / "time-limits.json"


@dataclass(frozen=True)
class ClockSetup:
    """What the clocks are judged with."""

    limits: LimitTable
    calendar: WorkCalendar

    def calendar_notice(self, first: date, last: date) -> tuple[str, str]:
        """Where the holidays of the years between two days come from, when not from the package (empty if all are)."""
        zh: list[str] = []
        en: list[str] = []
        for year in range(first.year, last.year + 1):
            coverage = self.calendar.coverage(year)
            if coverage is Coverage.DISTRICT:
                zh.append(f"{year}年节假日按区级设置的日历表计算")
                en.append(f"holidays of {year} come from the district's calendar table")
            elif coverage is Coverage.NONE:
                zh.append(f"{year}年无节假日数据，暂按周一至周五为工作日计算")
                en.append(f"no holiday data for {year}: Monday to Friday are counted as working days")
        return "；".join(zh), "; ".join(en)


@lru_cache(maxsize=4)
def shipped_table(path: Path | None = None) -> LimitTable:
    """The time-limit table shipped with the app (read once)."""
    source = path or shipped_checklists_dir() / TIME_LIMITS_FILE
    return parse_table(json.loads(source.read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def package_years() -> tuple[YearDays, ...]:
    """The years the chinesecalendar package knows, as plain records."""
    import chinese_calendar

    holidays: Mapping[date, str] = chinese_calendar.holidays
    workdays: Mapping[date, str] = chinese_calendar.workdays
    return tuple(years_from_days(holidays, workdays, Coverage.PACKAGE))


def district_years(db: Database) -> list[YearDays]:
    """The district's calendar years kept on this laptop."""
    found = []
    for row in db.query("SELECT year, days FROM district_calendar_years ORDER BY year"):
        days = jsonutil.loads(row["days"], {})
        holidays = {date.fromisoformat(day): name for day, name in (days.get("holidays") or {}).items()}
        workdays = {date.fromisoformat(day): name for day, name in (days.get("workdays") or {}).items()}
        found.extend(years_from_days(holidays, workdays, Coverage.DISTRICT, years=[int(row["year"])]))
    return found


def district_limits(db: Database) -> list[Limit]:
    """The district's time-limit rows kept on this laptop."""
    return [
        limit_from_json(jsonutil.loads(row["row"]), RowStatus.DISTRICT)
        for row in db.query("SELECT row FROM district_time_limits ORDER BY id")
    ]


_setup_cache: dict[tuple[Any, ...], ClockSetup] = {}


def load_setup(db: Database, table: LimitTable | None = None) -> ClockSetup:
    """The limits and calendar in force on this laptop (made again only when the district's rows change)."""
    shipped = table or shipped_table()
    rows = tuple(db.execute("SELECT id, row FROM district_time_limits ORDER BY id").fetchall())
    years = tuple(db.execute("SELECT year, days FROM district_calendar_years ORDER BY year").fetchall())
    key = (id(shipped), rows, years)
    found = _setup_cache.get(key)
    if found is None:
        limits = with_district_rows(shipped, district_limits(db))
        found = ClockSetup(limits, build_calendar(package_years(), district_years(db), limits.periods))
        _setup_cache.clear()
        _setup_cache[key] = found
    return found


def put_district_limit(db: Database, row: Mapping[str, Any]) -> None:
    """Keep (or replace) one district row as the feed brought it; a row marked deleted is removed."""
    if row.get("deleted"):
        db.execute("DELETE FROM district_time_limits WHERE id = ?", [str(row["id"])])
        return
    limit_from_json(row, RowStatus.DISTRICT)  # refuses a malformed row before it is kept
    db.execute(
        "INSERT INTO district_time_limits (id, row, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (id) DO UPDATE SET row = excluded.row, updated_at = excluded.updated_at",
        [str(row["id"]), jsonutil.dumps(dict(row)), now_iso()],
    )


def put_district_year(db: Database, year: int, holidays: Mapping[str, str], workdays: Mapping[str, str]) -> None:
    """Keep (or replace) one district calendar year."""
    for day in (*holidays, *workdays):
        if date.fromisoformat(day).year != year:
            raise ValueError(f"{day} does not lie in {year}")
    db.execute(
        "INSERT INTO district_calendar_years (year, days, updated_at) VALUES (?, ?, ?) "
        "ON CONFLICT (year) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at",
        [year, jsonutil.dumps({"holidays": dict(holidays), "workdays": dict(workdays)}), now_iso()],
    )


def clocks_for(
    db: Database,
    finding_ids: Sequence[str],
    now: datetime,
    setup: ClockSetup | None = None,
    views: Mapping[str, FindingState] | None = None,
) -> dict[str, StageClock]:
    """The open-stage clock of each of these findings that has one (from their local view events; one held without
    its events by its deadline, from `views` when the caller has them)."""
    if not finding_ids:
        return {}
    judged = setup or load_setup(db)
    clocks: dict[str, StageClock] = {}
    grouped = events_by_finding(db, finding_ids)
    for finding_id in finding_ids:
        events = view_events(grouped.get(finding_id, []))
        if events:
            clock = _assess(events, judged, now)
        elif views is not None and finding_id in views:
            clock = deadline_clock(views[finding_id], judged.calendar, now)
        else:
            clock = _projection_clock(db, finding_id, judged, now)
        if clock is not None:
            clocks[finding_id] = clock
    return clocks


def _projection_clock(db: Database, finding_id: str, setup: ClockSetup, now: datetime) -> StageClock | None:
    """A finding held without its events (a district's first sync brings projections): its deadline still counts."""
    local = findings.get_or_none(db, finding_id)
    return None if local is None else deadline_clock(local.view, setup.calendar, now)


def _assess(events: Sequence[Any], setup: ClockSetup, now: datetime) -> StageClock | None:
    if not events:
        return None
    try:
        return assess(events, setup.limits, setup.calendar, now)
    except ValueError:
        return None  # a history that does not fold (never stored by this app) has no clock


def open_clocks(db: Database, now: datetime, setup: ClockSetup | None = None) -> dict[str, StageClock]:
    """The clock of every open finding on this laptop."""
    states = sorted(state.value for state in OPEN_STATES)
    ids = [row["id"] for row in rows_in(db, "SELECT id FROM findings WHERE state IN ({})", states)]
    judged = setup or load_setup(db)
    clocks: dict[str, StageClock] = {}
    for start in range(0, len(ids), 500):
        clocks.update(clocks_for(db, ids[start : start + 500], now, judged))
    return clocks


_late_cache: dict[tuple[int, str, datetime, int, int], list[tuple[str, State]]] = {}


def late_ids(db: Database, now: datetime) -> list[str]:
    """The findings whose open stage is past its limit at `now` (the ledger's 只看逾期 filter): each open finding's
    state, explicit deadline and the time it entered its state, read in one query and judged with
    `stage_clock.is_late`. The answer is kept while the database is unchanged, so the count and every page of one
    query judge once."""
    return sorted(finding_id for finding_id, _state in _late(db, now))


def late_by_state(db: Database, now: datetime) -> Counter[State]:
    """How many findings are late at `now` in each open state (what `late_ids` finds, counted; a state stands for
    its stage, core.stage_clock.STATE_STAGES)."""
    return Counter(state for _finding_id, state in _late(db, now))


def _late(db: Database, now: datetime) -> list[tuple[str, State]]:
    version = int(db.execute("PRAGMA data_version").fetchone()[0])
    path = str(db.execute("PRAGMA database_list").fetchone()[2])
    key = (id(db.conn), path, now, version, db.conn.total_changes)
    found = _late_cache.get(key)
    if found is None:
        found = _late_now(db, now)
        _late_cache.clear()
        _late_cache[key] = found
    return found


def _late_now(db: Database, now: datetime) -> list[tuple[str, State]]:
    setup = load_setup(db)
    # the unit's deadline rules 处置 wherever the assign gave one: past when its Beijing day has ended
    late = [
        (str(row[0]), State.ASSIGNED)
        for row in db.execute(
            "SELECT id FROM findings WHERE state = 'assigned' AND deadline IS NOT NULL AND deadline < ?",
            [local_date(now).isoformat()],
        )
    ]
    # every other open stage: from when the case entered its state (its latest entering event), by the table (a
    # case awaiting its check keeps the deadline it was given, which no longer rules). Late exactly when it entered
    # its state at or before the latest such instant of its category and kind (LateCheck.latest_late_start), so each
    # case costs one comparison of stored instants; the state, deadline, category and kind come from the covering
    # index of schema step 0017_statistics
    check = LateCheck(setup.limits, setup.calendar, now)
    for state, actions in ENTERING_ACTIONS.items():
        marks = ", ".join("?" for _ in actions)
        no_deadline = " AND f.deadline IS NULL" if state is State.ASSIGNED else ""
        rows = db.execute(
            "SELECT f.id, f.category, f.kind, (SELECT max(e.at) FROM finding_events e WHERE e.finding_id = f.id "
            f"AND e.action IN ({marks}) AND e.sync_state IN ('acknowledged', 'pending')) "
            f"FROM findings f WHERE f.state = ?{no_deadline}",
            [*(action.value for action in actions), state.value],
        )
        cutoffs: dict[tuple[str, str | None], str | None] = {}
        for finding_id, category, kind, since in rows:
            if (category, kind) not in cutoffs:
                latest = check.latest_late_start(state, category, kind)
                cutoffs[(category, kind)] = None if latest is None else to_iso(latest)
            cutoff = cutoffs[(category, kind)]
            if since and cutoff is not None and since <= cutoff:  # stored instants compare as text
                late.append((str(finding_id), state))
    return late


def notice_for(db: Database, now: datetime, clocks: Iterable[StageClock] = ()) -> tuple[str, str]:
    """The calendar notice for this year and the years the given clocks reach into."""
    setup = load_setup(db)
    days = [local_date(now), *(local_date(clock.due_at) for clock in clocks)]
    return setup.calendar_notice(min(days), max(days))
