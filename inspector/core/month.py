"""The month's outputs (月检查、月曝光、月排名): what was checked and by whom, coverage against the required frequency,
the half-monthly patrol alert, which cases are exposed, and the record of a 约谈 tied to the ranking.

Pure functions over plain records. Coverage counts "visits" (subject, Beijing day, inspection level, kind of visit):
today every finished inspection is one; a 街巷长's patrol log or a unit's own 自查 recorded elsewhere are more rows
of the same shape (docs/statistics.md, 月检查).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from inspector.core.clock import local_date
from inspector.core.ledger import FindingState, Source, State, is_overdue
from inspector.core.levels import InspectionLevel
from inspector.core.scoring import COMPLIANT, NON_COMPLIANT, MonthStatus
from inspector.core.statistics import (
    BLACK,
    STREET_FRONT_KIND,
    InspectionFacts,
    RedBlackList,
    StreetRank,
    check_month,
    month_end,
)

BACK_STREET_KIND = "back_street"

DAILY, HALF_MONTH, MONTHLY = "day", "half_month", "month"


# --------------------------------------------------------------------------------------------------------------
# Visits and frequencies
# --------------------------------------------------------------------------------------------------------------


class VisitKind(StrEnum):
    """What kind of visit a row stands for."""

    INSPECTION = "inspection"  # a checklist inspection of the subject (any level)
    SELF_CHECK = "self_check"  # the unit's own daily 自查 (an inspection at level unit_self)
    PATROL = "patrol"  # a 街巷长/小巷管家 walk through the street (core.unit_cycle.patrol_visits)


@dataclass(frozen=True, order=True)
class Visit:
    """One time a subject was looked at: which day (Beijing), at which level, what kind of visit, by whom."""

    subject_id: str
    day: date
    level: str | None  # core.levels.InspectionLevel; None when not known (then it counts for no requirement)
    kind: str = VisitKind.INSPECTION
    checklist_id: str = ""
    by: str = ""  # the inspector's (or patroller's) user id


def _inspection_kind(level: str | None) -> str:
    return VisitKind.SELF_CHECK if level == InspectionLevel.UNIT_SELF else VisitKind.INSPECTION


def visits_from_inspections(inspections: Iterable[InspectionFacts]) -> list[Visit]:
    """Each finished inspection with a subject as one visit (its level read from InspectionFacts.level)."""
    return [
        Visit(
            fact.subject_id,
            local_date(fact.at),
            fact.level,
            _inspection_kind(fact.level),
            fact.checklist_id,
            fact.inspector,
        )
        for fact in inspections
        if fact.subject_id
    ]


@dataclass(frozen=True)
class Frequency:
    """A required frequency: subjects of `subject_kind` need a visit at one of `levels` in every `period`."""

    key: str
    label: str  # e.g. 每日自查
    subject_kind: str
    levels: frozenset[str]
    period: str  # DAILY, HALF_MONTH or MONTHLY
    source: str  # where the requirement comes from
    proposal: bool  # True: the project's own proposal, no source gives it


UNIT_DAILY_SELF_CHECK = Frequency(
    "unit_daily_self_check", "每日自查", STREET_FRONT_KIND, frozenset({InspectionLevel.UNIT_SELF}), DAILY,
    "朝阳区 2023：“坚持每日自查、半月巡查、每月通报”（门前三包）", False,
)  # fmt: skip
UNIT_HALF_MONTH_PATROL = Frequency(
    "unit_half_month_patrol", "半月巡查", STREET_FRONT_KIND, frozenset({InspectionLevel.STREET_SELF}), HALF_MONTH,
    "朝阳区 2023：“坚持每日自查、半月巡查、每月通报”（门前三包）", False,
)  # fmt: skip
BACK_STREET_MONTHLY = Frequency(
    "back_street_monthly", "每月至少检查一次", BACK_STREET_KIND,
    frozenset({InspectionLevel.STREET_SELF, InspectionLevel.DISTRICT, InspectionLevel.CITY,
               InspectionLevel.THIRD_PARTY}),
    MONTHLY, "本项目建议（未见北京市规定的背街小巷检查频次）", True,
)  # fmt: skip
FREQUENCIES: tuple[Frequency, ...] = (UNIT_DAILY_SELF_CHECK, UNIT_HALF_MONTH_PATROL, BACK_STREET_MONTHLY)


def month_days(month: str) -> list[date]:
    """Every day of a YYYY-MM month."""
    year, number = (int(part) for part in check_month(month).split("-"))
    return [date(year, number, day) for day in range(1, calendar.monthrange(year, number)[1] + 1)]


def half_month(day: date) -> tuple[date, date]:
    """The half-month a day lies in: the 1st–15th or the 16th–last day, both ends included."""
    if day.day <= 15:
        return day.replace(day=1), day.replace(day=15)
    return day.replace(day=16), day.replace(day=calendar.monthrange(day.year, day.month)[1])


def periods(month: str, period: str, until: date | None = None) -> list[tuple[date, date]]:
    """The month's periods of a frequency (first and last day), only those begun by `until` when it is given."""
    days = month_days(month)
    if period == DAILY:
        spans = [(day, day) for day in days]
    elif period == HALF_MONTH:
        spans = [half_month(days[0]), half_month(days[-1])]
    elif period == MONTHLY:
        spans = [(days[0], days[-1])]
    else:
        raise ValueError(f"unknown period {period!r}")
    return [span for span in spans if until is None or span[0] <= until]


