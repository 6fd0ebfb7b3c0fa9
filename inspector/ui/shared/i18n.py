"""The interface language: Chinese source strings, English from `resources/i18n/inspector_en.qm`, switched live."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from inspector.ui.shared.resources import translations_dir

CHINESE = "zh_CN"
ENGLISH = "en"
LANGUAGES: dict[str, str] = {CHINESE: "中文", ENGLISH: "English"}

log = logging.getLogger(__name__)

_current = CHINESE  # the language last applied; Qt's translators are as global as this


def current_language() -> str:
    """The interface language now in use (Chinese until another is applied)."""
    return _current


class Translations:
    """Installs the translators of one language; installing new ones makes Qt send LanguageChange to every widget."""

    def __init__(self) -> None:
        self.language = CHINESE
        self._installed: list[QTranslator] = []

    def apply(self, language: str) -> str:
        """Switch to a language (unknown codes fall back to Chinese); returns the language now in use."""
        language = language if language in LANGUAGES else CHINESE
        app = QCoreApplication.instance()
        assert app is not None, "create the QApplication first"
        for translator in self._installed:
            app.removeTranslator(translator)
        self._installed = [t for t in self._translators(language) if app.installTranslator(t)]
        self.language = language
        global _current
        _current = language
        QLocale.setDefault(QLocale(QLocale.Language.Chinese if language == CHINESE else QLocale.Language.English))
        return language

    def _translators(self, language: str) -> list[QTranslator]:
        found: list[QTranslator] = []
        qt_dir = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        qt_base = QTranslator()
        if qt_base.load(f"qtbase_{language}", qt_dir):
            found.append(qt_base)
        if language != CHINESE:
            own = QTranslator()
            if own.load(f"inspector_{language}", str(translations_dir())):
                found.append(own)
            else:
                log.warning("translation inspector_%s.qm not found in %s", language, translations_dir())
        return found
