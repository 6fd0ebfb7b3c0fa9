"""Working time on the real Chinese calendar: 调休 weekends, the Spring Festival week, office hours, and a year past
the package's data served from the district's table."""

from __future__ import annotations

from datetime import date, datetime, time

import chinese_calendar
import pytest

from inspector.core.clock import SHANGHAI
from inspector.core.workcal import (
    Coverage,
    WorkCalendar,
    WorkTimeError,
    build_calendar,
    parse_periods,
    working_duration_text,
    years_from_days,
)

PACKAGE = years_from_days(chinese_calendar.holidays, chinese_calendar.workdays, Coverage.PACKAGE)


def bj(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.fixture(scope="module")
def calendar() -> WorkCalendar:
    return build_calendar(PACKAGE)


def test_a_tiaoxiu_sunday_is_worked_and_the_new_year_holiday_is_not(calendar: WorkCalendar) -> None:
    assert date(2026, 1, 4).weekday() == 6  # a Sunday worked for the New Year holiday (调休)
    assert calendar.is_working_day(date(2026, 1, 4))
    assert not calendar.is_working_day(date(2026, 1, 2))  # a Friday off
    assert not calendar.is_working_day(date(2026, 1, 10))  # an ordinary Saturday
    assert calendar.is_working_day(date(2026, 1, 5))


def test_four_working_hours_from_friday_afternoon_end_on_the_worked_saturday(calendar: WorkCalendar) -> None:
    # 2026-02-14 is a Saturday worked before the Spring Festival: Friday 16:00–17:30 gives 1.5 h, Saturday 9:00 on 2.5
    assert calendar.add_working_hours(bj(2026, 2, 13, 16, 0), 4) == bj(2026, 2, 14, 11, 30)


def test_the_spring_festival_week_stops_the_clock(calendar: WorkCalendar) -> None:
    assert all(not calendar.is_working_day(date(2026, 2, day)) for day in range(15, 24))
    # half an hour left on the worked Saturday, then nothing until Tuesday the 24th
    assert calendar.add_working_hours(bj(2026, 2, 14, 17, 0), 1) == bj(2026, 2, 24, 9, 30)
    assert calendar.working_seconds_between(bj(2026, 2, 13, 9, 0), bj(2026, 2, 25, 9, 0)) == 21 * 3600
    assert calendar.add_working_days(bj(2026, 2, 13, 10, 0), 2) == bj(2026, 2, 24, 10, 0)


def test_office_hours_and_the_lunch_break(calendar: WorkCalendar) -> None:
    assert calendar.day_seconds == 7 * 3600
    assert calendar.add_working_hours(bj(2026, 3, 2, 11, 0), 2) == bj(2026, 3, 2, 14, 30)
    assert calendar.add_working_hours(bj(2026, 3, 2, 7, 0), 1) == bj(2026, 3, 2, 10, 0)  # counted from 9:00
    assert calendar.add_working_hours(bj(2026, 3, 2, 20, 0), 0.5) == bj(2026, 3, 3, 9, 30)
    assert calendar.add_working_days(bj(2026, 3, 2, 10, 0), 1) == bj(2026, 3, 3, 10, 0)
    assert calendar.working_seconds_between(bj(2026, 3, 2, 12, 0), bj(2026, 3, 2, 13, 30)) == 0
    assert calendar.working_seconds_between(bj(2026, 3, 3, 9, 0), bj(2026, 3, 2, 9, 0)) == 0
    other = WorkCalendar(calendar.years, parse_periods([["08:30", "12:00"], ["13:00", "17:00"]]))
    assert other.day_seconds == 7.5 * 3600
    assert other.add_working_hours(bj(2026, 3, 2, 11, 0), 2) == bj(2026, 3, 2, 14, 0)


def test_a_year_past_the_package_is_counted_monday_to_friday_and_says_so(calendar: WorkCalendar) -> None:
    last = max(chinese_calendar.holidays).year
    beyond = last + 1
    assert calendar.coverage(last) is Coverage.PACKAGE
    assert calendar.coverage(beyond) is Coverage.NONE
    assert calendar.uncovered_years(date(last, 6, 1), date(beyond, 2, 1)) == [beyond]
    new_year = date(beyond, 1, 1)
    assert calendar.is_working_day(new_year) is (new_year.weekday() < 5)


def test_the_district_table_serves_2027() -> None:
    district = years_from_days(
        {date(2027, 1, 1): "元旦", date(2027, 2, 8): "春节"}, {date(2027, 2, 20): "春节"}, Coverage.DISTRICT
    )
    calendar = build_calendar(PACKAGE, district)
    assert calendar.coverage(2027) is Coverage.DISTRICT
    assert calendar.uncovered_years(date(2026, 12, 1), date(2027, 3, 1)) == []
    assert not calendar.is_working_day(date(2027, 1, 1))  # a Friday off
    assert calendar.is_working_day(date(2027, 2, 20))  # a Saturday worked
    # Thursday 2026-12-31 16:00 + 4 h: 1.5 h that day, Friday is a holiday, Monday 9:00 + 2.5 h
    assert calendar.add_working_hours(bj(2026, 12, 31, 16, 0), 4) == bj(2027, 1, 4, 11, 30)
    # a district year also replaces the package's for a correction
    corrected = build_calendar(PACKAGE, years_from_days({}, {}, Coverage.DISTRICT, years=[2026]))
    assert corrected.coverage(2026) is Coverage.DISTRICT
    assert corrected.is_working_day(date(2026, 2, 16))


def test_refusals() -> None:
    calendar = build_calendar(PACKAGE)
    with pytest.raises(WorkTimeError):
        calendar.add_working_hours(datetime(2026, 3, 2, 9, 0), 1)  # naive
    with pytest.raises(WorkTimeError):
        calendar.add_working_hours(bj(2026, 3, 2, 9, 0), -1)
    with pytest.raises(WorkTimeError):
        parse_periods([["13:00", "12:00"]])
    with pytest.raises(WorkTimeError):
        parse_periods([["09:00", "12:00"], ["11:00", "14:00"]])
    with pytest.raises(WorkTimeError):
        WorkCalendar({}, ((time(9), time(9, 0, 1)),)).add_working_hours(bj(2026, 3, 2, 9, 0), 100_000)


def test_durations_in_words() -> None:
    words = ("2个工作日3.5个工作时", "2 working days 3.5 working hours")
    assert working_duration_text(2 * 7 * 3600 + 3.5 * 3600, 7 * 3600) == words
    assert working_duration_text(1800, 7 * 3600) == ("0.5个工作时", "0.5 working hours")
    assert working_duration_text(7 * 3600, 7 * 3600) == ("1个工作日", "1 working day")
    assert working_duration_text(0, 7 * 3600) == ("0个工作时", "0 working hours")
