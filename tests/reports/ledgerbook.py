"""A laptop data folder with real cases for the ledger tests: a 十无 problem and a "1+10" gas hazard from two
inspections, an ad-hoc report, and their server-confirmed events pulled into the store as a sync would. Each report
says its kind, as clients do once cases carry one (the checklist decides only when a case says nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from reportkit import REPO_ROOT, T0, History, assign_payload, photo_hash

from inspector.core.ledger import Action
from inspector.store import checklists, findings, inspections, jurisdictions, profile, settings, subjects
from inspector.store.database import DataFolder, open_data_folder, transaction

# Ids as the server makes them (UUIDs): none of them may appear in an export.
ME = "0195f7a2-6c1d-7b3e-8a41-5d2c9e0f1a2b"  # the signed-in inspector, 张三
SUPERVISOR = "0195f7a2-7d2e-7c4f-9b52-6e3d0f1a2b3c"  # a supervisor this laptop has no name for
DISTRICT, STREET, COMMUNITY = "110105000000000", "110105004000000", "110105004001000"
STREET_TEST_CHECKLIST = """\
format: inspector-checklist/1
id: test-street
version: "1.0"
title: 测试街巷检查表
subject_kinds: [back_street]
scoring:
  method: deduction
  pass_score: 90
  outcome_labels: {pass: 达标, fail: 不达标}
sources:
  - id: S1
    title: 测试来源
sections:
  - id: shiwu
    title: 十无
    items:
      - id: T-01
        text: 无私搭乱建
        response: pass_fail
        points: 100
        on_fail: {severity: general, category: 私搭乱建, deadline_days: 15}
        provenance: {status: seed, source: S1}
"""


@dataclass(frozen=True)
class Book:
    """The folder and the ids of what is in it."""

    folder: DataFolder
    problem: str
    hazard: str
    adhoc: str


def _pull(folder: DataFolder, history: History) -> None:
    db = folder.connect()
    try:
        with transaction(db):
            for index, event in enumerate(history.events, start=1):
                findings.on_pulled_event(db, {**findings.event_to_json(event), "index": index})
    finally:
        db.close()


def build_ledger_folder(root: Path) -> Book:
    folder = open_data_folder(root)
    db = folder.connect()
    try:
        with transaction(db):
            jurisdictions.save(db, DISTRICT, "朝阳区")
            jurisdictions.save(db, STREET, "三里屯街道")
            jurisdictions.save(db, COMMUNITY, "三里屯社区")
        settings.put_many(db, {profile.USER_ID: ME, profile.DISPLAY_NAME: "张三", profile.USER_JURISDICTIONS: [STREET]})
        checklists.cache_text(db, STREET_TEST_CHECKLIST, "test-street.yaml", "shipped")
        gas = (REPO_ROOT / "checklists" / "anquan-ranqi.yaml").read_text(encoding="utf-8")
        gas_list = checklists.cache_text(db, gas, "anquan-ranqi.yaml", "shipped")
        lane = subjects.create(db, kind="back_street", name="三里屯北三街", jurisdiction=COMMUNITY,
                               address="三里屯北三街东段")  # fmt: skip
        shop = subjects.create(db, kind="street_front_unit", name="某某餐饮店", jurisdiction=COMMUNITY,
                               address="三里屯路19号", responsible_person="赵六")  # fmt: skip
        walk = inspections.start(db, checklist_id="test-street", checklist_version="1.0", subject_id=lane.id,
                                 inspector_id=ME)  # fmt: skip
        check = inspections.start(db, checklist_id="anquan-ranqi", checklist_version=gas_list.version,
                                  subject_id=shop.id, inspector_id=ME)  # fmt: skip
    finally:
        db.close()

    problem = History("0195f7a2-0001-7000-8000-000000000001")
    problem.add(Action.REPORT, ME, {
        "description": "沿街搭建彩钢板棚约6平方米", "category": "私搭乱建", "severity": "general",
        "jurisdiction": COMMUNITY, "subject_id": lane.id, "photos": [photo_hash(1)],
        "inspection_id": walk.id, "item_id": "T-01", "kind": "problem",
    })  # fmt: skip
    problem.add(Action.ACCEPT, SUPERVISOR, {"severity": "general", "ledger_number": "朝阳-三里屯-2026-0001"})
    problem.add(Action.ASSIGN, SUPERVISOR, assign_payload(date(2026, 3, 10), responsible_person="王某"))
    problem.add(Action.EXTEND, SUPERVISOR, {"deadline": "2026-03-20", "reason": "材料采购需要时间"})
    problem.add(Action.RECTIFY, ME, {"description": "已拆除", "after_photos": [photo_hash(9)]})
    problem.add(Action.VERIFY_PASS, SUPERVISOR, {"opinion": "现场核查已拆除"})

    hazard = History("0195f7a2-0002-7000-8000-000000000002")
    hazard.add(Action.REPORT, ME, {
        "description": "后厨未安装可燃气体报警装置", "category": "燃气安全", "severity": "major",
        "jurisdiction": COMMUNITY, "subject_id": shop.id, "photos": [photo_hash(2), photo_hash(3)],
        "inspection_id": check.id, "item_id": "AQ-RQ-01", "kind": "hazard",
    })  # fmt: skip
    hazard.add(Action.ACCEPT, SUPERVISOR, {"severity": "major", "ledger_number": "朝阳-三里屯-2026-0002"})
    hazard.add(Action.ASSIGN, SUPERVISOR, assign_payload(
        date(2026, 3, 5), responsible_person="赵六", funds="3000元", contingency_plan="暂停使用燃气灶具",
    ))  # fmt: skip
    hazard.add(Action.ESCALATE, SUPERVISOR, {"level": "district", "note": "区级挂牌督办"})

    adhoc = History("0195f7a2-0003-7000-8000-000000000003", at=T0)
    adhoc.add(Action.REPORT, SUPERVISOR, {
        "description": "井盖缺失", "category": "市政设施", "severity": "general", "jurisdiction": COMMUNITY,
        "subject_id": None, "photos": [photo_hash(4)], "location": {"address": "三里屯路与工体北路路口"},
        "kind": "problem",
    })  # fmt: skip
    for history in (problem, hazard, adhoc):
        _pull(folder, history)
    return Book(folder, problem.finding_id, hazard.finding_id, adhoc.finding_id)
