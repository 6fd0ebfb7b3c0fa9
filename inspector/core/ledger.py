"""The ledger state machines of both kinds of case — 城市管理问题 (problem) and 安全隐患 (hazard): who may do what to a
finding, and a finding as a fold of its events."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from types import EllipsisType
from typing import Any, Literal, TypeVar

from inspector.core.clock import end_of_local_day, local_date, to_iso
from inspector.core.errors import CATALOGUE, UserError, wire_text
from inspector.core.jurisdiction import JurisdictionCodeError, Level, is_within, parse_code

_E = TypeVar("_E", bound=StrEnum)

# --------------------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------------------


class State(StrEnum):
    """Where a finding stands on the ledger."""

    REPORTED = "reported"
    REJECTED = "rejected"
    REGISTERED = "registered"
    ASSIGNED = "assigned"
    RECTIFIED = "rectified"
    CLOSED = "closed"


class Action(StrEnum):
    """What a user can do to a finding; each one becomes an appended event."""

    REPORT = "report"
    REPORT_FIXED_ON_SITE = "report_fixed_on_site"
    ACCEPT = "accept"
    REJECT = "reject"
    ASSIGN = "assign"
    EXTEND = "extend"
    RECTIFY = "rectify"
    VERIFY_PASS = "verify_pass"
    VERIFY_FAIL = "verify_fail"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    # the responsible unit answering from its web page (server/web): it signs for the notice (签收)
    SIGN = "sign"
    LIFT_ESCALATION = "lift_escalation"
    REQUEST_EXTENSION = "request_extension"
    APPROVE_EXTENSION = "approve_extension"
    REFUSE_EXTENSION = "refuse_extension"


class Kind(StrEnum):
    """The two kinds of case: one state machine family, two loops (DESIGN §5a)."""

    PROBLEM = "problem"  # 城市管理问题: the grid loop, no 一般/重大 grading
    HAZARD = "hazard"  # 安全隐患: graded 一般/重大; a 重大 one needs 五落实 and more


class Source(StrEnum):
    """Where a case came from (发现方式)."""

    PATROL = "patrol"
    SELF_CHECK = "self_check"
    HOTLINE = "hotline_12345"
    PUBLIC_REPORT = "public_report"
    ASSIGNED_FROM_ABOVE = "assigned_from_above"
    DISTRICT_CHECK = "district_check"
    CITY_CHECK = "city_check"
    THIRD_PARTY_CHECK = "third_party_check"


class Role(StrEnum):
    """A user's roles; a user may hold several."""

    INSPECTOR = "inspector"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Actors of the server's web face (server/web), never a laptop's user: the responsible unit answering through
    # its case link, a member of the public reporting through a 公示牌, and a leader who only reads the dashboard.
    UNIT = "unit"
    PUBLIC = "public"
    LEADER = "leader"


class Severity(StrEnum):
    """Hazard grade of the national rules (安全生产事故隐患排查治理暂行规定 第三条)."""

    GENERAL = "general"
    MAJOR = "major"


class EscalationLevel(StrEnum):
    """Who supervises the case (挂牌督办), lowest first: only that level or above closes the case or lifts it."""

    STREET = "street"
    DISTRICT = "district"
    CITY = "city"

    @property
    def rank(self) -> int:
        """0 for 街乡, 1 for 区级, 2 for 市级."""
        return list(EscalationLevel).index(self)


STATE_LABELS: dict[State, str] = {
    State.REPORTED: "待受理",
    State.REJECTED: "不予立案",
    State.REGISTERED: "已挂账",
    State.ASSIGNED: "整改中",
    State.RECTIFIED: "待核查",
    State.CLOSED: "已销账",
}
ACTION_LABELS: dict[Action, str] = {
    Action.REPORT: "上报",
    Action.REPORT_FIXED_ON_SITE: "现场整改",
    Action.ACCEPT: "受理挂账",
    Action.REJECT: "不予立案",
    Action.ASSIGN: "派遣整改",
    Action.EXTEND: "延期",
    Action.RECTIFY: "整改反馈",
    Action.VERIFY_PASS: "核查通过(销账)",
    Action.VERIFY_FAIL: "核查不通过",
    Action.REOPEN: "重新打开",
    Action.ESCALATE: "督办",
    Action.SIGN: "签收",
    Action.LIFT_ESCALATION: "摘牌",
    Action.REQUEST_EXTENSION: "申请延期",
    Action.APPROVE_EXTENSION: "批准延期",
    Action.REFUSE_EXTENSION: "不予延期",
}
KIND_LABELS: dict[Kind, str] = {Kind.PROBLEM: "城市管理问题", Kind.HAZARD: "安全隐患"}
KIND_SHORT_LABELS: dict[Kind, str] = {Kind.PROBLEM: "问题", Kind.HAZARD: "隐患"}
SOURCE_LABELS: dict[Source, str] = {
    Source.PATROL: "巡查",
    Source.SELF_CHECK: "自查",
    Source.HOTLINE: "12345工单",
    Source.PUBLIC_REPORT: "群众举报",
    Source.ASSIGNED_FROM_ABOVE: "上级交办",
    Source.DISTRICT_CHECK: "区级检查",
    Source.CITY_CHECK: "市级检查",
    Source.THIRD_PARTY_CHECK: "第三方检查",
}
# One term per concept and kind, used by the interface, the documents and the exports. A hazard keeps the words of
# the hazard ledger (挂账, 复查验收, 销账); a problem those of the grid loop (立案, 派遣, 处置, 核查, 结案).
KIND_STATE_LABELS: dict[Kind, dict[State, str]] = {
    Kind.HAZARD: {
        State.REPORTED: "待受理",
        State.REJECTED: "不予挂账",
        State.REGISTERED: "已挂账",
        State.ASSIGNED: "整改中",
        State.RECTIFIED: "待复查验收",
        State.CLOSED: "已销账",
    },
    Kind.PROBLEM: {
        State.REPORTED: "待受理",
        State.REJECTED: "不予立案",
        State.REGISTERED: "已立案",
        State.ASSIGNED: "处置中",
        State.RECTIFIED: "待核查",
        State.CLOSED: "已结案",
    },
}
KIND_ACTION_LABELS: dict[Kind, dict[Action, str]] = {
    Kind.HAZARD: {
        **ACTION_LABELS,
        Action.ACCEPT: "受理挂账",
        Action.REJECT: "不予挂账",
        Action.ASSIGN: "派遣整改",
        Action.RECTIFY: "整改反馈",
        Action.VERIFY_PASS: "复查验收通过(销账)",
        Action.VERIFY_FAIL: "复查验收不通过",
    },
    Kind.PROBLEM: {
        **ACTION_LABELS,
        Action.ACCEPT: "立案",
        Action.REJECT: "不予立案",
        Action.ASSIGN: "派遣",
        Action.RECTIFY: "处置反馈",
        Action.REPORT_FIXED_ON_SITE: "现场处置",
        Action.VERIFY_PASS: "核查通过(结案)",
        Action.VERIFY_FAIL: "核查不通过",
    },
}


