"""A large synthetic ledger for load trials and benchmarks: many server-confirmed findings in every state across
several 街乡, with subjects and varied Chinese text, inserted in bulk (projections without event histories)."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlite_utils import Database

from inspector.core.clock import local_date, parse_iso, to_iso, utc_now
from inspector.core.jurisdiction import street_of
from inspector.core.ledger import EscalationLevel, FindingState, Kind, Severity, Source, State
from inspector.store import findings, jsonutil, jurisdictions, subjects
from inspector.store.database import transaction

DISTRICT = ("110105000000000", "朝阳区")
STREETS: tuple[tuple[str, str], ...] = (
    ("110105001000000", "建外街道"),
    ("110105004000000", "三里屯街道"),
    ("110105005000000", "团结湖街道"),
    ("110105006000000", "呼家楼街道"),
    ("110105007000000", "八里庄街道"),
    ("110105008000000", "双井街道"),
)
CATEGORIES = ("私搭乱建", "乱停车", "乱占道经营", "垃圾堆物", "外立面破损", "违规广告牌匾", "燃气安全", "有限空间")
PLACES = ("便道", "楼门口", "绿地", "胡同口", "商铺门前", "公交站旁", "小区出入口", "井盖周边")
PROBLEMS = ("堆放纸箱杂物", "违规停放车辆", "私接电线", "广告牌松动", "垃圾满溢未清运", "墙面脱落", "占道摆卖")
UNITS = ("北京市朝阳区某某餐饮有限公司", "三里屯物业管理中心", "团结湖社区居委会", "呼家楼市政养护所", "双井便利店")
SUBJECT_NAMES = ("炸酱面馆", "便利店", "水果店", "美发店", "小吃店", "五金店", "药房", "洗衣店", "花店", "咖啡馆")
REPORTER, SUPERVISOR = "seed-inspector", "seed-supervisor"


@dataclass(frozen=True)
class LargeLedger:
    """What was made: the subjects (ids) and how many findings."""

    subject_ids: list[str]
    findings: int


def seed_large_ledger(
    db: Database, count: int, *, subject_count: int = 300, random_seed: int = 7, now: datetime | None = None
) -> LargeLedger:
    """Add `count` findings (and the 街乡 and subjects they refer to) to a data folder's database."""
    rng = random.Random(random_seed)
    moment = now or utc_now()
    with transaction(db):
        jurisdictions.save(db, *DISTRICT)
        for code, name in STREETS:
            jurisdictions.save(db, code, name)
        subject_ids = [_subject(db, rng, number) for number in range(subject_count)]
    made = findings.on_pulled_many(db, synthetic_findings(count, subject_ids, rng, moment))
    return LargeLedger(subject_ids, made)


def _subject(db: Database, rng: random.Random, number: int) -> str:
    code, street = rng.choice(STREETS)
    name = f"{street[:-2]}{rng.choice(SUBJECT_NAMES)}{number:03d}号"
    community = f"{street_of(code)}{rng.randrange(1, 40):03d}000"
    return subjects.create(
        db, kind="street_front_unit", name=name, jurisdiction=community, code=f"SEED-{number:05d}",
        address=f"朝阳区{street}{rng.randrange(1, 300)}号",
    ).id  # fmt: skip


def synthetic_findings(
    count: int, subject_ids: Sequence[str], rng: random.Random, now: datetime
) -> Iterator[FindingState]:
    """`count` varied findings reported over the year before `now`: every state, both grades, some escalated."""
    states = list(State)
    today = local_date(now)
    for number in range(count):
        state = rng.choice(states)
        reported = now - timedelta(minutes=rng.randrange(60, 365 * 24 * 60))
        assigned = state in (State.ASSIGNED, State.RECTIFIED, State.CLOSED)
        deadline = today + timedelta(days=rng.randrange(-60, 60)) if assigned else None
        closed = min(now, reported + timedelta(days=rng.randrange(1, 40))) if state == State.CLOSED else None
        subject_id = rng.choice(subject_ids) if subject_ids and rng.random() < 0.8 else None
        street = rng.choice(STREETS)[0]
        numbered = state not in (State.REPORTED, State.REJECTED)
        hazard = rng.random() < 0.3
        yield FindingState(
            finding_id=f"0195f7a2-{number // 10**12:04x}-7000-8000-{number % 10**12:012d}",
            state=state,
            jurisdiction=f"{street_of(street)}{rng.randrange(1, 40):03d}{rng.randrange(0, 20):03d}",
            severity=(Severity.MAJOR if rng.random() < 0.05 else Severity.GENERAL) if hazard else None,
            category=rng.choice(CATEGORIES),
            description=f"{rng.choice(PLACES)}{rng.choice(PROBLEMS)}，影响通行，编号{number}",
            subject_id=subject_id,
            ledger_number=f"朝阳-{street[6:9]}-{reported.year}-{number:06d}" if numbered else None,
            deadline=deadline,
            responsible_unit=rng.choice(UNITS) if assigned else None,
            responsible_person="王某" if assigned else None,
            responsible_phone="13800000000" if assigned else None,
            measures="清理整改，拍照反馈" if assigned else None,
            funds=None,
            contingency_plan=None,
            rectified_by=REPORTER if state in (State.RECTIFIED, State.CLOSED) else None,
            escalation=EscalationLevel.STREET if rng.random() < 0.03 else None,
            reported_by=REPORTER,
            reported_at=reported,
            closed_at=closed,
            photos=(),
            after_photos=(),
            event_count=1,
            last_event_id=f"seed-{number}",
            kind=Kind.HAZARD if hazard else Kind.PROBLEM,
            source=rng.choice(list(Source)),
        )


