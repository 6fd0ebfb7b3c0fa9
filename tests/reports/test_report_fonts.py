"""The font locator: bundled fonts first, then Windows' fonts, then the system's; a clear error when none will do."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import reportlab

from inspector.reports.fonts import (
    FONT_ENV,
    SYSTEM_FONT_FILES,
    CjkFontNotFoundError,
    FontFile,
    candidate_fonts,
    cjk_font_name,
    load_cjk_font,
)

LATIN_ONLY = Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"  # ships with reportlab, no Chinese glyphs


@pytest.fixture
def system_cjk_font() -> Path:
    found = next((Path(name) for name in SYSTEM_FONT_FILES if Path(name).is_file()), None)
    if found is None:
        pytest.fail("no system CJK font: run `make test`, which installs fonts-wqy-microhei")
    return found


def test_the_installed_font_is_found_and_registered() -> None:
    assert cjk_font_name() == "InspectorCJK"


def test_no_usable_font_gives_a_clear_error_naming_every_place(tmp_path: Path) -> None:
    not_a_font = tmp_path / "notes.ttf"
    not_a_font.write_text("not a font", encoding="utf-8")
    candidates = [FontFile(tmp_path / "missing.ttc"), FontFile(not_a_font), FontFile(LATIN_ONLY)]
    with pytest.raises(CjkFontNotFoundError) as caught:
        load_cjk_font(candidates)
    message = str(caught.value)
    assert "no Chinese TrueType font found" in message and "fonts-wqy-microhei" in message
    assert f"{tmp_path / 'missing.ttc'}: 不存在 (missing)" in message
    assert f"{not_a_font}: 不是可嵌入的 TrueType 字体" in message
    assert f"{LATIN_ONLY}: 缺少中文字形 (no Chinese glyphs)" in message


def test_a_bundled_font_comes_before_windows_and_system_fonts(
    tmp_path: Path, system_cjk_font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FONT_ENV, raising=False)
    bundled = tmp_path / "fonts"
    bundled.mkdir()
    shutil.copy(system_cjk_font, bundled / "bundled.ttc")
    (bundled / "readme.txt").write_text("licence", encoding="utf-8")
    windows = tmp_path / "Windows" / "Fonts"
    candidates = candidate_fonts(bundled_dir=bundled, windows_dir=windows)
    assert candidates[0] == FontFile(bundled / "bundled.ttc")
    assert FontFile(windows / "msyh.ttc") in candidates
    assert load_cjk_font(candidates).face.filename == str(bundled / "bundled.ttc")


def test_windows_yahei_is_used_when_nothing_is_bundled(
    tmp_path: Path, system_cjk_font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(FONT_ENV, raising=False)
    windows = tmp_path / "Fonts"
    windows.mkdir()
    shutil.copy(system_cjk_font, windows / "msyh.ttc")
    font = load_cjk_font(candidate_fonts(bundled_dir=tmp_path / "none", windows_dir=windows))
    assert font.face.filename == str(windows / "msyh.ttc")


def test_the_environment_names_a_font_first(
    tmp_path: Path, system_cjk_font: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "chosen.ttc"
    shutil.copy(system_cjk_font, chosen)
    monkeypatch.setenv(FONT_ENV, str(chosen))
    assert candidate_fonts(bundled_dir=tmp_path / "none")[0] == FontFile(chosen)
