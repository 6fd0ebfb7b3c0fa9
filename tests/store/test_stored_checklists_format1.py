"""Checklists a laptop stored before provenance said what a source is (format 1, release 0.1) still load after the
upgrade; their "official" is read as marked-official-in-an-old-version, and the new shipped versions sit beside them."""

from __future__ import annotations

import shutil
from pathlib import Path

from inspector.core.checklist_schema import FORMAT, FORMAT_1
from inspector.paths import shipped_checklists_dir
from inspector.store import checklists
from inspector.store.database import DB_FILENAME, open_data_folder

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-client.sqlite"


def test_stored_format_1_checklists_load_beside_the_new_versions(tmp_path: Path) -> None:
    shutil.copyfile(RELEASE, tmp_path / DB_FILENAME)
    db = open_data_folder(tmp_path).connect()
    try:
        stored = [(c.id, c.version) for c in checklists.list_cached(db)]
        assert len(stored) >= 13
        for checklist_id, version in stored:
            text = db.execute(
                "SELECT source_text FROM checklists WHERE id = ? AND version = ?", [checklist_id, version]
            ).fetchone()[0]
            old = checklists.get(db, checklist_id, version)
            assert old.format == FORMAT_1
            marks = [i.provenance for i in old.items] + [s.provenance for s in old.sections if s.provenance]
            assert sum(p.status == "legacy_official" for p in marks) == text.count("status: official")
            assert old.provenance_counts()["current_rule"] == 0 and not any(p.is_official for p in marks)
        cached, problems = checklists.cache_shipped(db, shipped_checklists_dir())
        assert problems == [] and {c.format for c in cached} == {FORMAT}
        assert checklists.latest(db, "menqian-sanbao").version == "2026.2"
        assert checklists.get(db, "menqian-sanbao", "2026.1").format == FORMAT_1  # pinned inspections still read it
    finally:
        db.close()
