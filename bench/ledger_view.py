"""The ledger view (隐患台账) with 100,000 findings in the local database, offscreen on a 1366×768 virtual screen:

1. opening the ledger view (the page built, its first page of rows read and painted): the first opening in the
   process (its modules imported) and the median of later openings of a fresh page;
2. changing a filter (state, category, 街乡, overdue, searches of one, two and three characters and of a digit
   found in most findings), each followed by the repaint: median per filter;
3. sorting by deadline (a header click, both directions): median;
4. peak memory: the peak of Python allocations while opening, filtering and sorting (tracemalloc), and the
   process's peak resident size;
5. exporting about 10,000 rows of the database to xlsx through the app's export (rows per second);
6. the search's trigram indexes (schema steps 0003 and 0018): the space they take and the time to build them for the
   findings of a database without them (on a copy of the seeded database, the step alone and the whole opening with the
   copy taken before migrating).

Run: .venv/bin/python bench/ledger_view.py [--findings 100000] [--runs 7] [--data DIR]
Targets: open ≤ 300 ms, filter and sort ≤ 150 ms. The data folder is seeded once (bulk insert through the store)
and kept with --data for later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SCREEN = {"name": "laptop", "x": 0, "y": 0, "width": 1366, "height": 768, "logicalDpi": 96, "logicalBaseDpi": 96,
          "dpr": 1}  # fmt: skip


def use_offscreen_laptop_screen(folder: Path) -> None:
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [SCREEN]}), encoding="utf-8")
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def seed(data: Path, count: int) -> None:
    from inspector.store.database import open_data_folder
    from inspector.store.seed_ledger import seed_large_ledger

    folder = open_data_folder(data)
    db = folder.connect()
    known = db.execute("SELECT count(*) FROM findings").fetchone()[0]
    if known >= count:
        print(f"data folder {data}: {known} findings already")
        db.close()
        return
    db.execute("PRAGMA cache_size = -131072")
    started = time.perf_counter()
    made = seed_large_ledger(db, count).findings
    print(f"seeded {made} findings in {time.perf_counter() - started:.1f} s "
          f"({(data / 'inspector.db').stat().st_size / 2**20:.0f} MB database)")  # fmt: skip
    db.close()


SEARCHES = ("井", "井盖", "占道摆", "0")  # one, two, three characters; a digit most findings hold


def timed(action: Callable[[], Any], settle: Callable[[], None]) -> float:
    """Milliseconds for an action and the repaint it causes."""
    started = time.perf_counter()
    action()
    settle()
    return (time.perf_counter() - started) * 1000


def median(values: list[float]) -> str:
    return f"{statistics.median(values):7.1f} ms (min {min(values):.1f}, max {max(values):.1f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--data", type=Path, help="data folder to seed and keep (default: a temporary one)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="inspector-ledger-bench-"))
    use_offscreen_laptop_screen(work)
    data = args.data or work / "data"
    seed(data, args.findings)
    run(data, args.runs, work)
    text_index_figures(data, work)
    return 0


def run(data: Path, runs: int, work: Path) -> None:
    from inspector.store.ledger_queries import LedgerQuery
    from inspector.ui.app import AppController, create_application
    from inspector.ui.shared.logs import CrashReporter, setup_logging

    app = create_application(["inspector-bench"])
    controller = AppController(app, data, CrashReporter(setup_logging(work / "logs")), load_checklists=False)
    window = controller.open_window()
    window.resize(1366, 728)
    ctx = controller.ctx
    assert ctx is not None

    def settle() -> None:
        app.processEvents()

    first = timed(lambda: window.show_page("findings"), settle)
    page = window.pages["findings"]
    print(f"findings in the database: {page.model.total}")
    print(f"open, first in the process: {first:7.1f} ms")
    measure(ctx, window, page, runs, settle)
    tracemalloc.start()  # a second, untimed pass for memory (tracemalloc slows Python down several times)
    measure(ctx, window, page, 1, settle, quiet=True)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak Python allocations {peak / 2**20:.1f} MiB (now {current / 2**20:.1f} MiB); peak RSS {rss:.0f} MiB")
    export_rows(ctx, LedgerQuery(category=page.filters.category_filter.itemData(1)), work)
    controller.close_window()


def measure(ctx: Any, window: Any, page: Any, runs: int, settle: Callable[[], None], quiet: bool = False) -> None:
    """Open fresh pages, change each filter, sort by deadline; print the medians unless quiet."""
    from inspector.ui.ledger.view import FindingsView

    def say(text: str) -> None:
        if not quiet:
            print(text)

    opened: list[Any] = []

    def open_fresh() -> None:
        fresh = FindingsView(ctx)
        window.stack.addWidget(fresh)
        window.stack.setCurrentWidget(fresh)
        opened.append(fresh)

    openings = [timed(open_fresh, settle) for _ in range(runs)]
    for fresh in opened:
        window.stack.removeWidget(fresh)
        fresh.deleteLater()
    window.stack.setCurrentWidget(page)
    settle()
    say(f"open (median of {runs}):    {median(openings)}")

    filters = page.filters
    changes: dict[str, Callable[[], None]] = {
        "state 整改中": lambda: filters.state_filter.setCurrentIndex(filters.state_filter.findData("assigned")),
        "category": lambda: filters.category_filter.setCurrentIndex(1),
        "街乡": lambda: filters.street_filter.setCurrentIndex(2),
        "overdue only": lambda: filters.overdue_only.setChecked(True),
    }
    for text in SEARCHES:
        changes[f"search {text}"] = lambda text=text: (filters.search.setText(text), filters._filter_later.flush())
    for name, change in changes.items():
        spent = []
        for _ in range(runs):
            filters.clear()
            settle()
            spent.append(timed(change, settle))
        say(f"filter {name:13s} {median(spent)}  → {page.model.total} rows")
    filters.clear()
    settle()
    header = page.table.horizontalHeader()
    deadline = page.model.COLUMNS.index("deadline")
    sorts = [timed(lambda: header.sectionClicked.emit(deadline), settle) for _ in range(runs)]
    say(f"sort by deadline:     {median(sorts)}")


def export_rows(ctx: Any, query: Any, work: Path) -> None:
    """The app's xlsx export of one category (about an eighth of the ledger) on this thread."""
    from inspector.exports import export_ledger
    from inspector.store.ledger_queries import LedgerSort

    target = work / "ledger.xlsx"
    started, cpu = time.perf_counter(), time.process_time()
    done = export_ledger(ctx.folder, query, LedgerSort(), target, "bench")
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    print(f"xlsx export: {done.rows} rows in {seconds:.1f} s ({cpu_seconds:.1f} s CPU), {done.rows / seconds:.0f} "
          f"rows/s, {target.stat().st_size / 2**20:.1f} MB; 10,000 rows ≈ {10_000 / done.rows * seconds:.1f} s")


