"""Start the desktop app: the Qt application, logging and crash dialog, the window, then the data folder.

The window appears first; the data folder (database migrations, the store's libraries) opens in a worker right
after, so the first frame does not wait for disk work or heavy imports.
"""

from __future__ import annotations

import hashlib
import logging
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QApplication, QMessageBox, QProgressDialog

from inspector import __version__
from inspector.paths import resolve_data_dir
from inspector.ui.main_window import MainWindow
from inspector.ui.shared.fonts import ensure_cjk_font
from inspector.ui.shared.i18n import Translations
from inspector.ui.shared.logs import CrashReporter, enable_fault_log, install_crash_reporter, setup_logging
from inspector.ui.shared.resources import icon, style_sheet
from inspector.ui.shared.widgets import error_message, on_error
from inspector.ui.shared.workers import UNATTENDED, FunctionWorker, WorkerPool

if TYPE_CHECKING:
    from inspector.store.database import DataFolder
    from inspector.ui.shared.context import AppContext

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


def open_folder(root: Path) -> DataFolder:
    """Open (create, migrate) the data folder; the store's libraries are imported here, off the first frame."""
    from inspector.store.database import open_data_folder

    folder = open_data_folder(root)
    import inspector.ui.shared.context
    import inspector.ui.sync.status_bar
    import inspector.ui.today_view  # noqa: F401  (the modules attach() needs, imported here rather than in the GUI)

    return folder


class AppController(QObject):
    """Owns the running window and its context on one data folder; reopens them after a restore."""

    ready = Signal()  # the window has its data
    failed = Signal(str)  # the data folder cannot be used: why, in the interface language

    def __init__(self, app: QApplication, root: Path, reporter: CrashReporter, load_checklists: bool = True) -> None:
        super().__init__()
        self.app = app
        self.root = root
        self.reporter = reporter
        self.load_checklists = load_checklists
        self.translations = Translations()
        self.ctx: AppContext | None = None
        self.window: MainWindow | None = None
        self.pool = WorkerPool()
        self.single_instance: QObject | None = None
        self.integrity_worker: FunctionWorker | None = None  # the running folder's full check, once attached
        self.damage_box: QMessageBox | None = None  # what it said when it found damage
        self.integrity_done = threading.Event()  # set when the full check has ended (set: none running)
        self.integrity_done.set()

    def _show_frame(self) -> MainWindow:
        self.translations.apply(MainWindow.saved_language(self.root) or self.translations.language)
        window = MainWindow(self.root)
        window.restore_requested.connect(self.restore)
        self.window = window
        window.show()
        log.info("main window shown")
        return window

    def open_window(self) -> MainWindow:
        """Show the window and open the data folder on this thread (scripts, tests); raises StoreError."""
        window = self._show_frame()
        self._attach(open_folder(self.root))
        return window

    def open_window_soon(self) -> MainWindow:
        """Show the window at once and open the data folder in a worker; `ready` or `failed` follows.

        The worker starts after the window is built: started earlier, it competes for the interpreter and the
        first frame comes later without the data coming sooner."""
        window = self._show_frame()
        root = self.root
        worker = FunctionWorker(lambda _w: open_folder(root))
        worker.signals.finished.connect(self._attach)
        worker.signals.failed.connect(lambda error: self.failed.emit(error_message(error)))
        self.pool.start(worker)
        return window

    def _attach(self, folder: DataFolder) -> None:
        from inspector.ui.shared.context import AppContext

        assert self.window is not None
        ctx = AppContext(folder, self.translations)
        if ctx.stored_language() != self.translations.language:
            self.translations.apply(ctx.stored_language())
        self.ctx = ctx
        self.window.attach(ctx)
        self.reporter.keep_data_safe = self.window.flush_pending
        log.info("data folder %s open", folder.root)
        if self.load_checklists:
            QTimer.singleShot(0, ctx.load_checklists_async)
        self.integrity_worker = self.check_in_background()
        self.ready.emit()

    def check_in_background(self) -> FunctionWorker | None:
        """The full integrity check the start-up quick check leaves out (index contents), as a job no one waits for.

        On damage the window says so (the recovery commands included) and sync stops, as when the quick check fails
        at start: a damaged file must neither be synced into nor read as if all were well."""
        if self.ctx is None:
            return None
        folder = self.ctx.folder
        done = self.integrity_done = threading.Event()
        worker = FunctionWorker(lambda _worker: _full_check(folder, done))
        worker.signals.failed.connect(lambda error, w=worker: self._integrity_failed(w, error))
        return self.ctx.run(worker, UNATTENDED)  # type: ignore[return-value]

    def _integrity_failed(self, worker: FunctionWorker, error: BaseException) -> None:
        from inspector.store.errors import DatabaseDamagedError

        if worker is not self.integrity_worker or self.window is None:
            return  # a check of a folder since replaced (a restore)
        if isinstance(error, DatabaseDamagedError):
            log.error("the background integrity check found damage: %s", error)
            if self.window.sync is not None:
                self.window.sync.stop()
            self.damage_box = on_error(self.window, error)
        else:
            log.warning("the background integrity check could not run: %s", error)

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
        checking = self.integrity_done  # the old file is not moved aside while its check still reads it

        def restore(_worker: Any) -> Any:
            checking.wait(120)
            return restore_backup(archive, self.root, force=True)

        worker = FunctionWorker(restore, language)
        worker.signals.finished.connect(lambda summary: self._restored(progress, summary, None))
        worker.signals.failed.connect(lambda error: self._restored(progress, None, error))
        self.pool.start(worker)
        return worker

    def _restored(self, progress: QProgressDialog, summary: Any, failure: BaseException | None) -> None:
        progress.close()
        window = self.open_window()
        self.app.setQuitOnLastWindowClosed(True)
        if failure is not None:
            on_error(window, failure, self.tr("恢复失败"))
        else:
            log.info("restored a backup into %s", self.root)
            window.statusBar().showMessage(self.tr("已从备份恢复。"), 10_000)
            missing = getattr(summary, "missing_photos", ())
            if missing:
                log.warning("restored without %d photo(s) the backup did not hold: %s", len(missing), missing)
                QMessageBox.warning(
                    window,
                    self.tr("恢复完成，但缺少照片"),
                    self.tr("其余数据已恢复；备份中没有以下 %1 张照片：").replace("%1", str(len(missing)))
                    + "\n"
                    + "\n".join(missing),
                )


