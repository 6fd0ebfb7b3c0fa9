"""Records as plain JSON values: enums by value, instants as stored UTC text, dates ISO, tuples and sets as lists."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from inspector.core.clock import to_iso

_PLAIN = (str, int, float, bool, type(None))


def plain_record(record: Any) -> dict[str, Any]:
    """The public fields of a flat dataclass as a JSON object (a field's conversion is chosen by its value's type,
    once per type: this runs for every finding a sync writes)."""
    document: dict[str, Any] = {}
    for name in public_fields(type(record)):
        value = getattr(record, name)
        convert = _converter(type(value))
        document[name] = value if convert is None else convert(value)
    return document


def plain_value(value: Any) -> Any:
    """One field value as plain JSON (nested records, mappings and sequences converted throughout)."""
    convert = _converter(type(value))
    return value if convert is None else convert(value)


_FIELDS: dict[type, tuple[str, ...]] = {}
_CONVERTERS: dict[type, Callable[[Any], Any] | None] = {}


def public_fields(kind: type) -> tuple[str, ...]:
    """The names of a dataclass's public fields (those not starting with `_`), in order."""
    if kind not in _FIELDS:
        _FIELDS[kind] = tuple(name for name in kind.__dataclass_fields__ if not name.startswith("_"))  # type: ignore[attr-defined]
    return _FIELDS[kind]


def _converter(kind: type) -> Callable[[Any], Any] | None:
    """How a value of this type becomes plain JSON (None: it already is), found once per type."""
    if kind not in _CONVERTERS:
        _CONVERTERS[kind] = _find_converter(kind)
    return _CONVERTERS[kind]


def _find_converter(kind: type) -> Callable[[Any], Any] | None:
    if kind in _PLAIN:
        return None
    if issubclass(kind, Enum):
        return _enum_value
    if issubclass(kind, str | int | float):
        return None  # other subclasses of plain types are written as their plain value
    if issubclass(kind, datetime):
        return to_iso
    if issubclass(kind, date):
        return date.isoformat
    if issubclass(kind, tuple | list):
        return _sequence
    if issubclass(kind, Mapping):
        return _mapping
    if issubclass(kind, set | frozenset):
        return _sorted
    if hasattr(kind, "__dataclass_fields__"):
        return plain_record
    raise TypeError(f"cannot convert {kind.__name__} to JSON")


def _enum_value(value: Enum) -> Any:
    return value.value


def _sequence(value: tuple[Any, ...] | list[Any]) -> list[Any]:
    return [plain_value(item) for item in value]


def _sorted(value: set[Any] | frozenset[Any]) -> list[Any]:
    return [plain_value(item) for item in sorted(value)]


def _mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    return {str(key): plain_value(item) for key, item in value.items()}
