"""JSON text of records (values that are not plain JSON are converted by inspector.core.records), and the canonical
form that is hashed.

Both are made by orjson when its text is byte for byte the standard library's (json with the same options), and by
the standard library otherwise: orjson writes some floats differently (0.00001 where json writes 1e-05, 1e16 for
1e+16) and refuses keys that are not text, integers beyond 64 bits and lone surrogates. So orjson's text is kept only
when it raised nothing and no number in it is in exponent form or below 0.0001 (tests/server/test_server_encoding.py
compares the two over many values). NaN and infinities never get here: requests refuse them at the edge
(schemas.Strict), and orjson would write them as null.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import orjson

from inspector.core.records import plain_value

ZERO_HASH = "0" * 64


# Made once: json.dumps with options builds a new encoder on every call.
_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=plain_value)
_CANONICAL = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), sort_keys=True, allow_nan=False, default=plain_value
)
# Dates, times and dataclasses go through plain_value as they do for the standard encoder.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# A number that orjson may write unlike json: in exponent form, or below 0.0001. In compact JSON a number inside an
# object or array follows `:`, `,` or `[` (one alone is the whole text); the same characters inside a string only
# send that value to json, which is no harm.
_RISKY_NUMBER = re.compile(rb"[:,\[]-?+(?:[0-9][0-9.]*+[eE]|0\.0000)")
_NUMBER_START = frozenset(b"-0123456789")


def _fast(value: Any, options: int) -> str | None:
    """orjson's text of a value when it is certainly json's, else None."""
    try:
        data = orjson.dumps(value, default=plain_value, option=options)
    except (TypeError, ValueError):  # orjson.JSONEncodeError is a TypeError
        return None
    if data[0] in _NUMBER_START or _RISKY_NUMBER.search(data):
        return None
    return data.decode("utf-8")


def dumps(value: Any) -> str:
    """Compact JSON text of a value (UTF-8 characters kept)."""
    text = _fast(value, _ORJSON_OPTIONS)
    return _COMPACT.encode(value) if text is None else text


def canonical_json(value: Any) -> str:
    """The canonical text that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    text = _fast(value, _ORJSON_OPTIONS | orjson.OPT_SORT_KEYS)
    return _CANONICAL.encode(value) if text is None else text


def sha256_text(text: str) -> str:
    """Lower-case hex SHA-256 of the UTF-8 bytes of a text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def loads(text: str | None) -> Any:
    """Parse stored JSON text (None stays None)."""
    return None if text is None else json.loads(text)
