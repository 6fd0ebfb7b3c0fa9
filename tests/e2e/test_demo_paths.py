"""The README's two demo paths together: a laptop folder filled by `inspector seed`, synced as `slt-inspector` to a
server made by `inspector-server init --demo`, ends clean: no refusal, no conflict, nothing left waiting."""

from __future__ import annotations

import csv
from pathlib import Path

from e2e_support import ServerProcess

from inspector.server.cli import DEMO_USERS
from inspector.store import findings, outbox, subjects
from inspector.store.database import open_data_folder
from inspector.store.seed import seed_demo_data
from inspector.sync.engine import SyncEngine, login


def demo_password(username: str) -> str:
    lines = [line for line in DEMO_USERS.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    return next(row["password"] for row in csv.DictReader(lines) if row["username"] == username)


def test_a_seeded_laptop_syncs_to_the_demo_server_without_refusals(server: ServerProcess, tmp_path: Path) -> None:
    folder = open_data_folder(tmp_path / "laptop")
    report = seed_demo_data(folder, inspections=12, photos=8)
    assert report.pending_changes > 0  # the seed leaves work to sync, as a newcomer's laptop would have

    connection = folder.connect()
    try:
        local_subjects = {subject.id for subject in subjects.list_subjects(connection)}
        waiting_reports = {finding.id for finding in findings.list_findings(connection, pending_only=True)}
    finally:
        connection.close()
    assert len(local_subjects) == report.subjects and waiting_reports

    login(folder, server.url, "slt-inspector", demo_password("slt-inspector"))
    summary = SyncEngine(folder).run_cycle()
    assert summary.outcome == "ok", (summary.error, summary.refused, summary.problems)
    assert summary.rejected == 0, summary.refused
    assert summary.conflicts == 0, summary.refused
    assert summary.pending_after == 0
    assert summary.acknowledged == report.pending_changes

    with server.database() as db:  # the seed's subjects and waiting reports now live on the server
        server_subjects = {row[0] for row in db.execute("SELECT id FROM subjects")}
        server_findings = {row[0] for row in db.execute("SELECT id FROM findings")}
    assert local_subjects <= server_subjects
    assert waiting_reports <= server_findings
    connection = folder.connect()
    try:
        assert outbox.count_pending(connection) == 0
        assert connection.execute("SELECT count(*) FROM conflicts").fetchone()[0] == 0
    finally:
        connection.close()
