"""Campaigns (专项治理, 大排查大整治, seasonal tasks): their shape, the site sheet's rows, which inspections count, and
the progress and summary figures, as pure functions (docs/campaigns.md)."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from inspector.core.clock import local_date, parse_iso
from inspector.core.errors import UserError
from inspector.core.jurisdiction import JurisdictionCodeError, parse_code, street_of


class CampaignKind(StrEnum):
    """What sort of campaign it is; the seasonal ones are named after the seeds' 季节性 tasks."""

    SPECIAL = "special"  # 专项治理
    SWEEP = "sweep"  # 大排查大整治
    SNOW = "snow"  # 冬季扫雪铲冰
    FLOOD = "flood"  # 汛期
    MAJOR_EVENT = "major_event"  # 重大活动保障
    EXTREME_WEATHER = "extreme_weather"  # 极端天气


KIND_LABELS: dict[str, str] = {
    CampaignKind.SPECIAL: "专项治理",
    CampaignKind.SWEEP: "大排查大整治",
    CampaignKind.SNOW: "冬季扫雪铲冰",
    CampaignKind.FLOOD: "汛期",
    CampaignKind.MAJOR_EVENT: "重大活动保障",
    CampaignKind.EXTREME_WEATHER: "极端天气",
}
SEASONAL = frozenset({CampaignKind.SNOW, CampaignKind.FLOOD, CampaignKind.MAJOR_EVENT, CampaignKind.EXTREME_WEATHER})

SUBJECT_KINDS: dict[str, str] = {"沿街单位": "street_front_unit", "背街小巷": "back_street", "场所": "site"}
OPEN_STATES = frozenset({"reported", "registered", "assigned", "rectified"})


class CampaignError(UserError):
    """A campaign that cannot be made or changed as asked."""

    code = "campaign_invalid"


class CampaignSheetError(UserError):
    """The site sheet has bad rows: every one is listed, nothing was imported."""

    code = "campaign_rows_invalid"

    def __init__(self, problems: Sequence[SiteProblem]) -> None:
        super().__init__(count=len(problems))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join([super().__str__(), *(str(problem) for problem in self.problems)])


@dataclass(frozen=True)
class Site:
    """One 检查点位 of a campaign: a subject, with what the summary needs to show it."""

    subject_id: str
    name: str
    jurisdiction: str  # the subject's code; its 街乡 is the first nine digits
    address: str = ""


@dataclass(frozen=True)
class Campaign:
    """A campaign as the district made it: period (Beijing days, both ends included), checklists, sites, people."""

    id: str
    name: str
    kind: str
    starts: date
    ends: date
    checklists: tuple[str, ...]
    jurisdiction: str
    sites: tuple[Site, ...] = ()
    inspectors: tuple[str, ...] = ()
    version: int = 1

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)

    def to_json(self) -> dict[str, Any]:
        """The campaign as the feed and the API carry it (protocol §7, `campaign`)."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "starts": self.starts.isoformat(),
            "ends": self.ends.isoformat(),
            "checklists": list(self.checklists),
            "jurisdiction": self.jurisdiction,
            "inspectors": list(self.inspectors),
            "version": self.version,
            "sites": [
                {"subject_id": s.subject_id, "name": s.name, "jurisdiction": s.jurisdiction, "address": s.address}
                for s in self.sites
            ],
        }


def campaign_from_json(data: Mapping[str, Any]) -> Campaign:
    """A campaign from its JSON form (the feed's, the API's)."""
    return Campaign(
        id=str(data["id"]),
        name=str(data["name"]),
        kind=str(data["kind"]),
        starts=date.fromisoformat(str(data["starts"])),
        ends=date.fromisoformat(str(data["ends"])),
        checklists=tuple(str(item) for item in data.get("checklists") or ()),
        jurisdiction=str(data["jurisdiction"]),
        inspectors=tuple(str(item) for item in data.get("inspectors") or ()),
        version=int(data.get("version") or 1),
        sites=tuple(
            Site(
                str(s["subject_id"]),
                str(s.get("name") or ""),
                str(s.get("jurisdiction") or ""),
                str(s.get("address") or ""),
            )
            for s in data.get("sites") or ()
        ),
    )


def check_campaign(name: str, kind: str, starts: date, ends: date, checklists: Sequence[str], jurisdiction: str) -> str:
    """Refuse a campaign without a name, of an unknown kind, with a period ending before it starts, without a
    checklist or with a malformed jurisdiction; the jurisdiction's full code when all is well."""
    if not name.strip():
        raise CampaignError(reason_zh="缺少名称", reason_en="the name is missing")
    if kind not in KIND_LABELS:
        raise CampaignError(reason_zh=f"未知的类型 {kind}", reason_en=f"unknown kind {kind}")
    if ends < starts:
        raise CampaignError(reason_zh="结束日期早于开始日期", reason_en="the period ends before it starts")
    if not checklists:
        raise CampaignError(reason_zh="至少需要一张检查表", reason_en="at least one checklist is needed")
    try:
        return parse_code(jurisdiction).full
    except JurisdictionCodeError:
        raise CampaignError(
            reason_zh=f"辖区编码 {jurisdiction} 有误", reason_en=f"bad jurisdiction {jurisdiction}"
        ) from None


