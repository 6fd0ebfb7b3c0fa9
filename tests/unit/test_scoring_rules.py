"""Scoring rules as data: the shipped default is today's formulas and validates; bad rule files are refused with
`file:line: message` problems, by the parser and by `inspector rules validate`; the shipped JSON Schema is the one
the code checks with; the levels a rule names decide which inspections its figures count."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from inspector.cli.rules import schema_json
from inspector.core.rules import RuleError, parse_rule
from inspector.core.statistics import DEFAULT_RULES, InspectionFacts, SubjectFacts, street_months, unit_months
from inspector.rule_files import default_rule, shipped_rules_dir

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEXT = (shipped_rules_dir() / "inspector-default.json").read_text(encoding="utf-8")


def _problems(text: str) -> list[str]:
    with pytest.raises(RuleError) as caught:
        parse_rule(text, "bad.json")
    return [str(problem) for problem in caught.value.problems]


def _edited(edit: str, replacement: str) -> str:
    assert edit in DEFAULT_TEXT
    return DEFAULT_TEXT.replace(edit, replacement, 1)


def _line_of(text: str, fragment: str) -> int:
    return text[: text.index(fragment)].count("\n") + 1


def test_the_shipped_default_is_todays_formulas_named_as_a_proposal() -> None:
    rule = default_rule()
    assert rule.rules == DEFAULT_RULES and rule.key == "inspector-default@1" and rule.status == "proposal"
    assert rule.part_status == {"ranking": "proposal", "units": "proposal", "back_streets": "sourced"}
    assert {indicator.name: indicator.source for indicator in rule.indicators} == {"整改率": "S2", "解决率": "S1"}
    files = {source["id"]: source.get("file") for source in rule.sources}  # the seed file each quote is from
    assert {files[indicator.source]: indicator.quote for indicator in rule.indicators} == {
        "chaoyang-city-governance-plan-midterm-evaluation-2023.txt": "发现隐患2449个、整改2449个，整改率100%",
        "beijing-14th-five-year-city-management-plan-2022.txt": "不断提高响应率、解决率和满意率",
    }
    assert (ROOT / "checklists" / "schema" / "inspector-scoring-rule-1.schema.json").read_text(
        encoding="utf-8"
    ) == schema_json()


def test_bad_rule_files_are_refused_with_file_and_line() -> None:
    weights = _edited('"on_time_closure": 0.4', '"on_time_closure": 0.5')
    line = _line_of(weights, '"ranking"')
    assert _problems(weights) == [f"bad.json:{line}: the three weights must add up to 1 (they add up to 1.1)"]

    level = _edited('"downgrade_levels": ["third_party"]', '"downgrade_levels": ["province"]')
    line = _line_of(level, '"downgrade_levels"')
    assert _problems(level) == [
        f"bad.json:{line}: back_streets: the entry must be one of city, district, third_party, street_self, "
        'unit_self (got "province")'
    ]

    typo = _edited('"restore_months": 3', '"restore_month": 3')
    typo_line, part_line = _line_of(typo, '"restore_month"'), _line_of(typo, '"back_streets"')
    assert _problems(typo) == [
        f'bad.json:{part_line}: missing "restore_months"',
        f'bad.json:{typo_line}: back_streets: unknown field "restore_month" (did you mean "restore_months"?)',
    ]

    lines = _edited('"black_below": 80', '"black_below": 99')
    line = _line_of(lines, '"black_below"')
    assert _problems(lines) == [
        f"bad.json:{line}: units: the lines must satisfy minimum ≤ black_below ≤ red_at_least ≤ maximum"
    ]

    source = _edited('"source": "S1"', '"source": "S9"')
    line = _line_of(source, '"S9"')
    assert _problems(source) == [f'bad.json:{line}: indicator #2: unknown source "S9" (list it under "sources")']

    district = _edited('"status": "proposal",', '"status": "district",')
    line = _line_of(district, '"status"')
    assert _problems(district) == [f'bad.json:{line}: a district\'s rule names its "district" (a 6-digit 区 code)']

    broken = _edited('"version": "1",', '"version": "1"')
    (problem,) = _problems(broken)
    line = _line_of(broken, '"title"')
    assert problem.startswith(f"bad.json:{line}: ")
    assert "invalid YAML" in problem
    assert _problems("") == ["bad.json:1: the file is empty"]
    assert _problems(json.dumps({"format": "inspector-scoring-rule/9"}))[0].startswith("bad.json:1: ")


def test_rules_validate_names_every_problem_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "district.json"
    bad.write_text(_edited('"pass_score": 90', '"pass_score": 190'), encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(DEFAULT_TEXT, encoding="utf-8")
    run = subprocess.run([sys.executable, "-m", "inspector", "rules", "validate", str(bad), str(good)],
                         capture_output=True, text=True, timeout=60, cwd=tmp_path)  # fmt: skip
    assert run.returncode == 1
    line = _line_of(bad.read_text(encoding="utf-8"), '"pass_score"')
    assert f'district.json:{line}: back_streets: "pass_score" must be at most 100 (got 190)' in run.stderr
    assert "1 of 2 rule file(s) valid, 1 problem(s)" in run.stdout


def test_the_levels_a_rule_names_decide_what_coverage_and_unit_points_count() -> None:
    at = datetime(2026, 3, 10, 2, tzinfo=UTC)
    subjects = [
        SubjectFacts("u1", "110105004", "street_front_unit"),
        SubjectFacts("u2", "110105004", "street_front_unit"),
    ]
    checks = [
        InspectionFacts("u1", "menqian-sanbao", at, None, 3, "unit_self"),
        InspectionFacts("u2", "menqian-sanbao", at, None, 1, "street_self"),
    ]
    everyone = street_months("2026-03", [], [], subjects, checks)
    only_patrols = street_months("2026-03", [], [], subjects, checks, levels={"street_self", "city"})
    assert (everyone[0].subjects_inspected, only_patrols[0].subjects_inspected) == (2, 1)
    units = unit_months("2026-03", subjects, checks, [], [], levels={"street_self"})
    assert [(unit.subject_id, unit.inspections, unit.failed_items) for unit in units] == [("u1", 0, 0), ("u2", 1, 1)]
