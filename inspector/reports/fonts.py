"""Find a Chinese TrueType font to embed in PDFs: bundled, named by the user, Windows' own, or a Linux/macOS one.
Official documents are set in a serif (宋体-like) face, so serif fonts come first wherever there is a choice."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from inspector.paths import resources_dir
from inspector.reports.errors import ReportError

FONT_NAME = "InspectorCJK"
FONT_ENV = "INSPECTOR_PDF_FONT"
_SAMPLE = "隐患整改通知书检查记录责任公示牌"
_FONT_SUFFIXES = (".ttf", ".ttc")

# Windows' Chinese fonts, best first: 宋体 (the official documents' serif, a TrueType collection), then 微软雅黑 and
# 黑体 where it is missing.
WINDOWS_FONT_FILES = ("simsun.ttc", "msyh.ttc", "msyh.ttf", "simhei.ttf")
# Other systems: AR PL UMing (Debian's fonts-arphic-uming, a 明体/宋体-style serif under the Arphic Public License,
# which allows embedding and redistribution), then WenQuanYi (fonts-wqy-microhei / -zenhei), Droid fallback, Arial
# Unicode (macOS).
SERIF_FONT_FILE = "/usr/share/fonts/truetype/arphic/uming.ttc"
SYSTEM_FONT_FILES = (
    SERIF_FONT_FILE,
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/System/Library/Fonts/Supplemental/Arial Unicode.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
)


class CjkFontNotFoundError(ReportError):
    """No usable Chinese TrueType font was found in any of the places searched."""

    code = "cjk_font_missing"


@dataclass(frozen=True)
class FontFile:
    """A font file and, for a collection (.ttc), which face in it."""

    path: Path
    subfont_index: int = 0


def bundled_fonts_dir() -> Path:
    """The folder the installer fills with a font of its own (`resources/fonts`)."""
    return resources_dir() / "fonts"


def windows_fonts_dir() -> Path:
    """Windows' font folder (%WINDIR%\\Fonts)."""
    return Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"


def candidate_fonts(
    bundled_dir: Path | None = None, windows_dir: Path | None = None, system_files: Sequence[str] = SYSTEM_FONT_FILES
) -> list[FontFile]:
    """Font files to try, best first: $INSPECTOR_PDF_FONT, the bundled folder, Windows' fonts, other systems'."""
    named = os.environ.get(FONT_ENV, "").strip()
    candidates = [FontFile(Path(named))] if named else []
    bundled = bundled_dir or bundled_fonts_dir()
    if bundled.is_dir():
        candidates += [FontFile(path) for path in sorted(bundled.iterdir()) if path.suffix.lower() in _FONT_SUFFIXES]
    windows = windows_dir or windows_fonts_dir()
    candidates += [FontFile(windows / name) for name in WINDOWS_FONT_FILES]
    candidates += [FontFile(Path(name)) for name in system_files]
    return candidates


def load_cjk_font(candidates: Iterable[FontFile]) -> TTFont:
    """The first candidate that exists, is TrueType (reportlab embeds no CFF/OpenType outlines) and has Chinese glyphs.

    Raises CjkFontNotFoundError naming every place searched and why each was passed over.
    """
    passed_over: list[str] = []
    for candidate in candidates:
        if not candidate.path.is_file():
            passed_over.append(f"{candidate.path}: 不存在 (missing)")
            continue
        try:
            font = TTFont(FONT_NAME, str(candidate.path), subfontIndex=candidate.subfont_index)
        except (TTFError, OSError, ValueError) as error:
            passed_over.append(f"{candidate.path}: 不是可嵌入的 TrueType 字体 (not embeddable TrueType: {error})")
            continue
        if not _has_chinese_glyphs(font):
            passed_over.append(f"{candidate.path}: 缺少中文字形 (no Chinese glyphs)")
            continue
        return font
    searched = "; ".join(passed_over)
    raise CjkFontNotFoundError(
        "找不到可嵌入 PDF 的中文 TrueType 字体。"
        f"请把 .ttf/.ttc 中文字体放入 {bundled_fonts_dir()}，或用环境变量 {FONT_ENV} 指定字体文件；"
        f"Linux 可安装 fonts-arphic-uming 或 fonts-wqy-microhei。已查找：{searched}",
        f"no Chinese TrueType font found for PDFs: put a Chinese .ttf/.ttc into {bundled_fonts_dir()}, set "
        f"{FONT_ENV}, or install fonts-arphic-uming or fonts-wqy-microhei. Searched: {searched}",
    )


def _has_chinese_glyphs(font: TTFont) -> bool:
    mapping = font.face.charToGlyph
    return all(ord(char) in mapping for char in _SAMPLE)


@lru_cache(maxsize=1)
def cjk_font_name() -> str:
    """Register the Chinese font with reportlab once per process and return the name to use in styles."""
    pdfmetrics.registerFont(load_cjk_font(candidate_fonts()))
    return FONT_NAME