def seed_histories(db: Database, now: datetime | None = None, extended_share: int = 4) -> int:
    """Give every finding of the large ledger the server-confirmed events that lead to its state (report, accept,
    assign with its deadline — every `extended_share`-th one first given an earlier deadline and then extended —,
    rectify, verify), so figures that replay histories have histories to replay. Returns the events written."""
    moment = utc_now() if now is None else now
    rows = db.execute(
        "SELECT id, state, jurisdiction, severity, category, kind, deadline, reported_at, closed_at, subject_id, "
        "source FROM findings WHERE id NOT IN (SELECT finding_id FROM finding_events) ORDER BY id"
    ).fetchall()
    start = int(db.execute("SELECT coalesce(max(server_seq), 0) FROM finding_events").fetchone()[0])
    stamp = to_iso(moment)
    events: list[tuple[Any, ...]] = []
    steps = {
        State.REPORTED: (), State.REJECTED: ("reject",), State.REGISTERED: ("accept",),
        State.ASSIGNED: ("accept", "assign"), State.RECTIFIED: ("accept", "assign", "rectify"),
        State.CLOSED: ("accept", "assign", "rectify", "verify_pass"),
    }  # fmt: skip
    for number, row in enumerate(rows):
        finding_id, state, code, severity, category, kind, deadline, reported, closed, subject_id, source = row
        reported_at = parse_iso(reported)
        span = (parse_iso(closed) if closed else moment) - reported_at
        report: dict[str, Any] = {"description": "堆放杂物", "category": category, "kind": kind, "source": source,
                                  "jurisdiction": code, "location": {"address": "朝阳区"}}  # fmt: skip
        if subject_id:  # the history leads to the finding as it is stored, its subject too
            report["subject_id"] = subject_id
        if kind == Kind.HAZARD.value:
            report["severity"] = severity or Severity.GENERAL.value
        actions: list[tuple[str, datetime, dict[str, Any]]] = [("report", reported_at, report)]
        for position, action in enumerate(steps[State(state)], start=1):
            at = parse_iso(closed) if action == "verify_pass" and closed else reported_at + span * position / 5
            payload: dict[str, Any] = {"reason": "重复"} if action == "reject" else {}
            if action == "accept" and kind == Kind.HAZARD.value:
                payload = {"severity": severity or Severity.GENERAL.value}
            if action == "assign":
                extended = deadline and number % extended_share == 0
                first = (date.fromisoformat(deadline) - timedelta(days=7)).isoformat() if extended else deadline
                payload = {"responsible_unit": UNITS[0], "responsible_person": "王某", "measures": "清理",
                           "deadline": first or local_date(moment).isoformat()}  # fmt: skip
                actions.append((action, at, payload))
                if extended:
                    actions.append(("extend", at + span / 10, {"deadline": deadline, "reason": "材料未到"}))
                continue
            if action == "rectify":
                payload = {"description": "已整改"}
            if action == "verify_pass":
                payload = {"opinion": "通过"}
            actions.append((action, at, payload))
        for index, (action, at, payload) in enumerate(actions, start=1):
            start += 1
            events.append((f"{finding_id}-h{index}", finding_id, action, SUPERVISOR, to_iso(at),
                           jsonutil.dumps(payload), "server", "acknowledged", start, stamp, stamp))  # fmt: skip
    with transaction(db):
        db.conn.executemany(
            "INSERT INTO finding_events (event_id, finding_id, action, actor_id, at, payload, origin, sync_state, "
            "server_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            events,
        )
    return len(events)
