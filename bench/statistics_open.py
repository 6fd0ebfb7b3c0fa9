"""The statistics page on a ledger of 100,000 findings, offscreen on a 1366×768 virtual screen: the page opened the
first time in the process (its modules and pyqtgraph imported) and later openings — each until its figures are
computed on the worker and drawn — and the worker's computation alone.

Run: .venv/bin/python bench/statistics_open.py [--findings 100000] [--runs 3] [--data DIR] [--histories]

With --histories every finding also gets the server-confirmed events leading to its state (some extended), so the
overdue count at each past month's end has histories to go through.
Target: open ≤ 500 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from ledger_view import seed, use_offscreen_laptop_screen  # noqa: E402

TARGET_MS = 500


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="data folder to seed and keep (default: a temporary one)")
    parser.add_argument("--histories", action="store_true", help="give every finding its events")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspector-statistics-bench-"))
    use_offscreen_laptop_screen(work)
    data = args.data or work / "data"
    seed(data, args.findings)
    if args.histories:
        seed_histories(data)
    run(data, args.runs, work)
    return 0


def seed_histories(data: Path) -> None:
    from inspector.store import seed_ledger
    from inspector.store.database import open_data_folder

    db = open_data_folder(data).connect()
    started = time.perf_counter()
    made = seed_ledger.seed_histories(db)
    events = db.execute("SELECT count(*) FROM finding_events").fetchone()[0]
    print(f"events: {events} ({made} written now in {time.perf_counter() - started:.1f} s)")
    db.close()


def run(data: Path, runs: int, work: Path) -> None:
    from inspector.store.database import open_data_folder
    from inspector.ui.app import AppController, create_application
    from inspector.ui.shared.logs import CrashReporter, setup_logging
    from inspector.ui.statistics.data import load_statistics, recent_months

    app = create_application(["inspector-bench"])
    controller = AppController(app, data, CrashReporter(setup_logging(work / "logs")), load_checklists=False)
    window = controller.open_window()
    window.resize(1366, 728)
    ctx = controller.ctx
    assert ctx is not None

    def open_page(fresh: bool) -> float:
        started = time.perf_counter()
        page = window.show_page("statistics")
        if fresh:  # the data changed: the page computes and draws again
            page.load()
        while getattr(page, "worker", None) is not None:
            app.processEvents()
            time.sleep(0.002)
        app.processEvents()
        return (time.perf_counter() - started) * 1000

    first = open_page(fresh=False)
    later = [open_page(fresh=True) for _ in range(runs)]
    folder = open_data_folder(data)
    months = recent_months(time_now())
    computed = []
    for _ in range(runs):
        started = time.perf_counter()
        figures = load_statistics(folder, months, months[-1])
        computed.append((time.perf_counter() - started) * 1000)
    print(f"statistics page on {figures.findings} findings")
    print(f"open, first in the process (pyqtgraph imported): {first:.0f} ms (target <= {TARGET_MS} ms)")
    again = statistics.median(later)
    print(f"open again (figures recomputed and redrawn): median {again:.0f} ms (target <= {TARGET_MS} ms)")
    print(f"the figures computed on the worker alone: median {statistics.median(computed):.0f} ms")
    controller.close_window()


def time_now():  # type: ignore[no-untyped-def]
    from inspector.core.clock import utc_now

    return utc_now()


if __name__ == "__main__":
    sys.exit(main())