# ---------------------------------------------------------------------------------------------------------------
# The site sheet (resources/templates/campaign-sites.xlsx)
# ---------------------------------------------------------------------------------------------------------------

SHEET_COLUMNS: tuple[tuple[str, str, bool], ...] = (  # field, header, required
    ("name", "点位名称", True),
    ("address", "地址", False),
    ("kind", "点位类型", True),
    ("street", "所属街乡", True),
    ("code", "对象编码", False),
)
HEADER_ALIASES: dict[str, str] = {
    "点位名称": "name",
    "名称": "name",
    "检查点位": "name",
    "地址": "address",
    "点位地址": "address",
    "点位类型": "kind",
    "类型": "kind",
    "对象类型": "kind",
    "所属街乡": "street",
    "街乡": "street",
    "辖区编码": "street",
    "所属辖区": "street",
    "对象编码": "code",
    "编码": "code",
}


@dataclass(frozen=True)
class SiteProblem:
    """One problem of one sheet row (row 1 is the header)."""

    row: int
    field: str
    zh: str
    en: str

    def __str__(self) -> str:
        return f"第 {self.row} 行 {self.field}：{self.zh} / row {self.row} {self.field}: {self.en}"


@dataclass(frozen=True)
class SiteRow:
    """A good sheet row: the subject to match or make."""

    row: int
    name: str
    address: str
    kind: str  # a subject kind (street_front_unit, back_street, site)
    jurisdiction: str  # a full 15-digit code
    code: str = ""


def header_fields(header: Sequence[Any]) -> dict[int, str]:
    """Column index → field, from the header row's names."""
    found: dict[int, str] = {}
    for index, cell in enumerate(header):
        key = HEADER_ALIASES.get(re.sub(r"\s+", "", str(cell or "")).replace("*", ""))
        if key and key not in found.values():
            found[index] = key
    return found


