"""The README's screenshots can be made again: scripts/screenshots.py runs on the current code and renders every
screen the README shows, at the laptop size."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from ui_helpers import under_wine

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(under_wine(), reason="the script's process ends in a fail-fast abort inside Wine's Qt fonts")
def test_the_screenshot_script_renders_every_screen_the_readme_shows(tmp_path: Path) -> None:
    out = tmp_path / "shots"
    env = {key: value for key, value in os.environ.items() if key != "QT_QPA_PLATFORM"}
    run = subprocess.run([sys.executable, str(REPO / "scripts" / "screenshots.py"), "--out", str(out)], env=env,
                         capture_output=True, text=True, timeout=240, cwd=REPO)  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    shown = set(re.findall(r"docs/screenshots/([\w-]+\.png)", (REPO / "README.md").read_text(encoding="utf-8")))
    assert len(shown) >= 12
    for name in sorted(shown):
        image = QImage(str(out / name))
        assert not image.isNull(), name
        assert image.width() >= 400 and image.height() >= 250, (name, image.size())  # a dialog at the least
    window = QImage(str(out / "today.png"))
    assert (window.width(), window.height()) == (1366, 728)