def state_label(kind: Kind | str | None, state: State | str) -> str:
    """The state's words for this kind of case (a hazard's when the kind is unknown)."""
    return KIND_STATE_LABELS[_as_enum(Kind, kind) or Kind.HAZARD][State(state)]


def action_label(kind: Kind | str | None, action: Action | str) -> str:
    """The action's words for this kind of case (a hazard's when the kind is unknown)."""
    return KIND_ACTION_LABELS[_as_enum(Kind, kind) or Kind.HAZARD][Action(action)]


SEVERITY_LABELS: dict[Severity, str] = {Severity.GENERAL: "一般隐患", Severity.MAJOR: "重大隐患"}
ROLE_LABELS: dict[Role, str] = {
    Role.INSPECTOR: "巡查员",
    Role.SUPERVISOR: "督查员",
    Role.ADMIN: "系统管理员",
    Role.UNIT: "责任单位",
    Role.PUBLIC: "群众",
    Role.LEADER: "领导",
}
ESCALATION_LABELS: dict[EscalationLevel, str] = {
    EscalationLevel.STREET: "街乡督办",
    EscalationLevel.DISTRICT: "区级督办",
    EscalationLevel.CITY: "市级督办",
}
OVERDUE_LABEL = "逾期"

OPEN_STATES: frozenset[State] = frozenset({State.REPORTED, State.REGISTERED, State.ASSIGNED, State.RECTIFIED})
# Every open stage runs on a clock: inspector.core.stage_clock.assess says which stage is late and by how much.

LONG_TEXT_MAX = 2000
SHORT_TEXT_MAX = 200

# --------------------------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Actor:
    """The user issuing a command, with what they may do and where."""

    user_id: str
    roles: frozenset[Role]
    jurisdictions: frozenset[str]


@dataclass(frozen=True)
class Event:
    """One appended ledger event, as the server stores it and feeds it back."""

    event_id: str
    finding_id: str
    action: Action
    actor_id: str
    at: datetime
    payload: Mapping[str, Any]
    base_state: State | None


@dataclass(frozen=True)
class FindingState:
    """The current picture of a finding: the projection of all its events."""

    finding_id: str
    state: State
    jurisdiction: str
    severity: Severity | None  # a hazard's grade; None for a problem (its report's grading stays in its events)
    category: str
    description: str
    subject_id: str | None
    ledger_number: str | None
    deadline: date | None
    responsible_unit: str | None
    responsible_person: str | None
    responsible_phone: str | None
    measures: str | None
    funds: str | None
    contingency_plan: str | None
    rectified_by: str | None
    escalation: EscalationLevel | None
    reported_by: str
    reported_at: datetime
    closed_at: datetime | None
    photos: tuple[str, ...]
    after_photos: tuple[str, ...]
    event_count: int
    last_event_id: str
    kind: Kind = Kind.HAZARD
    source: Source = Source.PATROL
    interim_controls: str | None = None  # 临时管控措施 of a 重大隐患
    governance_plan: tuple[str, ...] = ()  # 治理方案: blob hashes of its PDF or photos
    reported_upward_to: str | None = None  # to whom a 重大隐患 was reported
    reported_upward_on: date | None = None  # and when
    escalation_unit: str | None = None  # 督办单位
    escalation_doc_no: str | None = None  # 督办文号
    escalation_deadline: date | None = None  # the 督办's own deadline
    escalated_at: datetime | None = None
    extension_count: int = 0
    extension_reasons: tuple[str, ...] = ()
    requested_deadline: date | None = None  # an extension asked for and not yet decided
    requested_extension_reason: str | None = None
    extension_on_behalf_of_unit: bool = False


def finding_json(finding: FindingState) -> dict[str, Any]:
    """A finding as plain JSON values: what records.plain_record makes of it (enums by value, instants as stored UTC
    text, dates ISO, tuples as lists), written out field by field, as every sync converts each finding it keeps."""
    f = finding
    return {
        "finding_id": f.finding_id,
        "state": f.state._value_,
        "jurisdiction": f.jurisdiction,
        "severity": None if f.severity is None else f.severity._value_,
        "category": f.category,
        "description": f.description,
        "subject_id": f.subject_id,
        "ledger_number": f.ledger_number,
        "deadline": None if f.deadline is None else f.deadline.isoformat(),
        "responsible_unit": f.responsible_unit,
        "responsible_person": f.responsible_person,
        "responsible_phone": f.responsible_phone,
        "measures": f.measures,
        "funds": f.funds,
        "contingency_plan": f.contingency_plan,
        "rectified_by": f.rectified_by,
        "escalation": None if f.escalation is None else f.escalation._value_,
        "reported_by": f.reported_by,
        "reported_at": to_iso(f.reported_at),
        "closed_at": None if f.closed_at is None else to_iso(f.closed_at),
        "photos": list(f.photos),
        "after_photos": list(f.after_photos),
        "event_count": f.event_count,
        "last_event_id": f.last_event_id,
        "kind": f.kind._value_,
        "source": f.source._value_,
        "interim_controls": f.interim_controls,
        "governance_plan": list(f.governance_plan),
        "reported_upward_to": f.reported_upward_to,
        "reported_upward_on": None if f.reported_upward_on is None else f.reported_upward_on.isoformat(),
        "escalation_unit": f.escalation_unit,
        "escalation_doc_no": f.escalation_doc_no,
        "escalation_deadline": None if f.escalation_deadline is None else f.escalation_deadline.isoformat(),
        "escalated_at": None if f.escalated_at is None else to_iso(f.escalated_at),
        "extension_count": f.extension_count,
        "extension_reasons": list(f.extension_reasons),
        "requested_deadline": None if f.requested_deadline is None else f.requested_deadline.isoformat(),
        "requested_extension_reason": f.requested_extension_reason,
        "extension_on_behalf_of_unit": f.extension_on_behalf_of_unit,
    }


_FINDING_FIELDS = frozenset(FindingState.__dataclass_fields__)


def _evolved(finding: FindingState, changes: Mapping[str, Any]) -> FindingState:
    """dataclasses.replace for a finding, without re-running its generated __init__ over every field (each event
    of every sync folds through here); raises TypeError on a name that is not a field, as replace does."""
    unknown = changes.keys() - _FINDING_FIELDS
    if unknown:
        raise TypeError(f"FindingState has no field {', '.join(sorted(unknown))}")
    evolved = object.__new__(FindingState)
    evolved.__dict__.update(finding.__dict__)
    evolved.__dict__.update(changes)
    return evolved


class RefusalError(UserError):
    """Why the state machine refused a command: one of the catalogue's ledger codes, in Chinese and English."""

    code = "command_refused"


