"""Working time: Chinese public holidays and 调休 make-up working days, office hours, and time counted in them.

The holiday data comes in as plain records (`YearDays`): the laptop and the server read it from the
`chinesecalendar` package and from the district's own table, and a year the district lists wins over the package.
A year neither knows is counted Monday to Friday, and `WorkCalendar.coverage` says so, so the app can tell people.
All arithmetic runs in Beijing time (Asia/Shanghai); datetimes in and out are aware.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property

from inspector.core.clock import SHANGHAI

# The project's default office hours (no Beijing rule was found; the district's time-limit table may change them):
# 9:00–12:00 and 13:30–17:30, seven working hours a day.
DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(9, 0), time(12, 0)), (time(13, 30), time(17, 30)))
MAX_SPAN_DAYS = 3700  # arithmetic further than about ten years away is refused rather than looped over
ORDINAL_YEARS = (2000, 2099)  # the span of WorkCalendar.ordinal's table


class Coverage(StrEnum):
    """Where a year's holidays come from."""

    PACKAGE = "package"  # the chinesecalendar package shipped with the app
    DISTRICT = "district"  # the district's own table (years past the package's data, or a correction)
    NONE = "none"  # nobody knows: Monday to Friday are counted as working days


@dataclass(frozen=True)
class YearDays:
    """One year's exceptions to Monday–Friday: days off on weekdays, and weekend days worked (调休)."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    source: Coverage = Coverage.PACKAGE
    names: Mapping[date, str] = field(default_factory=dict, compare=False)


class WorkTimeError(ValueError):
    """Working-time arithmetic was asked something it cannot answer (no working time, or too far away)."""


def parse_periods(pairs: Sequence[Sequence[str]]) -> tuple[tuple[time, time], ...]:
    """Office hours from ["09:00", "12:00"] pairs, checked to be increasing and not overlapping."""
    periods = tuple((time.fromisoformat(start), time.fromisoformat(end)) for start, end in pairs)
    previous = time.min
    for start, end in periods:
        if not previous <= start < end:
            raise WorkTimeError(f"office hours must be increasing, non-overlapping periods: {list(pairs)}")
        previous = end
    if not periods:
        raise WorkTimeError("office hours need at least one period")
    return periods


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days and which hours of them are working time."""

    years: Mapping[int, YearDays]
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS

    @property
    def day_seconds(self) -> int:
        """Working seconds in one working day (25 200 for the default 7 hours)."""
        return sum(_seconds(end) - _seconds(start) for start, end in self.periods)

    def coverage(self, year: int) -> Coverage:
        """Where this year's holidays come from (NONE: counted Monday to Friday)."""
        known = self.years.get(year)
        return known.source if known else Coverage.NONE

    def uncovered_years(self, first: date, last: date) -> list[int]:
        """Years between two days (inclusive) without holiday data."""
        return [year for year in range(first.year, last.year + 1) if self.coverage(year) is Coverage.NONE]

    def is_working_day(self, day: date) -> bool:
        """A weekday that is not a holiday, or a weekend day worked in its place (调休)."""
        known = self.years.get(day.year)
        if known is not None:
            if day in known.workdays:
                return True
            if day in known.holidays:
                return False
        return day.weekday() < 5

    def _windows(self, day: date) -> list[tuple[datetime, datetime]]:
        if not self.is_working_day(day):
            return []
        return [
            (datetime.combine(day, start, tzinfo=SHANGHAI), datetime.combine(day, end, tzinfo=SHANGHAI))
            for start, end in self.periods
        ]

    def add_working_seconds(self, start: datetime, seconds: float) -> datetime:
        """The instant `seconds` of working time after `start` (an instant outside working time starts counting at
        the next working period). Returned in Beijing time."""
        if start.tzinfo is None:
            raise WorkTimeError("naive datetime: a time zone is required")
        if seconds < 0:
            raise WorkTimeError("a time limit cannot be negative")
        cursor = start.astimezone(SHANGHAI)
        remaining = timedelta(seconds=seconds)
        if not remaining:
            return cursor
        day = cursor.date()
        for _ in range(MAX_SPAN_DAYS):
            for window_start, window_end in self._windows(day):
                begin = max(cursor, window_start)
                if begin >= window_end:
                    continue
                available = window_end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
            day += timedelta(days=1)
        raise WorkTimeError(f"no end within {MAX_SPAN_DAYS} days of {start.isoformat()}")

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """`hours` working hours (工作时) after `start`."""
        return self.add_working_seconds(start, hours * 3600)

    def add_working_days(self, start: datetime, days: float) -> datetime:
        """`days` working days (工作日) after `start`; one working day is one day's working hours, so a case
        dispatched on Monday at 10:00 with one working day is due on Tuesday at 10:00 (the project's rule)."""
        return self.add_working_seconds(start, days * self.day_seconds)

    def ordinal(self, moment: datetime) -> float:
        """Working seconds from the start of ORDINAL_YEARS to `moment` (clamped to that span): the difference of two
        ordinals is the working time between them, one table lookup each, for judging many cases at once."""
        if moment.tzinfo is None:
            raise WorkTimeError("naive datetime: a time zone is required")
        local = moment.astimezone(SHANGHAI)
        prefix = self._prefix
        index = local.toordinal() - date(ORDINAL_YEARS[0], 1, 1).toordinal()
        if index < 0:
            return 0.0
        if index >= len(prefix) - 1:
            return prefix[-1]
        base = prefix[index]
        if prefix[index + 1] == base:  # not a working day
            return base
        of_day = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return base + sum(min(max(of_day - start, 0.0), end - start) for start, end in self._period_seconds)

    @cached_property
    def _period_seconds(self) -> tuple[tuple[int, int], ...]:
        return tuple((_seconds(start), _seconds(end)) for start, end in self.periods)

    @cached_property
    def _prefix(self) -> list[float]:
        """Working seconds before each day of ORDINAL_YEARS, and after the last one."""
        prefix: list[float] = []
        total, seconds = 0.0, self.day_seconds
        first, last = date(ORDINAL_YEARS[0], 1, 1).toordinal(), date(ORDINAL_YEARS[1], 12, 31).toordinal()
        for ordinal in range(first, last + 1):
            prefix.append(total)
            if self.is_working_day(date.fromordinal(ordinal)):
                total += seconds
        prefix.append(total)
        return prefix

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Working seconds from `start` to `end` (0 when end is not after start)."""
        if start.tzinfo is None or end.tzinfo is None:
            raise WorkTimeError("naive datetime: a time zone is required")
        begin, finish = start.astimezone(SHANGHAI), end.astimezone(SHANGHAI)
        if finish <= begin:
            return 0.0
        if (finish.date() - begin.date()).days > MAX_SPAN_DAYS:
            raise WorkTimeError(f"a span longer than {MAX_SPAN_DAYS} days")
        total = 0.0
        day = begin.date()
        while day <= finish.date():
            for window_start, window_end in self._windows(day):
                overlap = min(finish, window_end) - max(begin, window_start)
                if overlap > timedelta(0):
                    total += overlap.total_seconds()
            day += timedelta(days=1)
        return total


def build_calendar(
    package: Iterable[YearDays],
    district: Iterable[YearDays] = (),
    periods: tuple[tuple[time, time], ...] = DEFAULT_PERIODS,
) -> WorkCalendar:
    """A calendar from the package's years and the district's; a year the district lists replaces the package's."""
    years: dict[int, YearDays] = {item.year: item for item in package}
    years.update({item.year: item for item in district})
    return WorkCalendar(years, periods)


