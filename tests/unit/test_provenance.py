"""Provenance says what each source really is: no shipped item passes off a repealed, unnamed or reported source as
rule text, the issue's named overclaims stay fixed, format 1 files still load, and the CLI counts by status."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.__main__ import main
from inspector.checklist_files import load_checklist_folder
from inspector.core.checklist import PROVENANCE_LABELS, Checklist, Provenance
from inspector.core.checklist_loader import parse_checklist
from inspector.core.checklist_schema import FORMAT_1, PROVENANCE_STATUSES, RULE_KINDS, SEED_KINDS
from inspector.paths import shipped_checklists_dir

SEED_TITLES = {  # the brief's documents, each called what it is
    "北京市“十四五”时期城市管理发展规划": "plan",
    "北京市朝阳区“十四五”时期城市治理与市政设施建设发展规划中期评估": "evaluation",
    "扎实推进新时代首都城市管理高质量发展": "journal_article",
    "中共北京市委 北京市人民政府关于加强城市精细化管理工作的意见": "opinion",
}


@pytest.fixture(scope="module")
def shipped() -> dict[str, Checklist]:
    checklists, problems = load_checklist_folder(shipped_checklists_dir())
    assert problems == []
    return {c.id: c for c in checklists}


def _provenances(checklist: Checklist) -> list[tuple[str, Provenance]]:
    found = [(f"section {s.id}", s.provenance) for s in checklist.sections if s.provenance is not None]
    return found + [(item.id, item.provenance) for item in checklist.items]


def test_no_shipped_item_passes_off_a_source_as_rule_text(shipped: dict[str, Checklist]) -> None:
    """Walk every file: current rule text only from a titled law, rule or standard in force, with its words quoted;
    a replaced source is cited as repealed; a news, plan or unnamed source is never rule text."""
    assert len(shipped) == 16
    for checklist in shipped.values():
        for where, provenance in _provenances(checklist):
            label = f"{checklist.key} {where}"
            assert provenance.status in PROVENANCE_STATUSES, label
            source = checklist.source(provenance.source_id)
            if provenance.status == "reconstructed":
                assert provenance.note, label
                continue
            assert source is not None and source.kind is not None, label
            official = provenance.is_official
            assert official == (provenance.status == "current_rule"), label
            if official:
                assert source.kind in RULE_KINDS and provenance.quote, label
            if source.replaced_by or source.untitled or source.kind not in RULE_KINDS:
                assert not official, label
            if source.replaced_by:
                assert provenance.status == "repealed_rule", label
            if provenance.status == "seed":
                assert source.kind in SEED_KINDS, label
            if source.title in SEED_TITLES:
                assert source.kind == SEED_TITLES[source.title], label


def test_the_overclaims_named_in_the_issue_are_fixed(shipped: dict[str, Checklist]) -> None:
    menqian = shipped["menqian-sanbao"]
    by_source: dict[str, set[str]] = {}
    for item in menqian.items:
        by_source.setdefault(item.provenance.source_id or "", set()).add(item.provenance.status)
    assert by_source["S-BJ-1999"] == {"repealed_rule"}
    assert sum(item.provenance.source_id == "S-BJ-1999" for item in menqian.items) == 11
    assert by_source["S-BJ-2026"] == {"news_summary"}
    guanggao = shipped["anquan-guanggao"]
    plan_items = [i for i in guanggao.items if i.provenance.source_id == "S-BJ-GG-PC"]
    assert len(plan_items) == 8 and {i.provenance.status for i in plan_items} == {"district_plan"}
    plan = guanggao.source("S-BJ-GG-PC")
    assert plan is not None and plan.untitled
    assert {"京管发〔2020〕7号", "DB11/T 243—2014"} <= {s.number for s in guanggao.sources}
    assert not any(i.provenance.is_official for i in guanggao.items)
    confined = shipped["anquan-youxian-kongjian"]
    old = confined.source("S-DB11-852-3")
    assert old is not None and old.replaced_by == "DB11/T 852—2019"
    assert {i.provenance.status for i in confined.items if i.provenance.source_id == old.id} == {"repealed_rule"}
    gas = shipped["anquan-ranqi"]
    user_side = gas.sections[0]
    lpg = [i for i in user_side.items if "2022年6月20日起禁止非居民用户使用液化石油气" in (i.provenance.quote or "")]
    assert len(lpg) == 1 and lpg[0].provenance.status == "seed" and lpg[0].provenance.source_id == "S2"
    regulation = [i for i in user_side.items if i.provenance.source_id == "S-BJ-RQTL"]
    assert {i.provenance.status for i in regulation} == {"current_rule", "reconstructed"}


def test_the_new_lists_ship_with_their_kind_of_case(shipped: dict[str, Checklist]) -> None:
    village = shipped["cunzhuang-huanjing"]
    assert [s.title for s in village.sections] == ["清脏", "治乱", "增绿", "控污"]
    assert village.case_kind == "problem"
    assert shipped["dongji-saoxue-chanbing"].case_kind == "problem"
    assert shipped["xunqi-anquan"].case_kind == "hazard"


def test_only_current_rule_text_is_called_original_wording() -> None:
    for status, label in PROVENANCE_LABELS.items():
        assert ("原文" in label) == (status == "current_rule"), status
        assert "规划" not in label, status


OLD_FILE = """format: inspector-checklist/1
id: old-list
version: "1.0"
title: 旧格式检查表
subject_kinds: [street_front_unit]
scoring: {method: pass_fail, outcome_labels: {pass: 合格, fail: 不合格}}
sources:
  - {id: S-A, title: 北京市“门前三包”责任制管理办法, number: 北京市人民政府第24号令}
sections:
  - id: weisheng
    title: 包环境卫生
    items:
      - id: MQ-01
        text: 清除积水积雪
        guidance: 看地面
        response: pass_fail
        on_fail: {severity: general, category: 门前三包}
        provenance: {status: official, source: S-A, quote: 清除痰迹、污物、废弃物和积水积雪}
      - id: MQ-02
        text: 不乱停车辆
        guidance: 看门前
        response: pass_fail
        on_fail: {severity: general, category: 门前三包}
        provenance: {status: reconstructed, note: 巡查经验}
"""


def test_a_format_1_file_loads_and_its_official_is_not_called_rule_text() -> None:
    old = parse_checklist(OLD_FILE, "old-list.yaml")
    assert old.format == FORMAT_1
    first = old.item("MQ-01").provenance
    assert first.status == "legacy_official" and not first.is_official
    assert {k: v for k, v in old.provenance_counts().items() if v} == {"legacy_official": 1, "reconstructed": 1}


def test_cli_list_counts_items_by_status(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklists", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    menqian = next(line for line in lines if line.startswith("menqian-sanbao@"))
    assert "(repealed_rule 11, news_summary 5, seed 3, reconstructed 6)" in menqian
    assert lines[-1].startswith("total: ")
    (tmp_path / "old-list.yaml").write_text(OLD_FILE, encoding="utf-8")
    assert main(["checklists", "list", "--json", "--dir", str(tmp_path)]) == 0
    row = json.loads(capsys.readouterr().out)[0]
    assert row["provenance"]["legacy_official"] == 1 and row["provenance"]["current_rule"] == 0
    assert set(row["provenance"]) == set(PROVENANCE_LABELS)
