"""The statistics page prepared in the background once the main window is up, so that opening it does not wait for
imports: pyqtgraph with numpy (about a second), the month's documents' module and the figures' store modules (a few
tenths). The PySide6 modules pyqtgraph loads are imported on the GUI thread (a few milliseconds); everything else —
Python code free of Qt objects at import — on one worker of the app's pool. Then the plots of the page's charts are
built ahead on the GUI thread, one per turn of the event loop, and a worker computes the figures the page shows
first (its default months): the page takes them if it opens within PREFETCH_AGE_S and no finding, inspection or
subject changed meanwhile (the same notices that make the open page compute again), else it computes its own. The
page starts the same warm-up when it is opened first (it then shows its figures at once and its charts when the
import ends)."""

from __future__ import annotations

import atexit
import importlib
import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QThreadPool, QTimer

from inspector.core.clock import utc_now
from inspector.store.database import DataFolder
from inspector.ui.shared.context import FINDINGS, INSPECTIONS, SUBJECTS, AppContext
from inspector.ui.shared.workers import FunctionWorker
from inspector.ui.statistics import charts

log = logging.getLogger(__name__)

QT_FREE_MODULES = ("inspector.ui.statistics.data", "inspector.month_report")
CHARTS = 3  # the page's charts: their plots are built ahead once pyqtgraph is in
PREFETCH_AGE_S = 300.0  # figures computed ahead are shown only this fresh (overdue counts move with the clock)

_worker: FunctionWorker | None = None
_started = False
_times: list[float] = []  # when it began and ended (perf_counter), for the bench
_figures: tuple[DataFolder, list[str], str, float, Any] | None = None  # folder, months, month, when, StatisticsData
_generation = 0  # counts the data changes: figures computed across one are not kept
_prefetching = False
_page_loaded = False  # the page computed its own figures already: none are computed ahead
_after: list[Callable[[], object]] = []  # to run once the imports ended


def start(ctx: AppContext) -> FunctionWorker | None:
    """Begin the warm-up (once per process); the worker, or None when it already ran or runs."""
    global _worker, _started
    if _started or ctx.closed:  # a window closed meanwhile starts nothing
        return None
    _started = True
    _times.append(time.perf_counter())
    charts.import_qt_modules()

    def work(_worker: Any) -> None:
        for name in QT_FREE_MODULES:
            importlib.import_module(name)
        charts.import_plotting()

    worker = FunctionWorker(work)
    worker.signals.finished.connect(lambda _result: _ended(ctx, True))
    worker.signals.failed.connect(lambda error: _ended(ctx, False, error))
    _worker = worker
    charts.plotting_loading()
    ctx.changed.connect(_data_changed)
    ctx.run(worker)
    return worker


def reserve() -> None:
    """The page has figures to draw before the warm-up began: its charts wait for the warm-up the page starts once
    the figures are painted, rather than import pyqtgraph on the GUI thread."""
    if not _started:
        charts.plotting_loading()


def after_imports(callback: Callable[[], object]) -> None:
    """Run `callback` on the GUI thread once the warm-up's imports ended (now, if they have)."""
    if _started and _worker is None:
        callback()
    else:
        _after.append(callback)


def take_figures(folder: DataFolder, months: list[str], month: str) -> Any:
    """The figures computed ahead for these months and ranking month of this folder, if still valid (once only);
    else None."""
    global _figures, _page_loaded
    _page_loaded = True
    found, _figures = _figures, None
    if found is None:
        return None
    their_folder, their_months, their_month, when, data = found
    fresh = time.monotonic() - when <= PREFETCH_AGE_S
    return data if fresh and (their_folder, their_months, their_month) == (folder, months, month) else None


def _data_changed(kind: str) -> None:
    global _generation, _figures
    if kind in (FINDINGS, INSPECTIONS, SUBJECTS):
        _generation += 1
        _figures = None


def _prefetch(ctx: AppContext) -> None:
    """Compute the page's first figures on a worker (its default months, ranked on the latest)."""
    from inspector.ui.statistics.data import load_statistics, recent_months

    folder, generation, when = ctx.folder, _generation, time.monotonic()
    now = utc_now()
    months = recent_months(now)

    def keep(data: Any) -> None:
        global _figures
        if generation == _generation and data is not None:
            _figures = (folder, months, months[-1], when, data)
        _computed()

    def failed(error: BaseException) -> None:
        log.warning("the statistics computed ahead failed: %s", error)
        _computed()

    global _prefetching
    _prefetching = True
    worker = FunctionWorker(lambda _worker: load_statistics(folder, months, months[-1], now))
    worker.signals.finished.connect(keep)
    worker.signals.failed.connect(failed)
    ctx.run(worker)


def _computed() -> None:
    global _prefetching
    _prefetching = False
    _times.append(time.perf_counter())


def started_and_done() -> bool:
    """Whether the warm-up began and ended: imports done and the charts' plots built."""
    return _started and _worker is None and not _prefetching and charts.plots_built() >= CHARTS


def took_ms() -> float:
    """How long the warm-up took from its start to the end of its figures on the GUI thread (0 until they ended)."""
    return (_times[-1] - _times[0]) * 1000 if len(_times) == 3 else 0.0


def _ended(ctx: AppContext, imported: bool, error: BaseException | None = None) -> None:
    global _worker
    _worker = None
    _times.append(time.perf_counter())
    if not imported:
        log.warning("the statistics page's background import failed: %s", error)
    charts.plotting_loaded(imported)
    waiting, _after[:] = list(_after), []
    for callback in waiting:
        callback()
    if imported:
        QTimer.singleShot(0, lambda: charts.prepare_plots(CHARTS))
    if not _page_loaded and not ctx.closed:
        _prefetch(ctx)


@atexit.register
def _finish_before_exit() -> None:
    """Let a warm-up worker still importing end before the interpreter is torn down under it."""
    if _worker is not None or _prefetching:
        QThreadPool.globalInstance().waitForDone(30_000)
