"""Run as a child process by the statistics tests: open the real window on a data folder, visit every other page,
report whether pyqtgraph was imported, then open the statistics page and export each panel as PNG.

Usage: python statistics_child.py DATA_DIR OUT_DIR  → prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from ui_helpers import close_app, open_app

from inspector.ui.app import create_application


def main(data_dir: Path, out: Path) -> dict[str, object]:
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).with_name('laptop-screen.json')}"
    app = create_application(["inspector-statistics-child"])
    controller = open_app(data_dir)
    window = controller.window
    for key in ("today", "inspections", "subjects", "review", "findings", "settings"):
        window.show_page(key)
        app.processEvents()
    before = "pyqtgraph" in sys.modules
    page = window.show_page("statistics")
    after_build = "pyqtgraph" in sys.modules
    assert page.worker is not None
    controller.ctx.pool.wait()
    app.processEvents()
    exported = {key: str(panel.export_png(out / f"{key}.png")) for key, panel in page.panels.items()}
    summaries = {key: panel.summary.text() for key, panel in page.panels.items()}
    close_app(controller)
    return {"imported_before": before, "imported_after": after_build, "exported": exported, "summaries": summaries}


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2])), ensure_ascii=False))
