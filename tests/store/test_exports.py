"""The laptop's ledger export read from a real data folder: every row of the selection, progress as it goes, and a
cancel that leaves no file behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from inspector.exports import PROGRESS_EVERY, ExportCancelledError, export_ledger
from inspector.store.database import DataFolder
from inspector.store.ledger_queries import LedgerQuery, LedgerSort
from inspector.store.seed_ledger import seed_large_ledger

COUNT = 450


class Recorded:
    """A progress that remembers what it was told and asks to stop after `stop_after` reports."""

    def __init__(self, stop_after: int | None = None) -> None:
        self.reports: list[tuple[int, int]] = []
        self.stop_after = stop_after

    def advanced(self, done: int, total: int) -> None:
        self.reports.append((done, total))

    def cancelled(self) -> bool:
        return self.stop_after is not None and len(self.reports) >= self.stop_after


@pytest.fixture
def seeded(folder: DataFolder) -> DataFolder:
    db = folder.connect()
    try:
        seed_large_ledger(db, COUNT)
    finally:
        db.close()
    return folder


def test_the_whole_selection_is_written_with_progress(seeded: DataFolder, tmp_path: Path) -> None:
    progress = Recorded()
    done = export_ledger(seeded, LedgerQuery(), LedgerSort(), tmp_path / "ledger.xlsx", "test", progress)
    assert done.rows == COUNT and done.path.exists()
    assert progress.reports == [(PROGRESS_EVERY, COUNT), (2 * PROGRESS_EVERY, COUNT), (COUNT, COUNT)]
    book = load_workbook(done.path, read_only=True)
    rows = sum(1 for name in ("问题台账", "隐患排查治理台账") for _ in book[name].iter_rows())
    assert rows > COUNT  # a row per finding under the headings of the two ledgers


def test_a_cancel_stops_the_export_and_writes_nothing(seeded: DataFolder, tmp_path: Path) -> None:
    target = tmp_path / "ledger.xlsx"
    with pytest.raises(ExportCancelledError):
        export_ledger(seeded, LedgerQuery(), LedgerSort(), target, "test", Recorded(stop_after=1))
    assert not target.exists()
