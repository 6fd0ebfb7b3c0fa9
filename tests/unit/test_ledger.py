"""The ledger state machine on a hazard (安全隐患): every transition per role and jurisdiction, payload rules,
projection, overdue. The problem loop, 督办 levels and extensions: test_case_kinds.py."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import hypothesis
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from inspector.core.clock import local_date
from inspector.core.ledger import (
    ACTION_LABELS,
    ESCALATION_LABELS,
    OPEN_STATES,
    ROLE_LABELS,
    SEVERITY_LABELS,
    STATE_LABELS,
    Action,
    Actor,
    Decision,
    EscalationLevel,
    Event,
    FindingState,
    Kind,
    NewFindingCommand,
    Role,
    Severity,
    Source,
    State,
    allowed_actions,
    apply,
    decide,
    decide_new_findings,
    is_overdue,
    project,
    required_fields,
    validate_payload,
)

# --------------------------------------------------------------------------------------------------------------
# The rules as the design states them, written out independently of the module under test
# --------------------------------------------------------------------------------------------------------------

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
    ("reported", "escalate"): "reported",
    ("registered", "escalate"): "registered",
    ("assigned", "escalate"): "assigned",
    ("rectified", "escalate"): "rectified",
    ("assigned", "sign"): "assigned",
}
ROLES_FOR: dict[str, set[str]] = {
    "report": {"inspector", "public"},
    "report_fixed_on_site": {"inspector"},
    "rectify": {"inspector", "supervisor", "unit"},
    "sign": {"unit"},
    "request_extension": {"inspector", "supervisor", "unit"},
}
SUPERVISOR_ONLY = {"supervisor"}
REQUIRED: dict[str, list[str]] = {
    "report": ["description", "category", "kind", "source", "severity", "jurisdiction"],
    "report_fixed_on_site": [
        "description",
        "category",
        "kind",
        "source",
        "severity",
        "jurisdiction",
        "after_photos",
        "rectification",
    ],
    "accept": ["severity"],
    "reject": ["reason"],
    "assign": ["responsible_unit", "responsible_person", "deadline", "measures"],
    "extend": ["deadline", "reason"],
    "rectify": ["description", "after_photos"],
    "verify_pass": ["opinion"],
    "verify_fail": ["reason"],
    "reopen": ["reason", "deadline"],
    "escalate": ["level", "unit", "deadline"],
    "sign": ["signer_name", "signer_phone"],
    "lift_escalation": ["note"],
    "request_extension": ["deadline", "reason"],
    "approve_extension": [],
    "refuse_extension": ["reason"],
}
# Transitions that need more than the state: 摘牌 a 督办, decide an extension request (test_case_kinds.py)
GUARDED: dict[tuple[str | None, str], str] = {
    **{(state, "lift_escalation"): state for state in ("reported", "registered", "assigned", "rectified", "closed")},
    ("assigned", "approve_extension"): "assigned",
    ("assigned", "refuse_extension"): "assigned",
}
CODES = {
    "illegal_state",
    "stale",
    "forbidden_role",
    "out_of_jurisdiction",
    "invalid_payload",
    "same_actor",
    "escalation_level",
}


def reachable_states() -> set[str]:
    """States reachable from 'no finding' by the table above."""
    found: set[str | None] = {None}
    frontier: list[str | None] = [None]
    while frontier:
        source = frontier.pop()
        for (start, _action), target in TRANSITIONS.items():
            if start == source and target not in found:
                found.add(target)
                frontier.append(target)
    return {state for state in found if state is not None}


# --------------------------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------------------------

NOW = datetime(2026, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Beijing
GRID = "110105001002003"  # 朝阳 / a street / a community / a grid cell
STREET = "110105001"
ELSEWHERE = "110108"  # 海淀
PHOTO_A, PHOTO_B, PHOTO_C = ("a" * 64, "b" * 64, "c" * 64)

ROLE_SETS: dict[str, frozenset[Role]] = {
    "inspector": frozenset({Role.INSPECTOR}),
    "supervisor": frozenset({Role.SUPERVISOR}),
    "admin": frozenset({Role.ADMIN}),
    "inspector+supervisor": frozenset({Role.INSPECTOR, Role.SUPERVISOR}),
    "unit": frozenset({Role.UNIT}),
    "public": frozenset({Role.PUBLIC}),
    "leader": frozenset({Role.LEADER}),
}

FIELD_INSPECTOR = Actor("u-field", ROLE_SETS["inspector"], frozenset({STREET}))
SUPERVISOR = Actor("u-super", ROLE_SETS["supervisor"], frozenset({STREET}))
OTHER_SUPERVISOR = Actor("u-super-2", ROLE_SETS["supervisor"], frozenset({"110105"}))
BOTH = Actor("u-both", ROLE_SETS["inspector+supervisor"], frozenset({STREET}))


def matrix_actor(role_set: str, inside: bool) -> Actor:
    """A user with these roles, covering the finding's street or a different district."""
    return Actor(f"u-matrix-{role_set}", ROLE_SETS[role_set], frozenset({STREET if inside else ELSEWHERE}))


def report_payload(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "description": "门前堆放杂物，占用人行道",
        "category": "燃气",
        "kind": "hazard",
        "source": "patrol",
        "severity": "general",
        "jurisdiction": GRID,
        "subject_id": "subject-17",
        "location": {"lat": 39.93, "lon": 116.45, "address": "三里屯路 19 号"},
        "photos": [PHOTO_A],
        "photo_required": True,
    }
    payload.update(changes)
    return payload


MAJOR_ASSIGN: dict[str, Any] = {
    "interim_controls": "停用燃气灶具，设置警戒线",
    "governance_plan": ["f" * 64],
    "reported_upward_to": "朝阳区城市管理委",
    "reported_upward_on": "2026-03-01",
}


