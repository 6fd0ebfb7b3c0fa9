"""Choose a font that renders Chinese when the platform's default font has no CJK glyphs."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

# Best first: the Windows UI font of Chinese Windows, macOS, then common Linux CJK fonts.
PREFERRED_CJK_FAMILIES = (
    "Microsoft YaHei UI",
    "Microsoft YaHei",
    "PingFang SC",
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "SimHei",
)
_SAMPLE = "检查对象"


def renders_chinese(family: str) -> bool:
    """Whether the family declares Simplified Chinese and has glyphs for a sample of it."""
    if QFontDatabase.WritingSystem.SimplifiedChinese not in QFontDatabase.writingSystems(family):
        return False
    from PySide6.QtGui import QRawFont

    raw = QRawFont.fromFont(QFont(family))
    return all(raw.supportsCharacter(ch) for ch in _SAMPLE) if raw.isValid() else True


def pick_cjk_family(current: str) -> str | None:
    """The family to use instead of `current`, or None when `current` already renders Chinese."""
    if renders_chinese(current):
        return None
    available = QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese)
    for family in PREFERRED_CJK_FAMILIES:
        if family in available:
            return family
    regular = [family for family in available if "Mono" not in family]
    candidates = regular or available
    return candidates[0] if candidates else None


def ensure_cjk_font(app: QApplication) -> str:
    """Make the application font one that renders Chinese; returns the family in use."""
    font = app.font()
    replacement = pick_cjk_family(font.family())
    if replacement:
        font.setFamilies([replacement, font.family()])
        app.setFont(font)
    return app.font().family()
