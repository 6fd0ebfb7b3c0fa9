"""The checklist loader on the malformed corpus (exact file:line messages) and on well-formed text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from inspector.__main__ import main
from inspector.core.checklist_loader import ChecklistError, parse_checklist

BAD_DIR = Path(__file__).resolve().parent.parent / "data" / "bad_checklists"


def _expected() -> dict[str, list[str]]:
    expected: dict[str, list[str]] = {}
    for line in (BAD_DIR / "expected.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            expected.setdefault(line.split(":", 1)[0], []).append(line)
    return expected


EXPECTED = _expected()
BAD_FILES = sorted(BAD_DIR.glob("*.yaml"))


def test_corpus_is_large_and_fully_described() -> None:
    assert len(BAD_FILES) >= 30
    assert {p.name for p in BAD_FILES} == set(EXPECTED)


@pytest.mark.parametrize("path", BAD_FILES, ids=lambda p: p.stem)
def test_malformed_file_gives_its_exact_error(path: Path, capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD_DIR)
    code = main(["checklists", "validate", path.name])
    out = capsys.readouterr()
    assert code == 1
    assert out.err.splitlines() == EXPECTED[path.name]
    assert "Traceback" not in out.err + out.out
    assert "0 of 1 checklist file(s) valid" in out.out


def test_validate_in_a_separate_process_never_shows_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "inspector", "checklists", "validate", *map(str, BAD_FILES)],
        capture_output=True, encoding="utf-8", check=False, cwd=BAD_DIR,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"0 of {len(BAD_FILES)} checklist file(s) valid" in result.stdout


def test_missing_path_is_reported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["checklists", "validate", str(tmp_path / "nope.yaml")]) == 1
    assert "no such file or folder" in capsys.readouterr().err


GOOD = """\
format: inspector-checklist/1
id: sample
version: "2.1"
title: 示例
subject_kinds: [site]
scoring: {method: pass_fail, outcome_labels: {pass: 合格, fail: 不合格}}
sources: [{id: S-1, title: 来源, url: "https://example.org"}]
sections:
  - id: one
    title: 第一部分
    items:
      - id: A-01
        text: 检查一
        response: pass_fail
        on_fail: {severity: major, category: 燃气安全, finding: optional, photo: optional, deadline_days: 0}
        provenance: {status: seed, source: S-1, quote: 原文}
      - id: A-02
        text: 井盖高差
        response: number
        unit: mm
        max: 5
        on_fail: {severity: general, category: 城市生命线}
        provenance: {status: reconstructed, note: 经验值}
      - id: A-03
        text: 备注
        response: text
        provenance: {status: reconstructed, note: 记录}
"""


def test_well_formed_text_builds_the_model() -> None:
    checklist = parse_checklist(GOOD, "sample.yaml")
    assert checklist.key == "sample@2.1"
    assert [i.id for i in checklist.items] == ["A-01", "A-02", "A-03"]
    first = checklist.item("A-01")
    assert first.on_fail is not None
    assert (first.on_fail.severity, first.on_fail.finding_required, first.on_fail.finding_optional) == (
        "major", False, True)
    assert first.on_fail.photo_required is False
    assert first.provenance.quote == "原文"
    assert checklist.item("A-02").max == 5
    assert checklist.item("A-02").on_fail.photo_required is True  # type: ignore[union-attr]
    assert {k: v for k, v in checklist.provenance_counts().items() if v} == {"seed": 1, "reconstructed": 2}
    assert checklist.source("S-1").citation() == "《来源》"  # type: ignore[union-attr]


def test_all_problems_are_reported_together() -> None:
    broken = GOOD.replace("        text: 检查一\n", "").replace("unit: mm\n", "unit: mm\n        min: 9\n")
    with pytest.raises(ChecklistError) as caught:
        parse_checklist(broken.replace("max: 5", "max: 5\n        colour: red"), "x.yaml")
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == 'x.yaml:12: item "A-01": missing "text"'
    assert any('unknown field "colour"' in m for m in messages)