def valid_payload(action: Action | str, finding: FindingState | None, now: datetime = NOW) -> dict[str, Any]:
    """A payload that satisfies every field rule of the action for this finding at this time."""
    today = local_date(now)
    later = today + timedelta(days=10)
    current = finding.deadline if finding is not None and finding.deadline is not None else today
    payloads: dict[str, dict[str, Any]] = {
        "report": report_payload(),
        "report_fixed_on_site": report_payload(after_photos=[PHOTO_B], rectification="当场清理完毕"),
        "accept": {"severity": "general"},
        "reject": {"reason": "不属于城市管理职责"},
        "assign": {
            "responsible_unit": "某某餐饮有限公司",
            "responsible_person": "王经理",
            "responsible_phone": "13800000000",
            "deadline": later.isoformat(),
            "measures": "清理杂物，恢复通行",
            "funds": "企业自筹 2000 元",
            "contingency_plan": "设置围挡和警示标志",
        },
        "extend": {"deadline": (max(current, today) + timedelta(days=7)).isoformat(), "reason": "需采购材料"},
        "rectify": {"description": "已清理", "after_photos": [PHOTO_C]},
        "verify_pass": {"opinion": "现场核查已整改到位"},
        "verify_fail": {"reason": "仍有杂物", "deadline": later.isoformat()},
        "reopen": {"reason": "问题复发", "deadline": later.isoformat()},
        "escalate": {
            "level": "district",
            "unit": "朝阳区城市管理委",
            "deadline": later.isoformat(),
            "doc_no": "朝城管督〔2026〕3号",
            "note": "逾期未整改，区级督办",
        },
        "lift_escalation": {"note": "验收合格，摘牌"},
        "request_extension": {
            "deadline": (max(current, today) + timedelta(days=7)).isoformat(),
            "reason": "需采购材料",
            "on_behalf_of_unit": True,
        },
        "approve_extension": {"note": "同意延期"},
        "refuse_extension": {"reason": "理由不充分"},
        "sign": {"signer_name": "王经理", "signer_phone": "13800000000"},
    }
    return payloads[str(action)]


_counter = itertools.count()


def make_event(
    finding: FindingState | None,
    action: Action | str,
    actor_id: str,
    payload: Mapping[str, Any],
    at: datetime = NOW,
    finding_id: str = "finding-1",
) -> Event:
    base = finding.state if finding is not None else None
    fid = finding.finding_id if finding is not None else finding_id
    return Event(f"event-{next(_counter)}", fid, Action(action), actor_id, at, payload, base)


def act(
    finding: FindingState | None,
    action: Action | str,
    actor: Actor,
    payload: Mapping[str, Any] | None = None,
    at: datetime = NOW,
) -> tuple[FindingState, Event]:
    """Decide a command as the server would, require it to be allowed, and apply its event."""
    body = valid_payload(action, finding, at) if payload is None else payload
    base = finding.state if finding is not None else None
    decision = decide(finding, action, actor, body, at, base_state=base)
    assert decision.allowed, decision.reason
    event = make_event(finding, action, actor.user_id, body, at)
    after = apply(finding, event)
    assert after.state == decision.new_state
    return after, event


PATHS: dict[str, list[tuple[str, Actor]]] = {
    "reported": [("report", FIELD_INSPECTOR)],
    "rejected": [("report", FIELD_INSPECTOR), ("reject", SUPERVISOR)],
    "registered": [("report", FIELD_INSPECTOR), ("accept", SUPERVISOR)],
    "assigned": [("report", FIELD_INSPECTOR), ("accept", SUPERVISOR), ("assign", SUPERVISOR)],
    "rectified": [
        ("report", FIELD_INSPECTOR),
        ("accept", SUPERVISOR),
        ("assign", SUPERVISOR),
        ("rectify", FIELD_INSPECTOR),
    ],
    "closed": [
        ("report", FIELD_INSPECTOR),
        ("accept", SUPERVISOR),
        ("assign", SUPERVISOR),
        ("rectify", FIELD_INSPECTOR),
        ("verify_pass", SUPERVISOR),
    ],
}


def finding_in(state: str | None, **accept_payload: Any) -> FindingState | None:
    """A finding brought to this state through legal commands (None: no finding yet)."""
    if state is None:
        return None
    finding: FindingState | None = None
    for action, actor in PATHS[state]:
        payload = {**valid_payload(action, finding), **accept_payload} if action == "accept" else None
        finding, _ = act(finding, action, actor, payload)
    assert finding is not None
    return finding


# --------------------------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------------------------


def test_labels_cover_every_member_in_chinese() -> None:
    assert STATE_LABELS == {
        State.REPORTED: "待受理",
        State.REJECTED: "不予立案",
        State.REGISTERED: "已挂账",
        State.ASSIGNED: "整改中",
        State.RECTIFIED: "待核查",
        State.CLOSED: "已销账",
    }
    assert ACTION_LABELS[Action.ACCEPT] == "受理挂账"
    assert ACTION_LABELS[Action.VERIFY_PASS] == "核查通过(销账)"
    assert set(ACTION_LABELS) == set(Action)
    assert SEVERITY_LABELS == {Severity.GENERAL: "一般隐患", Severity.MAJOR: "重大隐患"}
    assert set(ROLE_LABELS) == set(Role)
    assert set(ESCALATION_LABELS) == set(EscalationLevel)
    assert {State.REPORTED, State.REGISTERED, State.ASSIGNED, State.RECTIFIED} == OPEN_STATES


def test_every_state_is_reachable_and_rejected_and_closed_are_the_only_ends() -> None:
    assert reachable_states() == {state.value for state in State}
    exits = {start for start, _ in TRANSITIONS}
    assert {state.value for state in State} - exits == {"rejected"}


# --------------------------------------------------------------------------------------------------------------
# The full state x action x role x jurisdiction matrix
# --------------------------------------------------------------------------------------------------------------

STATES: list[str | None] = [None, *[state.value for state in State]]
FINDINGS = {state: finding_in(state) for state in STATES}


def expected_decision(state: str | None, action: str, role_set: str, inside: bool) -> tuple[str, str | None]:
    if (state, action) not in TRANSITIONS:
        return "illegal_state", None
    if not ROLES_FOR.get(action, SUPERVISOR_ONLY) & {role.value for role in ROLE_SETS[role_set]}:
        return "forbidden_role", None
    if not inside:
        return "out_of_jurisdiction", None
    return "", TRANSITIONS[(state, action)]


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role_set", list(ROLE_SETS))
@pytest.mark.parametrize("action", [action.value for action in Action])
@pytest.mark.parametrize("state", STATES, ids=lambda state: state or "none")
def test_transition_matrix(state: str | None, action: str, role_set: str, inside: bool) -> None:
    finding = FINDINGS[state]
    actor = matrix_actor(role_set, inside)
    decision = decide(finding, action, actor, valid_payload(action, finding), NOW, base_state=state)
    code, new_state = expected_decision(state, action, role_set, inside)
    assert (decision.code, decision.new_state) == (code, new_state), decision.reason
    assert decision.allowed is (code == "")
    assert bool(decision.reason) is (code != "")


@pytest.mark.parametrize("inside", [True, False], ids=["inside", "outside"])
@pytest.mark.parametrize("role_set", list(ROLE_SETS))
@pytest.mark.parametrize("state", STATES, ids=lambda state: state or "none")
def test_allowed_actions_agree_with_decide(state: str | None, role_set: str, inside: bool) -> None:
    """Without a finding, the question is whether the user may report anywhere: in their own jurisdiction."""
    finding = FINDINGS[state]
    actor = matrix_actor(role_set, inside)
    (own_scope,) = actor.jurisdictions

    def payload_for(action: Action) -> dict[str, Any]:
        payload = valid_payload(action, finding)
        return payload | {"jurisdiction": own_scope} if finding is None else payload

    expected = [
        action
        for action in Action
        if decide(finding, action, actor, payload_for(action), NOW, base_state=state).allowed
    ]
    assert allowed_actions(finding, actor) == expected