def start(
    data_dir: str | Path | None, argv: Sequence[str] | None = None, load_checklists: bool = True
) -> AppController:
    """Set up logging and the crash dialog, show the main window, and open the data folder in the background."""
    app = create_application(argv)
    root = resolve_data_dir(data_dir)
    log_path = setup_logging(root / "logs")
    enable_fault_log(root / "logs")
    reporter = CrashReporter(log_path)
    install_crash_reporter(reporter)
    log.info("Inspector %s starting on %s", __version__, root)
    controller = AppController(app, root, reporter, load_checklists)
    controller.failed.connect(lambda message: _cannot_open(controller, message))
    controller.open_window_soon()
    return controller


def _full_check(folder: Any, done: threading.Event) -> None:
    """`PRAGMA integrity_check` of the folder's database on its own connection, at the lowest thread priority."""
    from PySide6.QtCore import QThread

    from inspector.store.database import verify_folder

    thread = QThread.currentThread()
    previous = thread.priority()
    thread.setPriority(QThread.Priority.LowestPriority)
    try:
        verify_folder(folder)
    finally:
        thread.setPriority(previous)
        done.set()


def _cannot_open(controller: AppController, message: str) -> None:
    log.error("cannot open the data folder: %s", message)
    QMessageBox.critical(controller.window, "巡查 Inspector", message)
    controller.app.exit(2)


ALREADY_OPEN = (
    "巡查已在此数据文件夹上打开，已切换到该窗口 / "
    "Inspector is already open on this data folder: its window was brought forward"
)
_SHOW = b"show\n"


def instance_name(root: Path) -> str:
    """The local socket name of the app running on a data folder (one per folder, per user)."""
    digest = hashlib.sha256(str(root.expanduser().resolve()).encode("utf-8")).hexdigest()[:20]
    return f"inspector-{digest}"


def ask_running_instance(root: Path, wait_ms: int = 1000) -> bool:
    """Whether the app already runs on this data folder; when it does, it is asked to bring its window forward."""
    socket = QLocalSocket()
    socket.connectToServer(instance_name(root))
    if not socket.waitForConnected(wait_ms):
        return False
    socket.write(_SHOW)
    socket.flush()
    socket.waitForBytesWritten(wait_ms)
    socket.disconnectFromServer()
    return True


class SingleInstance(QObject):
    """Listens for later starts on the same data folder and brings the window forward when one asks."""

    def __init__(self, controller: AppController) -> None:
        super().__init__(controller)
        self.controller = controller
        self.server = QLocalServer(self)
        name = instance_name(controller.root)
        QLocalServer.removeServer(name)  # a name left behind by a crashed run
        if not self.server.listen(name):
            log.warning("cannot listen for later starts on %s: %s", name, self.server.errorString())
        self.server.newConnection.connect(self._connected)

    def _connected(self) -> None:
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).startswith(_SHOW.strip()):
            self.bring_forward()

    def bring_forward(self) -> None:
        window = self.controller.window
        if window is None:
            return
        log.info("a second start on this data folder: window brought forward")
        if window.isMinimized():
            window.showNormal()
        window.show()
        window.raise_()
        window.activateWindow()


def run(data_dir: str | Path | None = None, argv: Sequence[str] | None = None) -> int:
    """`inspector` without a command: run the app until its window closes; returns the exit code.

    A second start on a data folder the app already has open brings that window forward and ends."""
    create_application(argv)
    if ask_running_instance(resolve_data_dir(data_dir)):
        print(ALREADY_OPEN, file=sys.stderr)
        return 0
    controller = start(data_dir, argv)
    controller.single_instance = SingleInstance(controller)
    code = controller.app.exec()
    controller.pool.wait()
    if controller.ctx is not None:
        controller.ctx.close()
    log.info("Inspector stopped (exit code %s)", code)
    return int(code)
