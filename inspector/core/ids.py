"""Time-ordered UUIDv7 identifiers for records created on a client (RFC 9562 §5.7)."""

from __future__ import annotations

import os
import threading
import time
import uuid
from collections.abc import Callable


def _wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class UUID7Generator:
    """Makes UUIDv7s: 48-bit Unix milliseconds, a 12-bit counter, 62 random bits; never goes backwards.

    Ids made in the same millisecond, or while the wall clock steps back, stay strictly increasing: the
    generator keeps the last millisecond it used and counts up in the 12-bit field.
    """

    def __init__(
        self,
        now_ms: Callable[[], int] = _wall_clock_ms,
        random_bytes: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._now_ms = now_ms
        self._random_bytes = random_bytes
        self._last_ms = 0
        self._seq = 0
        self._lock = threading.Lock()

    def __call__(self) -> uuid.UUID:
        with self._lock:
            ms = self._now_ms()
            if ms <= self._last_ms:
                ms = self._last_ms
                self._seq += 1
                if self._seq > 0xFFF:
                    ms += 1
                    self._seq = 0
            else:
                self._seq = int.from_bytes(self._random_bytes(2), "big") & 0x3FF  # leave room to count up
            self._last_ms = ms
            seq = self._seq
        rand_b = int.from_bytes(self._random_bytes(8), "big") & ((1 << 62) - 1)
        value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand_b
        return uuid.UUID(int=value)


uuid7 = UUID7Generator()


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
    """Whether text is a canonical (lower-case, hyphenated) UUID string of any version."""
    try:
        return str(uuid.UUID(text)) == text
    except (ValueError, AttributeError, TypeError):
        return False