def test_admin_alone_may_do_nothing_but_admin_with_supervisor_may_supervise() -> None:
    admin = Actor("u-admin", frozenset({Role.ADMIN}), frozenset({"110105"}))
    admin_supervisor = Actor("u-admin-2", frozenset({Role.ADMIN, Role.SUPERVISOR}), frozenset({"110105"}))
    for state in STATES:
        assert allowed_actions(FINDINGS[state], admin) == []
    assert allowed_actions(FINDINGS["reported"], admin_supervisor) == [Action.ACCEPT, Action.REJECT, Action.ESCALATE]


def test_roles_given_as_plain_text_count_like_the_enum() -> None:
    actor = Actor("u-text", frozenset({"supervisor"}), frozenset({STREET}))  # type: ignore[arg-type]
    assert decide(FINDINGS["reported"], "accept", actor, {"severity": "major"}, NOW).allowed


def test_unknown_action_is_refused_first() -> None:
    admin_elsewhere = matrix_actor("admin", inside=False)
    decision = decide(FINDINGS["closed"], "demolish", admin_elsewhere, {}, NOW, base_state="reported")
    assert decision == Decision(False, "unknown_action", decision.reason, None)
    assert "demolish" in decision.reason
    assert validate_payload("demolish", {}, None, NOW) == ["action: 未知操作 'demolish' (unknown action)"]
    with pytest.raises(ValueError, match="unknown action"):
        required_fields("demolish")


# --------------------------------------------------------------------------------------------------------------
# Order of the checks
# --------------------------------------------------------------------------------------------------------------


def test_checks_run_in_order_and_the_first_failure_wins() -> None:
    reported = FINDINGS["reported"]
    admin_elsewhere = matrix_actor("admin", inside=False)
    supervisor_elsewhere = matrix_actor("supervisor", inside=False)
    # wrong state beats a stale base, a wrong role, a wrong place and an empty payload
    assert decide(reported, "assign", admin_elsewhere, {}, NOW, base_state="closed").code == "illegal_state"
    # a stale base beats the role, the place and the payload
    assert decide(reported, "accept", admin_elsewhere, {}, NOW, base_state="registered").code == "stale"
    # the role beats the place and the payload
    assert decide(reported, "accept", admin_elsewhere, {}, NOW, base_state="reported").code == "forbidden_role"
    # the place beats the payload
    assert decide(reported, "accept", supervisor_elsewhere, {}, NOW).code == "out_of_jurisdiction"
    # the payload beats the separation of duties
    rectified = finding_in("rectified")
    assert rectified is not None and rectified.rectified_by == FIELD_INSPECTOR.user_id
    rectifier_supervisor = Actor(FIELD_INSPECTOR.user_id, ROLE_SETS["inspector+supervisor"], frozenset({STREET}))
    assert decide(rectified, "verify_pass", rectifier_supervisor, {}, NOW).code == "invalid_payload"
    assert decide(rectified, "verify_pass", rectifier_supervisor, {"opinion": "好"}, NOW).code == "same_actor"


def test_a_batch_of_new_findings_is_decided_as_decide_decides_each_one() -> None:
    """The batch judgement shares what does not depend on a payload; every decision (allowed, code, reason, target)
    is still the one decide() gives for that command alone, whatever mix of good and bad commands the batch holds."""
    elsewhere = ELSEWHERE + "001000000"
    payloads: list[dict[str, Any]] = [
        report_payload(),
        report_payload(jurisdiction=elsewhere),
        report_payload(jurisdiction="not-a-code"),
        report_payload(jurisdiction=7),
        report_payload(category=""),
        report_payload(kind="problem", severity=None),
        report_payload(kind="nonsense"),
        report_payload(photos=[], photo_required=True),
        report_payload(subject_id=None, location=None),
        {key: value for key, value in report_payload().items() if key != "jurisdiction"},
        valid_payload("report_fixed_on_site", None),
        report_payload(),
    ]
    actions: list[Action | str] = ["report", Action.REPORT, "report_fixed_on_site", "accept", "fly"]
    bases: list[Any] = [None, ..., "reported", "nonsense", State.REPORTED]
    commands = [
        NewFindingCommand(action, payload, base)
        for action, payload, base in itertools.product(actions, payloads, bases)
    ]
    codes: set[str] = set()
    for actor in (FIELD_INSPECTOR, SUPERVISOR, BOTH, matrix_actor("public", True), matrix_actor("inspector", False)):
        batched = decide_new_findings(actor, commands, NOW)
        codes |= {d.code for d in batched}
        alone = [decide(None, c.action, actor, c.payload, NOW, base_state=c.base_state) for c in commands]
        assert [(d.allowed, d.code, d.reason, d.new_state) for d in batched] == [
            (d.allowed, d.code, d.reason, d.new_state) for d in alone
        ]
        reporter = bool({Role.INSPECTOR, Role.PUBLIC} & actor.roles)  # the public reports through a 公示牌's page
        assert any(d.allowed for d in batched) == reporter
    assert codes >= {
        "", "stale", "out_of_jurisdiction", "invalid_payload", "forbidden_role", "illegal_state", "unknown_action"
    }  # fmt: skip


def test_a_report_on_an_existing_finding_is_an_illegal_state() -> None:
    decision = decide(FINDINGS["reported"], "report", FIELD_INSPECTOR, report_payload(), NOW, base_state=None)
    assert decision.code == "illegal_state"
    assert "already exists" in decision.reason


def test_a_command_without_a_finding_is_an_illegal_state() -> None:
    decision = decide(None, "accept", SUPERVISOR, {"severity": "general"}, NOW)
    assert decision.code == "illegal_state"


def test_a_naive_time_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="aware"):
        decide(None, "report", FIELD_INSPECTOR, report_payload(), datetime(2026, 3, 1, 12))


# --------------------------------------------------------------------------------------------------------------
# Staleness
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("seen", ["registered", State.ASSIGNED, None])
def test_a_command_made_in_another_state_is_stale(seen: State | str | None) -> None:
    decision = decide(FINDINGS["reported"], "accept", SUPERVISOR, {"severity": "general"}, NOW, base_state=seen)
    assert decision.code == "stale"
    assert "reported" in decision.reason


@pytest.mark.parametrize("seen", ["reported", State.REPORTED, ...])
def test_a_command_made_in_the_current_state_or_without_a_base_is_fresh(seen: Any) -> None:
    assert decide(FINDINGS["reported"], "accept", SUPERVISOR, {"severity": "general"}, NOW, base_state=seen).allowed


