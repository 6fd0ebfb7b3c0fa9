"""The district's time limits and calendar years: set with `inspector-server`, published in the feed, and taken in
by a laptop, whose clocks then judge with them."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from server_support import Api, ServerEnv

from inspector.core.clock import SHANGHAI
from inspector.core.protocol import FeedEntry, FeedKind
from inspector.core.time_limits import RowStatus, Stage
from inspector.core.workcal import Coverage
from inspector.server.cli import main
from inspector.store import stage_clocks
from inspector.store.database import open_data_folder
from inspector.sync.pull import apply_entry


def cli(env: ServerEnv, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(
        ["--database-url", env.settings.effective_database_url, "--data-dir", str(env.tmp_path / "data"), *args]
    )
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_district_row_and_year_reach_the_laptop(
    env: ServerEnv, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(env, capsys, "time-limits", "set", "--kind", "problem", "--category", "暴露垃圾",
                         "--stage", "dispose", "--amount", "2", "--unit", "working_hours", "--id", "d-baolu-laji",
                         "--note", "区城管委 2027 年规定")  # fmt: skip
    assert code == 0, err
    assert "d-baolu-laji" in out
    year_file = tmp_path / "2027.json"
    year_file.write_text(json.dumps({"holidays": {"2027-01-01": "元旦"}, "workdays": {"2027-02-20": "春节"}}))
    code, out, err = cli(env, capsys, "calendar", "set-year", "2027", str(year_file))
    assert code == 0, err
    code, out, _ = cli(env, capsys, "time-limits", "list")
    assert "d-baolu-laji\tproblem\t暴露垃圾\tdispose\t2 working_hours" in out and "calendar 2027" in out

    entries = api.login("slt-ins").feed(0)["entries"]
    ours = [e for e in entries if e["kind"] in (FeedKind.TIME_LIMIT, FeedKind.CALENDAR_YEAR)]
    assert [(e["kind"], e["id"], e["jurisdiction"]) for e in ours] == [
        ("time_limit", "d-baolu-laji", None),
        ("calendar_year", "2027", None),
    ]

    laptop = open_data_folder(tmp_path / "laptop").connect()
    for entry in ours:
        assert apply_entry(laptop, FeedEntry.parse(entry))
    setup = stage_clocks.load_setup(laptop)
    row = setup.limits.limit_for("problem", "垃圾堆物", Stage.DISPOSE)  # the shipped row's alias no longer applies
    assert row is not None and row.row_id == "default-problem-dispose"
    row = setup.limits.limit_for("problem", "暴露垃圾", Stage.DISPOSE)
    assert row is not None and (row.amount, row.status) == (2, RowStatus.DISTRICT)
    assert setup.calendar.coverage(2027) is Coverage.DISTRICT
    assert not setup.calendar.is_working_day(date(2027, 1, 1))
    assert setup.calendar_notice(date(2026, 12, 1), date(2028, 1, 2)) == (
        "2027年节假日按区级设置的日历表计算；2028年无节假日数据，暂按周一至周五为工作日计算",
        "holidays of 2027 come from the district's calendar table; "
        "no holiday data for 2028: Monday to Friday are counted as working days",
    )
    assert setup.calendar.add_working_hours(datetime(2026, 12, 31, 17, 0, tzinfo=SHANGHAI), 1) == datetime(
        2027, 1, 4, 9, 30, tzinfo=SHANGHAI
    )

    code, out, err = cli(env, capsys, "time-limits", "remove", "d-baolu-laji")
    assert code == 0, err
    removal = api.login("slt-ins").feed(ours[-1]["seq"])["entries"]
    assert [(e["kind"], e["data"]) for e in removal] == [("time_limit", {"id": "d-baolu-laji", "deleted": True})]
    entry = removal[0]
    assert apply_entry(laptop, FeedEntry.parse(entry))
    row = stage_clocks.load_setup(laptop).limits.limit_for("problem", "暴露垃圾", Stage.DISPOSE)
    assert row is not None and row.status is RowStatus.SOURCED
    laptop.close()


def test_bad_rows_and_years_are_refused_and_nothing_is_published(
    env: ServerEnv, api: Api, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = api.login("slt-ins").feed(0)["head"]
    code, _out, err = cli(env, capsys, "time-limits", "set", "--stage", "dispose", "--amount", "0",
                          "--unit", "working_hours")  # fmt: skip
    assert code == 1 and "0" in err
    year_file = tmp_path / "bad.json"
    year_file.write_text(json.dumps({"holidays": {"2026-01-01": "元旦"}}))
    code, _out, err = cli(env, capsys, "calendar", "set-year", "2027", str(year_file))
    assert code == 1 and "does not lie in 2027" in err
    code, _out, err = cli(env, capsys, "time-limits", "remove", "nothing-here")
    assert code == 1 and "no district time limit" in err
    assert api.login("slt-ins").feed(0)["head"] == before
