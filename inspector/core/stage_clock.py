"""A clock on every open stage: from a case's events, which stage it is in, when that stage falls due, and how late.

The grid loop's stages map onto the ledger's states (docs/time-limits.md):

| stage | the time a case spends | ends with |
|---|---|---|
| 受理 + 立案/挂账 | in `reported` (one step accepts and registers, so the two limits add up) | accept / reject |
| 派遣 | in `registered` | assign |
| 处置 | in `assigned` (the assign's explicit deadline, where given, rules: 24:00 Beijing of that day) | rectify |
| 核查 | in `rectified` | verify_pass / verify_fail |

A stage starts when the case last entered its state (a verify_fail or reopen starts 处置 again). Closed and
rejected cases have no clock. Pure: the events, the limit table, the working calendar and `now` come in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from inspector.core.clock import end_of_local_day
from inspector.core.ledger import Action, Event, FindingState, State, apply
from inspector.core.time_limits import STAGE_LABELS, STAGE_LABELS_EN, Limit, LimitTable, Stage, Unit
from inspector.core.workcal import WorkCalendar, working_duration_text

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MILLISECOND = timedelta(milliseconds=1)
STATE_STAGES: dict[State, tuple[Stage, ...]] = {
    State.REPORTED: (Stage.ACCEPT, Stage.REGISTER),
    State.REGISTERED: (Stage.DISPATCH,),
    State.ASSIGNED: (Stage.DISPOSE,),
    State.RECTIFIED: (Stage.VERIFY,),
}

# The actions that bring a case into each timed state (the targets of core/ledger.py's table; a test keeps them equal):
# the latest of them is when the state's stage started.
ENTERING_ACTIONS: dict[State, tuple[Action, ...]] = {
    State.REPORTED: (Action.REPORT,),
    State.REGISTERED: (Action.ACCEPT,),
    State.ASSIGNED: (Action.ASSIGN, Action.VERIFY_FAIL, Action.REOPEN),
    State.RECTIFIED: (Action.RECTIFY, Action.REPORT_FIXED_ON_SITE),
}


@dataclass(frozen=True)
class StageClock:
    """The open stage of a case and its clock at `now`."""

    finding_id: str
    state: State
    stages: tuple[Stage, ...]  # the stage(s) the state stands for; 受理 and 立案/挂账 share `reported`
    started_at: datetime
    due_at: datetime
    limits: tuple[Limit, ...]  # the rows that set due_at; empty when an explicit deadline rules
    deadline: date | None  # the explicit deadline that rules, if any
    late: bool
    late_seconds: float  # working seconds past due_at (0 when not late)
    day_seconds: int  # one working day, to word the lateness

    @property
    def stage(self) -> Stage:
        """The stage the clock is counted under: the first of the state's stages (受理, which takes in 立案/挂账, for
        `reported`)."""
        return self.stages[0]

    def stage_text(self) -> tuple[str, str]:
        """The stage for people, e.g. ("受理/立案", "acceptance/registration")."""
        zh = "/".join(STAGE_LABELS[stage].split("/")[0] for stage in self.stages)
        en = "/".join(STAGE_LABELS_EN[stage] for stage in self.stages)
        return zh, en

    def late_text(self) -> tuple[str, str]:
        """How late, e.g. ("处置逾期2个工作日", "disposal 2 working days late"); empty when on time."""
        if not self.late:
            return "", ""
        zh_stage, en_stage = self.stage_text()
        zh, en = working_duration_text(self.late_seconds, self.day_seconds)
        return f"{zh_stage}逾期{zh}", f"{en_stage} {en} late"


def _stage_start(events: Sequence[Event]) -> tuple[FindingState, datetime] | None:
    """The case after its events and when it entered its current state."""
    finding: FindingState | None = None
    since: datetime | None = None
    for event in events:
        before = finding.state if finding else None
        finding = apply(finding, event)
        if finding.state != before:
            since = event.at
    if finding is None or since is None:
        return None
    return finding, since


def assess(
    events: Sequence[Event],
    limits: LimitTable,
    calendar: WorkCalendar,
    now: datetime,
    *,
    category: str | None = None,
    kind: str | None = None,
) -> StageClock | None:
    """The clock of a case's open stage at `now`, or None (closed, rejected, no events, or no limit for its stage).

    `category` defaults to the case's own; `kind` (problem / hazard) to the case's own where the projection carries
    one, else the table is asked for any kind."""
    start = _stage_start(events)
    if start is None:
        return None
    finding, since = start
    stages = STATE_STAGES.get(finding.state)
    if stages is None:
        return None
    case_kind = kind or getattr(finding, "kind", None)
    case_category = category or finding.category
    if finding.state is State.ASSIGNED and finding.deadline is not None:
        due = end_of_local_day(finding.deadline)
        rows: tuple[Limit, ...] = ()
        deadline: date | None = finding.deadline
    else:
        found = _rows_for(limits, case_kind, case_category, stages)
        if found is None:
            return None
        rows = found
        due = calendar.add_working_seconds(since, _seconds(rows, calendar))
        deadline = None
    late = now >= due
    return StageClock(
        finding_id=finding.finding_id,
        state=finding.state,
        stages=stages,
        started_at=since,
        due_at=due,
        limits=rows,
        deadline=deadline,
        late=late,
        late_seconds=max(0.0, calendar.ordinal(now) - calendar.ordinal(due)) if late else 0.0,
        day_seconds=calendar.day_seconds,
    )


def deadline_clock(finding: FindingState, calendar: WorkCalendar, now: datetime) -> StageClock | None:
    """The 处置 clock of a case known only by its projection (no events here yet): its explicit deadline, if any."""
    if finding.state is not State.ASSIGNED or finding.deadline is None:
        return None
    due = end_of_local_day(finding.deadline)
    late = now >= due
    return StageClock(
        finding_id=finding.finding_id,
        state=finding.state,
        stages=STATE_STAGES[State.ASSIGNED],
        started_at=finding.reported_at,  # unknown without the events; the deadline alone judges
        due_at=due,
        limits=(),
        deadline=finding.deadline,
        late=late,
        late_seconds=max(0.0, calendar.ordinal(now) - calendar.ordinal(due)) if late else 0.0,
        day_seconds=calendar.day_seconds,
    )


def is_late(
    state: State,
    since: datetime | None,
    deadline: date | None,
    limits: LimitTable,
    calendar: WorkCalendar,
    now: datetime,
    *,
    category: str,
    kind: str | None = None,
) -> bool:
    """What `assess(...).late` says, from the few facts a query gives (the state, when it was entered, the explicit
    deadline)."""
    return LateCheck(limits, calendar, now)(state, since, deadline, category, kind)


class LateCheck:
    """`is_late` for many cases at one instant: the instant's working-time ordinal and each category's limit are
    worked out once, so a case costs one ordinal lookup (`WorkCalendar.ordinal`)."""

    def __init__(self, limits: LimitTable, calendar: WorkCalendar, now: datetime) -> None:
        self.limits, self.calendar, self.now = limits, calendar, now
        self.now_ordinal = calendar.ordinal(now)
        self._seconds: dict[tuple[State, str | None, str], float | None] = {}

    def __call__(
        self, state: State, since: datetime | None, deadline: date | None, category: str, kind: str | None = None
    ) -> bool:
        stages = STATE_STAGES.get(state)
        if stages is None:
            return False
        if state is State.ASSIGNED and deadline is not None:
            return self.now >= end_of_local_day(deadline)
        if since is None:
            return False
        key = (state, kind, category)
        if key not in self._seconds:
            rows = _rows_for(self.limits, kind, category, stages)
            self._seconds[key] = None if rows is None else _seconds(rows, self.calendar)
        seconds = self._seconds[key]
        return seconds is not None and self.now_ordinal - self.calendar.ordinal(since) >= seconds

    def latest_late_start(self, state: State, category: str, kind: str | None = None) -> datetime | None:
        """The latest instant (to the millisecond) a stage of this state, category and kind may have started and be
        late now: a case is late exactly when it entered its state at or before it (the working-time ordinal never
        decreases, so the instants that are late form one range). None when no limit applies or nothing is late."""
        if STATE_STAGES.get(state) is None:
            return None
        key = (state, kind, category)
        if key not in self._seconds:
            rows = _rows_for(self.limits, kind, category, STATE_STAGES[state])
            self._seconds[key] = None if rows is None else _seconds(rows, self.calendar)
        seconds = self._seconds[key]
        if seconds is None:
            return None
        late_from = self.now_ordinal - seconds
        low, high = _EPOCH, self.now.astimezone(UTC)  # low is late, high is not (searched in milliseconds)
        if self.calendar.ordinal(low) > late_from:
            return None
        if self.calendar.ordinal(high) <= late_from:
            return high
        while high - low > _MILLISECOND:
            middle = low + (high - low) / 2
            middle -= timedelta(microseconds=middle.microsecond % 1000)
            if middle <= low:
                middle = low + _MILLISECOND
            if self.calendar.ordinal(middle) <= late_from:
                low = middle
            else:
                high = middle
        return low


def _rows_for(
    limits: LimitTable, kind: str | None, category: str, stages: tuple[Stage, ...]
) -> tuple[Limit, ...] | None:
    found = [limits.limit_for(kind, category, stage) for stage in stages]
    rows = tuple(row for row in found if row is not None)
    return rows if len(rows) == len(stages) else None


def _seconds(rows: Iterable[Limit], calendar: WorkCalendar) -> float:
    return sum(row.amount * (3600 if row.unit is Unit.WORKING_HOURS else calendar.day_seconds) for row in rows)


def late_by_stage(clocks: Iterable[StageClock | None]) -> Counter[Stage]:
    """How many cases are late, by stage (a late `reported` case counts under 受理, which takes in 立案/挂账)."""
    return Counter(clock.stage for clock in clocks if clock is not None and clock.late)
