"""Background work off the GUI thread: a cancellable QRunnable base with progress signals, and the photo importer.

Each worker opens its own store connection (SQLite connections never cross threads) and reports through signals
that Qt delivers to the GUI thread.
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal
from PySide6.QtGui import QImage

from inspector.store.errors import StoreError

if TYPE_CHECKING:
    from inspector.store.database import DataFolder

log = logging.getLogger(__name__)


_EXTRA_THREADS = threading.Lock()  # the pool's size is read and changed under it (GUI thread and workers)
UNATTENDED = -1  # the priority of a long job no one waits for (the full integrity check): it lets the others go first
ON_SCREEN = 1  # a page the user just opened waits for this job: it starts at once, on a thread of its own if need be


class WorkerSignals(QObject):
    """What a worker tells the GUI: progress, per-item results and failures, and the end of the job."""

    progress = Signal(int, int, str)  # done, total, what is being done
    item_done = Signal(object)
    item_failed = Signal(object)  # the exception of one item (the job goes on)
    finished = Signal(object)  # the job's result; also emitted (with None) after a cancel
    failed = Signal(object)  # the exception that ended the job: shown with widgets.on_error / error_message


class Worker(QRunnable):
    """A job for the thread pool; subclasses implement work(), checking `cancelled` between steps."""

    def __init__(self, language: str = "zh_CN") -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.signals = WorkerSignals()
        self.language = language
        self.thread_ident: int | None = None
        self.extra_thread = False  # started on one thread more than the pool's size (see WorkerPool.start)
        self._cancel = threading.Event()

    def cancel(self) -> None:
        """Ask the job to stop at its next step."""
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def run(self) -> None:
        self.thread_ident = threading.get_ident()
        value: object
        try:
            result = self.work()
        except Exception as error:
            log.exception("background job %s failed", type(self).__name__)
            signal, value = self.signals.failed, error
        else:
            signal, value = self.signals.finished, None if self.cancelled else result
        finally:
            self._give_back_thread()
        self._tell(signal, value)

    def _give_back_thread(self) -> None:
        """A job that was given one thread more (WorkerPool.start, ON_SCREEN) takes the pool back to its size: the
        thread then ends instead of taking a waiting job."""
        if self.extra_thread:
            self.extra_thread = False
            pool = QThreadPool.globalInstance()
            with _EXTRA_THREADS:
                pool.setMaxThreadCount(pool.maxThreadCount() - 1)

    def _tell(self, signal: Any, value: object) -> None:
        """Emit the job's end, unless whoever listened is gone (the app closed while the job ran)."""
        try:
            signal.emit(value)
        except RuntimeError:  # the signals' object was deleted under the job
            log.debug("background job %s ended after its listeners were gone", type(self).__name__)

    def work(self) -> Any:
        raise NotImplementedError


class FunctionWorker(Worker):
    """Runs `function(worker)` in the pool; the function may report progress through worker.signals."""

    def __init__(self, function: Callable[[Worker], Any], language: str = "zh_CN") -> None:
        super().__init__(language)
        self.function = function

    def work(self) -> Any:
        return self.function(self)


PhotoImporter = Callable[["DataFolder", Any, Path], Any]


@dataclass(frozen=True)
class PhotoImported:
    """One imported file: the store's ImportResult, the name the user knows the file by, and its thumbnail as
    prepared on the worker (so the GUI thread only wraps it)."""

    result: Any
    source_name: str
    thumbnail: QImage | None = None


class PhotoImportWorker(Worker):
    """Imports image files (or pasted images) one by one with `importer(folder, db, path)` on its own connection."""

    def __init__(
        self,
        folder: DataFolder,
        sources: Sequence[Path | QImage],
        importer: PhotoImporter,
        language: str = "zh_CN",
        thumbnail: Callable[[Path], QImage] | None = None,
    ) -> None:
        super().__init__(language)
        self.folder = folder
        self.sources = list(sources)
        self.importer = importer
        self.thumbnail = thumbnail
        self.imported = 0

    def work(self) -> int:
        total = len(self.sources)
        db = self.folder.connect()
        try:
            for index, source in enumerate(self.sources):
                if self.cancelled:
                    break
                self.signals.progress.emit(index, total, _name(source))
                self._import_one(db, source)
            self.signals.progress.emit(total, total, "")
        finally:
            db.close()
        return self.imported

    def _import_one(self, db: Any, source: Path | QImage) -> None:
        temp: Path | None = None
        try:
            path = source if isinstance(source, Path) else (temp := self._save_pasted(source))
            result = self.importer(self.folder, db, path)
            self.imported += 1
            image = None
            if self.thumbnail is not None:
                image = self.thumbnail(self.folder.thumb_path(result.photo.sha256))
            self.signals.item_done.emit(PhotoImported(result, _name(source), image))
        except (StoreError, OSError) as error:
            self.signals.item_failed.emit(error)
        finally:
            if temp is not None:
                temp.unlink(missing_ok=True)

    def _save_pasted(self, image: QImage) -> Path:
        handle, name = tempfile.mkstemp(dir=self.folder.tmp_dir, prefix="pasted-", suffix=".png")
        os.close(handle)
        if not image.save(name):  # PNG, from the file name
            raise OSError(f"cannot write the pasted image to {name}")
        return Path(name)


def _name(source: Path | QImage) -> str:
    return source.name if isinstance(source, Path) else "clipboard.png"


class WorkerPool(QObject):
    """Starts workers on the global thread pool and keeps them alive until they end."""

    busy_changed = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self._running: set[Worker] = set()

    def start(self, worker: Worker, priority: int = 0) -> Worker:
        """Run a worker; it is forgotten once it finishes or fails. Waiting jobs start in order of priority (a job no
        one waits for: UNATTENDED); a job a page just opened waits for (ON_SCREEN) does not wait: when every thread
        is busy it runs on one more."""
        self._running.add(worker)
        worker.signals.finished.connect(lambda _result, w=worker: self._forget(w))
        worker.signals.failed.connect(lambda _error, w=worker: self._forget(w))
        pool = QThreadPool.globalInstance()
        with _EXTRA_THREADS:
            # every thread holding a long job (the integrity check, a sync, an export), the page the user
            # opened does not wait seconds for one of them to end: its job, first in the queue, gets one thread more,
            # which goes when the job ends
            worker.extra_thread = priority >= ON_SCREEN and pool.activeThreadCount() >= pool.maxThreadCount()
            pool.start(worker, priority)
            if worker.extra_thread:
                pool.setMaxThreadCount(pool.maxThreadCount() + 1)
        self.busy_changed.emit(len(self._running))
        return worker

    def _forget(self, worker: Worker) -> None:
        self._running.discard(worker)
        self.busy_changed.emit(len(self._running))

    @property
    def running(self) -> int:
        return len(self._running)

    def cancel_all(self) -> None:
        for worker in list(self._running):
            worker.cancel()

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every job ended (used at exit and in tests)."""
        return QThreadPool.globalInstance().waitForDone(msecs)
