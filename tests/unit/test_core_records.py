"""Records as plain JSON values: the conversion every synced finding goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum

import pytest

from inspector.core.ledger import Severity, State
from inspector.core.records import plain_record, plain_value


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    at: datetime
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Outer:
    name: str
    count: int
    ratio: float
    flag: bool
    missing: None
    state: State
    severity: Severity
    colour: Colour
    day: date
    at: datetime
    photos: tuple[str, ...]
    inner: Inner
    nested: dict[str, object] = field(default_factory=dict)
    _private: str = "hidden"


def test_every_kind_of_field_becomes_plain_json() -> None:
    beijing = timezone(timedelta(hours=8))
    record = Outer(
        name="门前三包",
        count=3,
        ratio=0.5,
        flag=True,
        missing=None,
        state=State.ASSIGNED,
        severity=Severity.MAJOR,
        colour=Colour.RED,
        day=date(2026, 12, 1),
        at=datetime(2026, 11, 21, 16, 5, 7, 123456, tzinfo=beijing),
        photos=("a", "b"),
        inner=Inner(datetime(2026, 1, 1, tzinfo=UTC), ("x",)),
        nested={"when": date(2026, 1, 2), "list": [Colour.RED, (1, 2)]},
    )
    assert plain_record(record) == {
        "name": "门前三包",
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "missing": None,
        "state": "assigned",
        "severity": "major",
        "colour": "red",
        "day": "2026-12-01",
        "at": "2026-11-21T08:05:07.123Z",
        "photos": ["a", "b"],
        "inner": {"at": "2026-01-01T00:00:00.000Z", "tags": ["x"]},
        "nested": {"when": "2026-01-02", "list": ["red", [1, 2]]},
    }


def test_a_value_that_is_not_json_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="complex"):
        plain_value(1j)
