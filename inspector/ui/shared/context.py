"""What every view shares: the data folder, the GUI thread's store connection, workers, language and change signals."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from inspector.core.errors import message_in
from inspector.paths import shipped_checklists_dir
from inspector.store import profile, settings
from inspector.store.database import DataFolder
from inspector.ui.shared.i18n import CHINESE, Translations
from inspector.ui.shared.workers import FunctionWorker, Worker, WorkerPool

if TYPE_CHECKING:
    from inspector.store.checklists import CachedChecklist

log = logging.getLogger(__name__)

# Kinds of data a view can announce as changed; views listening to `changed` refresh what they show.
SUBJECTS, INSPECTIONS, FINDINGS, SETTINGS, CHECKLISTS = "subjects", "inspections", "findings", "settings", "checklists"


class AppContext(QObject):
    """Shared state of one running app on one data folder."""

    changed = Signal(str)
    checklists_ready = Signal()
    language_changed = Signal(str)

    def __init__(self, folder: DataFolder, translations: Translations | None = None) -> None:
        super().__init__()
        self.folder = folder
        self.db = folder.connect()
        self.pool = WorkerPool()
        self.closed = False  # set by close(): no background job starts after it
        self.translations = translations or Translations()
        self.catalog: list[CachedChecklist] = []
        self.checklist_problems: list[str] = []
        self.checklists_loaded = False

    # -- language ---------------------------------------------------------------------------------------------

    @property
    def language(self) -> str:
        return self.translations.language

    def stored_language(self) -> str:
        return str(settings.get(self.db, profile.LANGUAGE) or CHINESE)

    def set_language(self, language: str) -> None:
        """Switch the interface language now and remember it; open work stays as it is."""
        applied = self.translations.apply(language)
        settings.put(self.db, profile.LANGUAGE, applied)
        self.language_changed.emit(applied)

    # -- changes ----------------------------------------------------------------------------------------------

    def notify(self, *kinds: str) -> None:
        """Tell every view that these kinds of data changed."""
        for kind in kinds:
            self.changed.emit(kind)

    def run(self, worker: Worker, priority: int = 0) -> Worker:
        """Start a background job (before those of lower priority that wait for a thread). Once the context is
        closed nothing starts: a callback that fires late (an import ending after its window closed) must not open
        a folder that is gone."""
        worker.language = self.language
        if self.closed:
            log.debug("not started after the data folder was closed: %s", type(worker).__name__)
            return worker
        return self.pool.start(worker, priority)

    # -- checklists ---------------------------------------------------------------------------------------------

    def load_checklists_async(self) -> Worker:
        """Cache the shipped checklists and parse each latest version in a worker; `checklists_ready` follows."""
        worker = FunctionWorker(lambda _w: _cache_shipped(self.folder))
        worker.signals.finished.connect(self._checklists_cached)
        worker.signals.failed.connect(self._checklists_failed)
        return self.run(worker)

    def load_checklists_now(self) -> None:
        """The same, on the calling thread (used by scripts and tests)."""
        self._checklists_cached(_cache_shipped(self.folder))

    def _checklists_cached(self, problems: Any) -> None:
        self.checklist_problems = list(problems or [])
        for problem in self.checklist_problems:
            log.warning("shipped checklist problem: %s", problem)
        from inspector.store import checklists  # the checklist loader (YAML, JSON Schema) loads after start-up

        self.catalog = latest_versions(checklists.list_cached(self.db))
        self.checklists_loaded = True
        self.checklists_ready.emit()
        self.notify(CHECKLISTS)

    def _checklists_failed(self, error: BaseException) -> None:
        log.warning("the shipped checklists could not be loaded: %r", error)
        self.checklist_problems = [message_in(error, self.language)]
        self.checklists_loaded = True
        self.checklists_ready.emit()

    # -- end ----------------------------------------------------------------------------------------------------

    def close(self) -> None:
        """Stop background work and close the connection."""
        self.closed = True
        self.pool.cancel_all()
        self.pool.wait()
        self.db.close()


def latest_versions(cached: list[CachedChecklist]) -> list[CachedChecklist]:
    """One entry per checklist id: the most recently cached version (list_cached orders them that way)."""
    seen: dict[str, CachedChecklist] = {}
    for entry in cached:
        seen.setdefault(entry.id, entry)
    return sorted(seen.values(), key=lambda entry: entry.id)


def _cache_shipped(folder: DataFolder) -> list[str]:
    """Worker side: cache the shipped files, then parse each latest version once so the runner opens at once."""
    from inspector.store import checklists

    db = folder.connect()
    try:
        _cached, problems = checklists.cache_shipped(db, shipped_checklists_dir())
        for entry in latest_versions(checklists.list_cached(db)):
            checklists.get(db, entry.id, entry.version)
        return problems
    finally:
        db.close()
