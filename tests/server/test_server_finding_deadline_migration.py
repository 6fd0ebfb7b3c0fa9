"""Migration 0007 on the release's database: each finding's deadline becomes a column equal to its projection's,
and the dashboard's index covers the columns its figures count."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from inspector.server.migrate import head_revision, upgrade

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-server.sqlite"


def test_the_deadline_column_is_filled_from_each_findings_projection(tmp_path: Path) -> None:
    copy = tmp_path / "release.db"
    shutil.copyfile(RELEASE, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        assert upgrade(engine) == ("0002", head_revision())
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT data, deadline FROM findings")).fetchall()
        assert rows and any(deadline for _, deadline in rows)
        for data, deadline in rows:
            assert deadline == json.loads(data).get("deadline")
        index = {item["name"]: item["column_names"] for item in inspect(engine).get_indexes("findings")}
        assert {"kind", "source", "escalation", "deadline", "state"} <= set(index["ix_findings_dashboard"])
    finally:
        engine.dispose()
