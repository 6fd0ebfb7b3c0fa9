"""The ledger view over 100,000 findings in the local database: it opens, filters, searches, sorts and scrolls to the
end correctly while only a few pages of rows are ever held (speed is measured by bench/ledger_view.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication
from ui_helpers import close_app, open_app

from inspector.store.database import open_data_folder
from inspector.store.seed_ledger import seed_large_ledger

COUNT = 100_000


def _scalar(db, sql: str, *args: object) -> object:  # type: ignore[no-untyped-def]
    return db.execute(sql, list(args)).fetchone()[0]


def test_hundred_thousand_findings_open_filter_search_sort_and_scroll(app, qtbot, data_dir: Path) -> None:  # type: ignore[no-untyped-def]
    folder = open_data_folder(data_dir)
    db = folder.connect()
    db.execute("PRAGMA cache_size = -131072")  # a bulk load: keep the indexes in memory while they grow
    assert seed_large_ledger(db, COUNT).findings == COUNT
    db.close()
    controller = open_app(data_dir)
    try:
        window, ctx = controller.window, controller.ctx
        page = window.show_page("findings")
        model = page.model
        assert model.total == COUNT and "100000" in page.count.text().replace(",", "")
        first = model.finding_at(0)
        newest = _scalar(ctx.db, "SELECT max(reported_at) FROM findings")
        assert first is not None and first.view.reported_at.isoformat()[:19] == str(newest)[:19]

        page.state_filter.setCurrentIndex(page.state_filter.findData("assigned"))
        assigned = _scalar(ctx.db, "SELECT count(*) FROM findings WHERE state = 'assigned'")
        assert model.total == assigned and all(f.view.state.value == "assigned" for f in model.rows[:250])

        page.table.horizontalHeader().sectionClicked.emit(model.COLUMNS.index("deadline"))
        deadlines = [f.view.deadline for f in model.rows[:300]]
        assert deadlines == sorted(deadlines)
        earliest = _scalar(ctx.db, "SELECT min(deadline) FROM findings WHERE state = 'assigned'")
        assert deadlines[0].isoformat() == earliest
        last = model.finding_at(model.total - 1)  # the end of the list, read without the pages between
        latest = _scalar(ctx.db, "SELECT max(deadline) FROM findings WHERE state = 'assigned'")
        assert last is not None and last.view.deadline.isoformat() == latest
        assert len(model.pages) <= model.MAX_PAGES  # a few pages held, never the list

        page.state_filter.setCurrentIndex(0)
        page.search.setText("编号99999")
        page._filter_later.flush()
        assert model.total == 1 and model.rows[0].view.description.endswith("编号99999")
        page.search.setText("井盖")  # two characters
        page._filter_later.flush()
        wells = _scalar(ctx.db, "SELECT count(*) FROM findings WHERE description LIKE '%井盖%'")
        assert model.total == wells and all("井盖" in f.view.description for f in model.rows[:200])
        page.search.clear()
        page._filter_later.flush()

        deep = _scalar(ctx.db, "SELECT id FROM findings WHERE description LIKE '%编号54321'")
        page.select_finding(str(deep))
        QApplication.processEvents()
        row = page.table.currentIndex().row()
        assert row == model.row_of(str(deep)) and row > 1000 and page.detail.finding.id == deep
    finally:
        close_app(controller)
