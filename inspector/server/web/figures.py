"""The dashboard's figures per 街乡 (cases by state and grade, overdue, 整改率, 销账率, 督办, the ranking, the months)
and their charts drawn as SVG on the server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from xml.sax.saxutils import escape

from inspector.core.clock import end_of_local_day, local_date, to_iso
from inspector.core.jurisdiction import parse_code
from inspector.core.ledger import Source, State

ASSIGNED_ONWARD = (State.ASSIGNED.value, State.RECTIFIED.value, State.CLOSED.value)
ACCEPTED_ONWARD = (State.REGISTERED.value, *ASSIGNED_ONWARD)
MONTHS = 12


@dataclass
class StreetFigures:
    """The figures of one 街乡."""

    code: str
    name: str = ""
    total: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    by_severity: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    overdue: int = 0
    escalated: int = 0
    public: int = 0
    hotline: int = 0  # cases from 12345 work orders
    hotline_closed: int = 0

    @property
    def hotline_rate(self) -> float | None:
        """12345 解决率: of the 12345 work orders, the share closed."""
        return self.hotline_closed / self.hotline if self.hotline else None

    @property
    def rectify_rate(self) -> float | None:
        """整改率: of the cases sent to a unit, the share fixed (awaiting check or closed)."""
        sent = sum(self.by_state[state] for state in ASSIGNED_ONWARD)
        done = self.by_state[State.RECTIFIED.value] + self.by_state[State.CLOSED.value]
        return done / sent if sent else None

    @property
    def close_rate(self) -> float | None:
        """销账率: of the cases put on the ledger, the share closed."""
        accepted = sum(self.by_state[state] for state in ACCEPTED_ONWARD)
        return self.by_state[State.CLOSED.value] / accepted if accepted else None


@dataclass(frozen=True)
class CaseRow:
    """One finding of the drill-down list."""

    id: str
    jurisdiction: str
    state: str
    severity: str
    created_at: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Group:
    """One row of the database's count: cases of one 街乡 in one state, grade, kind and source, with how many of
    them are overdue and under an open 督办."""

    street: str  # the first 9 digits of the code
    state: str
    severity: str | None
    count: int
    kind: str = ""
    source: str = ""
    overdue: int = 0
    escalated: int = 0


def street_code(prefix: str) -> str:
    return prefix[:9].ljust(15, "0")


def street_of(code: str) -> str:
    return parse_code(code).street.ljust(15, "0")


def is_overdue(row: CaseRow, now: datetime) -> bool:
    deadline = row.data.get("deadline")
    if row.state != State.ASSIGNED.value or not deadline:
        return False
    return now >= end_of_local_day(date.fromisoformat(str(deadline)))


def street_figures(
    groups: list[Group],
    names: dict[str, str],
    overdue: dict[str, int] | None = None,
    escalated: dict[str, int] | None = None,
) -> list[StreetFigures]:
    """Each 街乡's figures from the counts (overdue and open 督办 cases counted per 街乡 prefix)."""
    streets: dict[str, StreetFigures] = {}
    for group in groups:
        code = street_code(group.street)
        figures = streets.get(code) or streets.setdefault(code, StreetFigures(code, names.get(code, code)))
        figures.total += group.count
        figures.by_state[group.state] += group.count
        if group.severity:
            figures.by_severity[group.severity] += group.count
        if group.kind:
            figures.by_kind[group.kind] += group.count
        if group.source == Source.HOTLINE.value:
            figures.hotline += group.count
            if group.state == State.CLOSED.value:
                figures.hotline_closed += group.count
        figures.overdue += group.overdue
        figures.escalated += group.escalated
    for counted, attribute in ((overdue or {}, "overdue"), (escalated or {}, "escalated")):
        for prefix, count in counted.items():
            code = street_code(prefix)
            figures = streets.get(code) or streets.setdefault(code, StreetFigures(code, names.get(code, code)))
            setattr(figures, attribute, getattr(figures, attribute) + count)
    return sorted(streets.values(), key=lambda item: item.code)


def ranking(streets: list[StreetFigures]) -> list[StreetFigures]:
    """The ranking: 销账率 first, then fewer overdue."""
    return sorted(streets, key=lambda item: (-(item.close_rate or 0.0), item.overdue, item.code))


def month_start(now: datetime) -> datetime:
    """The first instant of the current month in Beijing."""
    today = local_date(now)
    return end_of_local_day(today.replace(day=1)) - timedelta(days=1)


def last_months(now: datetime) -> list[str]:
    """The last twelve months (Beijing) as YYYY-MM, oldest first."""
    months = []
    year, month = local_date(now).year, local_date(now).month
    for _ in range(MONTHS):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def month_bounds(now: datetime) -> list[tuple[str, str, str | None]]:
    """The last twelve months (Beijing), oldest first: (YYYY-MM, its first instant, the instant before the next
    month's, or None for the running month) as stored UTC timestamps, to compare with the findings' columns."""
    months = last_months(now)
    starts = [month_start(datetime.fromisoformat(month + "-15T04:00:00+00:00")) for month in months]
    found: list[tuple[str, str, str | None]] = []
    for index, month in enumerate(months):
        end = to_iso(starts[index + 1] - timedelta(milliseconds=1)) if index + 1 < len(months) else None
        found.append((month, to_iso(starts[index]), end))
    return found