def text_index_figures(data: Path, work: Path) -> None:
    """The index's size, and the time of schema step 0003 on a copy of the database without it."""
    import sqlite3

    from inspector.store.database import open_data_folder, transaction

    try:
        from inspector.store import text_index
    except ImportError:
        print("no text index in this version")
        return
    copy = work / "migration" / "inspector.db"
    copy.parent.mkdir()
    source, target = sqlite3.connect(str(data / "inspector.db")), sqlite3.connect(str(copy))
    source.backup(target)
    source.close()
    target.close()
    db = open_data_folder(copy.parent).connect()
    with_index = used_bytes(db)
    drop_text_index(db)
    without = used_bytes(db)
    started = time.perf_counter()
    with transaction(db):
        text_index.split_numbers(db)
    step = time.perf_counter() - started
    print(f"text index: {(used_bytes(db) - without) / 2**20:.1f} MiB ({(with_index - without) / 2**20:.1f} MiB as "
          f"seeded) on {without / 2**20:.0f} MiB without it; made alone {step:.1f} s")  # fmt: skip
    drop_text_index(db)
    db.close()
    started = time.perf_counter()
    open_data_folder(copy.parent)
    print(f"opening it without the index (copy of the file, then steps 0003 and 0018): "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    shutil.rmtree(copy.parent)  # two copies of the database


def drop_text_index(db: Any) -> None:
    """The indexes, their term lists and their triggers gone, the steps that make them (0003, 0018) not applied."""
    from inspector.store import text_index

    text_index.drop(db)
    db.execute("DELETE FROM _sqlite_migrations WHERE name IN ('0003_finding_text_index', "
               "'0018_ledger_number_text_index')")  # fmt: skip


def used_bytes(db: Any) -> int:
    """Bytes of the database's pages in use (the file less its free pages)."""
    pages, free, size = (db.execute(f"PRAGMA {name}").fetchone()[0] for name in ("page_count", "freelist_count",
                                                                                  "page_size"))  # fmt: skip
    return int((pages - free) * size)


if __name__ == "__main__":
    sys.exit(main())
