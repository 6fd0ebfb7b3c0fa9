"""A background job's failure reaches the user's message box, worded in the interface language of the moment."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from inspector.store.errors import InspectionFinishedError
from inspector.ui.shared.widgets import on_error
from inspector.ui.shared.workers import FunctionWorker, Worker


def _shown_box(parent: QWidget, qtbot, before: set[int]) -> QMessageBox:  # type: ignore[no-untyped-def]
    """The message box that appeared under parent since `before` (ids of the boxes there were)."""

    def new_boxes() -> list[QMessageBox]:
        return [box for box in parent.findChildren(QMessageBox) if id(box) not in before and box.isVisible()]

    qtbot.waitUntil(lambda: bool(new_boxes()), timeout=20_000)
    return new_boxes()[0]


def _boxes(parent: QWidget) -> set[int]:
    return {id(box) for box in parent.findChildren(QMessageBox)}


@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("zh_CN", "不支持的文件类型 .txt，请使用 .xlsx 或 .csv", "unsupported file type"),
        ("en", "unsupported file type .txt: use .xlsx or .csv", "不支持的文件类型"),
    ],
)
def test_a_failed_import_is_shown_in_the_interface_language(  # type: ignore[no-untyped-def]
    started, qtbot, tmp_path: Path, language: str, expected: str, foreign: str
) -> None:
    started.ctx.set_language(language)
    page = started.window.show_page("subjects")
    note = tmp_path / "note.txt"
    note.write_text("not a sheet", encoding="utf-8")
    before = _boxes(started.window)
    page.import_file(note)
    box = _shown_box(started.window, qtbot, before)
    assert box.text() == expected and foreign not in box.text()
    assert box.icon() == QMessageBox.Icon.Warning
    box.close()


def test_any_worker_failure_reaches_on_error_in_both_languages(started, qtbot) -> None:  # type: ignore[no-untyped-def]
    window, ctx = started.window, started.ctx
    shown: list[str] = []

    def run_failing(job_error: Exception) -> None:
        def job(_worker: Worker) -> None:
            raise job_error

        worker = FunctionWorker(job)
        worker.signals.failed.connect(lambda error: shown.append(on_error(window, error, "t").text()))
        before = len(shown)
        ctx.run(worker)
        qtbot.waitUntil(lambda: len(shown) > before, timeout=20_000)

    ctx.set_language("zh_CN")
    run_failing(InspectionFinishedError("ins-7"))
    run_failing(RuntimeError("boom"))
    ctx.set_language("en")
    run_failing(InspectionFinishedError("ins-7"))
    run_failing(RuntimeError("boom"))
    ctx.set_language("zh_CN")

    assert shown[0] == "检查记录 ins-7 已完成，不能再修改"
    assert shown[1] == "程序出错，详情见日志" and "Traceback" not in shown[1]  # the exception goes to the log
    assert shown[2] == "Inspection ins-7 is finished and can no longer be changed"
    assert shown[3].startswith("something went wrong (RuntimeError: boom)") and "Traceback" not in shown[3]
    for box in window.findChildren(QMessageBox):
        box.close()


def test_an_opened_page_s_job_starts_at_once_and_waiting_jobs_start_by_priority(qtbot) -> None:  # type: ignore[no-untyped-def]
    """With every thread of the pool busy with long jobs, the job of a page just opened starts at once (on one
    thread more); other jobs wait and start by priority, an unattended one last."""
    import threading

    from PySide6.QtCore import QThreadPool

    from inspector.ui.shared.workers import ON_SCREEN, UNATTENDED, WorkerPool

    # a job left running by an earlier test (an app's integrity check, long under Wine) would hold a thread the
    # test counts on: the pool starts idle
    assert QThreadPool.globalInstance().waitForDone(120_000)
    pool, order = WorkerPool(), []
    releases = [threading.Event() for _ in range(QThreadPool.globalInstance().maxThreadCount())]
    for release in releases:
        pool.start(FunctionWorker(lambda _w, release=release: release.wait(10)))
    qtbot.waitUntil(lambda: QThreadPool.globalInstance().activeThreadCount() == len(releases))
    for name, priority in (("integrity check", UNATTENDED), ("queued at start", 0)):
        pool.start(FunctionWorker(lambda _w, name=name: order.append(name)), priority)
    pool.start(FunctionWorker(lambda _w: order.append("page opened")), ON_SCREEN)
    qtbot.waitUntil(lambda: order == ["page opened"], timeout=5_000)  # while every other thread is still busy
    releases[0].set()  # one thread comes free: it takes the waiting jobs one after another, highest priority first
    qtbot.waitUntil(lambda: len(order) == 3)
    for release in releases:
        release.set()
    assert pool.wait(10_000)
    assert order == ["page opened", "queued at start", "integrity check"]
    assert QThreadPool.globalInstance().activeThreadCount() == 0