def test_a_report_must_not_claim_a_base_state() -> None:
    assert decide(None, "report", FIELD_INSPECTOR, report_payload(), NOW, base_state=None).allowed
    assert decide(None, "report", FIELD_INSPECTOR, report_payload(), NOW, base_state="reported").code == "stale"


def test_an_unreadable_base_state_is_an_invalid_command() -> None:
    decision = decide(FINDINGS["reported"], "accept", SUPERVISOR, {"severity": "general"}, NOW, base_state="limbo")
    assert decision.code == "invalid_payload"
    assert "base_state" in decision.reason


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_escalate_is_exempt_from_the_stale_check_in_every_open_state(state: State) -> None:
    finding = FINDINGS[state.value]
    payload = {**valid_payload("escalate", finding), "level": "city", "note": "市级挂牌督办"}
    decision = decide(finding, "escalate", SUPERVISOR, payload, NOW, base_state="closed")
    assert decision.allowed
    assert decision.new_state == state


def test_escalate_on_a_closed_finding_stays_illegal_whatever_the_base() -> None:
    payload = {"level": "city", "note": "市级挂牌督办"}
    assert decide(FINDINGS["closed"], "escalate", SUPERVISOR, payload, NOW, base_state="assigned").code == (
        "illegal_state"
    )


# --------------------------------------------------------------------------------------------------------------
# Jurisdiction
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scopes", "inside"),
    [
        ({"110105"}, True),  # the district
        ({"110105001"}, True),  # the street
        ({"110105001000000"}, True),  # the street in its full 15-digit form
        ({"110105001002"}, True),  # the community
        ({GRID}, True),  # the grid cell itself
        ({"110105002"}, False),  # a sibling street
        ({"110105001002004"}, False),  # a neighbouring grid cell
        ({"110108", "110105001"}, True),  # one of several
        ({"not-a-code", "110105"}, True),  # unreadable scopes are ignored
        ({"not-a-code"}, False),
        (set(), False),
    ],
)
def test_jurisdiction_is_prefix_containment(scopes: set[str], inside: bool) -> None:
    supervisor = Actor("u-scope", ROLE_SETS["supervisor"], frozenset(scopes))
    inspector = Actor("u-scope", ROLE_SETS["inspector"], frozenset(scopes))
    expected = "" if inside else "out_of_jurisdiction"
    assert decide(FINDINGS["reported"], "accept", supervisor, {"severity": "general"}, NOW).code == expected
    assert decide(None, "report", inspector, report_payload(), NOW).code == expected


def test_a_report_with_an_unreadable_code_is_a_payload_problem_not_a_jurisdiction_one() -> None:
    decision = decide(None, "report", FIELD_INSPECTOR, report_payload(jurisdiction="11010"), NOW)
    assert decision.code == "invalid_payload"
    assert "jurisdiction:" in decision.reason


def test_a_user_without_a_readable_jurisdiction_may_not_start_a_report() -> None:
    nowhere = Actor("u-nowhere", ROLE_SETS["inspector"], frozenset({"bogus"}))
    assert allowed_actions(None, nowhere) == []
    assert allowed_actions(None, FIELD_INSPECTOR) == [Action.REPORT, Action.REPORT_FIXED_ON_SITE]


# --------------------------------------------------------------------------------------------------------------
# Payloads: required fields, types, limits
# --------------------------------------------------------------------------------------------------------------

REQUIRED_CASES = [(action, field) for action, fields in REQUIRED.items() for field in fields]
STATE_BEFORE = {action: start for (start, action) in TRANSITIONS if action != "escalate"} | {"escalate": "assigned"}


def finding_for(action: str) -> FindingState | None:
    """A finding the action may follow: for 摘牌 one under 街乡督办, for an extension decision one with a request."""
    if action == "lift_escalation":
        assigned = FINDINGS["assigned"]
        payload = {**valid_payload("escalate", assigned), "level": "street", "unit": "三里屯街道办事处"}
        return act(assigned, "escalate", SUPERVISOR, payload)[0]
    if action in ("approve_extension", "refuse_extension"):
        return act(FINDINGS["assigned"], "request_extension", FIELD_INSPECTOR)[0]
    return FINDINGS[STATE_BEFORE[action]]


@pytest.mark.parametrize(("action", "field"), REQUIRED_CASES)
@pytest.mark.parametrize("blank", ["missing", None, "", "   "])
def test_every_required_field_missing_in_turn(action: str, field: str, blank: Any) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding)
    if blank == "missing":
        del payload[field]
    else:
        payload[field] = blank
    problems = validate_payload(action, payload, finding, NOW)
    assert problems == [f"{field}: 必填，不能为空 (required)"]
    actor = BOTH if action != "verify_pass" else OTHER_SUPERVISOR
    if action == "sign":
        actor = Actor("u-unit", ROLE_SETS["unit"], frozenset({STREET}))
    decision = decide(finding, action, actor, payload, NOW)
    assert decision.code == "invalid_payload"
    assert f"{field}:" in decision.reason


@pytest.mark.parametrize("action", list(REQUIRED))
def test_required_fields_match_the_table(action: str) -> None:
    assert required_fields(action) == tuple(REQUIRED[action])
    assert validate_payload(action, valid_payload(action, finding_for(action)), finding_for(action), NOW) == []


def test_major_hazards_need_funds_and_a_contingency_plan_on_assign() -> None:
    five = ("funds", "contingency_plan", "interim_controls", "governance_plan", "reported_upward_to")
    assert required_fields(Action.ASSIGN, Severity.MAJOR) == (*REQUIRED["assign"], *five, "reported_upward_on")
    assert required_fields("assign", "general") == tuple(REQUIRED["assign"])
    major = finding_in("registered", severity="major")
    general = FINDINGS["registered"]
    assert major is not None and major.severity == Severity.MAJOR
    for field in (*five, "reported_upward_on"):
        payload = valid_payload("assign", major) | MAJOR_ASSIGN
        del payload[field]
        assert validate_payload("assign", payload, major, NOW) == [f"{field}: 必填，不能为空 (required)"]
        assert decide(major, "assign", SUPERVISOR, payload, NOW).code == "invalid_payload"
        assert decide(general, "assign", SUPERVISOR, payload, NOW).allowed


def test_the_severity_decided_on_accept_governs_assign() -> None:
    """Reported as general, accepted as major: the assign needs all five 落实 items."""
    finding = finding_in("registered", severity="major")
    assert finding is not None and finding.severity == Severity.MAJOR
    payload = {key: value for key, value in valid_payload("assign", finding).items() if key != "funds"}
    assert decide(finding, "assign", SUPERVISOR, payload, NOW).code == "invalid_payload"


