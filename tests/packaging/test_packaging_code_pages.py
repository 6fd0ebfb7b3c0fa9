"""Windows terms from source: output on a code page without Chinese, and `--self-test --data-dir`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import inspector.selftest as selftest
from inspector.__main__ import main

REPO_ROOT = Path(__file__).resolve().parents[2]


def run_on_code_page(args: list[str], code_page: str = "cp1252") -> subprocess.CompletedProcess[bytes]:
    """Run a command with its redirected output in a code page that has no Chinese (as Windows' 1252 has none)."""
    env = {**os.environ, "PYTHONIOENCODING": code_page, "PYTHONUTF8": "0"}
    return subprocess.run([sys.executable, *args], cwd=REPO_ROOT, env=env, capture_output=True, timeout=120)


def test_checklists_list_prints_chinese_names_on_a_narrow_code_page() -> None:
    done = run_on_code_page(["-m", "inspector", "checklists", "list"])
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8")  # redirected output is UTF-8, whatever the code page
    assert "电力设施安全隐患检查清单" in out


def test_bundle_report_prints_on_a_narrow_code_page(tmp_path: Path) -> None:
    bundle = tmp_path / "Inspector"
    (bundle / "_internal" / "资源").mkdir(parents=True)
    (bundle / "_internal" / "资源" / "字体.ttf").write_bytes(b"0" * 4096)
    done = run_on_code_page([str(REPO_ROOT / "packaging" / "bundle_report.py"), str(bundle)])
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    out = done.stdout.decode("utf-8")
    assert "资源/字体.ttf" in out and "target ≤ 200 MiB" in out


def test_self_test_works_inside_the_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[Path] = []

    def where(test: selftest.SelfTest) -> str:
        seen.append(test.work)
        return "here"

    monkeypatch.setattr(selftest, "STEPS", (("where", where),))
    chosen = tmp_path / "数据 folder"
    assert main(["--self-test", "--data-dir", str(chosen)]) == 0
    assert len(seen) == 1 and seen[0].parent == chosen
    assert chosen.is_dir() and not seen[0].exists()  # its temporary folder is made there and removed afterwards


def test_the_self_test_closes_the_log_files_it_opened_in_its_folder(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import logging

    opened: list[logging.Handler] = []

    def log_there(test: selftest.SelfTest) -> str:
        test.data_root.mkdir(parents=True)
        handler = logging.FileHandler(test.data_root / "inspector.log", encoding="utf-8")
        logging.getLogger().addHandler(handler)
        opened.append(handler)
        return "logging"

    monkeypatch.setattr(selftest, "STEPS", (("logs", log_there),))
    assert main(["--self-test", "--data-dir", str(tmp_path)]) == 0
    assert opened and opened[0] not in logging.getLogger().handlers
    assert opened[0].stream is None  # closed, so Windows can delete the folder
    assert list(tmp_path.iterdir()) == []
