"""The shipped standards: every file valid, every item with honest provenance, and the CLI that shows them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from inspector.__main__ import main
from inspector.checklist_files import checklist_paths, load_checklist_file, load_checklist_folder
from inspector.cli.checklists import schema_json
from inspector.core.checklist import Checklist
from inspector.core.checklist_schema import FORMAT, PROVENANCE_STATUSES
from inspector.core.scoring import Response, score
from inspector.paths import shipped_checklists_dir

REPO_ROOT = Path(__file__).resolve().parents[2]
SAFETY_AREAS = ["城市生命线", "电力设施", "供热设施", "燃气", "环卫设施", "环卫作业", "车用能源站", "广告牌匾",
                "有限空间作业", "限额以下工程施工安全"]
SHIPPED = checklist_paths(shipped_checklists_dir())


def shipped() -> dict[str, Checklist]:
    checklists, problems = load_checklist_folder(shipped_checklists_dir())
    assert problems == []
    return {c.id: c for c in checklists}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_file_loads(path) -> None:  # type: ignore[no-untyped-def]
    checklist = load_checklist_file(path)
    assert checklist.id == path.stem
    for item in checklist.items:
        assert item.provenance.status in PROVENANCE_STATUSES
        if item.provenance.status != "reconstructed":
            assert checklist.source(item.provenance.source_id) is not None, item.id
        if item.can_fail:
            assert item.on_fail is not None, item.id
        assert item.guidance, f"{item.id} has no guidance for the inspector"


def test_the_three_standards_ship() -> None:
    by_id = shipped()
    assert {"beijie-xiaoxiang", "menqian-sanbao", "anquan-tongyong"} <= set(by_id)
    safety = [c for c in by_id.values() if c.id.startswith("anquan-")]
    assert len(safety) == 11
    assert {c.group for c in safety} == {"1+10 城市管理安全隐患检查清单"}
    titles = " ".join(c.title for c in safety)
    for area in SAFETY_AREAS:
        assert area in titles, area


def test_back_street_list_has_the_current_ten_and_five() -> None:
    street = shipped()["beijie-xiaoxiang"]
    ten = street.section(street.scoring.outcome_section or "")
    assert [i.text for i in ten.items][:10] == [
        "无私搭乱建", "无开墙打洞", "无乱停车", "无乱占道经营", "无违规设置城市家具", "无违规广告牌匾和标语宣传品",
        "无乱搭架空线", "无外立面破损", "无道路破损", "无垃圾乱放和堆物堆料"]
    assert len(ten.items) == 10 and ten.max_points == 100
    # the current wording is known from a news report of the 2025 inspection, not from the standard's own text
    assert all(i.provenance.status == "news_summary" for i in ten.items)
    assert street.scoring.pass_score == 90
    assert (street.scoring.pass_label, street.scoring.fail_label) == ("达标", "不达标")
    five = [s for s in street.sections if s.id != ten.id]
    assert sum(len(s.items) for s in five) == 5
    assert "四有" not in " ".join(s.title for s in street.sections)


def test_back_street_scoring_crosses_the_line() -> None:
    street = shipped()["beijie-xiaoxiang"]
    ten = street.section(street.scoring.outcome_section or "")
    responses = {i.id: Response("pass", value=0) for i in street.items}
    assert score(street, responses).outcome == "达标"
    responses[ten.items[0].id] = Response("fail", occurrences=100)
    responses[ten.items[1].id] = Response("fail", occurrences=100)
    result = score(street, responses)
    assert result.score is not None and result.score < 90 and result.outcome == "不达标"


def test_menqian_uses_the_2026_headings() -> None:
    menqian = shipped()["menqian-sanbao"]
    assert [s.title for s in menqian.sections][:3] == ["包卫生干净", "包容貌整洁", "包环境有序"]
    assert 15 <= len(menqian.items) <= 30


@pytest.mark.parametrize("version", [1, 2])
def test_shipped_schema_files_match_the_code(version: int) -> None:
    shipped_schema = REPO_ROOT / "checklists" / "schema" / f"inspector-checklist-{version}.schema.json"
    assert shipped_schema.read_text(encoding="utf-8") == schema_json(version)


def test_cli_validate_passes_on_the_shipped_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklists", "validate"]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert f"{len(SHIPPED)} of {len(SHIPPED)} checklist file(s) valid, 0 problem(s)" in out.out


def test_cli_list_json_counts_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["checklists", "list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    by_id = {row["id"]: row for row in rows}
    assert len(rows) == len(SHIPPED) == 16
    for checklist in shipped().values():
        row = by_id[checklist.id]
        assert row["version"] == checklist.version
        assert row["items"] == len(checklist.items) == sum(row["provenance"].values())
        assert row["sections"] == len(checklist.sections)


def test_cli_list_folder_with_a_broken_file_exits_non_zero(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "broken.yaml").write_text("format: x\n", encoding="utf-8")
    assert main(["checklists", "list", "--dir", str(tmp_path)]) == 1
    assert "broken.yaml:1" in capsys.readouterr().err


# Lists whose failures create a 城市管理问题; every other shipped list creates 安全隐患. Items that override the
# file's kind are named (snow: falling ice and the workers' safety are hazards).
PROBLEM_LISTS = {"beijie-xiaoxiang", "menqian-sanbao", "cunzhuang-huanjing", "dongji-saoxue-chanbing"}
ITEM_OVERRIDES = {("dongji-saoxue-chanbing", "XS-08"): "hazard", ("dongji-saoxue-chanbing", "XS-09"): "hazard"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_file_says_which_kind_of_case_its_failures_create(path: Path) -> None:
    """十无五好, 门前三包, village and snow → 城市管理问题; the "1+10" and flood lists → 安全隐患; said in the file."""
    import yaml

    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    expected = "problem" if raw["id"] in PROBLEM_LISTS else "hazard"
    assert raw["case_kind"] == expected
    assert raw["format"] == FORMAT
    checklist = load_checklist_file(path)
    assert checklist.case_kind == expected
    for item in checklist.items:
        if item.on_fail:
            assert item.on_fail.case_kind == ITEM_OVERRIDES.get((checklist.id, item.id), expected), item.id


def test_a_file_without_a_case_kind_takes_its_group_default_and_an_item_may_override(tmp_path: Path) -> None:
    import yaml

    raw = yaml.safe_load((shipped_checklists_dir() / "anquan-ranqi.yaml").read_text(encoding="utf-8"))
    del raw["case_kind"]
    first = raw["sections"][0]["items"][0]
    first["on_fail"]["case_kind"] = "problem"
    path = tmp_path / "anquan-ranqi.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    checklist = load_checklist_file(path)
    assert checklist.case_kind == "hazard"
    kinds = [item.on_fail.case_kind for item in checklist.items if item.on_fail]
    assert kinds[0] == "problem" and set(kinds[1:]) == {"hazard"}
    raw["case_kind"] = "incident"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(Exception, match="case_kind"):
        load_checklist_file(path)