TEXT_LIMITS = [
    ("report", "description", 2000),
    ("report", "category", 200),
    ("report", "subject_id", 200),
    ("report_fixed_on_site", "rectification", 2000),
    ("reject", "reason", 2000),
    ("accept", "note", 2000),
    ("accept", "ledger_number", 200),
    ("assign", "responsible_unit", 200),
    ("assign", "responsible_person", 200),
    ("assign", "responsible_phone", 200),
    ("assign", "measures", 2000),
    ("assign", "funds", 2000),
    ("assign", "contingency_plan", 2000),
    ("extend", "reason", 2000),
    ("rectify", "description", 2000),
    ("verify_pass", "opinion", 2000),
    ("verify_fail", "reason", 2000),
    ("reopen", "reason", 2000),
    ("escalate", "note", 2000),
]


@pytest.mark.parametrize(("action", "field", "limit"), TEXT_LIMITS)
def test_text_fields_have_a_length_limit(action: str, field: str, limit: int) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding)
    payload[field] = "字" * limit
    assert validate_payload(action, payload, finding, NOW) == []
    payload[field] = "字" * (limit + 1)
    (problem,) = validate_payload(action, payload, finding, NOW)
    assert problem.startswith(f"{field}: ") and f"at most {limit} characters" in problem


@pytest.mark.parametrize(("action", "field", "limit"), TEXT_LIMITS)
@pytest.mark.parametrize("value", [12, 3.5, ["text"], {"zh": "文本"}, True])
def test_text_fields_must_be_text(action: str, field: str, limit: int, value: Any) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding) | {field: value}
    assert validate_payload(action, payload, finding, NOW) == [f"{field}: 必须是文本 (must be text)"]


def test_optional_text_may_be_left_empty_and_unknown_keys_pass() -> None:
    finding = FINDINGS["registered"]
    payload = valid_payload("assign", finding) | {"responsible_phone": "", "client_note": 42, "extra": {"x": 1}}
    assert decide(finding, "assign", SUPERVISOR, payload, NOW).allowed


@pytest.mark.parametrize(
    ("action", "field", "value"),
    [
        ("report", "severity", "critical"),
        ("report", "severity", 1),
        ("accept", "severity", "重大"),
        ("escalate", "level", "province"),
        ("escalate", "level", ["city"]),
    ],
)
def test_enum_fields_accept_only_their_values(action: str, field: str, value: Any) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding) | {field: value}
    (problem,) = validate_payload(action, payload, finding, NOW)
    assert problem.startswith(f"{field}: ") and "must be one of" in problem


def test_enum_members_and_their_text_both_count() -> None:
    finding = FINDINGS["reported"]
    assert validate_payload(Action.ACCEPT, {"severity": Severity.MAJOR}, finding, NOW) == []
    assert validate_payload("accept", {"severity": "major"}, finding, NOW) == []


@pytest.mark.parametrize("code", ["11010", "abc", "000000", "110100", "110105000002", 110105001])
def test_report_needs_a_valid_jurisdiction_code(code: Any) -> None:
    (problem,) = validate_payload("report", report_payload(jurisdiction=code), None, NOW)
    assert problem.startswith("jurisdiction: ")


@pytest.mark.parametrize(
    "location",
    [
        {"lat": 39.9, "lon": 116.4},
        {"address": "三里屯路 19 号"},
        {"lat": -90, "lon": 180},
        {"lat": 39.9, "lon": 116.4, "address": ""},
    ],
)
def test_a_location_is_a_point_or_an_address(location: dict[str, Any]) -> None:
    payload = report_payload(location=location)
    del payload["subject_id"]
    assert validate_payload("report", payload, None, NOW) == []


@pytest.mark.parametrize(
    "location",
    [
        {},
        {"address": "  "},
        {"lat": 39.9},
        {"lon": 116.4, "address": "某地"},
        {"lat": 91, "lon": 116.4},
        {"lat": 39.9, "lon": -180.5},
        {"lat": True, "lon": 116.4},
        {"lat": "39.9", "lon": "116.4"},
        {"lat": math.nan, "lon": 116.4},
        {"lat": 39.9, "lon": math.inf},
        {"address": "路" * 2001},
        "三里屯路 19 号",
        [39.9, 116.4],
    ],
)
def test_a_bad_location_is_named(location: Any) -> None:
    (problem,) = validate_payload("report", report_payload(location=location), None, NOW)
    assert problem.startswith("location: ")


@pytest.mark.parametrize("action", ["report", "report_fixed_on_site"])
def test_a_report_needs_a_subject_or_a_location(action: str) -> None:
    payload = valid_payload(action, None)
    only_subject = {key: value for key, value in payload.items() if key != "location"}
    assert validate_payload(action, only_subject, None, NOW) == []
    neither = {key: value for key, value in only_subject.items() if key != "subject_id"}
    assert validate_payload(action, neither, None, NOW) == [
        "subject_id/location: 检查对象和位置至少填一项 (a subject or a location is required)"
    ]


@pytest.mark.parametrize(
    ("photos", "photo_required", "ok"),
    [
        ([], False, True),
        ([], None, True),
        ([PHOTO_A, PHOTO_B], True, True),
        ((PHOTO_A,), True, True),
        ([], True, False),
        (None, True, False),
        ([PHOTO_A.upper()], False, False),
        (["abc"], False, False),
        ([PHOTO_A, PHOTO_A], False, False),
        ([123], False, False),
        (PHOTO_A, False, False),
        ([PHOTO_A], "yes", False),
    ],
)
def test_report_photos(photos: Any, photo_required: Any, ok: bool) -> None:
    payload = report_payload(photos=photos, photo_required=photo_required)
    problems = validate_payload("report", payload, None, NOW)
    assert (problems == []) is ok, problems
    assert all(problem.startswith(("photos: ", "photo_required: ")) for problem in problems)


@pytest.mark.parametrize("action", ["rectify", "report_fixed_on_site"])
@pytest.mark.parametrize("after", [[], ["f" * 63], [PHOTO_A, PHOTO_A], "a" * 64])
def test_after_photos_need_at_least_one_valid_hash(action: str, after: Any) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding) | {"after_photos": after}
    (problem,) = validate_payload(action, payload, finding, NOW)
    assert problem.startswith("after_photos: ")


def test_only_a_general_hazard_can_be_fixed_on_the_spot() -> None:
    payload = valid_payload("report_fixed_on_site", None) | {"severity": "major"}
    decision = decide(None, "report_fixed_on_site", FIELD_INSPECTOR, payload, NOW)
    assert decision.code == "invalid_payload"
    assert "severity: 现场整改只适用于一般隐患" in decision.reason
    # a plain report may suggest a major hazard
    assert decide(None, "report", FIELD_INSPECTOR, report_payload(severity="major"), NOW).allowed


