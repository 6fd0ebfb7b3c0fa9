"""UTC timestamps for storage (ISO-8601 with milliseconds) and Asia/Shanghai for display."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utc_now() -> datetime:
    """The current time as an aware UTC datetime, truncated to milliseconds."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def to_iso(moment: datetime) -> str:
    """Format an aware datetime as UTC ISO-8601 with milliseconds and a Z suffix."""
    if moment.tzinfo is UTC:  # the common case (every parsed and made instant): "+00:00" becomes "Z"
        return moment.isoformat(timespec="milliseconds")[:-6] + "Z"
    if moment.tzinfo is None:
        raise ValueError("naive datetime: a time zone is required")
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds") + "Z"


def now_iso() -> str:
    """The current UTC time as stored text."""
    return to_iso(utc_now())


def parse_iso(text: str) -> datetime:
    """Parse a stored timestamp; it must carry a time zone (Z or an offset)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {text!r}")
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """The same instant in Asia/Shanghai."""
    return moment.astimezone(SHANGHAI)


def display(moment: datetime | str, with_seconds: bool = False) -> str:
    """Format an instant for people, in Beijing time, e.g. 2026-11-21 14:05."""
    instant = parse_iso(moment) if isinstance(moment, str) else moment
    fmt = "%Y-%m-%d %H:%M:%S" if with_seconds else "%Y-%m-%d %H:%M"
    return local(instant).strftime(fmt)


def local_date(moment: datetime) -> date:
    """The calendar date in Beijing at this instant."""
    return local(moment).date()


def end_of_local_day(day: date) -> datetime:
    """The first instant after the given Beijing calendar day, in UTC (a deadline day ends here)."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI).astimezone(UTC)


def add_days(day: date, days: int) -> date:
    """A calendar date some days later (a deadline suggestion)."""
    return day + timedelta(days=days)
