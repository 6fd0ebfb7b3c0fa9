"""JSON text made by orjson where it is byte for byte the standard library's, which is then not asked.

orjson writes some floats differently (0.00001 where json writes 1e-05, 1e16 for 1e+16) and refuses keys that are
not text, integers beyond 64 bits and lone surrogates. So its text is kept only when it raised nothing and no number
in it is in exponent form or below 0.0001; otherwise the caller encodes with json. NaN and infinities are the one
value both accept and write differently (json: NaN, orjson: null): the server refuses them at its edge and the
laptop reads JSON with orjson, which refuses them, so neither meets one here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import orjson

# Dates, times and dataclasses go to `default`, as the standard encoder sends them.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
# A number that orjson may write unlike json: in exponent form, or below 0.0001. In compact JSON a number inside an
# object or array follows `:`, `,` or `[` (one alone is the whole text); the same characters inside a string only
# send that value to json, which is no harm.
_RISKY_NUMBER = re.compile(rb"[:,\[]-?+(?:[0-9][0-9.]*+[eE]|0\.0000)")
_NUMBER_START = frozenset(b"-0123456789")


def _refuse(value: Any) -> Any:
    raise TypeError(f"{type(value).__name__} is not JSON")


def orjson_text(value: Any, sort_keys: bool, default: Callable[[Any], Any] | None = None) -> str | None:
    """Compact JSON text of a value (UTF-8 characters kept, keys sorted when asked) exactly as json.JSONEncoder with
    `separators=(",", ":")`, `ensure_ascii=False` and the same `default` writes it; None when only json can tell."""
    options = _OPTIONS | orjson.OPT_SORT_KEYS if sort_keys else _OPTIONS
    try:
        data = orjson.dumps(value, default=default or _refuse, option=options)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return None
    if data[0] in _NUMBER_START or _RISKY_NUMBER.search(data):
        return None
    return data.decode("utf-8")
