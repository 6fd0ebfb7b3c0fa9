"""Time-ordered UUIDv7 identifiers for records created on a client (RFC 9562 §5.7)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable

_last_ms = 0
_last_seq = 0


def uuid7(
    now_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
    random_bytes: Callable[[int], bytes] = os.urandom,
) -> uuid.UUID:
    """Return a new UUIDv7: 48-bit Unix milliseconds, then a 12-bit counter and 62 random bits.

    Ids made in the same millisecond by this process stay strictly increasing (the 12-bit field counts up).
    """
    global _last_ms, _last_seq
    ms = now_ms()
    if ms <= _last_ms:
        ms = _last_ms
        _last_seq += 1
        if _last_seq > 0xFFF:
            ms += 1
            _last_seq = 0
    else:
        _last_seq = int.from_bytes(random_bytes(2), "big") & 0x3FF  # leave room to count up
    _last_ms = ms
    rand_b = int.from_bytes(random_bytes(8), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= _last_seq << 64
    value |= 0b10 << 62
    value |= rand_b
    return uuid.UUID(int=value)


def new_id() -> str:
    """A new record id as the canonical lower-case string."""
    return str(uuid7())


def uuid7_millis(value: uuid.UUID | str) -> int:
    """The Unix millisecond timestamp carried by a UUIDv7."""
    u = value if isinstance(value, uuid.UUID) else uuid.UUID(value)
    if u.version != 7:
        raise ValueError(f"not a UUIDv7: {u}")
    return u.int >> 80


def is_uuid(text: str) -> bool:
    """Whether text is a canonical UUID string (any version)."""
    try:
        return str(uuid.UUID(text)) == text
    except (ValueError, AttributeError, TypeError):
        return False
