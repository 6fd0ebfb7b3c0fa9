"""The statistics page's SQL figures equal core.statistics' pure functions over the same local data: reopened,
extended and rejected cases, hazards and problems, a dateless approval, events arriving out of time order, findings
known only by their projection and months with nothing in them."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from inspector.core import statistics
from inspector.core.ledger import Event, State, project
from inspector.core.stage_clock import LateCheck
from inspector.store import findings, jurisdictions, ledger_queries, stage_clocks, statistics_facts, subjects
from inspector.store.database import DataFolder, open_data_folder, transaction
from inspector.store.findings import event_to_json
from inspector.store.seed_ledger import seed_histories, seed_large_ledger
from inspector.store.statistics_queries import OverdueTally, overdue_at_month_ends, refresh_spans
from inspector.ui.statistics.data import StatisticsData, load_statistics

NOW = datetime(2026, 12, 6, 4, 0, tzinfo=UTC)
MONTHS = ["2026-06", "2026-07", "2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]  # June and July stay empty
STREETS = ("110105004", "110105005")
_ids = count(1)
_seq = count(1)


def at(day: str, hour: int = 2) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def report(street: str = STREETS[0], hazard: bool = False, major: bool = False, subject: str | None = None,
           category: str = "乱堆乱放") -> dict[str, Any]:  # fmt: skip
    body: dict[str, Any] = {"description": "店外堆物", "category": category, "kind": "hazard" if hazard else "problem",
                            "source": "patrol", "jurisdiction": f"{street}032000",
                            "location": {"address": "三里屯路 19 号"}}  # fmt: skip
    if hazard:
        body["severity"] = "major" if major else "general"
    if subject:
        body["subject_id"] = subject
    return body


ASSIGN = {"responsible_unit": "某餐厅", "responsible_person": "赵", "measures": "清理"}


def history(steps: list[tuple[str, datetime, dict[str, Any]]], hazard: bool = False) -> list[Event]:
    finding_id = f"f-{next(_ids):04d}"
    events = []
    for number, (action, moment, payload) in enumerate(steps):
        if action == "accept" and hazard:
            payload = {"severity": "general", **payload}
        events.append(Event(f"{finding_id}-e{number}", finding_id, action, "sup-1", moment, payload, None))  # type: ignore[arg-type]
    project(events)  # a legal history
    return events


def cases(unit: str) -> list[list[Event]]:
    """Histories of every tricky kind."""
    one = report(subject=unit)
    return [
        # reopened: closed in September, reopened with an October deadline, still 整改中
        history([("report", at("2026-08-20"), one), ("accept", at("2026-08-21"), {}),
                 ("assign", at("2026-08-22"), {**ASSIGN, "deadline": "2026-09-10"}),
                 ("rectify", at("2026-09-05"), {"description": "已清理"}),
                 ("verify_pass", at("2026-09-06"), {"opinion": "好"}),
                 ("reopen", at("2026-10-02"), {"reason": "复发", "deadline": "2026-10-15"})]),
        # extended before its first deadline passed: not overdue at September's end, overdue at October's
        history([("report", at("2026-09-01"), report(hazard=True, major=True, subject=unit)),
                 ("accept", at("2026-09-01", 5), {"severity": "major"}),
                 ("assign", at("2026-09-02"), {**ASSIGN, "deadline": "2026-09-20"}),
                 ("extend", at("2026-09-15"), {"deadline": "2026-10-20", "reason": "施工"})]),
        # extended after it was already overdue at August's end; closed late in October
        history([("report", at("2026-08-01"), report(STREETS[1])), ("accept", at("2026-08-01", 3), {}),
                 ("assign", at("2026-08-02"), {**ASSIGN, "deadline": "2026-08-10"}),
                 ("extend", at("2026-09-03"), {"deadline": "2026-09-30", "reason": "材料"}),
                 ("rectify", at("2026-10-04"), {"description": "好了"}),
                 ("verify_pass", at("2026-10-05"), {"opinion": "通过"})]),
        # asked for and approved without a date (takes the date asked for)
        history([("report", at("2026-10-01"), report(hazard=True, subject=unit)), ("accept", at("2026-10-01", 4), {}),
                 ("assign", at("2026-10-02"), {**ASSIGN, "deadline": "2026-10-12"}),
                 ("request_extension", at("2026-10-10"), {"deadline": "2026-11-30", "reason": "雨"}),
                 ("approve_extension", at("2026-10-11"), {})], hazard=True),
        # sent back with a new deadline, then without one
        history([("report", at("2026-09-10"), report(STREETS[1], category="乱停车")),
                 ("accept", at("2026-09-10", 4), {}),
                 ("assign", at("2026-09-11"), {**ASSIGN, "deadline": "2026-09-25"}),
                 ("rectify", at("2026-09-24"), {"description": "a"}),
                 ("verify_fail", at("2026-09-26"), {"reason": "不行", "deadline": "2026-10-05"}),
                 ("rectify", at("2026-10-30"), {"description": "b"}),
                 ("verify_fail", at("2026-11-02"), {"reason": "还不行"})]),
        # an escalation recorded later in time but confirmed first: the replay stops at it
        history([("report", at("2026-08-03"), report()), ("accept", at("2026-08-03", 4), {}),
                 ("assign", at("2026-08-04"), {**ASSIGN, "deadline": "2026-08-20"}),
                 ("escalate", at("2026-11-03"), {"level": "street", "unit": "街道办", "deadline": "2026-11-30"}),
                 ("extend", at("2026-08-10"), {"deadline": "2026-12-31", "reason": "晚到"})]),
        # rejected; reported and waiting; fixed on the spot (closed, no deadline); closed on time
        history([("report", at("2026-10-07"), report(subject=unit)), ("reject", at("2026-10-08"), {"reason": "重复"})]),
        history([("report", at("2026-11-20"), report(hazard=True))]),
        history([("report_fixed_on_site", at("2026-11-21"), {**report(subject=unit, category="乱停车"),
                                                              "after_photos": [], "rectification": "当场"}),
                 ("verify_pass", at("2026-11-22"), {"opinion": "好"})]),
        history([("report", at("2026-11-01"), report(subject=unit)), ("accept", at("2026-11-01", 5), {}),
                 ("assign", at("2026-11-02"), {**ASSIGN, "deadline": "2026-11-09"}),
                 ("rectify", at("2026-11-08"), {"description": "好"}),
                 ("verify_pass", at("2026-11-09", 15), {"opinion": "好"})]),  # 23:00 Beijing of its deadline day
        # overdue now (this month) and due later this month
        history([("report", at("2026-11-25"), report(STREETS[1], subject=unit)), ("accept", at("2026-11-25", 4), {}),
                 ("assign", at("2026-11-26"), {**ASSIGN, "deadline": "2026-12-03"})]),
        history([("report", at("2026-12-01"), report()), ("accept", at("2026-12-01", 4), {}),
                 ("assign", at("2026-12-02"), {**ASSIGN, "deadline": "2026-12-20"})]),
        # awaiting its check since October, its deadline kept: late in 核查, not overdue
        history([("report", at("2026-09-20"), report(STREETS[1])), ("accept", at("2026-09-20", 4), {}),
                 ("assign", at("2026-09-21"), {**ASSIGN, "deadline": "2026-10-01"}),
                 ("rectify", at("2026-10-20"), {"description": "好"})]),
    ]  # fmt: skip


def store_history(db: Database, events: list[Event]) -> None:
    for index, event in enumerate(events, start=1):
        findings.on_pulled_event(db, {**event_to_json(event), "index": index}, next(_seq))


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> DataFolder:
    folder = open_data_folder(tmp_path_factory.mktemp("statistics") / "data")
    db = folder.connect()
    try:
        with transaction(db):
            jurisdictions.save(db, "110105000000000", "朝阳区")
            jurisdictions.save(db, "110105004000000", "三里屯街道")
            jurisdictions.save(db, "110105005000000", "团结湖街道")
            unit = subjects.create(db, kind="street_front_unit", name="炸酱面馆", jurisdiction="110105004032000").id
            subjects.create(db, kind="street_front_unit", name="花店", jurisdiction="110105006001000")
            for events in cases(unit):
                store_history(db, events)
        # findings known only by their projection (a district's first sync): no history to replay
        views = [project(events) for events in cases(unit)[:3]]
        findings.on_pulled_many(db, [replace(view, finding_id=f"p-{n}") for n, view in enumerate(views)])
    finally:
        db.close()
    return folder


def reference(folder: DataFolder, months: list[str], month: str) -> StatisticsData:
    """The figures as the pure functions compute them from the views and replayed histories."""
    db = folder.connect()
    try:
        views = list(ledger_queries.iter_views(db))
        histories = list(ledger_queries.iter_histories(db))
        subject_list = statistics_facts.subject_facts(db)
        inspections = statistics_facts.inspection_facts(db)
        names = jurisdictions.street_names(db)
    finally:
        db.close()
    current = statistics.month_of(NOW)
    ends = statistics.overdue_at_month_ends(histories, sorted({*months, month}))
    overdue = {key: [f for f in views if statistics.is_overdue(f, NOW)] if key == current else ends[key]
               for key in sorted({*months, month})}  # fmt: skip
    units = statistics.unit_months(month, subject_list, inspections, views, overdue[month])
    streets = statistics.street_months(month, views, overdue[month], subject_list, inspections, names)
    return StatisticsData(
        months=months, month=month, by_month=statistics.findings_by_month(views, months),
        closure=statistics.closure_summary(views), closure_by_month=statistics.closure_by_month(views, months),
        overdue_now=statistics.overdue_count(views, NOW), overdue_trend={key: len(overdue[key]) for key in months},
        ranking=statistics.rank_streets(streets), red_black=statistics.red_black_list(units), findings=len(views),
    )  # fmt: skip


def same(left: Any, right: Any) -> bool:
    """Equal, floats to the last few bits (a mean of durations summed in another order)."""
    if isinstance(left, float) and isinstance(right, float):
        return math.isclose(left, right, rel_tol=1e-12)
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[key], right[key]) for key in left)
    if isinstance(left, list | tuple) and isinstance(right, list | tuple):
        return len(left) == len(right) and all(same(a, b) for a, b in zip(left, right, strict=True))
    return bool(left == right)


@pytest.mark.parametrize("month", ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"])
def test_every_figure_equals_the_pure_functions(seeded: DataFolder, month: str) -> None:
    found = load_statistics(seeded, MONTHS, month, now=NOW)
    expected = reference(seeded, MONTHS, month)
    for name in ("by_month", "closure", "closure_by_month", "overdue_now", "overdue_trend", "ranking", "red_black",
                 "findings"):  # fmt: skip
        left, right = getattr(found, name), getattr(expected, name)
        as_plain = lambda value: asdict(value) if hasattr(value, "__dataclass_fields__") else value  # noqa: E731
        if isinstance(left, dict):
            left = {key: as_plain(value) for key, value in left.items()}
            right = {key: as_plain(value) for key, value in right.items()}
        elif isinstance(left, list):
            left, right = [as_plain(value) for value in left], [as_plain(value) for value in right]
        else:
            left, right = as_plain(left), as_plain(right)
        assert same(left, right), f"{name}: {left} != {right}"
    assert found.overdue_trend["2026-06"] == 0 and found.by_month["2026-07"] == Counter()


def test_overdue_at_month_ends_per_street_and_subject(seeded: DataFolder) -> None:
    db = seeded.connect()
    try:
        histories = list(ledger_queries.iter_histories(db))
        counted = overdue_at_month_ends(db, MONTHS[:-1])
    finally:
        db.close()
    for key, found in statistics.overdue_at_month_ends(histories, MONTHS[:-1]).items():
        expected = OverdueTally()
        for finding in found:
            expected.add(finding.jurisdiction[:9], finding.subject_id)
        assert counted[key] == expected, key
    assert [counted[key].total for key in MONTHS[:-1]] == [0, 0, 2, 2, 3, 4]


def test_late_cases_by_state_are_the_stage_clocks(seeded: DataFolder) -> None:
    db = seeded.connect()
    try:
        setup = stage_clocks.load_setup(db)
        views = list(ledger_queries.iter_views(db))
        clocks = [stage_clocks.clocks_for(db, [view.finding_id], NOW, setup).get(view.finding_id) for view in views]
        counted = stage_clocks.late_by_state(db, NOW)
    finally:
        db.close()
    expected = Counter(clock.state for clock in clocks if clock is not None and clock.late)
    assert {view.state for view in views} == set(State) - {State.REGISTERED}
    assert counted == expected and expected[State.RECTIFIED] == 1 and expected[State.REPORTED] == 1


def test_a_seeded_ledger_with_histories_counts_the_same(tmp_path: Path) -> None:
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    try:
        seed_large_ledger(db, 400, subject_count=20, now=NOW)
        assert seed_histories(db, NOW) > 1000
        histories = list(ledger_queries.iter_histories(db))
        states = {view.finding_id: view.state for view in ledger_queries.iter_views(db)}
        assert all(project(events).state == states[events[0].finding_id] for events in histories)
        months = MONTHS[:-1]
        counted = overdue_at_month_ends(db, months)
        replayed = statistics.overdue_at_month_ends(histories, months)
        assert {key: tally.total for key, tally in counted.items()} == {key: len(f) for key, f in replayed.items()}
        assert sum(tally.total for tally in counted.values()) > 0
        # the events change (the extensions taken back): only the findings they belong to are gone through again
        extended = db.execute("SELECT count(DISTINCT finding_id) FROM finding_events WHERE action = ?", ["extend"])
        extended_findings = int(extended.fetchone()[0])
        db.execute("DELETE FROM finding_events WHERE action = 'extend'")
        assert refresh_spans(db) == extended_findings > 0
        again = overdue_at_month_ends(db, months)
        replayed = statistics.overdue_at_month_ends(list(ledger_queries.iter_histories(db)), months)
    finally:
        db.close()
    assert {key: tally.total for key, tally in again.items()} == {key: len(found) for key, found in replayed.items()}
    assert again != counted


def test_the_latest_late_start_is_where_lateness_begins(seeded: DataFolder) -> None:
    db = seeded.connect()
    try:
        setup = stage_clocks.load_setup(db)
    finally:
        db.close()
    check = LateCheck(setup.limits, setup.calendar, NOW)
    found = 0
    for state in (State.REPORTED, State.REGISTERED, State.ASSIGNED, State.RECTIFIED):
        for kind in ("problem", "hazard"):
            latest = check.latest_late_start(state, "乱堆乱放", kind)
            if latest is not None:
                found += 1
                assert check(state, latest, None, "乱堆乱放", kind)
                assert not check(state, latest + timedelta(milliseconds=1), None, "乱堆乱放", kind)
    assert found >= 4


def month_reference(folder: DataFolder, month: str, area: str, now: datetime) -> dict[str, Any]:
    """The month report's ranking, red and black lists and exposure as the pure functions compute them from every
    view and replayed history of the area (how inspector.month_report computed them before it counted in SQL)."""
    from inspector.core import month as month_rules
    from inspector.core.ledger import is_overdue
    from inspector.store import scoring_rules

    db = folder.connect()
    try:
        places = statistics_facts.subject_places(db)
        subject_list = [s for s in statistics_facts.subject_facts(db) if places[s.subject_id][0].startswith(area)]
        inside = {s.subject_id for s in subject_list}
        inspections = [i for i in statistics_facts.inspection_facts(db) if i.subject_id in inside]
        views = [v for v in ledger_queries.iter_views(db) if v.jurisdiction.startswith(area)]
        wanted = {v.finding_id for v in views}
        histories = [h for h in ledger_queries.iter_histories(db) if h and h[0].finding_id in wanted]
        names = jurisdictions.street_names(db)
        rules = scoring_rules.active_rule(db).rules
    finally:
        db.close()
    if now < statistics.month_end(month):
        overdue = [v for v in views if is_overdue(v, now)]
    else:
        overdue = statistics.overdue_at_month_ends(histories, [month])[month]
    streets = statistics.street_months(month, views, overdue, subject_list, inspections, names, rules.ranking_levels)
    units = statistics.unit_months(month, subject_list, inspections, views, overdue, levels=rules.unit_levels)
    return {
        "ranking": statistics.rank_streets(streets, rules),
        "red_black": statistics.red_black_list(units, rules),
        "exposed": [(f.finding_id, tuple(reasons)) for f, reasons in month_rules.exposed_cases(views, month, now)],
    }


def assert_month_report_counts_as_the_pure_functions(folder: DataFolder, months: list[str], areas: list[str],
                                                     now: datetime) -> int:  # fmt: skip
    from inspector import month_report

    exposed = 0
    for month in months:
        for area in areas:
            found = month_report.load_month(folder, month, area, now=now)
            expected = month_reference(folder, month, area, now)
            assert found.ranking == expected["ranking"], (month, area)
            assert found.red_black == expected["red_black"], (month, area)
            assert [(case.finding_id, case.reasons) for case in found.exposed] == expected["exposed"], (month, area)
            exposed += len(found.exposed)
    return exposed


def test_the_month_report_counts_as_the_pure_functions(seeded: DataFolder) -> None:
    """Ranking, red and black lists and the exposure of each month, for every area level: the whole laptop, a
    街乡, a community inside it, a 街乡 with findings and no subjects."""
    areas = ["", "110105004", "110105004032", "110105005"]
    assert assert_month_report_counts_as_the_pure_functions(seeded, MONTHS[2:], areas, NOW) > 0


def test_the_month_report_of_a_large_seeded_ledger_counts_as_the_pure_functions(tmp_path: Path) -> None:
    """Every state, source and 督办 level of the large seed, with histories, in a finished and the running month."""
    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    try:
        seed_large_ledger(db, 600, subject_count=30, now=NOW)
        seed_histories(db, NOW)
        streets = sorted({row[0][:9] for row in db.execute("SELECT jurisdiction FROM findings")})
    finally:
        db.close()
    assert len(streets) > 1
    assert assert_month_report_counts_as_the_pure_functions(folder, ["2026-10", "2026-11", "2026-12"],
                                                            ["", streets[0], streets[-1][:6]], NOW) > 20  # fmt: skip


def test_a_unit_file_s_points_are_the_pure_functions(tmp_path: Path) -> None:
    """一户一档's points per month, counted in SQL, equal statistics.unit_months over every view and replayed
    history (how the file computed them before), and its cases are the unit's findings newest first."""
    from inspector.core.ledger import is_overdue
    from inspector.exports import unit_file_document
    from inspector.store import scoring_rules

    folder = open_data_folder(tmp_path / "data")
    db = folder.connect()
    try:
        seed_large_ledger(db, 600, subject_count=30, now=NOW)
        seed_histories(db, NOW)
        views = list(ledger_queries.iter_views(db))
        histories = list(ledger_queries.iter_histories(db))
        facts = statistics_facts.subject_facts(db)
        done = statistics_facts.inspection_facts(db)
        rules = scoring_rules.active_rule(db).rules
        units = [s.subject_id for s in facts if s.kind == statistics.STREET_FRONT_KIND]
        months = statistics.months_between("2026-07", "2026-12")
        ends = statistics.overdue_at_month_ends(histories, months[:-1])
        ends["2026-12"] = [view for view in views if is_overdue(view, NOW)]
        boards = {
            month: statistics.red_black_list(
                statistics.unit_months(month, facts, done, views, ends[month], levels=rules.unit_levels), rules
            )
            for month in months
        }
        listed = 0
        for unit in units[:8]:
            document = unit_file_document(db, unit, now=NOW)
            expected = []
            for month in months:
                mine = next(points for points in boards[month].units if points.subject_id == unit)
                expected.append((month, str(mine.inspections), f"{mine.points:g}", mine.listed or "—"))
                listed += mine.listed is not None
            assert list(document.points) == expected, unit
            own = sorted((view for view in views if view.subject_id == unit), key=lambda view: view.reported_at)
            assert [row[2] for row in document.cases] == [view.description for view in reversed(own)]
    finally:
        db.close()
    assert listed > 0
