"""Start the desktop app: the Qt application, logging and crash dialog, the data folder, language, main window."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from inspector import __version__
from inspector.paths import resolve_data_dir
from inspector.store.database import open_data_folder
from inspector.store.errors import StoreError
from inspector.ui.context import AppContext
from inspector.ui.fonts import ensure_cjk_font
from inspector.ui.logs import CrashReporter, install_crash_reporter, setup_logging
from inspector.ui.main_window import MainWindow
from inspector.ui.resources import icon, style_sheet
from inspector.ui.workers import FunctionWorker, WorkerPool

log = logging.getLogger(__name__)


def create_application(argv: Sequence[str] | None = None) -> QApplication:
    """The QApplication (reused when one exists), with the app's names, icon, style, and a font for Chinese."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(list(argv or sys.argv[:1]))
    app.setApplicationName("Inspector")
    app.setOrganizationName("Inspector")
    app.setApplicationDisplayName("巡查 Inspector")
    app.setApplicationVersion(__version__)
    app.setStyle("Fusion")
    app.setWindowIcon(icon("app"))
    ensure_cjk_font(app)
    app.setStyleSheet(style_sheet())
    return app


class AppController(QObject):
    """Owns the running window and its context on one data folder; reopens them after a restore."""

    def __init__(self, app: QApplication, root: Path, reporter: CrashReporter, load_checklists: bool = True) -> None:
        super().__init__()
        self.app = app
        self.root = root
        self.reporter = reporter
        self.load_checklists = load_checklists
        self.ctx: AppContext | None = None
        self.window: MainWindow | None = None
        self.pool = WorkerPool()

    def open_window(self) -> MainWindow:
        """Open the data folder (migrating it if needed) and show the main window; raises StoreError."""
        folder = open_data_folder(self.root)
        ctx = AppContext(folder)
        ctx.translations.apply(ctx.stored_language())
        window = MainWindow(ctx)
        window.controller = self
        self.ctx, self.window = ctx, window
        self.reporter.keep_data_safe = window.flush_pending
        window.show()
        log.info("main window shown")
        if self.load_checklists:
            QTimer.singleShot(0, ctx.load_checklists_async)
        return window

    def close_window(self) -> None:
        """Save the window's state, stop its work and close its connection."""
        if self.window is not None:
            self.window.flush_pending()
            self.window.save_state()
            self.window.closing_quietly = True
            self.window.close()
            self.window.deleteLater()
        if self.ctx is not None:
            self.ctx.close()
        self.window, self.ctx = None, None

    def restore(self, archive: Path) -> FunctionWorker:
        """Replace the data with a backup: close everything, restore in a worker, then reopen the window."""
        from inspector.store.backup import restore_backup

        language = self.ctx.language if self.ctx else "zh_CN"
        self.app.setQuitOnLastWindowClosed(False)  # no window for a moment: the app must not quit
        progress = QProgressDialog("正在从备份恢复… / Restoring…", "", 0, 0)
        progress.setCancelButton(None)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.show()
        self.close_window()
        worker = FunctionWorker(lambda _w: restore_backup(archive, self.root, force=True), language)
        worker.signals.finished.connect(lambda summary: self._restored(progress, summary, None))
        worker.signals.failed.connect(lambda message: self._restored(progress, None, message))
        self.pool.start(worker)
        return worker

    def _restored(self, progress: QProgressDialog, summary: object, failure: str | None) -> None:
        progress.close()
        window = self.open_window()
        self.app.setQuitOnLastWindowClosed(True)
        if failure:
            QMessageBox.warning(window, self.tr("恢复失败"), failure)
        else:
            log.info("restored a backup into %s", self.root)
            window.statusBar().showMessage(self.tr("已从备份恢复。"), 10_000)


def start(
    data_dir: str | Path | None, argv: Sequence[str] | None = None, load_checklists: bool = True
) -> AppController:
    """Set up logging and the crash dialog, open the data folder and show the main window; raises StoreError."""
    app = create_application(argv)
    root = resolve_data_dir(data_dir)
    log_path = setup_logging(root / "logs")
    reporter = CrashReporter(log_path)
    install_crash_reporter(reporter)
    log.info("Inspector %s starting on %s", __version__, root)
    controller = AppController(app, root, reporter, load_checklists)
    controller.open_window()
    return controller


def run(data_dir: str | Path | None = None, argv: Sequence[str] | None = None) -> int:
    """`inspector` without a command: run the app until its window closes; returns the exit code."""
    try:
        controller = start(data_dir, argv)
    except StoreError as error:
        create_application(argv)
        QMessageBox.critical(None, "巡查 Inspector", str(error))
        log.error("cannot open the data folder: %s", error)
        return 2
    code = controller.app.exec()
    if controller.ctx is not None:
        controller.ctx.close()
    log.info("Inspector stopped (exit code %s)", code)
    return int(code)