@dataclass(frozen=True)
class Decision:
    """Whether a command may be applied; when not, a catalogued code, the refusal for people and its one-line
    "中文 (English)" reason as the server's push reply carries it."""

    allowed: bool
    code: str
    reason: str
    new_state: State | None
    refusal: RefusalError | None = field(default=None, compare=False)


# --------------------------------------------------------------------------------------------------------------
# Payload field checks
# --------------------------------------------------------------------------------------------------------------

_SHA256 = re.compile(r"[0-9a-f]{64}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class _Context:
    """What a payload check may look at besides the value itself."""

    finding: FindingState | None
    now: datetime


_FieldCheck = Callable[[Any, _Context], str | None]


def _text(limit: int) -> _FieldCheck:
    def check(value: Any, ctx: _Context) -> str | None:
        if not isinstance(value, str):
            return "必须是文本 (must be text)"
        if len(value) > limit:
            return f"不能超过 {limit} 个字符，现有 {len(value)} (at most {limit} characters, got {len(value)})"
        return None

    return check


_LONG = _text(LONG_TEXT_MAX)
_SHORT = _text(SHORT_TEXT_MAX)


def _enum_check(kind: type[StrEnum], labels: Mapping[Any, str]) -> _FieldCheck:
    def check(value: Any, ctx: _Context) -> str | None:
        if _as_enum(kind, value) is None:
            allowed = "、".join(f"{member.value}({labels[member]})" for member in kind)
            return f"取值 {_show(value)} 无效，应为 {allowed} (must be one of {', '.join(m.value for m in kind)})"
        return None

    return check


def _check_jurisdiction_code(value: Any, ctx: _Context) -> str | None:
    if not isinstance(value, str):
        return "辖区编码必须是文本 (the jurisdiction code must be text)"
    try:
        parsed = parse_code(value)
    except JurisdictionCodeError as error:
        return f"辖区编码无效 (invalid code: {error})"
    if parsed.level == Level.CITY:
        return f"{value} 是市级编码，案件须落到区或更细的辖区 (a city code is a scope, not a case's place)"
    return None


def _check_deadline(value: Any, ctx: _Context) -> str | None:
    day = _as_date(value)
    if day is None:
        return f"{_show(value)} 不是 YYYY-MM-DD 格式的日期 (not an ISO date YYYY-MM-DD)"
    today = local_date(ctx.now)
    if day < today:
        return f"期限 {day} 早于今天 {today} (the deadline {day} is before today {today}, Beijing time)"
    return None


def _photo_list(minimum: int) -> _FieldCheck:
    def check(value: Any, ctx: _Context) -> str | None:
        if not isinstance(value, list | tuple):
            return "必须是照片 SHA-256 列表 (must be a list of photo SHA-256 hashes)"
        if len(value) < minimum:
            return f"至少需要 {minimum} 张照片 (at least {minimum} photo(s) required)"
        bad = [item for item in value if not (isinstance(item, str) and _SHA256.fullmatch(item))]
        if bad:
            return f"{_show(bad[0])} 不是小写十六进制 SHA-256 (not a lower-case hex SHA-256)"
        if len(set(value)) != len(value):
            return "同一张照片出现了两次 (the same photo is listed twice)"
        return None

    return check


def _check_flag(value: Any, ctx: _Context) -> str | None:
    return None if isinstance(value, bool) else "必须是 true 或 false (must be true or false)"


def _check_location(value: Any, ctx: _Context) -> str | None:
    if not isinstance(value, Mapping):
        return "必须是包含 lat/lon 或 address 的对象 (must be a mapping with lat/lon or address)"
    has_point = value.get("lat") is not None or value.get("lon") is not None
    address = value.get("address")
    if not has_point and _is_blank(address):
        return "需要经纬度 lat/lon 或地址 address (needs lat/lon or an address)"
    if has_point:
        problem = _coordinate_problem(value.get("lat"), "lat", 90) or _coordinate_problem(value.get("lon"), "lon", 180)
        if problem:
            return problem
    if not _is_blank(address):
        problem = _LONG(address, ctx)
        if problem:
            return f"address {problem}"
    return None


def _coordinate_problem(value: Any, name: str, bound: int) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"{name} 必须是数字 ({name} must be a number)"
    if not -bound <= value <= bound:  # also false for NaN
        return f"{name} 超出范围 ±{bound} ({name} must lie within ±{bound})"
    return None


_SEVERITY = _enum_check(Severity, SEVERITY_LABELS)
_LEVEL = _enum_check(EscalationLevel, ESCALATION_LABELS)
_KIND = _enum_check(Kind, KIND_LABELS)
_SOURCE = _enum_check(Source, SOURCE_LABELS)


def _check_past_or_today(value: Any, ctx: _Context) -> str | None:
    day = _as_date(value)
    if day is None:
        return f"{_show(value)} 不是 YYYY-MM-DD 格式的日期 (not an ISO date YYYY-MM-DD)"
    today = local_date(ctx.now)
    if day > today:
        return f"日期 {day} 晚于今天 {today} (the date {day} is after today {today}, Beijing time)"
    return None


_Need = Literal["always", "hazard", "major", "optional"]


@dataclass(frozen=True)
class _Field:
    """One known payload field: how to check it and when it is required (always, for any hazard, for a 重大隐患)."""

    name: str
    check: _FieldCheck
    need: _Need = "always"

    def required_for(self, kind: Kind | None, severity: Severity | None) -> bool:
        if self.need == "always":
            return True
        if self.need == "hazard":
            return kind == Kind.HAZARD
        return self.need == "major" and kind == Kind.HAZARD and severity == Severity.MAJOR


_REPORT_FIELDS = (
    _Field("description", _LONG),
    _Field("category", _SHORT),
    _Field("kind", _KIND),
    _Field("source", _SOURCE),
    _Field("severity", _SEVERITY, "hazard"),
    _Field("jurisdiction", _check_jurisdiction_code),
    _Field("subject_id", _SHORT, "optional"),
    _Field("location", _check_location, "optional"),
    _Field("photos", _photo_list(0), "optional"),
    _Field("photo_required", _check_flag, "optional"),
)

# --------------------------------------------------------------------------------------------------------------
# Checks that look at several fields or at the finding
# --------------------------------------------------------------------------------------------------------------

_PayloadCheck = Callable[[Mapping[str, Any], _Context], list[str]]


def _needs_subject_or_location(payload: Mapping[str, Any], ctx: _Context) -> list[str]:
    if _is_blank(payload.get("subject_id")) and payload.get("location") is None:
        return ["subject_id/location: 检查对象和位置至少填一项 (a subject or a location is required)"]
    return []


def _photos_when_demanded(payload: Mapping[str, Any], ctx: _Context) -> list[str]:
    photos = payload.get("photos")
    if payload.get("photo_required") is True and not (isinstance(photos, list | tuple) and photos):
        return ["photos: 该检查项要求拍照取证 (this item requires at least one photo)"]
    return []


def _only_general_fixed_on_site(payload: Mapping[str, Any], ctx: _Context) -> list[str]:
    hazard = _as_enum(Kind, payload.get("kind")) == Kind.HAZARD
    if hazard and _as_enum(Severity, payload.get("severity")) == Severity.MAJOR:
        return ["severity: 现场整改只适用于一般隐患 (only a general hazard can be fixed on the spot)"]
    return []


def _deadline_later_than_current(payload: Mapping[str, Any], ctx: _Context) -> list[str]:
    new = _as_date(payload.get("deadline"))
    current = ctx.finding.deadline if ctx.finding else None
    if new is not None and current is not None and new <= current:
        return [f"deadline: 延期后的期限 {new} 必须晚于原期限 {current} (must be later than the current {current})"]
    return []


def _deadline_when_none_set(payload: Mapping[str, Any], ctx: _Context) -> list[str]:
    if ctx.finding is not None and ctx.finding.deadline is None and _is_blank(payload.get("deadline")):
        return ["deadline: 该案件尚无整改期限，须给出新期限 (required: the finding has no deadline yet)"]
    return []


# --------------------------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------------------------

_INSPECTOR = frozenset({Role.INSPECTOR})
_SUPERVISOR = frozenset({Role.SUPERVISOR})
_UNIT = frozenset({Role.UNIT})
_NO_FINDING: frozenset[State | None] = frozenset({None})
_ASSIGNED: frozenset[State | None] = frozenset({State.ASSIGNED})


@dataclass(frozen=True)
class _Rule:
    """One row of the ledger table: where an action may start, where it leads, who may do it, what it needs."""

    sources: frozenset[State | None]
    target: State | None  # None: the finding stays in its state
    roles: frozenset[Role]
    fields: tuple[_Field, ...]
    checks: tuple[_PayloadCheck, ...] = ()


_RULES: dict[Action, _Rule] = {
    Action.REPORT: _Rule(
        _NO_FINDING,
        State.REPORTED,
        _INSPECTOR | {Role.PUBLIC},  # the public reports through a 公示牌's page (server/web)
        _REPORT_FIELDS,
        (_needs_subject_or_location, _photos_when_demanded),
    ),
    Action.REPORT_FIXED_ON_SITE: _Rule(
        _NO_FINDING,
        State.RECTIFIED,
        _INSPECTOR,
        (*_REPORT_FIELDS, _Field("after_photos", _photo_list(1)), _Field("rectification", _LONG)),
        (_needs_subject_or_location, _photos_when_demanded, _only_general_fixed_on_site),
    ),
    Action.ACCEPT: _Rule(
        frozenset({State.REPORTED}),
        State.REGISTERED,
        _SUPERVISOR,
        (
            _Field("severity", _SEVERITY, "hazard"),
            _Field("ledger_number", _SHORT, "optional"),
            _Field("note", _LONG, "optional"),
        ),
    ),
    Action.REJECT: _Rule(frozenset({State.REPORTED}), State.REJECTED, _SUPERVISOR, (_Field("reason", _LONG),)),
    Action.ASSIGN: _Rule(
        frozenset({State.REGISTERED}),
        State.ASSIGNED,
        _SUPERVISOR,
        (
            _Field("responsible_unit", _SHORT),
            _Field("responsible_person", _SHORT),
            _Field("deadline", _check_deadline),
            _Field("measures", _LONG),
            _Field("responsible_phone", _SHORT, "optional"),
            # 五落实 of a 重大隐患: 责任 (unit, person), 措施, 时限 above; 资金 and 预案 here; then the rest it needs
            _Field("funds", _LONG, "major"),
            _Field("contingency_plan", _LONG, "major"),
            _Field("interim_controls", _LONG, "major"),
            _Field("governance_plan", _photo_list(1), "major"),
            _Field("reported_upward_to", _SHORT, "major"),
            _Field("reported_upward_on", _check_past_or_today, "major"),
        ),
    ),
    Action.EXTEND: _Rule(
        _ASSIGNED,
        None,
        _SUPERVISOR,
        (_Field("deadline", _check_deadline), _Field("reason", _LONG)),
        (_deadline_later_than_current,),
    ),
    Action.REQUEST_EXTENSION: _Rule(
        _ASSIGNED,
        None,
        _INSPECTOR | _SUPERVISOR | _UNIT,  # the unit asks from its web page, or someone on its behalf
        (
            _Field("deadline", _check_deadline),
            _Field("reason", _LONG),
            _Field("on_behalf_of_unit", _check_flag, "optional"),
        ),
        (_deadline_later_than_current,),
    ),
    Action.APPROVE_EXTENSION: _Rule(
        _ASSIGNED,
        None,
        _SUPERVISOR,
        (_Field("deadline", _check_deadline, "optional"), _Field("note", _LONG, "optional")),
        (_deadline_later_than_current,),
    ),
    Action.REFUSE_EXTENSION: _Rule(_ASSIGNED, None, _SUPERVISOR, (_Field("reason", _LONG),)),
    Action.RECTIFY: _Rule(
        _ASSIGNED,
        State.RECTIFIED,
        _INSPECTOR | _SUPERVISOR | _UNIT,
        (_Field("description", _LONG), _Field("after_photos", _photo_list(1))),
    ),
    Action.VERIFY_PASS: _Rule(frozenset({State.RECTIFIED}), State.CLOSED, _SUPERVISOR, (_Field("opinion", _LONG),)),
    Action.VERIFY_FAIL: _Rule(
        frozenset({State.RECTIFIED}),
        State.ASSIGNED,
        _SUPERVISOR,
        (_Field("reason", _LONG), _Field("deadline", _check_deadline, "optional")),
        (_deadline_when_none_set,),
    ),
    Action.REOPEN: _Rule(
        frozenset({State.CLOSED}),
        State.ASSIGNED,
        _SUPERVISOR,
        (_Field("reason", _LONG), _Field("deadline", _check_deadline)),
    ),
    Action.ESCALATE: _Rule(frozenset(OPEN_STATES), None, _SUPERVISOR, (_Field("level", _LEVEL), _Field("note", _LONG))),
    # the web face's unit: signing for the notice changes no state, it records who received it and when
    Action.SIGN: _Rule(
        frozenset({State.ASSIGNED}),
        None,
        _UNIT,
        (_Field("signer_name", _SHORT), _Field("signer_phone", _SHORT)),
    ),
    Action.ESCALATE: _Rule(
        frozenset(OPEN_STATES),
        None,
        _SUPERVISOR,
        (
            _Field("level", _LEVEL),
            _Field("unit", _SHORT),
            _Field("deadline", _check_deadline),
            _Field("doc_no", _SHORT, "optional"),
            _Field("note", _LONG, "optional"),
        ),
    ),
    Action.LIFT_ESCALATION: _Rule(frozenset({*OPEN_STATES, State.CLOSED}), None, _SUPERVISOR, (_Field("note", _LONG),)),
}

# Actions that end or lift a 督办 case: only a supervisor whose scope is at or above the 督办's level may do them.
LEVEL_BOUND_ACTIONS: frozenset[Action] = frozenset({Action.VERIFY_PASS, Action.REJECT, Action.LIFT_ESCALATION})
_EXTENSION_DECISIONS = frozenset({Action.APPROVE_EXTENSION, Action.REFUSE_EXTENSION})

# --------------------------------------------------------------------------------------------------------------
# Small conversions
# --------------------------------------------------------------------------------------------------------------


def _as_enum(kind: type[_E], value: Any) -> _E | None:
    """The enum member for a member or its text value, else None."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        member = kind._value2member_map_.get(value)  # the lookup kind(value) starts with, without its call overhead
        if member is not None:
            return member  # type: ignore[return-value]
        try:
            return kind(value)
        except ValueError:
            return None
    return None


def _as_date(value: Any) -> date | None:
    """A calendar date from a date or strict YYYY-MM-DD text, else None."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _show(value: Any, limit: int = 40) -> str:
    """A short printable form of a bad value for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_utc(moment: datetime) -> datetime:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"an aware datetime is required, got {moment!r}")
    return moment.astimezone(UTC)


def _current_state(finding: FindingState | None) -> State | None:
    return finding.state if finding is not None else None


def _roles_text(roles: Iterable[Role]) -> tuple[str, str]:
    """The roles in Chinese and in English, e.g. ("巡查员或督查员", "inspector or supervisor")."""
    ordered = [role for role in Role if role in roles]
    return "或".join(ROLE_LABELS[role] for role in ordered), " or ".join(ordered)


def _state_text(state: State | None, kind: Kind | None = None) -> str:
    return f"{state_label(kind, state)} ({state})" if state is not None else "尚未上报 (none)"


# --------------------------------------------------------------------------------------------------------------
# Public questions
# --------------------------------------------------------------------------------------------------------------


def required_fields(
    action: Action | str, severity: Severity | str | None = None, kind: Kind | str | None = Kind.HAZARD
) -> tuple[str, ...]:
    """The payload fields that must always be filled for this action, for a case of this kind (and, for a hazard's
    assign, its grade).

    Either-or and conditional requirements (a subject or a location for a report, photos when the item demands
    them, a deadline on verify_fail when the finding has none) are checked by validate_payload, not listed here.
    """
    action_kind = _as_enum(Action, action)
    if action_kind is None:
        raise ValueError(f"unknown action {action!r}")
    grade = _as_enum(Severity, severity)
    case_kind = _as_enum(Kind, kind)
    return tuple(field.name for field in _RULES[action_kind].fields if field.required_for(case_kind, grade))


def validate_payload(action: Action | str, payload: Any, finding: FindingState | None, now: datetime) -> list[str]:
    """Every problem with a command's payload, each as "field: 中文 (English)"; empty when the payload is valid."""
    kind = _as_enum(Action, action)
    if kind is None:
        return [f"action: 未知操作 {_show(action)} (unknown action)"]
    if not isinstance(payload, Mapping):
        return ["payload: 必须是键值对象 (must be a mapping)"]
    ctx = _Context(finding, _as_utc(now))
    rule = _RULES[kind]
    case_kind = finding.kind if finding is not None else _as_enum(Kind, payload.get("kind"))
    severity = finding.severity if finding is not None else None
    problems = [
        problem for field in rule.fields if (problem := _field_problem(field, payload, ctx, case_kind, severity))
    ]
    for check in rule.checks:
        problems.extend(check(payload, ctx))
    return problems


def _field_problem(
    field: _Field, payload: Mapping[str, Any], ctx: _Context, kind: Kind | None, severity: Severity | None
) -> str:
    value = payload.get(field.name)
    if _is_blank(value) or (isinstance(value, list | tuple) and not value and field.need == "major"):
        return f"{field.name}: 必填，不能为空 (required)" if field.required_for(kind, severity) else ""
    problem = field.check(value, ctx)
    return f"{field.name}: {problem}" if problem else ""


def allowed_actions(finding: FindingState | None, actor: Actor) -> list[Action]:
    """The actions this actor may start on this finding, judged by state (with its 督办 and extension request),
    role, jurisdiction and, for closing or lifting a 督办 case, the level of the actor's scope."""
    if not _actor_covers_finding(actor, finding):
        return []
    return [
        action
        for action in Action
        if _state_allows(finding, action)
        and _guard_problem(finding, action) is None
        and _role_allows(actor, action)
        and _level_allows(actor, finding, action)
    ]


def is_overdue(finding: FindingState, now: datetime) -> bool:
    """Whether the responsible unit's own deadline has passed (24:00 Beijing of its day): the part of lateness the
    unit answers for, which the 街乡 ranking counts. Lateness at any stage is inspector.core.stage_clock.assess."""
    if finding.state is not State.ASSIGNED or finding.deadline is None:
        return False
    return _as_utc(now) >= end_of_local_day(finding.deadline)


def scope_level(actor: Actor, code: str) -> EscalationLevel | None:
    """The highest 督办 level of the actor's scopes that cover this code: 市级 for a city code, 区级 for a district,
    街乡 for a 街乡 or anything finer; None when no scope covers it."""
    best: EscalationLevel | None = None
    for scope in actor.jurisdictions:
        try:
            parsed = parse_code(scope)
            if not is_within(code, (scope,)):
                continue
        except JurisdictionCodeError:
            continue
        level = {Level.CITY: EscalationLevel.CITY, Level.DISTRICT: EscalationLevel.DISTRICT}.get(
            parsed.level, EscalationLevel.STREET
        )
        if best is None or level.rank > best.rank:
            best = level
    return best


def _level_allows(actor: Actor, finding: FindingState | None, action: Action) -> bool:
    """Closing, rejecting or lifting a 督办 case needs a scope at or above its level (lowering one: see decide)."""
    if finding is None or finding.escalation is None or action not in LEVEL_BOUND_ACTIONS:
        return True
    level = scope_level(actor, finding.jurisdiction)
    return level is not None and level.rank >= finding.escalation.rank


def _guard_problem(finding: FindingState | None, action: Action) -> tuple[str, str] | None:
    """Beyond the state: a 摘牌 needs a 督办, an extension decision a pending request, a request none pending."""
    if finding is None:
        return None
    noun = KIND_SHORT_LABELS[finding.kind]
    if action == Action.LIFT_ESCALATION and finding.escalation is None:
        return f"该{noun}未被督办，无牌可摘", "the finding is not under 督办 (escalation), there is nothing to lift"
    if action in _EXTENSION_DECISIONS and finding.requested_deadline is None:
        return f"该{noun}没有待审批的延期申请", "the finding has no extension request waiting for a decision"
    if action == Action.REQUEST_EXTENSION and finding.requested_deadline is not None:
        return f"该{noun}已有待审批的延期申请", "an extension request for the finding is already waiting"
    return None


def _state_allows(finding: FindingState | None, action: Action) -> bool:
    return _current_state(finding) in _RULES[action].sources


def _role_allows(actor: Actor, action: Action) -> bool:
    return not _RULES[action].roles.isdisjoint(actor.roles)


def _covers(actor: Actor, code: str) -> bool:
    """Whether the code lies inside one of the actor's jurisdictions (unreadable scopes cover nothing)."""
    for scope in actor.jurisdictions:
        try:
            if is_within(code, (scope,)):
                return True
        except JurisdictionCodeError:
            continue
    return False


def _actor_covers_finding(actor: Actor, finding: FindingState | None) -> bool:
    if finding is not None:
        return _covers(actor, finding.jurisdiction)
    return any(_is_valid_code(scope) for scope in actor.jurisdictions)


def _is_valid_code(text: Any) -> bool:
    try:
        parse_code(text)
    except JurisdictionCodeError:
        return False
    return True


# --------------------------------------------------------------------------------------------------------------
# decide
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Command:
    """A command under judgement."""

    finding: FindingState | None
    action: Action
    actor: Actor
    payload: Any
    now: datetime
    base_state: State | str | EllipsisType | None


def _deny(code: str, zh: str, en: str, reason: str | None = None) -> Decision:
    """A refusal with its catalogued code; the reason on the wire is "中文 (English)" unless given."""
    refusal = RefusalError(zh, en, code=code)
    return Decision(False, code, wire_text(zh, en) if reason is None else reason, None, refusal)


def _check_state(cmd: _Command) -> Decision | None:
    if _state_allows(cmd.finding, cmd.action):
        guard = _guard_problem(cmd.finding, cmd.action)
        return None if guard is None else _deny("illegal_state", *guard)
    kind = cmd.finding.kind if cmd.finding is not None else _as_enum(Kind, _payload_value(cmd.payload, "kind"))
    noun = KIND_SHORT_LABELS[kind or Kind.HAZARD]
    label = f"「{action_label(kind, cmd.action)}」"
    if cmd.finding is None:
        return _deny(
            "illegal_state", f"{noun}尚不存在，{label}无从谈起", "no such finding yet: only a report can start one"
        )
    if cmd.action in (Action.REPORT, Action.REPORT_FIXED_ON_SITE):
        return _deny(
            "illegal_state", f"{noun}已存在，不能再次上报", f"the finding {cmd.finding.finding_id} already exists"
        )
    state = cmd.finding.state
    return _deny(
        "illegal_state",
        f"{noun}当前为{state_label(kind, state)}，不能{label}",
        f"{cmd.action} is not allowed in state {state}",
    )


def _payload_value(payload: Any, name: str) -> Any:
    return payload.get(name) if isinstance(payload, Mapping) else None


def _check_stale(cmd: _Command) -> Decision | None:
    if cmd.base_state is ... or cmd.action == Action.ESCALATE:
        return None
    seen = cmd.base_state if cmd.base_state is None else _as_enum(State, cmd.base_state)
    if cmd.base_state is not None and seen is None:
        return _deny("invalid_payload", f"基础状态 {_show(cmd.base_state)} 无法识别", "unknown base_state")
    current = _current_state(cmd.finding)
    if seen == current:
        return None
    kind = cmd.finding.kind if cmd.finding is not None else None
    return _deny(
        "stale",
        f"操作时看到的状态是{_state_text(seen, kind)}，而{KIND_SHORT_LABELS[kind or Kind.HAZARD]}现在是"
        f"{_state_text(current, kind)}，请按最新状态重新操作",
        f"the command was made in state {seen}, the finding is now {current}",
    )


def _check_role(cmd: _Command) -> Decision | None:
    if _role_allows(cmd.actor, cmd.action):
        return None
    chinese, english = _roles_text(_RULES[cmd.action].roles)
    return _deny(
        "forbidden_role",
        f"「{action_label(cmd.finding.kind if cmd.finding else None, cmd.action)}」只能由{chinese}执行",
        f"{cmd.action} needs the role {english}",
    )


def _check_jurisdiction(cmd: _Command) -> Decision | None:
    if cmd.finding is not None:
        code = cmd.finding.jurisdiction
    else:
        claimed = cmd.payload.get("jurisdiction") if isinstance(cmd.payload, Mapping) else None
        if not isinstance(claimed, str) or not _is_valid_code(claimed):
            return None  # the payload check below names the missing or unreadable code
        code = claimed
    if _covers(cmd.actor, code):
        return None
    return _deny("out_of_jurisdiction", *CATALOGUE["out_of_jurisdiction"].render(jurisdiction=code))


def _check_payload(cmd: _Command) -> Decision | None:
    problems = validate_payload(cmd.action, cmd.payload, cmd.finding, cmd.now)
    if not problems:
        return None
    listed = "; ".join(problems)
    zh, en = CATALOGUE["invalid_payload"].render(problems=listed)
    return _deny("invalid_payload", zh, en, reason="填写内容有误 (invalid payload): " + listed)


def _check_escalation_level(cmd: _Command) -> Decision | None:
    finding = cmd.finding
    if finding is None or finding.escalation is None:
        return None
    lowered = _as_enum(EscalationLevel, _payload_value(cmd.payload, "level"))
    lowering = cmd.action == Action.ESCALATE and lowered is not None and lowered.rank < finding.escalation.rank
    if cmd.action not in LEVEL_BOUND_ACTIONS and not lowering:
        return None
    held = scope_level(cmd.actor, finding.jurisdiction)
    if held is not None and held.rank >= finding.escalation.rank:
        return None
    zh, en = CATALOGUE["escalation_level"].render(
        level=ESCALATION_LABELS[finding.escalation], held=ESCALATION_LABELS[held] if held else "—"
    )
    return _deny("escalation_level", zh, en)


def _check_separation_of_duties(cmd: _Command) -> Decision | None:
    if cmd.action != Action.VERIFY_PASS or cmd.finding is None or cmd.finding.rectified_by != cmd.actor.user_id:
        return None
    return _deny("same_actor", *CATALOGUE["same_actor"].render())


_CHECKS: tuple[Callable[[_Command], Decision | None], ...] = (
    _check_state,
    _check_stale,
    _check_role,
    _check_jurisdiction,
    _check_escalation_level,
    _check_payload,
    _check_separation_of_duties,
)


def decide(
    finding: FindingState | None,
    action: Action | str,
    actor: Actor,
    payload: Mapping[str, Any],
    now: datetime,
    base_state: State | str | EllipsisType | None = ...,
) -> Decision:
    """Whether this actor may do this action to this finding now; the first failing rule gives the reason.

    Order: action known, state allows it (and the 督办 or extension request it needs is there), not stale
    (base_state, when given, equals the current state; escalate is exempt), role, jurisdiction, the 督办 level (only
    a scope at or above it closes, rejects, lifts or lowers it), payload, and for verify_pass the verifier is not the
    rectifier.
    """
    kind = _as_enum(Action, action)
    if kind is None:
        return _deny("unknown_action", f"未知操作 {_show(action)}", "unknown action")
    command = _Command(finding, kind, actor, payload, _as_utc(now), base_state)
    for check in _CHECKS:
        denial = check(command)
        if denial is not None:
            return denial
    target = _RULES[kind].target or _current_state(finding)
    return Decision(True, "", "", target)


@dataclass(frozen=True)
class NewFindingCommand:
    """One command of a batch that would create a finding no event has named yet (report or report_fixed_on_site)."""

    action: Action | str
    payload: Mapping[str, Any]
    base_state: State | str | EllipsisType | None = ...


def decide_new_findings(actor: Actor, commands: Iterable[NewFindingCommand], now: datetime) -> list[Decision]:
    """decide(None, …) for each command of a batch by one actor, judged as a batch: what does not depend on a
    command's own payload is judged once for the batch (the state, the role, base_state per value, the jurisdiction
    per code), the payload of each command on its own. Each decision is the one decide() gives for that command.

    A command of any other action gets decide()'s own answer (it cannot create a finding)."""
    moment = _as_utc(now)
    shared: dict[tuple[Any, ...], Decision | None] = {}

    def once(key: tuple[Any, ...], check: Callable[[_Command], Decision | None], cmd: _Command) -> Decision | None:
        if key not in shared:
            shared[key] = check(cmd)
        return shared[key]

    decisions: list[Decision] = []
    for item in commands:
        kind = _as_enum(Action, item.action)
        if kind not in (Action.REPORT, Action.REPORT_FIXED_ON_SITE):
            decisions.append(decide(None, item.action, actor, item.payload, moment, item.base_state))
            continue
        cmd = _Command(None, kind, actor, item.payload, moment, item.base_state)
        # with no finding, a creating action passes the state check and there is no 督办 level or rectifier to judge
        claimed = _payload_value(item.payload, "jurisdiction")
        base = item.base_state if item.base_state is None or isinstance(item.base_state, str) else ...
        denial = (
            (once(("stale", kind, base), _check_stale, cmd) if base is not ... else _check_stale(cmd))
            or once(("role", kind), _check_role, cmd)
            or (
                once(("jurisdiction", claimed), _check_jurisdiction, cmd)
                if isinstance(claimed, str)
                else _check_jurisdiction(cmd)
            )
            or _check_payload(cmd)
        )
        decisions.append(denial or Decision(True, "", "", _RULES[kind].target))
    return decisions


# --------------------------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------------------------


def _read_text(payload: Mapping[str, Any], name: str) -> str:
    value = payload.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"payload field {name!r} is missing or not text")
    return value