@pytest.mark.parametrize("payload", [None, [], "severity=major", 42])
def test_a_payload_that_is_not_a_mapping_is_refused_clearly(payload: Any) -> None:
    decision = decide(FINDINGS["reported"], "accept", SUPERVISOR, payload, NOW)
    assert decision.code == "invalid_payload"
    assert "payload: " in decision.reason
    assert decide(None, "report", FIELD_INSPECTOR, payload, NOW).code == "invalid_payload"


# --------------------------------------------------------------------------------------------------------------
# Deadlines
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "deadline", ["2026/03/10", "2026-02-30", "20260310", "2026-W11-2", "２０２６-03-10", "next week", 20260310]
)
@pytest.mark.parametrize("action", ["assign", "extend", "reopen", "verify_fail"])
def test_deadlines_must_be_iso_dates(action: str, deadline: Any) -> None:
    finding = finding_for(action)
    payload = valid_payload(action, finding) | {"deadline": deadline}
    (problem,) = validate_payload(action, payload, finding, NOW)
    assert problem.startswith("deadline: ") and "ISO date" in problem


def test_a_datetime_is_not_a_deadline_but_a_date_is() -> None:
    finding = FINDINGS["registered"]
    payload = valid_payload("assign", finding)
    assert validate_payload("assign", payload | {"deadline": date(2026, 3, 10)}, finding, NOW) == []
    (problem,) = validate_payload("assign", payload | {"deadline": datetime(2026, 3, 10, tzinfo=UTC)}, finding, NOW)
    assert problem.startswith("deadline: ")


@pytest.mark.parametrize("action", ["assign", "extend", "reopen", "verify_fail"])
def test_a_deadline_may_be_today_but_not_in_the_past(action: str) -> None:
    finding = finding_for(action)
    if action == "extend":  # extend needs a date after the current deadline, so look from after it
        assert finding is not None and finding.deadline is not None
        now = datetime.combine(finding.deadline + timedelta(days=5), datetime.min.time(), tzinfo=UTC)
    else:
        now = NOW
    today = local_date(now)
    payload = valid_payload(action, finding, now)
    assert validate_payload(action, payload | {"deadline": today.isoformat()}, finding, now) == []
    yesterday = (today - timedelta(days=1)).isoformat()
    (problem,) = validate_payload(action, payload | {"deadline": yesterday}, finding, now)
    assert problem.startswith("deadline: ") and "before today" in problem


def test_today_is_the_beijing_date() -> None:
    """At 00:30 in Beijing on 2 March it is still 1 March in UTC, but 1 March is already past."""
    finding = FINDINGS["registered"]
    just_after_midnight = datetime(2026, 3, 1, 16, 30, tzinfo=UTC)
    payload = valid_payload("assign", finding)
    (problem,) = validate_payload("assign", payload | {"deadline": "2026-03-01"}, finding, just_after_midnight)
    assert "before today 2026-03-02" in problem
    assert validate_payload("assign", payload | {"deadline": "2026-03-02"}, finding, just_after_midnight) == []


def test_extend_must_move_the_deadline_later() -> None:
    finding = FINDINGS["assigned"]
    assert finding is not None and finding.deadline is not None
    current = finding.deadline
    for earlier_or_same in (current - timedelta(days=1), current):
        payload = {"deadline": earlier_or_same.isoformat(), "reason": "申请延期"}
        decision = decide(finding, "extend", SUPERVISOR, payload, NOW)
        assert decision.code == "invalid_payload"
        assert f"must be later than the current {current}" in decision.reason
    later = {"deadline": (current + timedelta(days=1)).isoformat(), "reason": "申请延期"}
    decision = decide(finding, "extend", SUPERVISOR, later, NOW)
    assert decision.allowed and decision.new_state == State.ASSIGNED


def test_verify_fail_needs_a_deadline_only_when_the_finding_has_none() -> None:
    assigned_before = FINDINGS["rectified"]
    assert assigned_before is not None and assigned_before.deadline is not None
    assert decide(assigned_before, "verify_fail", SUPERVISOR, {"reason": "未整改到位"}, NOW).allowed
    fixed_on_site, _ = act(None, "report_fixed_on_site", FIELD_INSPECTOR)
    assert fixed_on_site.deadline is None
    decision = decide(fixed_on_site, "verify_fail", SUPERVISOR, {"reason": "未整改到位"}, NOW)
    assert decision.code == "invalid_payload"
    assert "deadline:" in decision.reason
    with_deadline = {"reason": "未整改到位", "deadline": "2026-03-05"}
    assert decide(fixed_on_site, "verify_fail", SUPERVISOR, with_deadline, NOW).allowed


# --------------------------------------------------------------------------------------------------------------
# Separation of duties
# --------------------------------------------------------------------------------------------------------------


def test_the_rectifier_may_not_verify_their_own_work() -> None:
    finding, _ = act(finding_in("assigned"), "rectify", BOTH)
    assert finding.rectified_by == BOTH.user_id
    own = decide(finding, "verify_pass", BOTH, {"opinion": "已整改"}, NOW, base_state="rectified")
    assert (own.allowed, own.code) == (False, "same_actor")
    assert decide(finding, "verify_pass", SUPERVISOR, {"opinion": "已整改"}, NOW).allowed
    # failing one's own rectification is allowed: it only sends the work back
    assert decide(finding, "verify_fail", BOTH, {"reason": "返工"}, NOW).allowed


def test_an_on_the_spot_fix_is_verified_by_someone_else() -> None:
    finding, _ = act(None, "report_fixed_on_site", BOTH)
    assert finding.rectified_by == BOTH.user_id
    assert decide(finding, "verify_pass", BOTH, {"opinion": "已整改"}, NOW).code == "same_actor"
    assert decide(finding, "verify_pass", SUPERVISOR, {"opinion": "已整改"}, NOW).allowed


# --------------------------------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------------------------------


