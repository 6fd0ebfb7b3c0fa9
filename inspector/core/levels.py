"""Inspection levels: who did an inspection (市级, 区级, 第三方, 街乡自查, 责任单位自查) and the source it gives."""

from __future__ import annotations

from enum import StrEnum

from inspector.core.ledger import Source


class InspectionLevel(StrEnum):
    """Who did an inspection; the 降档/复档 and ranking rules name the levels they count (standards.md §1.6)."""

    CITY = "city"  # 市级检查 (incl. the 市级日常检查 that restores a street, 复档)
    DISTRICT = "district"  # 区级检查
    THIRD_PARTY = "third_party"  # 第三方检查 (the city's quarterly check that downgrades a street, 降档)
    STREET_SELF = "street_self"  # 街乡自查 (the 街道/乡镇's own patrols)
    UNIT_SELF = "unit_self"  # 责任单位自查 (a 门前三包 unit's own daily check)


LEVEL_LABELS_ZH: dict[InspectionLevel, str] = {
    InspectionLevel.CITY: "市级检查",
    InspectionLevel.DISTRICT: "区级检查",
    InspectionLevel.THIRD_PARTY: "第三方检查",
    InspectionLevel.STREET_SELF: "街乡自查",
    InspectionLevel.UNIT_SELF: "责任单位自查",
}

LEVEL_LABELS_EN: dict[InspectionLevel, str] = {
    InspectionLevel.CITY: "City check",
    InspectionLevel.DISTRICT: "District check",
    InspectionLevel.THIRD_PARTY: "Third-party check",
    InspectionLevel.STREET_SELF: "Street self-check",
    InspectionLevel.UNIT_SELF: "Unit self-check",
}

# The 发现方式 a case found by an inspection of each level records.
LEVEL_SOURCE: dict[InspectionLevel, Source] = {
    InspectionLevel.CITY: Source.CITY_CHECK,
    InspectionLevel.DISTRICT: Source.DISTRICT_CHECK,
    InspectionLevel.THIRD_PARTY: Source.THIRD_PARTY_CHECK,
    InspectionLevel.STREET_SELF: Source.PATROL,
    InspectionLevel.UNIT_SELF: Source.SELF_CHECK,
}


def level_from_source(source: str | None) -> InspectionLevel:
    """The level of an inspection recorded before levels existed, read from its 发现方式 (巡查 → 街乡自查)."""
    for level, known in LEVEL_SOURCE.items():
        if known == source:
            return level
    return InspectionLevel.STREET_SELF
