"""`inspector --self-test` from source: every step passes on the real app, and a broken installation is named."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from inspector.paths import shipped_checklists_dir
from inspector.selftest import OK_LINE, STEPS, SelfTestError, embedded_fonts, main

REPO_ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_from_source() -> None:
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}  # it must go offscreen itself
    done = subprocess.run(
        [sys.executable, "-m", "inspector", "--self-test"],
        cwd=REPO_ROOT, env=env, capture_output=True, encoding="utf-8", timeout=240,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith(OK_LINE)
    passed = [line.split()[1:3] for line in lines if line.startswith("  ok  ")]
    assert len(passed) == len(STEPS)
    shipped = len(list(shipped_checklists_dir().glob("*.yaml")))
    assert f"{shipped} checklists, " in done.stdout
    assert "HEIF" in done.stdout and "JPEG" in done.stdout
    assert "embedded" in done.stdout
    assert "3 charts drawn with pyqtgraph" in done.stdout


def test_a_broken_checklist_fails_its_step_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "checklists"
    shutil.copytree(shipped_checklists_dir(), folder)
    broken = folder / "beijie-xiaoxiang.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("sections:", "sektionen:", 1), encoding="utf-8")

    code = main(checklists_dir=folder)

    out, err = capsys.readouterr()
    assert code == 1
    assert "  ok  version" in out
    assert OK_LINE not in out
    assert "self-test FAILED at step 'checklists'" in err
    assert "beijie-xiaoxiang.yaml" in err
    assert "Traceback" not in err  # a check that failed is explained, not dumped


def test_a_missing_checklist_folder_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(checklists_dir=tmp_path / "nowhere")
    assert code == 1
    assert f"the checklist folder {tmp_path / 'nowhere'} is missing" in capsys.readouterr().err


def test_embedded_fonts_reads_the_font_descriptors(tmp_path: Path) -> None:
    from inspector.reports.fonts import cjk_font_name

    pdf = tmp_path / "font.pdf"
    page = canvas.Canvas(str(pdf))
    page.setFont(cjk_font_name(), 12)
    page.drawString(72, 720, "检查记录")
    page.save()
    names = embedded_fonts(pdf.read_bytes())
    assert len(names) == 1 and "+" in names[0]  # a subset, e.g. AAAAAA+WenQuanYiMicroHei-0


def test_embedded_fonts_finds_none_with_only_the_standard_fonts(tmp_path: Path) -> None:
    pdf = tmp_path / "helvetica.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(72, 720, "inspection record")
    page.save()
    assert embedded_fonts(pdf.read_bytes()) == []


def test_embedded_fonts_refuses_what_is_not_a_whole_pdf(tmp_path: Path) -> None:
    pdf = tmp_path / "cut.pdf"
    page = canvas.Canvas(str(pdf))
    page.drawString(72, 720, "x")
    page.save()
    data = pdf.read_bytes()
    with pytest.raises(SelfTestError, match="cut short"):
        embedded_fonts(data[: len(data) // 2])
    with pytest.raises(SelfTestError, match="not a PDF"):
        embedded_fonts(b"<html>" + data)


CHARTS_BROKEN = """
import os, sys
os.environ["QT_QPA_PLATFORM"] = "offscreen"
from pathlib import Path
from inspector import selftest
from inspector.ui.statistics import charts

charts.Plot.draw = lambda plot, data: None  # draws no series
try:
    selftest.step_charts(selftest.SelfTest(Path("."), Path(".")))
except selftest.SelfTestError as error:
    print("FAILED:", error)
    sys.exit(1)
"""


def run_script(script: str) -> subprocess.CompletedProcess[str]:
    """Run a self-test script in a new Python process; its output is read as UTF-8."""
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}  # the reasons have Chinese, which Windows' code page may lack
    return subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True,
                          encoding="utf-8", timeout=240)  # fmt: skip


def test_the_charts_step_fails_when_a_chart_draws_no_series() -> None:
    done = run_script(CHARTS_BROKEN)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAILED: the findings chart: pixels in each series' colour" in done.stdout


WITHOUT_QTTEST = """
import importlib.abc, sys

class NoQtTest(importlib.abc.MetaPathFinder):  # the bundle leaves PySide6.QtTest out
    def find_spec(self, name, path=None, target=None):
        if name == "PySide6.QtTest":
            raise ModuleNotFoundError("No module named 'PySide6.QtTest'", name=name)
        return None

sys.meta_path.insert(0, NoQtTest())
from inspector.selftest import main
sys.exit(main())
"""


def test_the_self_test_passes_without_qttest_as_in_the_bundle() -> None:
    done = run_script(WITHOUT_QTTEST)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "QtTest" not in done.stderr
    assert "3 charts drawn with pyqtgraph" in done.stdout


SLOT_RAISES = """
import sys
from inspector.ui.statistics.view import StatisticsView

def broken(page, data):
    raise RuntimeError("a slot failed")

StatisticsView._loaded = broken  # raised when the page's figures arrive, in a slot, as a missing module would
from inspector.selftest import main
sys.exit(main())
"""


def test_an_exception_in_a_slot_fails_the_main_window_step() -> None:
    done = run_script(SLOT_RAISES)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "self-test FAILED at step 'main window'" in done.stderr
    assert "uncaught in the window: RuntimeError: a slot failed" in done.stderr
