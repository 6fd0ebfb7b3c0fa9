"""The app icon drawn by packaging/make_icon.py: every size Windows asks for, a transparent outside, the emblem."""

from __future__ import annotations

from pathlib import Path

import make_icon
from PIL import Image


def test_icon_files_are_written_with_every_size(tmp_path: Path) -> None:
    ico, png = make_icon.write_icons(tmp_path)
    with Image.open(ico) as icon:
        assert icon.format == "ICO"
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(icon.info["sizes"])
    with Image.open(png) as image:
        assert image.size == (256, 256)
        assert image.mode == "RGBA"


def test_emblem_is_blue_with_a_white_clipboard_on_a_transparent_square() -> None:
    emblem = make_icon.draw_emblem(256)
    assert emblem.getpixel((0, 0))[3] == 0  # rounded corner: transparent
    assert emblem.getpixel((20, 128))[:3] == Image.new("RGB", (1, 1), make_icon.BLUE).getpixel((0, 0))
    assert emblem.getpixel((128, 200))[:3] == (255, 255, 255)  # the clipboard below its lines


def test_committed_icons_match_the_script(tmp_path: Path) -> None:
    ico, png = make_icon.write_icons(tmp_path)
    committed = make_icon.DEFAULT_OUTPUT
    with Image.open(png) as fresh, Image.open(committed / "inspector.png") as shipped:
        assert fresh.tobytes() == shipped.tobytes()
    with Image.open(ico) as fresh, Image.open(committed / "inspector.ico") as shipped:
        assert fresh.info["sizes"] == shipped.info["sizes"]
