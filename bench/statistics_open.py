"""The statistics page on a ledger of 100,000 findings, offscreen on a 1366×768 virtual screen, as the user meets it:
from the click until its figures are shown, and until its charts are drawn too (painted, each time). The first opening
in a process is measured twice, each in a new process: at once after the main window is shown (the page starts the
chart library's background import itself) and after an idle moment in which the app's background warm-up ran; for
that idle moment the GUI thread's longest block is printed (the window must not freeze while it warms up). Then later
openings (figures recomputed and redrawn) and the worker's computation alone.

Run: .venv/bin/python bench/statistics_open.py [--findings 100000] [--runs 3] [--idle 3] [--data DIR] [--histories]

With --histories every finding also gets the server-confirmed events leading to its state (some extended), so the
overdue count at each past month's end has histories to go through.
Targets: open ≤ 500 ms (figures and charts); the GUI thread's longest block while warming up ≤ 100 ms.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from ledger_view import seed, use_offscreen_laptop_screen  # noqa: E402
from startup import event_loop_gaps  # noqa: E402

TARGET_MS = 500
BLOCK_MS = 100  # as bench/startup.py's longest stall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--data", type=Path, help="data folder to seed and keep (default: a temporary one)")
    parser.add_argument("--histories", action="store_true", help="give every finding its events")
    parser.add_argument("--idle", type=float, default=5.0, help="seconds between the window and the click, idle case")
    parser.add_argument("--child", choices=("at-once", "idle"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:  # one first opening in this process; prints its figures as JSON
        print(json.dumps(child(args.data, args.child, args.runs, args.idle, Path(tempfile.mkdtemp()))))
        return 0
    work = Path(tempfile.mkdtemp(prefix="inspector-statistics-bench-"))
    use_offscreen_laptop_screen(work)
    data = args.data or work / "data"
    seed(data, args.findings)
    if args.histories:
        seed_histories(data)
    results = {mode: run_child(data, mode, args.runs, args.idle) for mode in ("at-once", "idle")}
    report(results)
    return 0


def run_child(data: Path, mode: str, runs: int, idle: float) -> dict[str, Any]:
    command = [sys.executable, __file__, "--child", mode, "--data", str(data), "--runs", str(runs),
               "--idle", str(idle)]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the {mode} child failed: {done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def verdict(value: float, limit: float) -> str:
    return f"(target <= {limit:.0f} ms: {'met' if value <= limit else 'NOT met'})"


def report(results: dict[str, dict[str, Any]]) -> None:
    at_once, idle = results["at-once"], results["idle"]
    print(f"statistics page on {at_once['findings']} findings")
    print("open, first in the process, at once after the main window is shown:")
    for key, label in (("figures", "figures shown"), ("charts", "figures and charts shown")):
        print(f"   {label:26s} {at_once[key]:6.0f} ms {verdict(at_once[key], TARGET_MS)}")
    print(f"   GUI thread's longest block meanwhile {at_once['block']:.0f} ms {verdict(at_once['block'], BLOCK_MS)}")
    print(f"open, first in the process, {idle['idle']:.1f} s after the main window is shown "
          f"(background warm-up took {idle['warm_up']:.0f} ms):")  # fmt: skip
    for key, label in (("figures", "figures shown"), ("charts", "figures and charts shown")):
        print(f"   {label:26s} {idle[key]:6.0f} ms {verdict(idle[key], TARGET_MS)}")
    print(f"   GUI thread's longest block during the warm-up {idle['warm_up_block']:.0f} ms "
          f"{verdict(idle['warm_up_block'], BLOCK_MS)}, while opening {idle['block']:.0f} ms")  # fmt: skip
    again = statistics.median(at_once["later"])
    each = ", ".join(f"{value:.0f}" for value in at_once["later"])
    print(f"open again (figures recomputed and redrawn): median {again:.0f} ms {verdict(again, TARGET_MS)}; each, in "
          f"order: {each} ms (the first ones while the start-up's background jobs still run)")  # fmt: skip
    print(f"the figures computed on the worker alone: median {statistics.median(at_once['computed']):.0f} ms")


def seed_histories(data: Path) -> None:
    from inspector.store import seed_ledger
    from inspector.store.database import open_data_folder

    db = open_data_folder(data).connect()
    started = time.perf_counter()
    made = seed_ledger.seed_histories(db)
    events = db.execute("SELECT count(*) FROM finding_events").fetchone()[0]
    print(f"events: {events} ({made} written now in {time.perf_counter() - started:.1f} s)")
    db.close()


def child(data: Path, mode: str, runs: int, idle: float, work: Path) -> dict[str, Any]:
    """In a new process: the window on `data`, then the statistics page opened (at once, or after `idle` seconds
    of the real event loop in which the background warm-up runs), then opened again `runs` times."""
    from PySide6.QtWidgets import QApplication

    from inspector.store import settings
    from inspector.store.database import open_data_folder
    from inspector.ui.app import AppController, create_application
    from inspector.ui.shared.logs import CrashReporter, setup_logging

    db = open_data_folder(data).connect()
    settings.put(db, "window.page", "today")  # the window opens on 今日, as on a first day; the click opens 统计
    db.close()
    app = create_application(["inspector-bench"])
    controller = AppController(app, data, CrashReporter(setup_logging(work / "logs")), load_checklists=False)
    window = controller.open_window()
    window.resize(1366, 728)
    window.repaint()
    result: dict[str, Any] = {"idle": 0.0, "warm_up": 0.0, "warm_up_block": 0.0}
    if mode == "idle":
        from inspector.ui.statistics import warm_up

        started = time.perf_counter()
        gaps = event_loop_gaps(app, lambda: time.perf_counter() - started >= idle and warm_up.started_and_done())
        result.update(idle=time.perf_counter() - started, warm_up=warm_up.took_ms(), warm_up_block=gaps[-1] * 1000)

    def open_page(fresh: bool) -> tuple[float, float, float]:
        """Milliseconds to the figures shown, to the charts drawn, and the longest GUI-thread block between."""
        started = last = time.perf_counter()
        longest = 0.0
        page = window.show_page("statistics")
        if fresh:  # the data changed: the page computes and draws again
            page.load()
        figures = 0.0
        charts = (page.findings_chart, page.closure_chart, page.overdue_chart)
        while not figures or any(chart.waiting for chart in charts):
            QApplication.processEvents()
            if not figures and getattr(page, "worker", None) is None:
                page.repaint()
                figures = (time.perf_counter() - started) * 1000
            now = time.perf_counter()
            longest, last = max(longest, now - last), now
            time.sleep(0.002)
            last = time.perf_counter()
        QApplication.processEvents()
        page.repaint()
        longest = max(longest, time.perf_counter() - last)
        return figures, (time.perf_counter() - started) * 1000, longest * 1000

    result["figures"], result["charts"], result["block"] = open_page(fresh=False)
    result["later"] = [open_page(fresh=True)[1] for _ in range(runs)] if mode == "at-once" else []
    result["computed"] = compute_alone(data, runs) if mode == "at-once" else []
    page = window.pages["statistics"]
    result["findings"] = page.data.findings if page.data is not None else 0
    controller.close_window()
    return result


def compute_alone(data: Path, runs: int) -> list[float]:
    from inspector.store.database import open_data_folder
    from inspector.ui.statistics.data import load_statistics, recent_months

    folder = open_data_folder(data)
    months = recent_months(time_now())
    computed = []
    for _ in range(runs):
        started = time.perf_counter()
        load_statistics(folder, months, months[-1])
        computed.append((time.perf_counter() - started) * 1000)
    return computed


def time_now():  # type: ignore[no-untyped-def]
    from inspector.core.clock import utc_now

    return utc_now()


if __name__ == "__main__":
    sys.exit(main())
