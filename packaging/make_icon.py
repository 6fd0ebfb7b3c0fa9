"""Draws the app icon (a clipboard with a check mark on the app's blue) as a multi-size .ico and a .png.

The drawing is the same as `resources/icons/app.svg`, made with Pillow at 1024 px and scaled down, so the Windows
executable, the installer and the Start-menu entry show the emblem the window shows.

Run: .venv/bin/python packaging/make_icon.py [OUTPUT_DIR]   (default: packaging/icons)
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image, ImageDraw

BLUE = "#1f5fa8"
PALE_BLUE = "#cfe0f5"
GREEN = "#2e7d32"
WHITE = "#ffffff"
MASTER = 1024
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 128, 256)
PNG_SIZE = 256
DEFAULT_OUTPUT = Path(__file__).resolve().parent / "icons"


def draw_emblem(size: int = MASTER) -> Image.Image:
    """The emblem on a transparent square of `size` pixels, laid out on the SVG's 64-unit grid."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    unit = size / 64

    def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x * unit, y * unit, (x + w) * unit, (y + h) * unit)

    draw.rounded_rectangle(box(2, 2, 60, 60), radius=12 * unit, fill=BLUE)
    draw.rounded_rectangle(box(16, 12, 32, 42), radius=4 * unit, fill=WHITE)
    draw.rounded_rectangle(box(24, 7, 16, 10), radius=3 * unit, fill=WHITE)
    draw.rounded_rectangle(box(26, 9, 12, 6), radius=2 * unit, fill=PALE_BLUE)
    stroke = round(4.5 * unit)
    draw.line([(22 * unit, 28 * unit), (26 * unit, 32 * unit), (34 * unit, 24 * unit)], fill=GREEN, width=stroke,
              joint="curve")
    for x, y in ((22, 28), (26, 32), (34, 24)):
        _dot(draw, x * unit, y * unit, stroke / 2, GREEN)
    draw.line([(22 * unit, 42 * unit), (42 * unit, 42 * unit)], fill=BLUE, width=stroke)
    for x in (22, 42):
        _dot(draw, x * unit, 42 * unit, stroke / 2, BLUE)
    return image


def _dot(draw: ImageDraw.ImageDraw, x: float, y: float, radius: float, colour: str) -> None:
    """A round cap or joint for a line end."""
    draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)


def write_icons(output: Path) -> tuple[Path, Path]:
    """Write `inspector.ico` (every size Windows asks for) and `inspector.png` (256 px) into `output`."""
    output.mkdir(parents=True, exist_ok=True)
    master = draw_emblem()
    ico, png = output / "inspector.ico", output / "inspector.png"
    largest = master.resize((max(ICO_SIZES),) * 2, Image.Resampling.LANCZOS)
    largest.save(ico, format="ICO", sizes=[(size, size) for size in ICO_SIZES])
    master.resize((PNG_SIZE, PNG_SIZE), Image.Resampling.LANCZOS).save(png, format="PNG", optimize=True)
    return ico, png


def main(argv: list[str]) -> int:
    output = Path(argv[0]) if argv else DEFAULT_OUTPUT
    for path in write_icons(output):
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
