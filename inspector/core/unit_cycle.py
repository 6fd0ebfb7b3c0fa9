"""门前三包 as a cycle: the 责任书 and its renewal, 街巷长/小巷管家 patrol logs, and the visit rows coverage counts."""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from inspector.core.clock import local_date, parse_iso
from inspector.core.levels import InspectionLevel
from inspector.core.month import Visit, VisitKind

# The 责任书's fields as flat keys of a street-front unit's `details` (docs/sync-protocol.md §4.1).
PLEDGE_SIGNED_ON = "pledge_signed_on"  # YYYY-MM-DD, the day both sides signed
PLEDGE_TERM_MONTHS = "pledge_term_months"  # whole months the 责任书 runs
PLEDGE_SIGNER = "pledge_signer"  # who signed for the unit
PLEDGE_SCAN = "pledge_scan"  # SHA-256 of the scanned copy (a PDF kept as a document, or a photo)
PLEDGE_KEYS = (PLEDGE_SIGNED_ON, PLEDGE_TERM_MONTHS, PLEDGE_SIGNER, PLEDGE_SCAN)
DEFAULT_RENEWAL_WINDOW_DAYS = 30
MAX_TERM_MONTHS = 120


class PledgeError(ValueError):
    """A 责任书 that cannot be kept: a bad date, term or signer (the message names the field)."""


class PledgeStanding(StrEnum):
    """Where a 责任书 stands on a given day."""

    VALID = "valid"  # 有效
    DUE_SOON = "due_soon"  # 临期 (renewal due within the window)
    EXPIRED = "expired"  # 已过期


STANDING_ZH = {PledgeStanding.VALID: "有效", PledgeStanding.DUE_SOON: "临期待续签", PledgeStanding.EXPIRED: "已过期"}


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter: 1-31 + 1 month → 2-28/29)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Pledge:
    """A unit's 门前三包责任书: signed on a day for a term; the last day it covers is the renewal due date."""

    signed_on: date
    term_months: int
    signer: str
    scan: str | None = None

    @property
    def renewal_due(self) -> date:
        """The last day the 责任书 covers (signed 2026-03-10 for 12 months → 2027-03-09): renew by then."""
        return add_months(self.signed_on, self.term_months) - timedelta(days=1)

    def standing(self, today: date, window_days: int = DEFAULT_RENEWAL_WINDOW_DAYS) -> PledgeStanding:
        """Expired after its renewal due day; due soon when that day is at most `window_days` away."""
        if today > self.renewal_due:
            return PledgeStanding.EXPIRED
        if (self.renewal_due - today).days <= window_days:
            return PledgeStanding.DUE_SOON
        return PledgeStanding.VALID

    def details(self) -> dict[str, Any]:
        """The subject detail keys that carry it."""
        out: dict[str, Any] = {
            PLEDGE_SIGNED_ON: self.signed_on.isoformat(),
            PLEDGE_TERM_MONTHS: self.term_months,
            PLEDGE_SIGNER: self.signer,
        }
        if self.scan:
            out[PLEDGE_SCAN] = self.scan
        return out


def make_pledge(signed_on: date | str, term_months: int | str, signer: str, scan: str | None = None) -> Pledge:
    """A checked 责任书; PledgeError names what is wrong."""
    if isinstance(signed_on, str):
        try:
            signed_on = date.fromisoformat(signed_on)
        except ValueError as exc:
            raise PledgeError(f"signed_on: {signed_on!r} is not a date (YYYY-MM-DD)") from exc
    try:
        term = int(term_months)
    except (TypeError, ValueError) as exc:
        raise PledgeError(f"term_months: {term_months!r} is not a whole number") from exc
    if not 1 <= term <= MAX_TERM_MONTHS:
        raise PledgeError(f"term_months: {term} is outside 1..{MAX_TERM_MONTHS}")
    name = (signer or "").strip()
    if not name or len(name) > 100:
        raise PledgeError("signer: a name of 1 to 100 characters is needed")
    if scan is not None and not (len(scan) == 64 and all(c in "0123456789abcdef" for c in scan)):
        raise PledgeError("scan: not a SHA-256")
    return Pledge(signed_on, term, name, scan or None)


def pledge_of(details: Mapping[str, Any]) -> Pledge | None:
    """The 责任书 a subject's details carry, or None when they carry none (or an unreadable one)."""
    if not details.get(PLEDGE_SIGNED_ON):
        return None
    try:
        return make_pledge(
            str(details[PLEDGE_SIGNED_ON]),
            details.get(PLEDGE_TERM_MONTHS, 0),
            str(details.get(PLEDGE_SIGNER) or ""),
            str(details[PLEDGE_SCAN]) if details.get(PLEDGE_SCAN) else None,
        )
    except PledgeError:
        return None


# ---------------------------------------------------------------------------------------------------------------
# People on the street: 街巷长 and 小巷管家, their streets and their patrol logs
# ---------------------------------------------------------------------------------------------------------------


class PatrolRole(StrEnum):
    """Who walks a back street (2022 规划, 朝阳 2023: 街巷长制, 小巷管家)."""

    STREET_CHIEF = "street_chief"  # 街巷长
    LANE_STEWARD = "lane_steward"  # 小巷管家