def site_rows(rows: Sequence[Mapping[str, Any]], streets: Mapping[str, str], first_row: int = 2) -> list[SiteRow]:
    """Check every row of the sheet (field → cell) and return the good ones; any bad row raises a
    `CampaignSheetError` listing all of them. `streets` maps a 街乡's name (full or short) to its code."""
    problems: list[SiteProblem] = []
    good: list[SiteRow] = []
    seen: dict[tuple[str, str], int] = {}
    headers = {key: header for key, header, _required in SHEET_COLUMNS}
    for number, raw in enumerate(rows, start=first_row):
        cells = {key: str(raw.get(key) if raw.get(key) is not None else "").strip() for key in headers}
        if not any(cells.values()):
            continue
        found: list[SiteProblem] = []
        for key, header, required in SHEET_COLUMNS:
            if required and not cells[key]:
                found.append(SiteProblem(number, header, "不能为空", "is empty"))
        kind = cells["kind"]
        kind = SUBJECT_KINDS.get(kind, kind)
        if cells["kind"] and kind not in SUBJECT_KINDS.values():
            found.append(
                SiteProblem(
                    number,
                    headers["kind"],
                    f"“{cells['kind']}”不是沿街单位、背街小巷或场所",
                    f"“{cells['kind']}” is not 沿街单位, 背街小巷 or 场所",
                )
            )
        code = ""
        street = cells["street"]
        if street:
            code = streets.get(street, "")
            if not code and street.isdigit():
                try:
                    code = parse_code(street).full
                except JurisdictionCodeError:
                    code = ""
            if not code:
                found.append(
                    SiteProblem(number, headers["street"], f"未知的街乡“{street}”", f"unknown 街乡 “{street}”")
                )
        pair = (cells["name"], code)
        if cells["name"] and code and pair in seen:
            earlier = seen[pair]
            found.append(SiteProblem(number, headers["name"], f"与第 {earlier} 行重复", f"repeats row {earlier}"))
        seen.setdefault(pair, number)
        if found:
            problems.extend(found)
        else:
            good.append(SiteRow(number, cells["name"], cells["address"], kind, code, cells["code"]))
    if problems:
        raise CampaignSheetError(problems)
    return good


# ---------------------------------------------------------------------------------------------------------------
# Which inspections count, and the figures
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InspectionFact:
    """What the campaign needs of one inspection."""

    id: str
    subject_id: str | None
    checklist_id: str  # one of its lists' checklists (a campaign's, when it checked one)
    finished_at: str | None  # UTC ISO text; None while a draft
    programme: str | None = None  # the campaign or programme it was made under (inspections.programme)


def one_per_inspection(rows: Iterable[InspectionFact], checklists: Collection[str]) -> list[InspectionFact]:
    """One fact per inspection from rows of its lists: the row of a campaign checklist when it has one."""
    chosen: dict[str, InspectionFact] = {}
    for row in rows:
        if row.id not in chosen or (row.checklist_id in checklists and chosen[row.id].checklist_id not in checklists):
            chosen[row.id] = row
    return list(chosen.values())


@dataclass(frozen=True)
class CaseFact:
    """What the campaign needs of one case (finding) raised in an inspection."""

    id: str
    inspection_id: str | None
    kind: str  # problem / hazard
    severity: str | None  # a hazard's grade: general / major
    state: str
    jurisdiction: str = ""
    category: str = ""
    description: str = ""
    ledger_number: str = ""
    deadline: str = ""
    subject_name: str = ""


def counts_for(campaign: Campaign, inspection: InspectionFact, site_ids: frozenset[str] | None = None) -> bool:
    """THE rule: an inspection counts for a campaign when its subject is one of the sites and either it was made under
    the campaign (its programme is the campaign's id) or it finished within the period (Beijing days, both ends
    included) with one of the campaign's checklists among its lists."""
    if inspection.finished_at is None or inspection.subject_id is None:
        return False
    sites = site_ids if site_ids is not None else frozenset(site.subject_id for site in campaign.sites)
    if inspection.subject_id not in sites:
        return False
    if inspection.programme == campaign.id:
        return True
    if inspection.checklist_id not in campaign.checklists:
        return False
    day = local_date(parse_iso(inspection.finished_at))
    return campaign.starts <= day <= campaign.ends


