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

ZERO_HASH = "0" * 64


def jsonable(value: Any) -> Any:
    """The value as plain JSON types: dataclasses become objects, enums their values, instants ISO text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return to_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value) if not f.name.startswith("_")
        }
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = [jsonable(item) for item in value]
        return sorted(items) if isinstance(value, set | frozenset) else items
    raise TypeError(f"cannot encode {type(value).__name__} as JSON")


def dumps(value: Any) -> str:
    """Compact JSON text of a value (UTF-8 characters kept)."""
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"))


def canonical_json(value: Any) -> str:
    """The canonical text that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(jsonable(value), ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False)


def sha256_text(text: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(text: str | None) -> Any:
    """Parse stored JSON text (None stays None)."""
    return None if text is None else json.loads(text)