ROLE_ZH = {PatrolRole.STREET_CHIEF: "街巷长", PatrolRole.LANE_STEWARD: "小巷管家"}
# The back street's detail keys naming the user assigned to it in each role.
ASSIGNMENT_KEYS = {PatrolRole.STREET_CHIEF: "street_chief_id", PatrolRole.LANE_STEWARD: "lane_steward_id"}
CHECK_RESULTS = ("pass", "fail")
MAX_PATROL_STREETS = 50
MAX_PATROL_CHECKS = 30


def assigned_streets(user_id: str, streets: Iterable[tuple[str, Mapping[str, Any]]]) -> dict[str, list[PatrolRole]]:
    """The back streets (id → the roles) a user is assigned to, from each street's details."""
    out: dict[str, list[PatrolRole]] = {}
    for street_id, details in streets:
        roles = [role for role, key in ASSIGNMENT_KEYS.items() if details.get(key) == user_id]
        if roles:
            out[street_id] = roles
    return out


@dataclass(frozen=True)
class PatrolCheck:
    """One check on a walk: what was looked at, pass or fail, a note, on which street (optional)."""

    item: str
    result: str
    note: str = ""
    street_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"item": self.item, "result": self.result, "note": self.note, "street_id": self.street_id}


@dataclass(frozen=True)
class PatrolLog:
    """A 巡查日志: one walk by a 街巷长 or 小巷管家 — when, which streets, a few checks, photos."""

    id: str
    role: PatrolRole
    jurisdiction: str
    started_at: str
    ended_at: str
    streets: tuple[str, ...]
    checks: tuple[PatrolCheck, ...] = ()
    photos: tuple[str, ...] = ()
    notes: str = ""
    patroller_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The `patrol.submit` payload's fields (docs/sync-protocol.md §5.5)."""
        return {
            "patrol_id": self.id,
            "role": self.role.value,
            "jurisdiction": self.jurisdiction,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "streets": list(self.streets),
            "checks": [check.to_json() for check in self.checks],
            "photos": list(self.photos),
            "notes": self.notes,
        }


def make_patrol(data: Mapping[str, Any]) -> PatrolLog:
    """A checked patrol log from its wire/stored shape (`patrol_id` or `id`); PatrolError names the field."""
    try:
        role = PatrolRole(str(data.get("role")))
    except ValueError as exc:
        raise PatrolError(f"role: must be one of {', '.join(PatrolRole)}") from exc
    started, ended = str(data.get("started_at") or ""), str(data.get("ended_at") or "")
    try:
        start, end = parse_iso(started), parse_iso(ended)
    except ValueError as exc:
        raise PatrolError("started_at / ended_at: not ISO-8601 instants") from exc
    if end < start:
        raise PatrolError("ended_at: before started_at")
    streets = tuple(dict.fromkeys(str(street) for street in data.get("streets") or ()))
    if not streets or len(streets) > MAX_PATROL_STREETS:
        raise PatrolError(f"streets: 1 to {MAX_PATROL_STREETS} streets walked are needed")
    checks = []
    for raw in data.get("checks") or ():
        result = str(raw.get("result"))
        if result not in CHECK_RESULTS or not str(raw.get("item") or "").strip():
            raise PatrolError("checks: each needs an item and a result of pass or fail")
        street = raw.get("street_id")
        checks.append(
            PatrolCheck(
                str(raw["item"]).strip()[:200],
                result,
                str(raw.get("note") or "")[:2000],
                None if street is None else str(street),
            )
        )
    if len(checks) > MAX_PATROL_CHECKS:
        raise PatrolError(f"checks: at most {MAX_PATROL_CHECKS}")
    return PatrolLog(
        id=str(data.get("patrol_id") or data.get("id") or ""),
        role=role,
        jurisdiction=str(data.get("jurisdiction") or ""),
        started_at=started,
        ended_at=ended,
        streets=streets,
        checks=tuple(checks),
        photos=tuple(str(sha) for sha in data.get("photos") or ()),
        notes=str(data.get("notes") or "")[:2000],
        patroller_id=None if data.get("patroller_id") is None else str(data.get("patroller_id")),
    )


class PatrolError(ValueError):
    """A patrol log that cannot be kept (the message names the field)."""


# ---------------------------------------------------------------------------------------------------------------
# Visit rows: what the month's coverage (每日自查, 半月巡查) counts
# ---------------------------------------------------------------------------------------------------------------


def patrol_visits(log: PatrolLog) -> list[Visit]:
    """One visit per street walked, on the Beijing day the walk began, at the 街乡自查 level."""
    day = local_date(parse_iso(log.started_at))
    return [Visit(street, day, InspectionLevel.STREET_SELF, VisitKind.PATROL) for street in log.streets]


def inspection_visit(subject_id: str | None, started_at: str | None, level: InspectionLevel | str) -> Visit | None:
    """The visit an inspection stands for (None without a subject or a time); a unit_self one is the 自查."""
    if not subject_id or not started_at:
        return None
    known = InspectionLevel(level)
    kind = VisitKind.SELF_CHECK if known == InspectionLevel.UNIT_SELF else VisitKind.INSPECTION
    return Visit(subject_id, local_date(parse_iso(started_at)), known, kind)