@dataclass
class Tally:
    """Sites and cases of a campaign, or of one of its checklists or 街乡."""

    sites: int = 0
    checked: int = 0
    found: int = 0
    fixed: int = 0
    hazards_general: int = 0
    hazards_major: int = 0
    hazards_open: int = 0  # 挂账: not yet 销账
    hazards_closed: int = 0  # 销账
    problems_filed: int = 0  # 立案 (registered or later)
    problems_closed: int = 0  # 结案

    @property
    def rate(self) -> float | None:
        """整改率 = fixed / found; None when nothing was found."""
        return self.fixed / self.found if self.found else None

    def add_case(self, case: CaseFact) -> None:
        if case.state == "rejected":
            return
        self.found += 1
        closed = case.state == "closed"
        self.fixed += closed
        if case.kind == "hazard":
            if case.severity == "major":
                self.hazards_major += 1
            else:
                self.hazards_general += 1
            self.hazards_closed += closed
            self.hazards_open += not closed
        else:
            self.problems_filed += case.state != "reported"  # 立案: past 待受理
            self.problems_closed += closed


@dataclass
class Progress:
    """A campaign's figures: the whole, per checklist and per 街乡, the counted inspections and the open cases."""

    total: Tally
    by_checklist: dict[str, Tally]
    by_street: dict[str, Tally]
    inspections: list[str] = field(default_factory=list)
    checked_sites: set[str] = field(default_factory=set)
    open_cases: list[CaseFact] = field(default_factory=list)


def progress(campaign: Campaign, inspections: Iterable[InspectionFact], cases: Iterable[CaseFact]) -> Progress:
    """Sites checked of the total, cases found and fixed, 整改率, 挂账/销账 — counting only what `counts_for` takes."""
    site_ids = frozenset(site.subject_id for site in campaign.sites)
    street_of_site = {site.subject_id: street_of(site.jurisdiction) for site in campaign.sites}
    total = Tally(sites=len(site_ids))
    by_checklist = {checklist: Tally(sites=len(site_ids)) for checklist in campaign.checklists}
    by_street: dict[str, Tally] = {}
    for street in street_of_site.values():
        by_street.setdefault(street, Tally()).sites += 1
    counted: dict[str, InspectionFact] = {}
    checked: set[str] = set()
    checked_per_list: dict[str, set[str]] = {checklist: set() for checklist in campaign.checklists}
    for inspection in inspections:
        if counts_for(campaign, inspection, site_ids):
            assert inspection.subject_id is not None
            counted[inspection.id] = inspection
            checked.add(inspection.subject_id)
            checked_per_list[inspection.checklist_id].add(inspection.subject_id)
    total.checked = len(checked)
    for checklist, subjects in checked_per_list.items():
        by_checklist[checklist].checked = len(subjects)
    for subject_id in checked:
        by_street[street_of_site[subject_id]].checked += 1
    open_cases: list[CaseFact] = []
    for case in cases:
        source = counted.get(case.inspection_id or "")
        if source is None:
            continue
        inspection = source
        assert inspection.subject_id is not None
        total.add_case(case)
        by_checklist[inspection.checklist_id].add_case(case)
        by_street[street_of_site[inspection.subject_id]].add_case(case)
        if case.state in OPEN_STATES:
            open_cases.append(case)
    open_cases.sort(key=lambda case: (case.deadline or "9999", case.ledger_number, case.id))
    return Progress(total, by_checklist, dict(sorted(by_street.items())), sorted(counted), checked, open_cases)


def percent(value: float | None) -> str:
    """A rate as people write it: 100%, 97.5%; — when there is none."""
    if value is None:
        return "—"
    text = f"{value * 100:.1f}".rstrip("0").rstrip(".")
    return f"{text}%"


def headline(campaign: Campaign, figures: Progress, areas: int | None = None) -> str:
    """The summary's first sentence in the seeds' shape ("11个方面专项治理，排查点位2506个……发现隐患2449个、
    整改2449个，整改率100%"), every number computed from the data."""
    total = figures.total
    count = len(campaign.checklists) if areas is None else areas
    return (
        f"{campaign.name}：{count}个方面{campaign.kind_label}，排查点位{total.sites}个，"
        f"已检查{total.checked}个，发现问题隐患{total.found}个、整改{total.fixed}个，整改率{percent(total.rate)}"
    )