def test_a_full_life_cycle_projects_every_field() -> None:
    t = [NOW + timedelta(hours=hour) for hour in range(12)]
    events: list[Event] = []
    finding: FindingState | None = None

    def step(action: str, actor: Actor, payload: dict[str, Any] | None, at: datetime) -> FindingState:
        nonlocal finding
        finding, event = act(finding, action, actor, payload, at)
        events.append(event)
        return finding

    step("report", FIELD_INSPECTOR, report_payload(photos=[PHOTO_A, PHOTO_B]), t[0])
    after_accept = step("accept", SUPERVISOR, {"severity": "major", "ledger_number": "朝阳-三里屯-2026-00123"}, t[1])
    assert (after_accept.state, after_accept.severity) == (State.REGISTERED, Severity.MAJOR)
    step(
        "assign",
        SUPERVISOR,
        {
            "responsible_unit": "某某燃气公司",
            "responsible_person": "李工",
            "responsible_phone": "010-12345678",
            "deadline": "2026-03-10",
            "measures": "更换老化软管，加装报警器",
            "funds": "企业自筹 5 万元",
            "contingency_plan": "停气、疏散、设置警戒",
            **MAJOR_ASSIGN,
        },
        t[2],
    )
    step("extend", SUPERVISOR, {"deadline": "2026-03-20", "reason": "等待设备到货"}, t[3])
    step("rectify", FIELD_INSPECTOR, {"description": "已更换软管", "after_photos": [PHOTO_C]}, t[4])
    after_fail = step("verify_fail", SUPERVISOR, {"reason": "报警器未安装"}, t[5])
    assert (after_fail.state, after_fail.deadline) == (State.ASSIGNED, date(2026, 3, 20))
    step("rectify", BOTH, {"description": "已安装报警器", "after_photos": ["d" * 64]}, t[6])
    closed = step("verify_pass", SUPERVISOR, {"opinion": "整改到位，同意销账"}, t[7])
    assert (closed.state, closed.closed_at) == (State.CLOSED, t[7])
    reopened = step("reopen", SUPERVISOR, {"reason": "群众再次反映", "deadline": "2026-04-01"}, t[8])
    assert (reopened.state, reopened.closed_at, reopened.deadline) == (State.ASSIGNED, None, date(2026, 4, 1))
    escalation = {"level": "district", "unit": "朝阳区城市管理委", "deadline": "2026-04-01", "note": "区级挂牌督办"}
    step("escalate", OTHER_SUPERVISOR, escalation, t[9])
    step("rectify", FIELD_INSPECTOR, {"description": "彻底整改", "after_photos": ["e" * 64]}, t[10])
    assert decide(finding, "verify_pass", BOTH, {"opinion": "复查合格"}, t[11]).code == "escalation_level"
    step("verify_pass", OTHER_SUPERVISOR, {"opinion": "复查合格"}, t[11])

    final = project(events)
    assert final == finding
    assert final == FindingState(
        finding_id="finding-1",
        state=State.CLOSED,
        jurisdiction=GRID,
        severity=Severity.MAJOR,
        category="燃气",
        description="门前堆放杂物，占用人行道",
        subject_id="subject-17",
        ledger_number="朝阳-三里屯-2026-00123",
        deadline=date(2026, 4, 1),
        responsible_unit="某某燃气公司",
        responsible_person="李工",
        responsible_phone="010-12345678",
        measures="更换老化软管，加装报警器",
        funds="企业自筹 5 万元",
        contingency_plan="停气、疏散、设置警戒",
        rectified_by=FIELD_INSPECTOR.user_id,
        escalation=EscalationLevel.DISTRICT,
        reported_by=FIELD_INSPECTOR.user_id,
        reported_at=t[0],
        closed_at=t[11],
        photos=(PHOTO_A, PHOTO_B),
        after_photos=(PHOTO_C, "d" * 64, "e" * 64),
        event_count=12,
        last_event_id=events[-1].event_id,
        kind=Kind.HAZARD,
        source=Source.PATROL,
        interim_controls="停用燃气灶具，设置警戒线",
        governance_plan=("f" * 64,),
        reported_upward_to="朝阳区城市管理委",
        reported_upward_on=date(2026, 3, 1),
        escalation_unit="朝阳区城市管理委",
        escalation_deadline=date(2026, 4, 1),
        escalated_at=t[9],
        extension_count=1,
        extension_reasons=("等待设备到货",),
    )


def test_project_is_a_fold_of_apply() -> None:
    events = []
    finding: FindingState | None = None
    for action, actor in PATHS["closed"]:
        finding, event = act(finding, action, actor)
        events.append(event)
        assert project(events) == finding
        assert finding.event_count == len(events)
        assert finding.last_event_id == event.event_id


def test_a_fixed_on_site_report_starts_rectified_with_its_after_photos() -> None:
    finding, _ = act(None, "report_fixed_on_site", FIELD_INSPECTOR)
    assert finding.state == State.RECTIFIED
    assert finding.after_photos == (PHOTO_B,)
    assert finding.photos == (PHOTO_A,)
    assert finding.rectified_by == FIELD_INSPECTOR.user_id
    assert finding.ledger_number is None
    closed, _ = act(finding, "verify_pass", SUPERVISOR, {"opinion": "好", "ledger_number": "朝阳-三里屯-2026-00007"})
    assert closed.ledger_number == "朝阳-三里屯-2026-00007"  # numbered by the server when it reaches the ledger


def test_the_first_ledger_number_stays() -> None:
    finding = finding_in("registered", ledger_number="朝阳-三里屯-2026-00001")
    assert finding is not None
    after, _ = act(finding, "assign", SUPERVISOR, valid_payload("assign", finding) | {"ledger_number": "other"})
    assert after.ledger_number == "朝阳-三里屯-2026-00001"


def test_a_short_jurisdiction_code_is_stored_in_full_and_times_in_utc() -> None:
    beijing = timezone(timedelta(hours=8))
    at = datetime(2026, 3, 1, 12, 0, tzinfo=beijing)
    finding, _ = act(None, "report", FIELD_INSPECTOR, report_payload(jurisdiction=STREET), at)
    assert finding.jurisdiction == "110105001000000"
    assert finding.reported_at == NOW and finding.reported_at.tzinfo == UTC


def test_an_optional_empty_phone_is_stored_as_none() -> None:
    finding = FINDINGS["registered"]
    after, _ = act(finding, "assign", SUPERVISOR, valid_payload("assign", finding) | {"responsible_phone": ""})
    assert after.responsible_phone is None


def legal_events(state: str) -> list[Event]:
    events = []
    finding: FindingState | None = None
    for action, actor in PATHS[state]:
        finding, event = act(finding, action, actor)
        events.append(event)
    return events


def test_project_refuses_an_empty_history() -> None:
    with pytest.raises(ValueError, match="at least one event"):
        project([])


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda: [make_event(None, "accept", "u", {"severity": "general"})], id="starts-with-accept"),
        pytest.param(lambda: [*legal_events("reported"), *legal_events("reported")[:1]], id="reported-twice"),
        pytest.param(
            lambda: [*legal_events("rejected"), make_event(None, "accept", "u", {"severity": "general"})],
            id="accept-after-reject",
        ),
        pytest.param(
            lambda: [*legal_events("registered"), make_event(None, "rectify", "u", valid_payload("rectify", None))],
            id="rectify-before-assign",
        ),
        pytest.param(
            lambda: [*legal_events("closed"), make_event(None, "escalate", "u", valid_payload("escalate", None))],
            id="escalate-closed",
        ),
        pytest.param(
            lambda: [*legal_events("assigned"), make_event(None, "verify_pass", "u", {"opinion": "好"})],
            id="verify-before-rectify",
        ),
    ],
)
def test_project_refuses_an_illegal_sequence(build: Any) -> None:
    with pytest.raises(ValueError, match="cannot follow"):
        project(build())