def years_from_days(
    holidays: Mapping[date, str], workdays: Mapping[date, str], source: Coverage, years: Iterable[int] | None = None
) -> list[YearDays]:
    """Group day → name maps (the package's `holidays` and `workdays`, or the district's rows) into years.

    `years` names the years the data covers even where it lists no day; by default every year a day falls in."""
    covered = set(years) if years is not None else {day.year for day in (*holidays, *workdays)}
    return [
        YearDays(
            year=year,
            holidays=frozenset(day for day in holidays if day.year == year),
            workdays=frozenset(day for day in workdays if day.year == year),
            source=source,
            names={day: name for day, name in (*holidays.items(), *workdays.items()) if day.year == year},
        )
        for year in sorted(covered)
    ]


def working_duration_text(seconds: float, day_seconds: int) -> tuple[str, str]:
    """A span of working time for people, e.g. ("2个工作日3.5个工作时", "2 working days 3.5 working hours")."""
    whole_days = int(seconds // day_seconds) if day_seconds else 0
    hours = round((seconds - whole_days * day_seconds) / 3600, 1)
    if hours >= day_seconds / 3600:
        whole_days, hours = whole_days + 1, 0.0
    hours_text = f"{hours:g}"
    zh_parts, en_parts = [], []
    if whole_days:
        zh_parts.append(f"{whole_days}个工作日")
        en_parts.append(f"{whole_days} working day{'s' if whole_days != 1 else ''}")
    if hours or not whole_days:
        zh_parts.append(f"{hours_text}个工作时")
        en_parts.append(f"{hours_text} working hour{'s' if hours != 1 else ''}")
    return "".join(zh_parts), " ".join(en_parts)
