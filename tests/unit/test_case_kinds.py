"""Both kinds of case (问题 and 隐患) on one state machine family: every transition per kind and role, 督办 levels
with teeth, extensions requested and decided, the words of each kind, and findings made before kinds existed."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from inspector.core.ledger import (
    KIND_ACTION_LABELS,
    KIND_STATE_LABELS,
    SOURCE_LABELS,
    Action,
    Actor,
    EscalationLevel,
    Event,
    FindingState,
    Kind,
    Role,
    Severity,
    Source,
    State,
    action_label,
    allowed_actions,
    apply,
    decide,
    project,
    required_fields,
    scope_level,
    state_label,
    validate_payload,
)

NOW = datetime(2026, 3, 2, 4, 0, tzinfo=UTC)  # Monday 12:00 in Beijing
TODAY = date(2026, 3, 2)
GRID = "110105001002003"
STREET, DISTRICT, CITY = "110105001", "110105", "110000"
PHOTO = "a" * 64
PLAN = "b" * 64

# -- the rules, written out independently of the module ---------------------------------------------------------

TRANSITIONS: dict[tuple[str | None, str], str] = {
    (None, "report"): "reported",
    (None, "report_fixed_on_site"): "rectified",
    ("reported", "accept"): "registered",
    ("reported", "reject"): "rejected",
    ("registered", "assign"): "assigned",
    ("assigned", "extend"): "assigned",
    ("assigned", "request_extension"): "assigned",
    ("assigned", "rectify"): "rectified",
    ("rectified", "verify_pass"): "closed",
    ("rectified", "verify_fail"): "assigned",
    ("closed", "reopen"): "assigned",
    ("assigned", "sign"): "assigned",  # the responsible unit's 签收 on the web face, no laptop role's
    **{(state, "escalate"): state for state in ("reported", "registered", "assigned", "rectified")},
}
# Legal only with a 督办 to lift, or a request to decide (and a request only when none waits)
NEEDS_ESCALATION = {
    (state, "lift_escalation"): state for state in ("reported", "registered", "assigned", "rectified", "closed")
}
NEEDS_REQUEST = {("assigned", "approve_extension"): "assigned", ("assigned", "refuse_extension"): "assigned"}
INSPECTOR_MAY = {"report", "report_fixed_on_site", "rectify", "request_extension"}
SUPERVISOR_MAY = set(action.value for action in Action) - {"report", "report_fixed_on_site", "sign"}
ROLE_SETS = {
    "inspector": frozenset({Role.INSPECTOR}),
    "supervisor": frozenset({Role.SUPERVISOR}),
    "admin": frozenset({Role.ADMIN}),
    "inspector+supervisor": frozenset({Role.INSPECTOR, Role.SUPERVISOR}),
}
LEVEL_SCOPES = {"street": STREET, "district": DISTRICT, "city": CITY}
RANK = {"street": 0, "district": 1, "city": 2}

INSPECTOR = Actor("u-ins", ROLE_SETS["inspector"], frozenset({STREET}))
SUPERVISOR = Actor("u-sup", ROLE_SETS["supervisor"], frozenset({STREET}))
_ids = itertools.count()


def later(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


def report_payload(kind: str, **changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "description": "店外乱堆物料" if kind == "problem" else "燃气软管老化",
        "category": "门前三包" if kind == "problem" else "燃气",
        "kind": kind,
        "source": "patrol",
        "jurisdiction": GRID,
        "subject_id": "subject-1",
        "photos": [PHOTO],
    }
    if kind == "hazard":
        payload["severity"] = "major"
    payload.update(changes)
    return payload


MAJOR_EXTRAS = {
    "funds": "企业自筹 5 万元",
    "contingency_plan": "停气、疏散",
    "interim_controls": "关闭总阀，设置警戒线",
    "governance_plan": [PLAN],
    "reported_upward_to": "朝阳区城市管理委",
    "reported_upward_on": TODAY.isoformat(),
}


def payload_for(kind: str, action: str, finding: FindingState | None) -> dict[str, Any]:
    current = finding.deadline if finding is not None and finding.deadline else TODAY
    after_current = (max(current, TODAY) + timedelta(days=5)).isoformat()
    return {
        "report": report_payload(kind),
        "report_fixed_on_site": report_payload(
            kind, severity="general", after_photos=["c" * 64], rectification="当场清理"
        ),
        "accept": {"severity": "major"} if kind == "hazard" else {},
        "reject": {"reason": "不属于职责范围"},
        "assign": {
            "responsible_unit": "某某餐饮公司",
            "responsible_person": "王经理",
            "deadline": later(10),
            "measures": "清理并恢复",
            **(MAJOR_EXTRAS if kind == "hazard" else {}),
        },
        "extend": {"deadline": after_current, "reason": "等待材料"},
        "request_extension": {"deadline": after_current, "reason": "施工队未到位", "on_behalf_of_unit": True},
        "approve_extension": {"note": "同意"},
        "refuse_extension": {"reason": "理由不足"},
        "rectify": {"description": "已整改", "after_photos": ["d" * 64]},
        "verify_pass": {"opinion": "合格"},
        "verify_fail": {"reason": "未到位", "deadline": later(12)},
        "reopen": {"reason": "复发", "deadline": later(12)},
        "escalate": {"level": "street", "unit": "三里屯街道办事处", "deadline": later(20), "doc_no": "三督〔2026〕1号"},
        "lift_escalation": {"note": "整改到位，摘牌"},
        "sign": {"signer_name": "王五", "signer_phone": "13900000000"},
    }[action]


def step(finding: FindingState | None, kind: str, action: str, actor: Actor, **changes: Any) -> FindingState:
    payload = {**payload_for(kind, action, finding), **changes}
    decision = decide(finding, action, actor, payload, NOW, base_state=finding.state if finding else None)
    assert decision.allowed, decision.reason
    finding_id = finding.finding_id if finding else f"f{next(_ids)}"
    base = finding.state if finding else None
    event = Event(f"e{next(_ids)}", finding_id, Action(action), actor.user_id, NOW, payload, base)
    after = apply(finding, event)
    assert after.state == decision.new_state
    return after


PATHS = {
    "reported": ["report"],
    "rejected": ["report", "reject"],
    "registered": ["report", "accept"],
    "assigned": ["report", "accept", "assign"],
    "rectified": ["report", "accept", "assign", "rectify"],
    "closed": ["report", "accept", "assign", "rectify", "verify_pass"],
}


def finding_in(kind: str, state: str | None, primed: bool = False) -> FindingState | None:
    """A case of this kind in this state; primed: under 街乡督办 and, when assigned, with an extension request."""
    if state is None:
        return None
    finding: FindingState | None = None
    for action in PATHS[state]:
        actor = INSPECTOR if action in ("report", "rectify") else SUPERVISOR
        finding = step(finding, kind, action, actor)
        if primed and action == "report":
            finding = step(finding, kind, "escalate", SUPERVISOR)
    if primed and finding is not None and finding.state == State.ASSIGNED:
        finding = step(finding, kind, "request_extension", INSPECTOR)
    return finding


STATES: list[str | None] = [None, *(state.value for state in State)]
FINDINGS = {
    (kind, state, primed): finding_in(kind, state, primed)
    for kind in ("problem", "hazard")
    for state in STATES
    for primed in (False, True)
}


def expected(state: str | None, action: str, role_set: str, primed: bool) -> tuple[str, str | None]:
    table = dict(TRANSITIONS)
    if primed:
        table.update(NEEDS_ESCALATION)
        table.update(NEEDS_REQUEST)
        table.pop(("assigned", "request_extension"))
    if (state, action) not in table:
        return "illegal_state", None
    roles = {role.value for role in ROLE_SETS[role_set]}
    allowed_roles = ({"inspector"} if action in INSPECTOR_MAY else set()) | (
        {"supervisor"} if action in SUPERVISOR_MAY else set()
    )
    if not roles & allowed_roles:
        return "forbidden_role", None
    return "", table[(state, action)]


# -- every transition, per kind, per role, with and without the 督办/request a guarded action needs --------------


@pytest.mark.parametrize("primed", [False, True], ids=["plain", "escalated+request"])
@pytest.mark.parametrize("role_set", list(ROLE_SETS))
@pytest.mark.parametrize("action", [action.value for action in Action])
@pytest.mark.parametrize("state", STATES, ids=lambda state: state or "none")
@pytest.mark.parametrize("kind", ["problem", "hazard"])
def test_transition_matrix_per_kind(kind: str, state: str | None, action: str, role_set: str, primed: bool) -> None:
    finding = FINDINGS[(kind, state, primed)]
    actor = Actor(f"u-{role_set}", ROLE_SETS[role_set], frozenset({STREET}))
    payload = payload_for(kind, action, finding)
    decision = decide(finding, action, actor, payload, NOW, base_state=state)
    code, new_state = expected(state, action, role_set, primed)
    assert (decision.code, decision.new_state) == (code, new_state), decision.reason
    assert (Action(action) in allowed_actions(finding, actor)) is (code == "")
    if decision.allowed:
        event = Event(
            "e-x", finding.finding_id if finding else "f-x", Action(action), actor.user_id, NOW, payload, None
        )
        assert apply(finding, event).kind == Kind(kind)


# -- 督办 with teeth: per level of the 督办 and level of the supervisor's scope ----------------------------------

LEVEL_BOUND = [("rectified", "verify_pass"), ("reported", "reject"), ("assigned", "lift_escalation")]
NOT_BOUND = [("registered", "assign"), ("rectified", "verify_fail"), ("assigned", "extend")]


def escalated(kind: str, state: str, level: str) -> FindingState:
    finding = finding_in(kind, state)
    assert finding is not None
    district = Actor("u-district", ROLE_SETS["supervisor"], frozenset({DISTRICT}))
    return step(finding, kind, "escalate", district, level=level, unit=f"{level} 督办单位")


@pytest.mark.parametrize(("state", "action"), LEVEL_BOUND + NOT_BOUND)
@pytest.mark.parametrize("scope", list(LEVEL_SCOPES))
@pytest.mark.parametrize("level", list(LEVEL_SCOPES))
@pytest.mark.parametrize("kind", ["problem", "hazard"])
def test_only_the_level_of_the_escalation_or_above_may_close_reject_or_lift(
    kind: str, level: str, scope: str, state: str, action: str
) -> None:
    finding = escalated(kind, state, level)
    actor = Actor(f"u-{scope}", ROLE_SETS["supervisor"], frozenset({LEVEL_SCOPES[scope]}))
    decision = decide(finding, action, actor, payload_for(kind, action, finding), NOW, base_state=state)
    bound = (state, action) in LEVEL_BOUND
    allowed = not bound or RANK[scope] >= RANK[level]
    assert decision.allowed is allowed, decision.reason
    assert (Action(action) in allowed_actions(finding, actor)) is allowed
    if not allowed:
        assert decision.code == "escalation_level"
        assert decision.refusal is not None and decision.refusal.en and "督办" in decision.refusal.zh


@pytest.mark.parametrize("new_level", list(LEVEL_SCOPES))
@pytest.mark.parametrize("scope", list(LEVEL_SCOPES))
def test_lowering_a_city_escalation_needs_the_city_raising_it_anyone(scope: str, new_level: str) -> None:
    finding = escalated("hazard", "assigned", "district")
    actor = Actor(f"u-{scope}", ROLE_SETS["supervisor"], frozenset({LEVEL_SCOPES[scope]}))
    payload = {**payload_for("hazard", "escalate", finding), "level": new_level}
    decision = decide(finding, "escalate", actor, payload, NOW, base_state="assigned")
    lowering = RANK[new_level] < RANK["district"]
    assert decision.allowed is (not lowering or RANK[scope] >= RANK["district"]), decision.reason


def test_escalation_records_level_unit_document_and_its_own_deadline_and_lift_clears_them() -> None:
    finding = escalated("hazard", "assigned", "city")
    assert (finding.escalation, finding.escalation_unit, finding.escalation_doc_no) == (
        EscalationLevel.CITY,
        "city 督办单位",
        "三督〔2026〕1号",
    )
    assert finding.escalation_deadline == TODAY + timedelta(days=20) and finding.escalated_at == NOW
    city = Actor("u-city", ROLE_SETS["supervisor"], frozenset({CITY}))
    lifted = step(finding, "hazard", "lift_escalation", city)
    assert (lifted.escalation, lifted.escalation_unit, lifted.escalation_deadline) == (None, None, None)
    assert decide(lifted, "lift_escalation", city, {"note": "再摘"}, NOW).code == "illegal_state"


@pytest.mark.parametrize("missing", ["level", "unit", "deadline"])
def test_escalation_needs_level_unit_and_deadline(missing: str) -> None:
    finding = finding_in("problem", "assigned")
    payload = payload_for("problem", "escalate", finding)
    del payload[missing]
    assert validate_payload("escalate", payload, finding, NOW) == [f"{missing}: 必填，不能为空 (required)"]


def test_scope_level_is_the_highest_scope_that_covers_the_case() -> None:
    both = Actor("u", ROLE_SETS["supervisor"], frozenset({STREET, DISTRICT}))
    assert scope_level(both, GRID) == EscalationLevel.DISTRICT
    assert scope_level(Actor("u", ROLE_SETS["supervisor"], frozenset({CITY})), GRID) == EscalationLevel.CITY
    assert scope_level(Actor("u", ROLE_SETS["supervisor"], frozenset({"110108"})), GRID) is None
    assert scope_level(Actor("u", ROLE_SETS["supervisor"], frozenset({"110105001002"})), GRID) == EscalationLevel.STREET


# -- the two kinds differ where the rules say ---------------------------------------------------------------------


def test_a_problem_has_no_grading_and_no_five_implementations() -> None:
    report = report_payload("problem")
    assert "severity" not in report
    finding = step(None, "problem", "report", INSPECTOR)
    assert finding.severity is None and finding.kind == Kind.PROBLEM
    registered = step(finding, "problem", "accept", SUPERVISOR)
    assert registered.severity is None
    assert required_fields("assign", "major", "problem") == (
        "responsible_unit",
        "responsible_person",
        "deadline",
        "measures",
    )
    graded = step(finding, "problem", "accept", SUPERVISOR, severity="major")
    assert graded.severity is None  # the grade stays in the event, not enforced on the case
    assigned = step(graded, "problem", "assign", SUPERVISOR)
    assert assigned.funds is None and assigned.governance_plan == ()


def test_a_hazard_needs_its_grade_and_a_major_one_the_five_implementations_and_more() -> None:
    assert validate_payload("report", report_payload("hazard", severity=None), None, NOW) == [
        "severity: 必填，不能为空 (required)"
    ]
    registered = finding_in("hazard", "registered")
    assert registered is not None and registered.severity == Severity.MAJOR
    for field in MAJOR_EXTRAS:
        payload = payload_for("hazard", "assign", registered)
        del payload[field]
        assert validate_payload("assign", payload, registered, NOW) == [f"{field}: 必填，不能为空 (required)"]
    assigned = step(registered, "hazard", "assign", SUPERVISOR)
    assert (assigned.interim_controls, assigned.governance_plan) == ("关闭总阀，设置警戒线", (PLAN,))
    assert (assigned.reported_upward_to, assigned.reported_upward_on) == ("朝阳区城市管理委", TODAY)
    tomorrow = payload_for("hazard", "assign", registered) | {"reported_upward_on": later(1)}
    (problem,) = validate_payload("assign", tomorrow, registered, NOW)
    assert problem.startswith("reported_upward_on:")


def test_fixed_on_the_spot_is_for_a_general_hazard_or_any_problem() -> None:
    fixed = report_payload("hazard", after_photos=["c" * 64], rectification="当场处置")
    assert decide(None, "report_fixed_on_site", INSPECTOR, fixed, NOW).code == "invalid_payload"
    problem = report_payload("problem", after_photos=["c" * 64], rectification="当场处置")
    assert decide(None, "report_fixed_on_site", INSPECTOR, problem, NOW).allowed


@pytest.mark.parametrize("source", list(Source))
@pytest.mark.parametrize("kind", list(Kind))
def test_every_source_and_kind_is_recorded(kind: Kind, source: Source) -> None:
    finding = step(None, kind.value, "report", INSPECTOR, source=source.value)
    assert (finding.kind, finding.source) == (kind, source)


@pytest.mark.parametrize(("field", "value"), [("kind", "incident"), ("source", "rumour"), ("kind", None)])
def test_an_unknown_kind_or_source_is_refused(field: str, value: Any) -> None:
    payload = report_payload("problem") | {field: value}
    (problem,) = validate_payload("report", payload, None, NOW)
    assert problem.startswith(f"{field}: ")


def test_each_kind_has_its_own_words_for_every_state_and_action() -> None:
    assert SOURCE_LABELS[Source.HOTLINE] == "12345工单" and len(set(SOURCE_LABELS.values())) == len(Source)
    for kind in Kind:
        assert set(KIND_STATE_LABELS[kind]) == set(State) and set(KIND_ACTION_LABELS[kind]) == set(Action)
    assert [state_label("problem", s) for s in ("registered", "rectified", "closed")] == ["已立案", "待核查", "已结案"]
    assert [state_label("hazard", s) for s in ("registered", "rectified", "closed")] == [
        "已挂账",
        "待复查验收",
        "已销账",
    ]
    assert action_label("hazard", "verify_pass").startswith("复查验收") and action_label("problem", "accept") == "立案"
    refusal = decide(finding_in("problem", "closed"), "assign", SUPERVISOR, {}, NOW).refusal
    assert refusal is not None and "问题当前为已结案" in refusal.zh


# -- extensions ---------------------------------------------------------------------------------------------------


def test_an_extension_is_requested_then_approved_and_counted_with_its_reason() -> None:
    assigned = finding_in("problem", "assigned")
    assert assigned is not None and assigned.deadline == TODAY + timedelta(days=10)
    extended = step(assigned, "problem", "extend", SUPERVISOR, deadline=later(15), reason="雨天停工")
    requested = step(extended, "problem", "request_extension", INSPECTOR, deadline=later(25), reason="施工队未到位")
    assert (requested.requested_deadline, requested.extension_on_behalf_of_unit) == (TODAY + timedelta(days=25), True)
    assert requested.deadline == TODAY + timedelta(days=15)
    assert decide(requested, "request_extension", INSPECTOR, {"deadline": later(30), "reason": "再延"}, NOW).code == (
        "illegal_state"
    )
    approved = step(requested, "problem", "approve_extension", SUPERVISOR)
    assert (approved.deadline, approved.extension_count, approved.extension_reasons) == (
        TODAY + timedelta(days=25),
        2,
        ("雨天停工", "施工队未到位"),
    )
    assert approved.requested_deadline is None
    again = step(approved, "problem", "request_extension", INSPECTOR, deadline=later(40), reason="材料缺货")
    refused = step(again, "problem", "refuse_extension", SUPERVISOR)
    assert (refused.deadline, refused.extension_count, refused.requested_deadline) == (
        TODAY + timedelta(days=25),
        2,
        None,
    )


def test_a_request_not_later_than_the_deadline_is_refused_and_one_left_undecided_lapses_on_rectify() -> None:
    assigned = finding_in("hazard", "assigned")
    assert assigned is not None
    early = {"deadline": later(3), "reason": "x"}
    assert decide(assigned, "request_extension", INSPECTOR, early, NOW).code == "invalid_payload"
    requested = step(assigned, "hazard", "request_extension", INSPECTOR)
    rectified = step(requested, "hazard", "rectify", INSPECTOR)
    assert rectified.requested_deadline is None and rectified.extension_count == 0


def test_an_approval_may_grant_a_different_deadline() -> None:
    requested = finding_in("hazard", "assigned", primed=True)
    assert requested is not None and requested.requested_deadline is not None
    approved = step(requested, "hazard", "approve_extension", SUPERVISOR, deadline=later(12))
    assert approved.deadline == TODAY + timedelta(days=12) and approved.extension_count == 1


# -- findings made before kinds existed -----------------------------------------------------------------------------


def legacy_events(severity: str) -> list[Event]:
    report = {
        "description": "乱堆物料",
        "category": "门前三包",
        "severity": severity,
        "jurisdiction": GRID,
        "subject_id": "s",
        "photos": [],
    }
    return [
        Event("l1", "legacy", Action.REPORT, "u-ins", NOW, report, None),
        Event("l2", "legacy", Action.ACCEPT, "u-sup", NOW, {"severity": severity}, State.REPORTED),
        Event("l3", "legacy", Action.ESCALATE, "u-sup", NOW, {"level": "district", "note": "督办"}, State.REGISTERED),
    ]


def test_an_old_history_takes_the_kind_it_was_given_and_a_problem_drops_its_grade() -> None:
    as_problem = project(legacy_events("major"), Kind.PROBLEM)
    assert (as_problem.kind, as_problem.source, as_problem.severity) == (Kind.PROBLEM, Source.PATROL, None)
    assert as_problem.escalation == EscalationLevel.DISTRICT and as_problem.escalation_unit is None
    as_hazard = project(legacy_events("major"), Kind.HAZARD)
    assert (as_hazard.kind, as_hazard.severity) == (Kind.HAZARD, Severity.MAJOR)
    assert project(legacy_events("general")).kind == Kind.HAZARD  # what the release before kinds treated them as
