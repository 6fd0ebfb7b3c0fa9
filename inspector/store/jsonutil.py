"""JSON text as stored in the database: compact, UTF-8 kept readable (Chinese is not escaped)."""

from __future__ import annotations

import json
from typing import Any

import orjson

from inspector.core.json_text import orjson_text

# Made once: json.dumps with options builds a new encoder on every call, which cost more than many small values.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def dumps(value: Any) -> str:
    """Serialise a value for a TEXT column (by orjson when its text is json's byte for byte: see core.json_text)."""
    text = orjson_text(value, True)
    return _ENCODER.encode(value) if text is None else text


def loads(text: str | None, default: Any = None) -> Any:
    """Parse a TEXT column; None (SQL NULL) gives the default. orjson reads the same values several times faster;
    the standard parser takes what it refuses (NaN, integers past 64 bits)."""
    if text is None:
        return default
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
