"""JSON text of records (values that are not plain JSON are converted by inspector.core.records), and the canonical
form that is hashed: made by orjson where its text is the standard library's byte for byte (inspector.core.json_text),
else by the standard library.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from inspector.core.json_text import orjson_text
from inspector.core.records import plain_value

ZERO_HASH = "0" * 64


# Made once: json.dumps with options builds a new encoder on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain_value)
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False, default=plain_value
)


def dumps(value: Any) -> str:
    """Compact JSON text of a value (UTF-8 characters kept)."""
    text = orjson_text(value, False, plain_value)
    return _COMPACT.encode(value) if text is None else text


def canonical_json(value: Any) -> str:
    """The canonical text that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    text = orjson_text(value, True, plain_value)
    return _CANONICAL.encode(value) if text is None else text


def sha256_text(text: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(text: str | None) -> Any:
    """Parse stored JSON text (None stays None)."""
    return None if text is None else json.loads(text)
