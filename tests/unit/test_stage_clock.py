"""The time-limit table as shipped, and the stage clock on event sequences: which stage is late and by how much."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import chinese_calendar
import pytest

from inspector.core.clock import SHANGHAI
from inspector.core.ledger import Action, Event, State
from inspector.core.stage_clock import assess, late_by_stage
from inspector.core.time_limits import (
    SCHEMA,
    Limit,
    LimitTable,
    RowStatus,
    Stage,
    TimeLimitTableError,
    Unit,
    parse_table,
    with_district_rows,
)
from inspector.core.workcal import Coverage, build_calendar, years_from_days

ROOT = Path(__file__).resolve().parents[2]
TABLE_FILE = ROOT / "checklists" / "time-limits" / "time-limits.json"
SCHEMA_FILE = ROOT / "checklists" / "schema" / "inspector-time-limits-1.schema.json"
CALENDAR = build_calendar(years_from_days(chinese_calendar.holidays, chinese_calendar.workdays, Coverage.PACKAGE))
PHOTO = "a" * 64
GRID = "110105001001001"


def bj(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(scope="module")
def table() -> LimitTable:
    return parse_table(json.loads(TABLE_FILE.read_text(encoding="utf-8")))


def test_the_shipped_schema_file_is_the_schema() -> None:
    assert json.loads(SCHEMA_FILE.read_text(encoding="utf-8")) == SCHEMA


def test_the_shipped_table_cites_its_sources_and_marks_the_rest_as_defaults(table: LimitTable) -> None:
    sourced = [row for row in table.rows if row.status is RowStatus.SOURCED]
    assert {row.source for row in sourced} == {
        "https://renrendoc.com/paper/191493937.html",
        "https://ishare.iask.com/f/2gaIATvprR5.html",
    }
    assert all(row.quote for row in sourced)
    defaults = [row for row in table.rows if row.status is RowStatus.DEFAULT]
    expected = {(kind, stage) for kind in ("problem", "hazard") for stage in Stage}
    assert {(row.kind, row.stage) for row in defaults} == expected
    exposed = table.limit_for("problem", "暴露垃圾", Stage.DISPOSE)
    assert exposed is not None and (exposed.amount, exposed.unit) == (4, Unit.WORKING_HOURS)
    assert table.limit_for("problem", "垃圾堆物", Stage.DISPOSE) == exposed  # the app's own word for it
    shed = table.limit_for("problem", "私搭乱建", Stage.DISPOSE)
    assert shed is not None and (shed.amount, shed.unit, shed.status) == (20, Unit.WORKING_DAYS, RowStatus.SOURCED)
    fallback = table.limit_for("hazard", "燃气安全", Stage.DISPOSE)
    assert fallback is not None and fallback.row_id == "default-hazard-dispose"


def test_a_table_with_two_applied_rows_for_one_stage_or_a_bad_row_is_refused(table: LimitTable) -> None:
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    data["rows"].append({**data["rows"][0], "id": "another"})
    with pytest.raises(TimeLimitTableError, match="both apply"):
        parse_table(data)
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    data["rows"][0]["unit"] = "fortnights"
    with pytest.raises(TimeLimitTableError, match="rows/0/unit"):
        parse_table(data)
    data = json.loads(TABLE_FILE.read_text(encoding="utf-8"))
    del data["rows"][0]["source"]
    with pytest.raises(TimeLimitTableError, match="source"):
        parse_table(data)


def test_a_district_row_wins(table: LimitTable) -> None:
    row = Limit("d-1", "problem", "暴露垃圾", Stage.DISPOSE, 2, Unit.WORKING_HOURS, RowStatus.DISTRICT)
    merged = with_district_rows(table, [row])
    assert merged.limit_for("problem", "暴露垃圾", Stage.DISPOSE) == row
    switched_off = with_district_rows(
        table,
        [Limit("d-2", "problem", "暴露垃圾", Stage.DISPOSE, 1, Unit.WORKING_HOURS, RowStatus.DISTRICT, applied=False)],
    )
    found = switched_off.limit_for("problem", "暴露垃圾", Stage.DISPOSE)
    assert found is not None and found.row_id == "default-problem-dispose"


# ------------------------------------------------------------------------------------------------------------------
# Event sequences
# ------------------------------------------------------------------------------------------------------------------


def _event(n: int, action: Action, at: datetime, base: State | None, **payload: Any) -> Event:
    return Event(f"e{n}", "f1", action, "u1", at.astimezone(UTC), payload, base)


def report(at: datetime, category: str = "暴露垃圾") -> Event:
    return _event(
        0,
        Action.REPORT,
        at,
        None,
        description="路边暴露垃圾",
        category=category,
        severity="general",
        jurisdiction=GRID,
        location={"address": "三里屯路"},
        photos=[PHOTO],
    )


def accept(at: datetime) -> Event:
    return _event(1, Action.ACCEPT, at, State.REPORTED, severity="general")


def assign(at: datetime, deadline: date, n: int = 2) -> Event:
    return _event(
        n,
        Action.ASSIGN,
        at,
        State.REGISTERED,
        responsible_unit="环卫所",
        responsible_person="张三",
        measures="清运",
        deadline=deadline.isoformat(),
    )


def rectify(at: datetime, n: int = 3) -> Event:
    return _event(n, Action.RECTIFY, at, State.ASSIGNED, description="已清运", after_photos=[PHOTO])


def test_acceptance_and_registration_share_reported_and_their_limits_add_up(table: LimitTable) -> None:
    events = [report(bj(2026, 3, 2, 10, 0))]  # Monday; 受理 1 h + 立案 1 h (problem defaults)
    on_time = assess(events, table, CALENDAR, bj(2026, 3, 2, 11, 59), kind="problem")
    assert on_time is not None and not on_time.late
    assert on_time.stages == (Stage.ACCEPT, Stage.REGISTER) and on_time.due_at == bj(2026, 3, 2, 12, 0)
    late = assess(events, table, CALENDAR, bj(2026, 3, 2, 15, 0), kind="problem")
    assert late is not None and late.late and late.late_seconds == 1.5 * 3600
    assert late.late_text() == ("受理/立案逾期1.5个工作时", "acceptance/registration 1.5 working hours late")


def test_dispatch_is_timed_from_the_accept(table: LimitTable) -> None:
    events = [report(bj(2026, 2, 13, 9, 0)), accept(bj(2026, 2, 13, 16, 30))]  # Friday before the Spring Festival
    clock = assess(events, table, CALENDAR, bj(2026, 2, 24, 10, 0), kind="problem")
    assert clock is not None and clock.stage is Stage.DISPATCH and clock.started_at == bj(2026, 2, 13, 16, 30)
    # 派遣 2 h: 1 h on Friday, 1 h on the worked Saturday
    assert clock.due_at == bj(2026, 2, 14, 10, 0)
    assert clock.late and clock.late_seconds == (2 + 4 + 1) * 3600  # Saturday 10–17:30 less lunch, Tuesday 9–10
    hazard = assess(events, table, CALENDAR, bj(2026, 2, 24, 10, 0), kind="hazard")  # 2 working days = 14 h
    assert hazard is not None and not hazard.late and hazard.due_at == bj(2026, 2, 24, 16, 30)  # 1 + 7 + 6


def test_an_explicit_deadline_rules_disposal(table: LimitTable) -> None:
    events = [
        report(bj(2026, 3, 2, 9, 0)),
        accept(bj(2026, 3, 2, 9, 30)),
        assign(bj(2026, 3, 2, 10, 0), date(2026, 3, 10)),
    ]
    before = assess(events, table, CALENDAR, bj(2026, 3, 10, 23, 0), kind="problem")
    assert before is not None and before.stage is Stage.DISPOSE and not before.late
    assert before.deadline == date(2026, 3, 10) and before.limits == ()
    after = assess(events, table, CALENDAR, bj(2026, 3, 12, 10, 0), kind="problem")  # Thursday 10:00
    assert after is not None and after.late and after.late_seconds == 8 * 3600  # Wednesday 7 h + 1 h
    assert after.late_text()[0] == "处置逾期1个工作日1个工作时"


def test_verification_waits_on_the_supervisor_and_is_timed_too(table: LimitTable) -> None:
    events = [
        report(bj(2026, 3, 2, 9, 0)),
        accept(bj(2026, 3, 2, 9, 30)),
        assign(bj(2026, 3, 2, 10, 0), date(2026, 3, 10)),
        rectify(bj(2026, 3, 3, 15, 0)),
    ]
    clock = assess(events, table, CALENDAR, bj(2026, 3, 5, 9, 0), kind="problem")  # 核查 1 working day
    assert clock is not None and clock.stage is Stage.VERIFY and clock.due_at == bj(2026, 3, 4, 15, 0)
    assert clock.late and clock.late_seconds == 2.5 * 3600


def test_closed_and_rejected_cases_have_no_clock_and_a_verify_fail_restarts_disposal(table: LimitTable) -> None:
    events = [
        report(bj(2026, 3, 2, 9, 0)),
        accept(bj(2026, 3, 2, 9, 30)),
        assign(bj(2026, 3, 2, 10, 0), date(2026, 3, 10)),
        rectify(bj(2026, 3, 3, 15, 0)),
    ]
    closed = [*events, _event(4, Action.VERIFY_PASS, bj(2026, 3, 4, 9, 0), State.RECTIFIED, opinion="到位")]
    assert assess(closed, table, CALENDAR, bj(2027, 1, 1, 9, 0)) is None
    refused = _event(1, Action.REJECT, bj(2026, 3, 2, 9, 5), State.REPORTED, reason="非职责")
    rejected = [report(bj(2026, 3, 2, 9, 0)), refused]
    assert assess(rejected, table, CALENDAR, bj(2027, 1, 1, 9, 0)) is None
    assert assess([], table, CALENDAR, bj(2027, 1, 1, 9, 0)) is None
    failed = [*events, _event(4, Action.VERIFY_FAIL, bj(2026, 3, 4, 9, 0), State.RECTIFIED, reason="未清完")]
    clock = assess(failed, table, CALENDAR, bj(2026, 3, 11, 9, 0))
    assert clock is not None and clock.stage is Stage.DISPOSE and clock.started_at == bj(2026, 3, 4, 9, 0)
    assert clock.late and clock.deadline == date(2026, 3, 10)


def test_late_cases_are_counted_by_stage(table: LimitTable) -> None:
    now = bj(2026, 3, 20, 9, 0)
    waiting = [report(bj(2026, 3, 2, 9, 0))]
    dispatched = [report(bj(2026, 3, 2, 9, 0)), accept(bj(2026, 3, 2, 9, 30))]
    fresh = [report(bj(2026, 3, 20, 8, 0))]
    clocks = [assess(events, table, CALENDAR, now, kind="problem") for events in (waiting, dispatched, fresh, waiting)]
    assert late_by_stage(clocks) == {Stage.ACCEPT: 2, Stage.DISPATCH: 1}


def test_the_entering_actions_are_the_ledger_tables_targets() -> None:
    from inspector.core.ledger import _RULES
    from inspector.core.stage_clock import ENTERING_ACTIONS, STATE_STAGES

    for state in STATE_STAGES:
        into = {action for action, rule in _RULES.items() if rule.target is state}
        assert set(ENTERING_ACTIONS[state]) == into, state


def test_the_quick_check_agrees_with_the_clock(table: LimitTable) -> None:
    from inspector.core.ledger import project
    from inspector.core.stage_clock import ENTERING_ACTIONS, LateCheck, deadline_clock

    histories = [
        [report(bj(2026, 2, 13, 9, 0))],
        [report(bj(2026, 2, 13, 9, 0)), accept(bj(2026, 2, 13, 16, 30))],
        [report(bj(2026, 3, 2, 9, 0)), accept(bj(2026, 3, 2, 9, 30)), assign(bj(2026, 3, 2, 10, 0), date(2026, 3, 10))],
        [
            report(bj(2026, 3, 2, 9, 0)),
            accept(bj(2026, 3, 2, 9, 30)),
            assign(bj(2026, 3, 2, 10, 0), date(2026, 3, 10)),
            rectify(bj(2026, 3, 3, 15, 0)),
        ],
        [report(bj(2026, 3, 2, 9, 0), category="私搭乱建")],
    ]
    instants = [bj(2026, 2, 13, 10, 59), bj(2026, 2, 13, 11, 0), bj(2026, 2, 14, 10, 0), bj(2026, 2, 20, 12, 0),
                bj(2026, 2, 24, 16, 30), bj(2026, 3, 2, 11, 0), bj(2026, 3, 4, 15, 0), bj(2026, 3, 10, 23, 59),
                bj(2026, 3, 11, 0, 0), bj(2026, 6, 1, 12, 45)]  # fmt: skip
    for now in instants:
        check = LateCheck(table, CALENDAR, now)
        for events in histories:
            if now < events[-1].at:
                continue
            clock = assess(events, table, CALENDAR, now)
            state_events = [
                e for e in events if e.action in ENTERING_ACTIONS.get(clock.state if clock else State.CLOSED, ())
            ]
            since = max(e.at for e in state_events) if state_events else None
            last = events[-1]
            deadline = date.fromisoformat(str(last.payload["deadline"])) if last.action is Action.ASSIGN else None
            state = clock.state if clock else State.CLOSED
            kind = project(events).kind.value  # the quick check is told the case's kind, as the ledger filter does
            assert check(state, since, deadline, str(events[0].payload["category"]), kind) == bool(
                clock and clock.late
            ), (
                now,
                [e.action for e in events],
            )
            assert CALENDAR.ordinal(now) - CALENDAR.ordinal(events[0].at) == CALENDAR.working_seconds_between(
                events[0].at, now
            )
    projected = assess(histories[2], table, CALENDAR, bj(2026, 3, 12, 10, 0))
    assert projected is not None

    only_view = deadline_clock(project(histories[2]), CALENDAR, bj(2026, 3, 12, 10, 0))
    assert only_view is not None and (only_view.late, only_view.late_seconds) == (
        projected.late,
        projected.late_seconds,
    )
