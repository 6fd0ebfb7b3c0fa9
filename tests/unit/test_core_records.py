"""Records as plain JSON values: the conversion every synced finding goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from enum import Enum

import pytest

from inspector.core.ledger import EscalationLevel, FindingState, Kind, Severity, Source, State, finding_json
from inspector.core.records import plain_record, plain_value, public_fields


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


def _finding(**values: object) -> FindingState:
    base: dict[str, object] = {
        "finding_id": "f-1",
        "state": State.REPORTED,
        "jurisdiction": "110105001",
        "severity": None,
        "category": "占道经营",
        "description": "门前堆物",
        "subject_id": None,
        "ledger_number": None,
        "deadline": None,
        "responsible_unit": None,
        "responsible_person": None,
        "responsible_phone": None,
        "measures": None,
        "funds": None,
        "contingency_plan": None,
        "rectified_by": None,
        "escalation": None,
        "reported_by": "u-1",
        "reported_at": datetime(2026, 11, 21, 8, 5, 7, 123000, tzinfo=UTC),
        "closed_at": None,
        "photos": (),
        "after_photos": (),
        "event_count": 1,
        "last_event_id": "e-1",
    }
    return FindingState(**{**base, **values})  # type: ignore[arg-type]


def test_the_finding_converter_writes_what_the_generic_one_does() -> None:
    """finding_json is plain_record written out for the one record every sync converts: same keys, same values,
    with every field empty and with every field set (a field added to FindingState and not to it fails here)."""
    beijing = timezone(timedelta(hours=8))
    full = _finding(
        state=State.ASSIGNED,
        severity=Severity.MAJOR,
        subject_id="s-1",
        ledger_number="110105-2026-0001",
        deadline=date(2026, 12, 1),
        responsible_unit="物业",
        responsible_person="王",
        responsible_phone="13800000000",
        measures="清理",
        funds="1000",
        contingency_plan="预案",
        rectified_by="u-2",
        escalation=EscalationLevel.DISTRICT,
        reported_at=datetime(2026, 11, 21, 16, 5, 7, 123456, tzinfo=beijing),
        closed_at=datetime(2026, 11, 30, 1, 2, 3, tzinfo=UTC),
        photos=("a" * 64, "b" * 64),
        after_photos=("c" * 64,),
        event_count=7,
        kind=Kind.PROBLEM,
        source=Source.HOTLINE,
        interim_controls="围挡",
        governance_plan=("d" * 64,),
        reported_upward_to="区应急局",
        reported_upward_on=date(2026, 11, 22),
        escalation_unit="区政府",
        escalation_doc_no="督〔2026〕1号",
        escalation_deadline=date(2026, 12, 10),
        escalated_at=datetime(2026, 11, 23, tzinfo=UTC),
        extension_count=1,
        extension_reasons=("材料未到",),
        requested_deadline=date(2026, 12, 20),
        requested_extension_reason="雨天",
        extension_on_behalf_of_unit=True,
    )
    for finding in (_finding(), full):
        assert finding_json(finding) == plain_record(finding)
        assert list(finding_json(finding)) == list(public_fields(FindingState))
    assert finding_json(full)["reported_at"] == "2026-11-21T08:05:07.123Z"
