"""The 15-digit grid code of a jurisdiction: 6 区划 + 3 街乡 + 3 社区/村 + 3 网格 (GB/T 30428 layout)."""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from enum import IntEnum


class Level(IntEnum):
    """Levels of the jurisdiction tree, from the city (a supervisor's scope only, never a record's place) down to the
    grid cell."""

    CITY = 0  # 市 (a 区划 code ending in 00 with nothing below it: 110000 北京市, 110100 its 市辖区)
    DISTRICT = 1  # 区 (县级行政区划, 6 digits)
    STREET = 2  # 街道 / 乡镇 (3 digits)
    COMMUNITY = 3  # 社区 / 村 (3 digits)
    GRID = 4  # 单元网格 (3 digits)


LEVEL_NAMES = {
    Level.CITY: "市",
    Level.DISTRICT: "区",
    Level.STREET: "街乡",
    Level.COMMUNITY: "社区/村",
    Level.GRID: "网格",
}
_PART_ENDS = (6, 9, 12, 15)


class JurisdictionCodeError(ValueError):
    """A text that is not a valid jurisdiction code; the message says why."""


@dataclass(frozen=True, order=True)
class JurisdictionCode:
    """A validated code, always held in its full 15-digit form (lower levels as zeros)."""

    full: str

    @functools.cached_property
    def level(self) -> Level:
        """The most specific level this code names."""
        for index in (3, 2, 1):
            start, end = _PART_ENDS[index - 1], _PART_ENDS[index]
            if self.full[start:end] != "000":
                return Level(index + 1)
        return Level.CITY if self.full[4:6] == "00" else Level.DISTRICT

    @functools.cached_property
    def short(self) -> str:
        """The code without the zero parts of lower levels (6, 9, 12 or 15 digits; 2 or 4 for a city)."""
        if self.level == Level.CITY:
            return self.full[:2] if self.full[2:4] == "00" else self.full[:4]
        return self.full[: _PART_ENDS[self.level - 1]]

    @property
    def district(self) -> str:
        """The 6-digit 区划 code."""
        return self.full[:6]

    @property
    def street(self) -> str:
        """The 9-digit 街乡 code (区划 + 街乡), the key 街乡 names and ledger counters are kept by."""
        return street_of(self.full)

    def parent(self) -> JurisdictionCode | None:
        """The code one level up, or None for a district or a city."""
        if self.level <= Level.DISTRICT:
            return None
        keep = _PART_ENDS[self.level - 2]
        return JurisdictionCode(self.full[:keep].ljust(15, "0"))

    def contains(self, other: JurisdictionCode) -> bool:
        """Whether other is this jurisdiction or lies inside it."""
        return other.full.startswith(self.short)

    def ancestors(self) -> list[JurisdictionCode]:
        """Parents from the nearest up to the district."""
        chain: list[JurisdictionCode] = []
        node = self.parent()
        while node is not None:
            chain.append(node)
            node = node.parent()
        return chain

    def __str__(self) -> str:
        return self.full


def street_of(code: str) -> str:
    """The 9-digit 街乡 part (区划 + 街乡) of a code text, as written: not validated, "" for ""."""
    return code[: _PART_ENDS[Level.STREET - 1]]


def parse_code(text: str) -> JurisdictionCode:
    """Parse a code of 6, 9, 12 or 15 digits; shorter forms are padded with zeros.

    Rejects non-digits, other lengths, a district part ending in 00 (a province or city) with a lower part set under
    it, and a lower part that is set while a higher one is zero (e.g. a grid without a community). A city code with
    nothing below it (110000, 110100) is valid at Level.CITY: it names a supervisor's scope, never a record's place.
    Valid codes are remembered: every scope check of every command parses the same few codes again.
    """
    return _parse_text(str(text))


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str) -> JurisdictionCode:
    raw = text.strip()
    if not raw:
        raise JurisdictionCodeError("jurisdiction code is empty")
    if not raw.isascii() or not raw.isdigit():
        raise JurisdictionCodeError(f"jurisdiction code {raw!r}: only digits are allowed")
    if len(raw) not in _PART_ENDS:
        raise JurisdictionCodeError(f"jurisdiction code {raw!r}: must have 6, 9, 12 or 15 digits, not {len(raw)}")
    full = raw.ljust(15, "0")
    if full[:2] == "00" or (full[4:6] == "00" and full[6:] != "0" * 9):
        raise JurisdictionCodeError(f"jurisdiction code {raw!r}: {full[:6]} is not a district (区/县) code")
    parts = [full[6:9], full[9:12], full[12:15]]
    for upper, lower in itertools.pairwise(parts):
        if upper == "000" and lower != "000":
            raise JurisdictionCodeError(f"jurisdiction code {raw!r}: a lower level is set under an empty level")
    return JurisdictionCode(full)


def is_within(code: str, scopes: list[str] | tuple[str, ...] | frozenset[str]) -> bool:
    """Whether a code lies inside any of the given scope codes."""
    target = parse_code(code)
    return any(parse_code(scope).contains(target) for scope in scopes)