def test_project_refuses_a_repeated_event() -> None:
    events = legal_events("registered")
    with pytest.raises(ValueError, match="appears twice"):
        project([*events, events[-1]])


def test_project_refuses_events_of_another_finding() -> None:
    events = legal_events("registered")
    stray = make_event(None, "assign", "u", valid_payload("assign", None), finding_id="finding-2")
    with pytest.raises(ValueError, match="belongs to finding finding-2"):
        project([*events, stray])


@pytest.mark.parametrize(
    ("action", "payload", "message"),
    [
        ("accept", {}, "'severity' is not a valid Severity"),
        ("accept", {"severity": "huge"}, "'severity' is not a valid Severity"),
        ("accept", "severity", "not a mapping"),
        ("frobnicate", {}, "unknown action"),
    ],
)
def test_apply_refuses_an_event_it_cannot_read(action: str, payload: Any, message: str) -> None:
    finding = FINDINGS["reported"]
    assert finding is not None
    event = Event("event-bad", finding.finding_id, action, "u", NOW, payload, State.REPORTED)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message):
        apply(finding, event)


def test_apply_refuses_a_report_it_cannot_read_and_a_naive_time() -> None:
    with pytest.raises(ValueError, match="jurisdiction"):
        apply(None, make_event(None, "report", "u", report_payload(jurisdiction="12")))
    with pytest.raises(ValueError, match="description"):
        apply(None, make_event(None, "report", "u", report_payload(description=None)))
    with pytest.raises(ValueError, match="aware"):
        apply(None, make_event(None, "report", "u", report_payload(), at=datetime(2026, 3, 1, 12)))


# --------------------------------------------------------------------------------------------------------------
# Overdue
# --------------------------------------------------------------------------------------------------------------


def assigned_with_deadline(deadline: str) -> FindingState:
    registered = FINDINGS["registered"]
    finding, _ = act(registered, "assign", SUPERVISOR, valid_payload("assign", registered) | {"deadline": deadline})
    return finding


def test_overdue_starts_at_midnight_beijing_after_the_deadline_day() -> None:
    finding = assigned_with_deadline("2026-03-01")
    assert not is_overdue(finding, datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC))
    assert not is_overdue(finding, datetime(2026, 3, 1, 15, 59, 59, 999999, tzinfo=UTC))
    assert is_overdue(finding, datetime(2026, 3, 1, 16, 0, 0, tzinfo=UTC))
    assert is_overdue(finding, datetime(2026, 3, 2, 0, 0, 0, tzinfo=timezone(timedelta(hours=8))))
    assert not is_overdue(finding, datetime(2026, 3, 1, 23, 59, 59, tzinfo=timezone(timedelta(hours=8))))


def test_only_an_assigned_finding_can_be_overdue() -> None:
    late = datetime(2026, 6, 1, tzinfo=UTC)
    assigned = assigned_with_deadline("2026-03-01")
    rectified, _ = act(assigned, "rectify", FIELD_INSPECTOR)
    assert rectified.deadline == date(2026, 3, 1)
    assert is_overdue(assigned, late)
    assert not is_overdue(rectified, late)  # waiting on the supervisor, not the unit
    for state in ("reported", "registered", "rejected", "closed"):
        finding = FINDINGS[state]
        assert finding is not None and not is_overdue(finding, late)
    escalated, _ = act(assigned, "escalate", SUPERVISOR, at=late)
    assert is_overdue(escalated, late)


def test_an_extension_ends_the_overdue() -> None:
    assigned = assigned_with_deadline("2026-03-01")
    next_day = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    assert is_overdue(assigned, next_day)
    extended, _ = act(assigned, "extend", SUPERVISOR, {"deadline": "2026-03-05", "reason": "延期"}, next_day)
    assert not is_overdue(extended, next_day)


def test_overdue_needs_an_aware_time() -> None:
    with pytest.raises(ValueError, match="aware"):
        is_overdue(assigned_with_deadline("2026-03-01"), datetime(2026, 3, 2))


# --------------------------------------------------------------------------------------------------------------
# Property: whatever decide() lets through projects cleanly and stays on the table
# --------------------------------------------------------------------------------------------------------------

POOL = [
    FIELD_INSPECTOR,
    SUPERVISOR,
    OTHER_SUPERVISOR,
    BOTH,
    Actor("u-admin", ROLE_SETS["admin"], frozenset({"110105"})),
    matrix_actor("inspector+supervisor", inside=False),
]


def spoil(payload: dict[str, Any], how: int) -> dict[str, Any]:
    """Break a valid payload in one of a few ways (or leave it be)."""
    keys = sorted(payload)
    if how == 0 or not keys:
        return payload
    key = keys[how % len(keys)]
    if how % 3 == 0:
        return {k: v for k, v in payload.items() if k != key}
    if how % 3 == 1:
        return payload | {key: ""}
    return payload | {key: 12345}


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_any_history_decide_accepts_projects_and_stays_on_the_table(data: st.DataObject) -> None:
    finding: FindingState | None = None
    events: list[Event] = []
    now = NOW
    for _ in range(data.draw(st.integers(min_value=5, max_value=40), label="steps")):
        now += timedelta(hours=data.draw(st.integers(min_value=0, max_value=96), label="hours"))
        actor = data.draw(st.sampled_from(POOL), label="actor")
        permitted = allowed_actions(finding, actor)
        if permitted and data.draw(st.sampled_from([True, True, True, False]), label="pick a permitted action"):
            action = data.draw(st.sampled_from(permitted), label="action")
        else:
            action = data.draw(st.sampled_from(list(Action)), label="action")
        how = data.draw(st.sampled_from([0] * 9 + [1, 2, 3]), label="spoil")
        payload = spoil(valid_payload(action, finding, now), how)
        current = finding.state if finding is not None else None
        base = data.draw(st.sampled_from([current] * 6 + [..., None, State.ASSIGNED]), label="base")
        decision = decide(finding, action, actor, payload, now, base_state=base)
        if not decision.allowed:
            assert decision.code in CODES and decision.reason and decision.new_state is None
            continue
        assert (TRANSITIONS | GUARDED)[(current.value if current else None, action.value)] == decision.new_state
        assert action in permitted
        if action == Action.VERIFY_PASS:
            assert finding is not None and finding.rectified_by != actor.user_id
        event = Event(f"e{len(events)}", "finding-p", action, actor.user_id, now, payload, current)
        finding = apply(finding, event)
        events.append(event)
        assert finding.state == decision.new_state
        assert finding.state.value in reachable_states()
        is_overdue(finding, now)
    hypothesis.event(f"final state: {finding.state if finding else None}, events: {len(events) // 5 * 5}+")
    if events:
        assert project(events) == finding
        assert finding is not None and finding.event_count == len(events)
