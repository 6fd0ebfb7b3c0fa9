"""JSON encoding of records: plain JSON values from dataclasses/enums/dates, and the canonical form that is hashed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping
from datetime import date, datetime
from enum import Enum
from typing import Any

from inspector.core.clock import to_iso
from inspector.core.records import plain_record

ZERO_HASH = "0" * 64


_PLAIN = (str, int, float, bool, type(None))


def _encode_special(value: Any) -> Any:
    """One step of encoding a non-JSON value (the JSON encoder recurses into what this returns)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value) if not f.name.startswith("_")}
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def jsonable(value: Any) -> Any:
    """The value as plain JSON types: dataclasses become objects, enums their values, instants ISO text."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if isinstance(value, bool | int | float | str):
        return value
    return jsonable(_encode_special(value))


def record_document(record: Any) -> dict[str, Any]:
    """A flat dataclass (fields of plain values, enums, instants, dates, tuples of plain values) as a JSON object:
    the fast path of jsonable() for the records written on every push."""
    return plain_record(record)


# Made once: json.dumps with options builds a new encoder on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_encode_special)
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False, default=_encode_special
)


def dumps(value: Any) -> str:
    """Compact JSON text of a value (UTF-8 characters kept)."""
    return _COMPACT.encode(value)


def canonical_json(value: Any) -> str:
    """The canonical text that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return _CANONICAL.encode(value)


def sha256_text(text: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(text: str | None) -> Any:
    """Parse stored JSON text (None stays None)."""
    return None if text is None else json.loads(text)
