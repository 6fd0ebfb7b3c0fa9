"""Inspection levels on the server: the push stores `level` and `programme` and the feed carries them (SQLite and
PostgreSQL); an older client's inspection (no level) is a 街乡自查; the release's inspections get their level from
their cases' source (migration 0008)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from server_support import SLT_COMMUNITY, Api, ServerEnv, applied_result, inspection
from sqlalchemy import create_engine, select, text

from inspector.core.levels import level_from_source
from inspector.server.migrate import head_revision, upgrade
from inspector.server.models import Inspection

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-server.sqlite"


def test_the_level_and_programme_are_stored_and_fed_back(api: Api, env: ServerEnv) -> None:
    inspector = api.login("slt-ins")
    city = inspection(inspector, SLT_COMMUNITY)
    city["payload"].update(level="city", programme="2025-beijie-zhuanxiang")
    older = inspection(inspector, SLT_COMMUNITY)  # a client from before levels: no level, no programme
    wrong = inspection(inspector, SLT_COMMUNITY)
    wrong["payload"]["level"] = "province"
    results = inspector.push(city, older, wrong)
    assert applied_result(results, 0)["inspection"]["level"] == "city"
    assert applied_result(results, 1)["inspection"]["level"] == "street_self"
    assert results[2]["status"] == "rejected" and results[2]["code"] == "invalid_payload"
    assert "level" in results[2]["message"]
    with env.db.read() as session:
        rows = dict(session.execute(select(Inspection.id, Inspection.level)).all())
        programme = session.scalar(select(Inspection.programme).where(Inspection.level == "city"))
    assert rows == {city["payload"]["inspection_id"]: "city", older["payload"]["inspection_id"]: "street_self"}
    assert programme == "2025-beijie-zhuanxiang"
    fed = {
        entry["id"]: (entry["data"]["level"], entry["data"]["programme"])
        for entry in inspector.feed()["entries"]
        if entry["kind"] == "inspection"
    }
    assert fed == {
        city["payload"]["inspection_id"]: ("city", "2025-beijie-zhuanxiang"),
        older["payload"]["inspection_id"]: ("street_self", None),
    }


def test_the_releases_inspections_take_the_level_of_their_cases_source(tmp_path: Path) -> None:
    copy = tmp_path / "release.db"
    shutil.copyfile(RELEASE, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        with engine.connect() as connection:
            before = dict(connection.execute(text("SELECT id, data FROM inspections")).fetchall())
        assert upgrade(engine) == ("0002", head_revision())
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT id, level, programme, data FROM inspections")).fetchall()
            reported = connection.execute(
                text(
                    "SELECT e.payload, f.source FROM finding_events e JOIN findings f ON f.id = e.finding_id "
                    "WHERE e.action IN ('report', 'report_fixed_on_site')"
                )
            ).fetchall()
        sources = {json.loads(payload).get("inspection_id"): source for payload, source in reported}
        assert rows and {row[0] for row in rows} == set(before)
        for inspection_id, level, programme, data in rows:
            assert level == level_from_source(sources.get(inspection_id)).value and programme is None
            document = json.loads(data)
            assert document["level"] == level and document["programme"] is None
            assert {key: value for key, value in document.items() if key not in ("level", "programme")} == json.loads(
                before[inspection_id]
            )
    finally:
        engine.dispose()