def by_month(hours: dict[str, int]) -> Counter[str]:
    """Counts by UTC hour (`YYYY-MM-DDTHH`) gathered into Beijing months."""
    found: Counter[str] = Counter()
    for hour, count in hours.items():
        moment = datetime.fromisoformat(hour + ":00:00+00:00")
        found[local_date(moment).strftime("%Y-%m")] += count
    return found


def monthly(reported: dict[str, int], closed: dict[str, int], now: datetime) -> list[tuple[str, int, int]]:
    """(month, reported, closed) for the last twelve months, from counts by UTC hour."""
    made, done = by_month(reported), by_month(closed)
    return [(month, made[month], done[month]) for month in last_months(now)]


def totals(streets: list[StreetFigures]) -> StreetFigures:
    whole = StreetFigures("", "全区 (district)")
    for item in streets:
        whole.total += item.total
        whole.by_state.update(item.by_state)
        whole.by_severity.update(item.by_severity)
        whole.by_kind.update(item.by_kind)
        whole.overdue += item.overdue
        whole.escalated += item.escalated
        whole.hotline += item.hotline
        whole.hotline_closed += item.hotline_closed
    return whole


# ---- charts ----

_OPEN_COLOUR, _CLOSED_COLOUR, _OVERDUE_COLOUR = "#1f4e79", "#1f6f43", "#b3261e"


def bar_chart(streets: list[StreetFigures]) -> str:
    """Per 街乡: open, closed and overdue cases as grouped horizontal bars."""
    width, row_height, label_width = 640, 34, 150
    height = max(1, len(streets)) * row_height + 30
    top = max([item.total for item in streets] + [1])
    scale = (width - label_width - 60) / top
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="各街乡案件 cases per street" class="chart">'
    ]
    for index, item in enumerate(streets):
        y = 10 + index * row_height
        closed = item.by_state[State.CLOSED.value]
        still_open = item.total - closed - item.by_state[State.REJECTED.value]
        parts.append(f'<text x="0" y="{y + 14}" font-size="13">{escape(item.name)}</text>')
        x = float(label_width)
        for value, colour in ((still_open, _OPEN_COLOUR), (closed, _CLOSED_COLOUR)):
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{value * scale:.1f}" height="12" fill="{colour}"/>')
            x += value * scale
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 11}" font-size="11">{still_open}/{closed}</text>')
        parts.append(
            f'<rect x="{label_width}" y="{y + 15}" width="{item.overdue * scale:.1f}" height="6" '
            f'fill="{_OVERDUE_COLOUR}"/>'
        )
    parts.append(
        f'<text x="{label_width}" y="{height - 4}" font-size="11" fill="{_OPEN_COLOUR}">■ 未办结 open</text>'
        f'<text x="{label_width + 110}" y="{height - 4}" font-size="11" fill="{_CLOSED_COLOUR}">■ 已销账 closed</text>'
        f'<text x="{label_width + 230}" y="{height - 4}" font-size="11" fill="{_OVERDUE_COLOUR}">■ 逾期 overdue</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(months: list[tuple[str, int, int]]) -> str:
    """Reported and closed cases per month as two lines."""
    width, height, left, bottom = 640, 200, 40, 24
    top = max([max(reported, closed) for _, reported, closed in months] + [1])
    step = (width - left - 10) / max(1, len(months) - 1)

    def point(index: int, value: int) -> str:
        return f"{left + index * step:.1f},{height - bottom - value * (height - bottom - 10) / top:.1f}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="月度趋势 monthly trend" class="chart">',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#999"/>',
        f'<text x="0" y="14" font-size="11">{top}</text>',
    ]
    for values, colour in (
        ([item[1] for item in months], _OPEN_COLOUR),
        ([item[2] for item in months], _CLOSED_COLOUR),
    ):
        points = " ".join(point(index, value) for index, value in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
    for index, (month, _, _) in enumerate(months):
        if index % 2 == 0 or index == len(months) - 1:
            anchor = "end" if index == len(months) - 1 else "middle"
            parts.append(
                f'<text x="{left + index * step:.1f}" y="{height - 6}" font-size="10" '
                f'text-anchor="{anchor}">{escape(month[2:])}</text>'
            )
    parts.append(
        f'<text x="{width - 230}" y="14" font-size="11" fill="{_OPEN_COLOUR}">— 上报 reported</text>'
        f'<text x="{width - 110}" y="14" font-size="11" fill="{_CLOSED_COLOUR}">— 销账 closed</text>'
    )
    parts.append("</svg>")
    return "".join(parts)
