"""The statistics page prepared in the background once the main window is up, so that opening it does not wait for
imports: pyqtgraph with numpy (about a second), the month's documents' module and the figures' store modules (a few
tenths). The PySide6 modules pyqtgraph loads are imported on the GUI thread (a few milliseconds); everything else —
Python code free of Qt objects at import — on one worker of the app's pool. Then the plots of the page's charts are
built ahead on the GUI thread, one per turn of the event loop. The page starts the same warm-up when it is opened
first (it then shows its figures at once and its charts when the import ends)."""

from __future__ import annotations

import importlib
import logging
import time
from typing import Any

from PySide6.QtCore import QTimer

from inspector.ui.shared.context import AppContext
from inspector.ui.shared.workers import FunctionWorker
from inspector.ui.statistics import charts

log = logging.getLogger(__name__)

QT_FREE_MODULES = ("inspector.ui.statistics.data", "inspector.month_report")
CHARTS = 3  # the page's charts: their plots are built ahead once pyqtgraph is in

_worker: FunctionWorker | None = None
_started = False
_times: list[float] = []  # when it began and ended (perf_counter), for the bench


def start(ctx: AppContext) -> FunctionWorker | None:
    """Begin the warm-up (once per process); the worker, or None when it already ran or runs."""
    global _worker, _started
    if _started:
        return None
    _started = True
    _times.append(time.perf_counter())
    charts.import_qt_modules()

    def work(_worker: Any) -> None:
        for name in QT_FREE_MODULES:
            importlib.import_module(name)
        charts.import_plotting()

    worker = FunctionWorker(work)
    worker.signals.finished.connect(lambda _result: _ended(True))
    worker.signals.failed.connect(lambda error: _ended(False, error))
    _worker = worker
    charts.plotting_loading()
    ctx.run(worker)
    return worker


def started_and_done() -> bool:
    """Whether the warm-up began and ended: imports done and the charts' plots built."""
    return _started and _worker is None and charts.plots_built() >= CHARTS


def took_ms() -> float:
    """How long the warm-up took from its start to its end on the GUI thread (0 until it ended)."""
    return (_times[1] - _times[0]) * 1000 if len(_times) == 2 else 0.0


def _ended(imported: bool, error: BaseException | None = None) -> None:
    global _worker
    _worker = None
    _times.append(time.perf_counter())
    if not imported:
        log.warning("the statistics page's background import failed: %s", error)
    charts.plotting_loaded(imported)
    if imported:
        QTimer.singleShot(0, lambda: charts.prepare_plots(CHARTS))
