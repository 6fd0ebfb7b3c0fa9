"""Run as a child process by the statistics tests: watch every import of numpy and pyqtgraph, open the real window
on a data folder, visit every other page (noting what was imported by then), let the statistics page compute and
export each panel as PNG, and report.

Usage: python statistics_child.py DATA_DIR OUT_DIR  → prints one JSON line.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

WATCHED = ("numpy", "pyqtgraph")
IMPORT_MACHINERY = ("importlib", "_frozen_importlib", __name__)


class ImportWatch(importlib.abc.MetaPathFinder):
    """Notes each attempt to import a watched package (found or not) and the module that asked for it."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, str]] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in WATCHED:
            self.attempts.append((fullname, importer()))
        return None  # the other finders decide as usual


def importer() -> str:
    """The module whose code is importing: the first frame outside the import machinery."""
    frame = sys._getframe(1)
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith(IMPORT_MACHINERY):
        frame = frame.f_back  # type: ignore[assignment]
    return str(frame.f_globals.get("__name__", "?")) if frame is not None else "?"


def main(data_dir: Path, out: Path) -> dict[str, object]:
    watch = ImportWatch()
    sys.meta_path.insert(0, watch)
    from ui_helpers import close_app, open_app, qt_platform_path

    screen = qt_platform_path(Path(__file__).with_name("laptop-screen.json"))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={screen}"

    from inspector.ui.app import create_application

    app = create_application(["inspector-statistics-child"])
    controller = open_app(data_dir)
    window = controller.window
    for key in ("today", "inspections", "subjects", "review", "findings", "settings"):
        window.show_page(key)
        app.processEvents()
    before = sorted(name for name in sys.modules if name.split(".")[0] in WATCHED)
    attempts_before = list(watch.attempts)
    page = window.show_page("statistics")
    assert page.worker is not None
    controller.ctx.pool.wait()
    app.processEvents()
    exported = {key: str(panel.export_png(out / f"{key}.png")) for key, panel in page.panels.items()}
    summaries = {key: panel.summary.text() for key, panel in page.panels.items()}
    series = {key: [s.name for s in chart.data.series]
              for key, chart in (("findings", page.findings_chart), ("closure", page.closure_chart),
                                 ("overdue", page.overdue_chart))}  # fmt: skip
    close_app(controller)
    loaded = sorted(name for name in sys.modules if name.split(".")[0] in WATCHED)
    return {"loaded_before": before, "attempts_before": attempts_before, "loaded": loaded,
            "attempts": watch.attempts, "exported": exported, "summaries": summaries, "series": series}  # fmt: skip


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False))
