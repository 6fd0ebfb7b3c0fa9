"""THIRD-PARTY-NOTICES.txt: the bundle's libraries with their licences and licence texts (packaging/notices.py)."""

from __future__ import annotations

from pathlib import Path

import notices


def test_the_notices_name_each_library_with_its_licence_and_texts(tmp_path: Path) -> None:
    font_licence = tmp_path / "font-copyright.txt"
    font_licence.write_text("Font licence: Apache-2.0 字体", encoding="utf-8")
    modules = ["PySide6.QtCore", "PIL.Image", "pi_heif", "inspector.ui"]
    out = notices.write_notices(tmp_path / "THIRD-PARTY-NOTICES.txt", modules, [("The bundled font", font_licence)])
    text = out.read_text(encoding="utf-8-sig")
    summary = text.split("\n\n\n")[0]
    assert "PySide6_Essentials" in summary and "LGPL-3.0-only" in summary
    assert "pi_heif" in text and "LICENSES_bundled.txt" in text  # libheif's and libde265's LGPL notice
    assert "pillow" in summary.lower() and "--- pillow-" in text.lower()
    assert "inspector " not in summary  # our own code is not third-party
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in text and "Version 3" in text
    assert "Font licence: Apache-2.0 字体" in text
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