@dataclass(frozen=True)
class Coverage:
    """One subject against one frequency in a month: the periods required, those with a visit, those missed."""

    subject_id: str
    frequency: str  # Frequency.key
    required: int
    covered: int
    missed: tuple[tuple[date, date], ...]

    @property
    def rate(self) -> float | None:
        return self.covered / self.required if self.required else None


def coverage(
    frequency: Frequency,
    subjects: Iterable[tuple[str, str]],
    visits: Iterable[Visit],
    month: str,
    until: date | None = None,
) -> list[Coverage]:
    """Coverage of every subject (id, kind) of the frequency's kind in the month (up to `until` for a running month).

    A period is covered when the subject has at least one visit, of any kind, at one of the frequency's levels on a
    day inside it.
    """
    spans = periods(month, frequency.period, until)
    wanted = sorted(subject_id for subject_id, kind in subjects if kind == frequency.subject_kind)
    days: dict[str, set[date]] = {subject_id: set() for subject_id in wanted}
    for visit in visits:
        seen = days.get(visit.subject_id)
        if seen is not None and visit.level in frequency.levels:
            seen.add(visit.day)
    result = []
    for subject_id in wanted:
        seen = days[subject_id]
        missed = tuple(span for span in spans if not any(span[0] <= day <= span[1] for day in seen))
        result.append(Coverage(subject_id, frequency.key, len(spans), len(spans) - len(missed), missed))
    return result


def patrol_alert(subjects: Iterable[tuple[str, str]], visits: Iterable[Visit], today: date) -> list[str]:
    """门前三包 units with no 街乡 patrol (半月巡查) yet in the half-month of `today` (1–15 or 16–end), by id."""
    first, last = half_month(today)
    patrolled = {
        visit.subject_id
        for visit in visits
        if visit.level in UNIT_HALF_MONTH_PATROL.levels and first <= visit.day <= min(last, today)
    }
    units = (subject_id for subject_id, kind in subjects if kind == STREET_FRONT_KIND)
    return sorted(subject_id for subject_id in units if subject_id not in patrolled)


# --------------------------------------------------------------------------------------------------------------
# What was checked and by whom (月检查)
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MonthChecks:
    """The month's visits counted by checklist, by level, and by who made them (person, level)."""

    total: int
    by_checklist: dict[str, int]
    by_level: dict[str, int]
    by_person: dict[tuple[str, str], int]  # (user id, level) → visits
    subjects_visited: int


def month_checks(visits: Iterable[Visit], month: str) -> MonthChecks:
    """Count the month's visits (level "" where not known)."""
    check_month(month)
    chosen = [visit for visit in visits if visit.day.strftime("%Y-%m") == month]
    return MonthChecks(
        total=len(chosen),
        by_checklist=dict(sorted(Counter(visit.checklist_id or visit.kind for visit in chosen).items())),
        by_level=dict(sorted(Counter(visit.level or "" for visit in chosen).items())),
        by_person=dict(sorted(Counter((visit.by, visit.level or "") for visit in chosen).items())),
        subjects_visited=len({visit.subject_id for visit in chosen}),
    )


@dataclass(frozen=True)
class StatusChange:
    """A back street whose 十无 status changed in the month: 降档 (达标 → 不达标) or 复档 (不达标 → 达标)."""

    subject_id: str
    change: str  # 降档 or 复档
    score: float | None
    status: str


DOWNGRADE, RESTORE = "降档", "复档"


def status_changes(back_streets: Mapping[str, Sequence[MonthStatus]], month: str) -> list[StatusChange]:
    """The back streets whose status changed in the month, from statistics.back_street_status."""
    check_month(month)
    found = []
    for subject_id, statuses in sorted(back_streets.items()):
        for status in statuses:
            if status.month == month and status.changed:
                change = DOWNGRADE if status.status == NON_COMPLIANT else RESTORE if status.status == COMPLIANT else ""
                found.append(StatusChange(subject_id, change, status.score, status.status))
    return found


# --------------------------------------------------------------------------------------------------------------
# The month's exposure (月曝光)
# --------------------------------------------------------------------------------------------------------------

EXPOSED_SOURCES = frozenset({Source.CITY_CHECK, Source.DISTRICT_CHECK, Source.THIRD_PARTY_CHECK})
REASON_LEVEL = "上级检查发现"  # found by a 市级/区级/第三方 check in the month
REASON_ESCALATED = "督办"
REASON_OVERDUE = "逾期未整改"


