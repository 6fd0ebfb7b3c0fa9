"""Every string the interface marks for translation has a finished English translation in inspector_en.ts, and the
shipped .qm holds them (it was rebuilt): lupdate scans the interface into a scratch file, which is compared with
the committed one."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QTranslator

ROOT = Path(__file__).resolve().parents[2]
TS = ROOT / "resources" / "i18n" / "inspector_en.ts"
QM = TS.parent / "inspector_en.qm"
UNDONE = ("unfinished", "vanished", "obsolete")


def _lupdate() -> str | None:
    here = Path(sys.executable).parent
    for name in ("pyside6-lupdate", "pyside6-lupdate.exe"):
        if (here / name).exists():
            return str(here / name)
    return shutil.which("pyside6-lupdate")


def _messages(path: Path) -> dict[tuple[str, str], bool]:
    """(context, source) → whether its translation is finished."""
    found: dict[tuple[str, str], bool] = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name") or ""
        for message in context.iter("message"):
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in UNDONE
            text = (
                ""
                if translation is None
                else (translation.text or "").strip()
                or "".join(form.text or "" for form in translation.iter("numerusform"))
            )
            found[(name, message.findtext("source") or "")] = done and bool(text.strip())
    return found


def test_every_interface_string_has_an_english_translation(tmp_path: Path) -> None:
    lupdate = _lupdate()
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed")
    sources = sorted(str(path) for path in (ROOT / "inspector" / "ui").rglob("*.py"))
    scratch = tmp_path / "scan.ts"
    subprocess.run([lupdate, *sources, "-ts", str(scratch), "-no-obsolete", "-locations", "none"],
                   check=True, capture_output=True)  # fmt: skip
    marked = _messages(scratch)
    assert len(marked) > 100  # the scan found the interface's strings
    translated = _messages(TS)
    missing = sorted(f"{context}: {source}" for context, source in marked if not translated.get((context, source)))
    assert missing == [], "untranslated interface strings:\n" + "\n".join(missing)
    translator = QTranslator()
    assert translator.load(str(QM))
    unbuilt = sorted(f"{context}: {source}" for context, source in marked
                     if not (translator.translate(context, source) or translator.translate(context, source, None, 2))
                     )  # fmt: skip
    assert unbuilt == [], "translated in the .ts but not in the .qm (run lrelease):\n" + "\n".join(unbuilt)
