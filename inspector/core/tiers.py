"""Back-street tiers (精品/优美/达标街巷, 2023–2025 方案) with their history, and each month's tier and 达标 status."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from inspector.core.clock import local_date
from inspector.core.scoring import COMPLIANT, MonthStatus, month_key


class Tier(StrEnum):
    """The tier a back street is assigned: "按照精品、优美、达标街巷标准" (2023–2025 方案, standards.md §1.1)."""

    PREMIUM = "premium"  # 精品街巷
    FINE = "fine"  # 优美街巷
    STANDARD = "standard"  # 达标街巷


TIER_LABELS_ZH: dict[Tier, str] = {
    Tier.PREMIUM: "精品街巷",
    Tier.FINE: "优美街巷",
    Tier.STANDARD: "达标街巷",
}
TIER_LABELS_EN: dict[Tier, str] = {
    Tier.PREMIUM: "Premium street",
    Tier.FINE: "Fine street",
    Tier.STANDARD: "Standard street",
}


def parse_tier(value: str) -> Tier:
    """A tier from its code or its Chinese label (精品/优美/达标, with or without 街巷); ValueError otherwise."""
    text = value.strip()
    for tier in Tier:
        if text in (tier.value, TIER_LABELS_ZH[tier], TIER_LABELS_ZH[tier].removesuffix("街巷")):
            return tier
    raise ValueError(f"unknown tier {value!r}: one of {', '.join(t.value for t in Tier)} (精品/优美/达标)")


@dataclass(frozen=True)
class TierChange:
    """One assignment of a street's tier: which tier, from when, by whom, why."""

    subject_id: str
    tier: Tier
    at: datetime  # aware; the tier holds from this instant until the next change
    by: str = ""
    note: str = ""


@dataclass(frozen=True)
class TierMonth:
    """A back street's month: its assigned tier at the month's end and its 达标/不达标 status (scoring rule)."""

    month: str
    tier: Tier | None
    status: MonthStatus | None

    @property
    def downgraded(self) -> bool:
        """降档: the street is 不达标 this month, whatever its assigned tier."""
        return self.status is not None and self.status.status != COMPLIANT


def tier_at(history: Iterable[TierChange], month: str) -> Tier | None:
    """The tier in force at the end of a month (YYYY-MM): the last change made in or before it."""
    current: TierChange | None = None
    for change in sorted(history, key=lambda change: change.at):
        if month_key(local_date(change.at)) <= month:
            current = change
    return current.tier if current is not None else None


def tier_months(history: Sequence[TierChange], statuses: Sequence[MonthStatus]) -> list[TierMonth]:
    """Each month of the status history (or, without one, each month a tier was set) with the tier then in force."""
    by_month = {status.month: status for status in statuses}
    months = sorted({*by_month, *(month_key(local_date(change.at)) for change in history)})
    return [TierMonth(month, tier_at(history, month), by_month.get(month)) for month in months]
