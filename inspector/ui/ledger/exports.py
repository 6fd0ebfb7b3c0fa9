"""Exports from the ledger view: choose a file, run the export (`inspector.exports`) on a worker with a progress
dialog, say how it went. The ledger export can be cancelled (the half-written file is discarded)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QStandardPaths, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox, QProgressDialog, QWidget

from inspector.core.errors import UserError
from inspector.exports import ExportCancelledError, ExportDone
from inspector.store import settings
from inspector.ui.shared.context import AppContext
from inspector.ui.shared.widgets import error_message, on_error
from inspector.ui.shared.workers import FunctionWorker, Worker

EXPORT_FOLDER = "ui.export_folder"


class ExportError(UserError):
    """A report that cannot be written: the report layer's reason, in both languages."""

    code = "export_failed"


def guarded(job: Callable[[Worker], ExportDone]) -> Callable[[Worker], ExportDone | None]:
    """The job, with a cancel ending as None and a report error as an ExportError (shown as it is)."""
    from inspector.reports.errors import ReportError

    def run(worker: Worker) -> ExportDone | None:
        try:
            return job(worker)
        except ExportCancelledError:
            return None
        except ReportError as error:
            raise ExportError(error.zh, error.en) from error

    return run


class WorkerProgress:
    """An export's progress shown by its worker, and the worker's cancel button reaching the export."""

    def __init__(self, worker: Worker) -> None:
        self.worker = worker

    def advanced(self, done: int, total: int) -> None:
        self.worker.signals.progress.emit(done, total, "")

    def cancelled(self) -> bool:
        return self.worker.cancelled


class ExportRunner(QObject):
    """Runs one export at a time for a page; `done` carries the ExportDone, `failed` the message."""

    done = Signal(object)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.page = parent
        self.worker: FunctionWorker | None = None
        self.progress: QProgressDialog | None = None
        self.last_message = ""
        self.message_box: QMessageBox | None = None

    def choose_target(self, suggested: str, file_filter: str) -> Path | None:
        """Ask where to save, in the folder of the last export (else the Documents folder); remember the choice."""
        name, _chosen = QFileDialog.getSaveFileName(self.page, self.tr("导出到"), str(self.folder() / suggested),
                                                    file_filter)  # fmt: skip
        if not name:
            return None
        settings.put(self.ctx.db, EXPORT_FOLDER, str(Path(name).parent))
        return Path(name)

    def folder(self) -> Path:
        """Where the save dialog opens: the last export's folder when it still exists, else Documents."""
        last = str(settings.get(self.ctx.db, EXPORT_FOLDER) or "")
        if last and Path(last).is_dir():
            return Path(last)
        documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
        return Path(documents) if documents and Path(documents).is_dir() else Path.home()

    def start(self, job: Callable[[Worker], ExportDone], title: str) -> FunctionWorker | None:
        """Run job(worker) in the background with a progress dialog (the cancel button cancels the worker)."""
        if self.worker is not None:
            return None
        worker = FunctionWorker(guarded(job))
        self.worker = worker
        progress = QProgressDialog(title, self.tr("取消"), 0, 0, self.page)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        progress.canceled.connect(worker.cancel)
        self.progress = progress
        worker.signals.progress.connect(self._on_progress)
        worker.signals.finished.connect(self._on_finished)
        worker.signals.failed.connect(self._on_failed)
        self.ctx.run(worker)
        return worker

    def _on_progress(self, done: int, total: int, _what: str) -> None:
        if self.progress is not None:
            self.progress.setMaximum(total)
            self.progress.setValue(done)

    def _close_progress(self) -> None:
        if self.progress is not None:
            self.progress.reset()
            self.progress.deleteLater()
            self.progress = None
        self.worker = None

    def _on_finished(self, result: Any) -> None:
        self._close_progress()
        if isinstance(result, ExportDone):
            self.last_message = self.tr("已导出：%1").replace("%1", str(result.path))
            self.done.emit(result)
        else:
            self.last_message = self.tr("导出已取消。")

    def _on_failed(self, error: BaseException) -> None:
        self._close_progress()
        self.last_message = error_message(error)
        self.failed.emit(self.last_message)
        self.message_box = on_error(self.page, error, self.tr("导出失败"))
