"""Start-up, crash handling and the remembered window state."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from ui_helpers import close_app, open_app, start_inspection

from inspector.store import inspections, subjects
from inspector.ui.shared.logs import FAULT_FILENAME, LOG_FILENAME, CrashReporter, setup_logging
from inspector.ui.shared.workers import FunctionWorker

REPO = Path(__file__).resolve().parents[2]


def test_inspector_without_a_command_opens_the_window(tmp_path: Path) -> None:
    data = tmp_path / "portable"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    process = subprocess.Popen([sys.executable, "-m", "inspector", "--data-dir", str(data)], cwd=REPO, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    log = data / "logs" / LOG_FILENAME
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            if log.is_file() and "open" in log.read_text(encoding="utf-8").split("main window shown")[-1]:
                break
            time.sleep(0.1)
        assert process.poll() is None, process.communicate()[1].decode(errors="replace")
        text = log.read_text(encoding="utf-8")
        assert "main window shown" in text and f"data folder {data} open" in text
        assert (data / "inspector.db").is_file()
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_cli_commands_do_not_load_qt() -> None:
    code = "import sys; from inspector.__main__ import main; main(['checklists', 'list']); " \
           "print('QT' if any(m.startswith('PySide6') for m in sys.modules) else 'NO-QT')"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, encoding="utf-8", timeout=120)
    assert done.stdout.strip().endswith("NO-QT"), done.stderr


def test_the_window_s_first_frame_loads_neither_the_store_s_library_nor_numpy() -> None:
    """The frame shows before the data folder opens: sqlite-utils (and numpy, which it would pull in) wait for it."""
    code = "import sys; import inspector.ui.main_window; " \
           "print(sorted(m for m in ('sqlite_utils', 'numpy', 'pyqtgraph') if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "[]", done.stdout + done.stderr


def test_the_store_s_library_loads_without_numpy_and_numpy_stays_importable() -> None:
    code = "import sys; import inspector.store.database, sqlite_utils.db as db; first = 'numpy' in sys.modules; " \
           "import numpy; print(first, db.np is None, numpy.__name__)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "True", "numpy"], done.stdout + done.stderr


@pytest.mark.qt_no_exception_capture
def test_unhandled_exception_shows_the_log_file_and_saves_pending_work(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    log_path = setup_logging(ctx.folder.logs_dir)
    reporter = CrashReporter(log_path, keep_data_safe=window.flush_pending)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(sys, "excepthook", reporter.excepthook)

    subject = subjects.create(ctx.db, kind="back_street", name="东四六条", jurisdiction="110101001000000")
    inspection_id = start_inspection(started, qtbot, subject.id)
    runner = window.pages["inspections"].runner
    item_id = runner.current_item_id()
    runner.panel.note_edit.insertPlainText("未保存的备注")  # waits for the typing pause

    def broken() -> None:
        raise RuntimeError("boom in a slot")

    button = QPushButton("broken")
    qtbot.addWidget(button)
    button.clicked.connect(broken)
    QTimer.singleShot(0, button.click)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)

    assert str(log_path) in shown[0]
    text = log_path.read_text(encoding="utf-8")
    assert "boom in a slot" in text and "Traceback" in text
    assert inspections.responses(ctx.db, inspection_id)[item_id].note == "未保存的备注"
    assert window.isVisible()  # the app goes on


@pytest.mark.qt_no_exception_capture
def test_a_full_disk_is_named_as_such_not_as_a_program_error(started, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    reporter = CrashReporter(setup_logging(ctx.folder.logs_dir), keep_data_safe=window.flush_pending)
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append((box.windowTitle(), box.text())) or 0)
    monkeypatch.setattr(sys, "excepthook", reporter.excepthook)
    pages = ctx.db.execute("PRAGMA page_count").fetchone()[0]
    ctx.db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite answers SQLITE_FULL as on a full disk

    def add_subjects() -> None:
        for number in range(500):
            subjects.create(ctx.db, kind="back_street", name=f"东四{number}条" * 30, jurisdiction="110101001000000")

    button = QPushButton("add")
    qtbot.addWidget(button)
    button.clicked.connect(add_subjects)
    QTimer.singleShot(0, button.click)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)

    title, text = shown[0]
    assert title == "磁盘空间不足" and text.startswith("磁盘已满，刚才的操作可能没有保存。请清理磁盘空间")
    assert "database or disk is full" in reporter.reports[0]
    ctx.db.execute("PRAGMA max_page_count = 1073741823")
    assert window.isVisible()  # the app goes on


def test_geometry_and_page_are_remembered(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    first = open_app(data_dir)
    first.window.resize(1100, 650)
    first.window.show_page("subjects")
    QApplication.processEvents()
    size = first.window.size()
    close_app(first)
    second = open_app(data_dir)
    try:
        assert second.window.current_page_key() == "subjects"
        assert second.window.size() == size
    finally:
        close_app(second)


def test_a_native_crash_leaves_its_traceback_in_the_fault_log(tmp_path: Path) -> None:
    data = tmp_path / "portable"
    code = (
        "import faulthandler, sys\n"
        "from inspector.ui.app import start\n"
        "def crash_in_qt_code():\n"
        "    faulthandler._sigsegv()\n"
        "controller = start(sys.argv[1], ['inspector'], load_checklists=False)\n"
        "crash_in_qt_code()\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-c", code, str(data)], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    text = (data / "logs" / FAULT_FILENAME).read_text(encoding="utf-8")
    assert "started" in text and "Segmentation fault" in text, text
    assert "crash_in_qt_code" in text, text


def test_no_background_job_starts_once_the_window_has_closed(app, qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    controller = open_app(data_dir)
    ctx = controller.ctx
    assert ctx is not None
    ran: list[str] = []
    late = FunctionWorker(lambda _worker: ran.append("late"))
    close_app(controller)

    ctx.run(late)  # as a callback that fires after its window closed (an import that ended late) would

    assert ctx.pool.running == 0 and ctx.pool.wait(2_000)
    QApplication.processEvents()
    assert ran == []
    on_time: list[str] = []
    reopened = open_app(data_dir)  # a new window on the same folder runs its jobs as before
    try:
        assert reopened.ctx is not None
        worker = reopened.ctx.run(FunctionWorker(lambda _worker: on_time.append("ran")))
        with qtbot.waitSignal(worker.signals.finished, timeout=20_000):
            pass
        assert on_time == ["ran"]
    finally:
        close_app(reopened)