def exposure_reasons(finding: FindingState, month: str, now: datetime | None = None) -> list[str]:
    """Why the rule preselects a case for the month's exposure (empty: not preselected).

    The project's proposal: a case reported in the month by a 市级/区级/第三方 check; a case under 督办 that was
    reported or escalated in the month or is still open at its end; a case overdue at the month's end (at `now`
    for a running month). Cases waiting for review or rejected (不予立案) are never exposed.
    """
    if finding.state in (State.REJECTED, State.REPORTED):
        return []
    end = month_end(month)
    start = (end - timedelta(days=1)).replace(day=1)
    in_month = start <= finding.reported_at < end
    reasons = []
    if in_month and finding.source in EXPOSED_SOURCES:
        reasons.append(REASON_LEVEL)
    if finding.escalation is not None and finding.reported_at < end:
        escalated_in_month = finding.escalated_at is not None and start <= finding.escalated_at < end
        open_at_end = finding.closed_at is None or finding.closed_at >= end
        if in_month or escalated_in_month or open_at_end:
            reasons.append(REASON_ESCALATED)
    if finding.reported_at < end and is_overdue(finding, min(end, now) if now is not None else end):
        reasons.append(REASON_OVERDUE)
    return reasons


def exposed_cases(
    findings: Iterable[FindingState], month: str, now: datetime | None = None
) -> list[tuple[FindingState, list[str]]]:
    """The cases the rule preselects, oldest report first, each with its reasons."""
    chosen = [(finding, exposure_reasons(finding, month, now)) for finding in findings]
    return sorted(((f, r) for f, r in chosen if r), key=lambda entry: (entry[0].reported_at, entry[0].finding_id))


# --------------------------------------------------------------------------------------------------------------
# 约谈 (talks) tied to the ranking
# --------------------------------------------------------------------------------------------------------------

BASIS_RANK = "rank"  # a 街乡's place in the month's ranking
BASIS_BLACK = "black_list"  # a unit on the month's 黑榜
BASIS_OTHER = "other"
BASES = (BASIS_RANK, BASIS_BLACK, BASIS_OTHER)
TALK_TEXT_LIMIT = 2000


@dataclass(frozen=True)
class Talk:
    """A 约谈: who was talked to (person, unit, 街乡), when, why, and the month's entry that led to it."""

    talk_id: str
    month: str  # the ranking month it answers
    held_on: date
    person: str  # 约谈对象
    unit: str  # their unit or 街乡 office
    street: str  # 9-digit 街乡 code
    reason: str
    basis: str  # BASIS_RANK, BASIS_BLACK or BASIS_OTHER
    basis_ref: str = ""  # the street code (rank) or subject id (黑榜)
    basis_text: str = ""  # e.g. 第 5 名（共 5 名），得分 61.20
    recorded_by: str = ""
    recorded_at: datetime | None = None


def check_talk(talk: Talk) -> Talk:
    """The talk itself when its fields are sound; ValueError naming the field otherwise."""
    check_month(talk.month)
    for name in ("talk_id", "person", "reason"):
        if not str(getattr(talk, name)).strip():
            raise ValueError(f"{name} is required")
    for name in ("person", "unit", "reason", "basis_text"):
        if len(str(getattr(talk, name))) > TALK_TEXT_LIMIT:
            raise ValueError(f"{name} is longer than {TALK_TEXT_LIMIT} characters")
    if talk.basis not in BASES:
        raise ValueError(f"basis must be one of {', '.join(BASES)}")
    if len(talk.street) != 9 or not talk.street.isdigit():
        raise ValueError("street must be a 9-digit 街乡 code")
    return talk


@dataclass(frozen=True)
class TalkCandidate:
    """An entry of the month that may call for a 约谈: the last-placed 街乡 or a 黑榜 unit."""

    basis: str
    ref: str
    street: str
    name: str
    text: str


def talk_candidates(ranking: Sequence[StreetRank], lists: RedBlackList | None) -> list[TalkCandidate]:
    """The 街乡 sharing the last rank (when more than one 街乡 is ranked) and every unit on the 黑榜."""
    found: list[TalkCandidate] = []
    if len(ranking) > 1:
        last = ranking[-1].rank
        for rank in ranking:
            if rank.rank == last:
                text = f"第 {rank.rank} 名（共 {len(ranking)} 个街乡），得分 {rank.score:.2f}"
                found.append(TalkCandidate(BASIS_RANK, rank.street, rank.street, rank.name or rank.street, text))
    for unit in lists.black if lists is not None else ():
        text = f"{BLACK}，积分 {unit.points:g}"
        found.append(TalkCandidate(BASIS_BLACK, unit.subject_id, unit.street, unit.name or unit.subject_id, text))
    return found


def talks_of_month(talks: Iterable[Talk], month: str, streets: Mapping[str, str] | None = None) -> list[Talk]:
    """The talks answering the month, in the order they were held (only within `streets` when given)."""
    chosen = [talk for talk in talks if talk.month == month and (streets is None or talk.street in streets)]
    return sorted(chosen, key=lambda talk: (talk.held_on, talk.talk_id))
