"""UUIDv7 ids, UTC/Beijing time helpers and the 15-digit jurisdiction code."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from inspector.core import clock
from inspector.core.ids import UUID7Generator, is_uuid, new_id, uuid7_millis
from inspector.core.jurisdiction import JurisdictionCodeError, Level, is_within, parse_code, street_of


def test_uuid7_layout_and_time() -> None:
    value = UUID7Generator(now_ms=lambda: 1_760_000_000_123)()
    assert value.version == 7
    assert value.variant == uuid.RFC_4122
    assert uuid7_millis(value) == 1_760_000_000_123


def test_uuid7_is_strictly_increasing_within_one_millisecond() -> None:
    generate = UUID7Generator(now_ms=lambda: 1_800_000_000_000)
    ids = [generate() for _ in range(5000)]
    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)


def test_uuid7_never_goes_backwards_when_the_clock_does() -> None:
    clock_ms = [1_900_000_000_000]
    generate = UUID7Generator(now_ms=lambda: clock_ms[0])
    later = generate()
    clock_ms[0] -= 1000
    earlier_clock = generate()
    assert earlier_clock > later
    assert uuid7_millis(earlier_clock) == 1_900_000_000_000


def test_uuid7_counter_overflow_moves_to_the_next_millisecond() -> None:
    generate = UUID7Generator(now_ms=lambda: 1_800_000_000_000, random_bytes=lambda n: b"\xff" * n)
    ids = [generate() for _ in range(0x1000)]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert uuid7_millis(ids[-1]) == 1_800_000_000_001


def test_new_id_is_canonical() -> None:
    text = new_id()
    assert is_uuid(text) and text == text.lower() and len(text) == 36
    assert not is_uuid("not-a-uuid") and not is_uuid(text.upper())
    with pytest.raises(ValueError):
        uuid7_millis(str(uuid.uuid4()))


def test_iso_round_trip_keeps_milliseconds_in_utc() -> None:
    moment = datetime(2026, 3, 1, 23, 59, 59, 987654, tzinfo=timezone(timedelta(hours=8)))
    text = clock.to_iso(moment)
    assert text == "2026-03-01T15:59:59.987Z"
    assert clock.parse_iso(text) == datetime(2026, 3, 1, 15, 59, 59, 987000, tzinfo=UTC)


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError):
        clock.to_iso(datetime(2026, 1, 1))
    with pytest.raises(ValueError):
        clock.parse_iso("2026-01-01T00:00:00")


def test_display_is_beijing_time() -> None:
    assert clock.display("2026-03-01T16:30:00.000Z") == "2026-03-02 00:30"
    assert clock.local_date(clock.parse_iso("2026-03-01T16:00:00.000Z")) == date(2026, 3, 2)


def test_end_of_local_day_is_midnight_beijing() -> None:
    assert clock.to_iso(clock.end_of_local_day(date(2026, 3, 1))) == "2026-03-01T16:00:00.000Z"


@pytest.mark.parametrize(
    ("text", "level", "short", "parent"),
    [
        ("110105", Level.DISTRICT, "110105", None),
        ("110105004", Level.STREET, "110105004", "110105000000000"),
        ("110105004001", Level.COMMUNITY, "110105004001", "110105004000000"),
        ("110105004001012", Level.GRID, "110105004001012", "110105004001000"),
        ("110105004000000", Level.STREET, "110105004", "110105000000000"),
    ],
)
def test_parse_levels_and_parents(text: str, level: Level, short: str, parent: str | None) -> None:
    code = parse_code(text)
    assert code.level == level
    assert code.short == short
    assert len(code.full) == 15
    assert (str(code.parent()) if code.parent() else None) == parent


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("11010", "6, 9, 12 or 15 digits"),
        ("1101050041", "6, 9, 12 or 15 digits"),
        ("11010500A", "only digits"),
        ("１１０１０５", "only digits"),
        ("110000004", "not a district"),
        ("110100004001000", "not a district"),
        ("000105", "not a district"),
        ("110105000001", "lower level is set under an empty level"),
        ("110105001000005", "lower level is set under an empty level"),
        ("", "is empty"),
    ],
)
def test_invalid_codes(text: str, fragment: str) -> None:
    with pytest.raises(JurisdictionCodeError, match=fragment):
        parse_code(text)


def test_containment_and_ancestors() -> None:
    street = parse_code("110105004")
    grid = parse_code("110105004001012")
    other_street = parse_code("110105005001")
    assert street.contains(grid) and street.contains(street)
    assert not street.contains(other_street)
    assert not grid.contains(street)
    assert [str(c) for c in grid.ancestors()] == ["110105004001000", "110105004000000", "110105000000000"]
    assert is_within("110105004001012", ["110108", "110105004"])
    assert not is_within("110105005", ["110105004"])


def test_street_part_of_a_code() -> None:
    assert parse_code("110105013004005").street == "110105013"
    assert parse_code("110105").street == "110105000"
    assert street_of("110105013004") == "110105013"
    assert street_of("") == ""


@pytest.mark.parametrize(("text", "short"), [("110000", "11"), ("110100000000000", "1101")])
def test_a_city_code_is_a_scope_above_its_districts(text: str, short: str) -> None:
    city = parse_code(text)
    assert (city.level, city.short, city.parent()) == (Level.CITY, short, None)
    assert is_within("110105004032000", (text,))
    assert not is_within("120101004000000", (text,))
