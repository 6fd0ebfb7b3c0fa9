"""Rotating log files in the data folder, the crash dialog that names the log file (sys.excepthook), and the
fault log a native crash writes its tracebacks to (faulthandler)."""

from __future__ import annotations

import faulthandler
import logging
import logging.handlers
import os
import sys
import threading
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import IO

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from inspector.storage_full import is_storage_full

LOG_FILENAME = "inspector.log"
FAULT_FILENAME = "crash.log"
LOG_MAX_BYTES = 1024 * 1024
LOG_BACKUPS = 5
_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

log = logging.getLogger("inspector.ui")
_fault_file: IO[str] | None = None  # open for the life of the process: faulthandler writes to its descriptor


def setup_logging(logs_dir: Path, level: int = logging.INFO) -> Path:
    """Send the app's log records to `<logs_dir>/inspector.log`, rotated at 1 MB with 5 old files kept."""
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / LOG_FILENAME
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, "_inspector_log", False):
            root.removeHandler(handler)
            handler.close()
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_MAX_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler._inspector_log = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return path


def enable_fault_log(logs_dir: Path) -> Path:
    """Have a native crash (a fault inside Qt or another C library, which no excepthook sees) write the Python
    traceback of every thread to `<logs_dir>/crash.log`.

    A file of its own, not the rotating log: the rotation could not rename a file held open (Windows) or would
    leave the descriptor on the old one. Each start adds one line; a file past LOG_MAX_BYTES starts again.
    """
    global _fault_file
    logs_dir.mkdir(parents=True, exist_ok=True)
    path = logs_dir / FAULT_FILENAME
    mode = "w" if path.is_file() and path.stat().st_size > LOG_MAX_BYTES else "a"
    handle = path.open(mode, encoding="utf-8")
    handle.write(f"{datetime.now(UTC).isoformat(timespec='seconds')} process {os.getpid()} started\n")
    handle.flush()
    faulthandler.enable(handle, all_threads=True)
    if _fault_file is not None:
        _fault_file.close()
    _fault_file = handle
    return path


class CrashReporter(QObject):
    """Logs unhandled exceptions from any thread and shows one dialog at a time on the GUI thread."""

    crashed = Signal(str, bool)  # the error in one line; whether the disk is full

    def __init__(self, log_path: Path, keep_data_safe: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.log_path = log_path
        self.keep_data_safe = keep_data_safe
        self.reports: list[str] = []
        self._showing = False
        self.show_dialogs = True
        self.crashed.connect(self._show_dialog, Qt.ConnectionType.QueuedConnection)

    def excepthook(self, kind: type[BaseException], error: BaseException, trace: TracebackType | None) -> None:
        """sys.excepthook: log with the traceback, save pending work, then tell the user where the log is."""
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        text = "".join(traceback.format_exception(kind, error, trace))
        log.critical("unhandled exception:\n%s", text)
        self.reports.append(f"{kind.__name__}: {error}")
        self._save_pending_work()
        self.crashed.emit(f"{kind.__name__}: {error}", is_storage_full(error))

    def thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        """threading.excepthook: the same handling for exceptions in plain Python threads."""
        if args.exc_type is SystemExit:
            return
        self.excepthook(args.exc_type, args.exc_value or args.exc_type(), args.exc_traceback)

    def _save_pending_work(self) -> None:
        if self.keep_data_safe is None or threading.current_thread() is not threading.main_thread():
            return
        try:
            self.keep_data_safe()
        except Exception:  # the crash path must never raise again
            log.exception("saving pending work after a crash failed")

    def _show_dialog(self, summary: str, disk_full: bool) -> None:
        if self._showing or not self.show_dialogs or QApplication.instance() is None:
            return
        self._showing = True
        try:
            box = QMessageBox(QApplication.activeWindow())
            box.setIcon(QMessageBox.Icon.Critical)
            if disk_full:
                box.setWindowTitle(self.tr("磁盘空间不足"))
                what = self.tr(
                    "磁盘已满，刚才的操作可能没有保存。请清理磁盘空间（例如删除不需要的文件、清空回收站）后重试。"
                    "已保存的检查数据不受影响。"
                )
            else:
                box.setWindowTitle(self.tr("程序出错"))
                what = self.tr("程序遇到意外错误。已保存的检查数据不受影响，您可以继续工作。")
            box.setText(what + "\n\n" + self.tr("错误详情已写入日志文件：") + f"\n{self.log_path}")
            box.setDetailedText(summary)
            box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            box.exec()
        finally:
            self._showing = False


def install_crash_reporter(reporter: CrashReporter) -> None:
    """Route unhandled exceptions of the GUI thread and of Python threads to the reporter."""
    sys.excepthook = reporter.excepthook
    threading.excepthook = reporter.thread_excepthook