def _read_optional_text(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if _is_blank(value):
        return None
    if not isinstance(value, str):
        raise ValueError(f"payload field {name!r} is not text")
    return value


def _read_enum(kind: type[_E], payload: Mapping[str, Any], name: str) -> _E:
    member = _as_enum(kind, payload.get(name))
    if member is None:
        raise ValueError(f"payload field {name!r} is not a valid {kind.__name__}: {_show(payload.get(name))}")
    return member


def _read_date(payload: Mapping[str, Any], name: str) -> date:
    day = _as_date(payload.get(name))
    if day is None:
        raise ValueError(f"payload field {name!r} is not an ISO date: {_show(payload.get(name))}")
    return day


def _read_photos(payload: Mapping[str, Any], name: str) -> tuple[str, ...]:
    value = payload.get(name) or ()
    if not isinstance(value, list | tuple) or not all(isinstance(item, str) for item in value):
        raise ValueError(f"payload field {name!r} is not a list of photo hashes")
    return tuple(value)


def _read_optional_date(payload: Mapping[str, Any], name: str) -> date | None:
    return None if _is_blank(payload.get(name)) else _read_date(payload, name)


def _start(event: Event, action: Action, at: datetime, default_kind: Kind) -> FindingState:
    """The finding as its first event (report or report_fixed_on_site) creates it.

    A report made before cases had kinds carries no `kind` and no `source`: it takes the kind its finding was given
    when the database was converted (`default_kind`) and the source 巡查. A problem keeps no grade; the grade a
    report may carry stays in its event.
    """
    payload = event.payload
    fixed = action == Action.REPORT_FIXED_ON_SITE
    kind = _read_enum(Kind, payload, "kind") if "kind" in payload else default_kind
    source = _read_enum(Source, payload, "source") if "source" in payload else Source.PATROL
    return FindingState(
        finding_id=event.finding_id,
        state=State.RECTIFIED if fixed else State.REPORTED,
        jurisdiction=parse_code(_read_text(payload, "jurisdiction")).full,
        severity=_read_enum(Severity, payload, "severity") if kind == Kind.HAZARD else None,
        category=_read_text(payload, "category"),
        description=_read_text(payload, "description"),
        subject_id=_read_optional_text(payload, "subject_id"),
        ledger_number=_read_optional_text(payload, "ledger_number"),
        deadline=None,
        responsible_unit=None,
        responsible_person=None,
        responsible_phone=None,
        measures=None,
        funds=None,
        contingency_plan=None,
        rectified_by=event.actor_id if fixed else None,
        escalation=None,
        reported_by=event.actor_id,
        reported_at=at,
        closed_at=None,
        photos=_read_photos(payload, "photos"),
        after_photos=_read_photos(payload, "after_photos") if fixed else (),
        event_count=1,
        last_event_id=event.event_id,
        kind=kind,
        source=source,
    )


_Changes = dict[str, Any]


def _accepted(finding: FindingState, event: Event, at: datetime) -> _Changes:
    if finding.kind != Kind.HAZARD:
        return {}  # a problem is not graded
    return {"severity": _read_enum(Severity, event.payload, "severity")}


def _assigned(finding: FindingState, event: Event, at: datetime) -> _Changes:
    payload = event.payload
    return {
        "responsible_unit": _read_text(payload, "responsible_unit"),
        "responsible_person": _read_text(payload, "responsible_person"),
        "responsible_phone": _read_optional_text(payload, "responsible_phone"),
        "measures": _read_text(payload, "measures"),
        "funds": _read_optional_text(payload, "funds"),
        "contingency_plan": _read_optional_text(payload, "contingency_plan"),
        "interim_controls": _read_optional_text(payload, "interim_controls"),
        "governance_plan": _read_photos(payload, "governance_plan"),
        "reported_upward_to": _read_optional_text(payload, "reported_upward_to"),
        "reported_upward_on": _read_optional_date(payload, "reported_upward_on"),
        "deadline": _read_date(payload, "deadline"),
    }


def _new_deadline(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {"deadline": _read_date(event.payload, "deadline")}


def _extended(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {
        "deadline": _read_date(event.payload, "deadline"),
        "extension_count": finding.extension_count + 1,
        "extension_reasons": (*finding.extension_reasons, _read_text(event.payload, "reason")),
    }


def _extension_requested(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {
        "requested_deadline": _read_date(event.payload, "deadline"),
        "requested_extension_reason": _read_text(event.payload, "reason"),
        "extension_on_behalf_of_unit": event.payload.get("on_behalf_of_unit") is True,
    }


_NO_REQUEST: _Changes = {
    "requested_deadline": None,
    "requested_extension_reason": None,
    "extension_on_behalf_of_unit": False,
}


def _extension_approved(finding: FindingState, event: Event, at: datetime) -> _Changes:
    granted = _read_optional_date(event.payload, "deadline") or finding.requested_deadline
    if granted is None:
        raise ValueError(f"event {event.event_id}: no extension request to approve")
    reason = finding.requested_extension_reason or ""
    return {
        **_NO_REQUEST,
        "deadline": granted,
        "extension_count": finding.extension_count + 1,
        "extension_reasons": (*finding.extension_reasons, reason),
    }


def _extension_refused(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return dict(_NO_REQUEST)


def _rectified(finding: FindingState, event: Event, at: datetime) -> _Changes:
    after = _read_photos(event.payload, "after_photos")
    return {"rectified_by": event.actor_id, "after_photos": finding.after_photos + after}


def _closed(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {"closed_at": at}


def _sent_back(finding: FindingState, event: Event, at: datetime) -> _Changes:
    if _is_blank(event.payload.get("deadline")):
        return {}
    return _new_deadline(finding, event, at)


def _reopened(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {"closed_at": None, **_new_deadline(finding, event, at)}


def _escalated(finding: FindingState, event: Event, at: datetime) -> _Changes:
    payload = event.payload
    return {
        "escalation": _read_enum(EscalationLevel, payload, "level"),
        "escalation_unit": _read_optional_text(payload, "unit"),
        "escalation_doc_no": _read_optional_text(payload, "doc_no"),
        "escalation_deadline": _read_optional_date(payload, "deadline"),
        "escalated_at": at,
    }


def _lifted(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {
        "escalation": None,
        "escalation_unit": None,
        "escalation_doc_no": None,
        "escalation_deadline": None,
        "escalated_at": None,
    }


def _no_change(finding: FindingState, event: Event, at: datetime) -> _Changes:
    return {}


_PROJECTORS: dict[Action, Callable[[FindingState, Event, datetime], _Changes]] = {
    Action.ACCEPT: _accepted,
    Action.REJECT: _no_change,
    Action.ASSIGN: _assigned,
    Action.EXTEND: _extended,
    Action.REQUEST_EXTENSION: _extension_requested,
    Action.APPROVE_EXTENSION: _extension_approved,
    Action.REFUSE_EXTENSION: _extension_refused,
    Action.RECTIFY: _rectified,
    Action.VERIFY_PASS: _closed,
    Action.VERIFY_FAIL: _sent_back,
    Action.REOPEN: _reopened,
    Action.ESCALATE: _escalated,
    Action.SIGN: _no_change,
    Action.LIFT_ESCALATION: _lifted,
}


def apply(finding: FindingState | None, event: Event, default_kind: Kind = Kind.HAZARD) -> FindingState:
    """The finding after one more event; raises ValueError when the event cannot follow (wrong state, bad data).

    Only the transition and the fields the projection needs are checked here: roles, jurisdictions and time limits
    were judged by decide() when the command was accepted. `default_kind` is the kind of a finding whose report was
    made before cases had kinds (see _start).
    """
    action = _as_enum(Action, event.action)
    if action is None:
        raise ValueError(f"event {event.event_id}: unknown action {_show(event.action)}")
    if not isinstance(event.payload, Mapping):
        raise ValueError(f"event {event.event_id}: the payload is not a mapping")
    if finding is not None and event.finding_id != finding.finding_id:
        raise ValueError(f"event {event.event_id} belongs to finding {event.finding_id}, not {finding.finding_id}")
    if not _state_allows(finding, action):
        raise ValueError(f"event {event.event_id}: {action} cannot follow state {_current_state(finding) or 'none'}")
    at = _as_utc(event.at)
    if finding is None:
        return _start(event, action, at, default_kind)
    changes = _PROJECTORS[action](finding, event, at)
    target = _RULES[action].target or finding.state
    if target != State.ASSIGNED and finding.requested_deadline is not None:
        changes = {**_NO_REQUEST, **changes}  # a request not decided while the unit worked lapses with that stage
    return _evolved(
        finding,
        {
            "state": target,
            "ledger_number": finding.ledger_number or _read_optional_text(event.payload, "ledger_number"),
            "event_count": finding.event_count + 1,
            "last_event_id": event.event_id,
            **changes,
        },
    )


def project(events: Iterable[Event], default_kind: Kind = Kind.HAZARD) -> FindingState:
    """Fold a finding's events, oldest first; raises ValueError on no events, a repeated event or an illegal step.

    `default_kind` is the kind of a finding whose report predates kinds (the kind recorded for it on conversion)."""
    finding: FindingState | None = None
    seen: set[str] = set()
    for event in events:
        if event.event_id in seen:
            raise ValueError(f"event {event.event_id} appears twice")
        seen.add(event.event_id)
        finding = apply(finding, event, default_kind)
    if finding is None:
        raise ValueError("a finding needs at least one event")
    return finding


def case_fields(finding: FindingState) -> dict[str, Any]:
    """The fields of a case that ledgers and exports show beyond the classic columns, under their export keys:
    kind, source (发现方式), the 督办 (level, unit, 文号, its deadline, since when), extensions (count and reasons, a
    request waiting) and what a 重大隐患 carries (临时管控措施, 治理方案, reporting upward). Plain values."""
    return {
        "kind": finding.kind.value,
        "source": finding.source.value,
        "escalation_level": finding.escalation.value if finding.escalation else None,
        "escalation_unit": finding.escalation_unit,
        "escalation_doc_no": finding.escalation_doc_no,
        "escalation_deadline": finding.escalation_deadline.isoformat() if finding.escalation_deadline else None,
        "escalated_at": finding.escalated_at,
        "extension_count": finding.extension_count,
        "extension_reasons": list(finding.extension_reasons),
        "requested_deadline": finding.requested_deadline.isoformat() if finding.requested_deadline else None,
        "interim_controls": finding.interim_controls,
        "governance_plan": list(finding.governance_plan),
        "reported_upward_to": finding.reported_upward_to,
        "reported_upward_on": finding.reported_upward_on.isoformat() if finding.reported_upward_on else None,
    }
