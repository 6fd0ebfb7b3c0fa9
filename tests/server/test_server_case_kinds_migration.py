"""A district database made by the release before case kinds (tests/data/release-0.1-server.sqlite) converts without
loss on SQLite and on PostgreSQL: every event and hash kept, kinds from the checklists, 督办 that binds afterwards."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from fastapi.testclient import TestClient
from pg_support import PgCluster
from server_support import HEADERS, server_settings
from sqlalchemy import MetaData, create_engine, select, text

from inspector.core.clock import add_days, local_date, utc_now
from inspector.server.app import create_app
from inspector.server.db import Database
from inspector.server.encoding import loads
from inspector.server.ledger_store import verify_ledger
from inspector.server.migrate import alembic_config, current_revision, head_revision, upgrade

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-server.sqlite"
PASSWORD = "e2e-pass-2026"  # the accounts tests/data/make_release_dbs.py made
_names = iter(range(1, 1_000_000))


def _copy_rows(source_url: str, target_url: str) -> None:
    """Every row of the release database into a database at the same revision (PostgreSQL)."""
    source, target = create_engine(source_url), create_engine(target_url)
    try:
        tables = MetaData()
        tables.reflect(source)
        wanted = MetaData()
        wanted.reflect(target)
        with source.connect() as reading, target.begin() as writing:
            for table in reversed(wanted.sorted_tables):  # rows the migrations themselves made (the feed counter)
                if table.name != "alembic_version":
                    writing.execute(table.delete())
            for table in tables.sorted_tables:
                if table.name == "alembic_version":
                    continue
                rows = [dict(row._mapping) for row in reading.execute(select(table))]
                if rows:
                    writing.execute(wanted.tables[table.name].insert(), rows)
    finally:
        source.dispose()
        target.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def release_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The release's database, not yet converted, on each kind of database."""
    copy = tmp_path / "release.db"
    shutil.copyfile(RELEASE, copy)
    if request.param == "sqlite":
        yield f"sqlite:///{copy}"
        return
    cluster: PgCluster = request.getfixturevalue("pg_cluster")
    name = f"release{next(_names)}"
    url = cluster.create_database(name)
    config = alembic_config(url)
    engine = create_engine(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    engine.dispose()
    _copy_rows(f"sqlite:///{copy}", url)
    yield url
    cluster.drop_database(name)


def _snapshot(url: str) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            events = connection.execute(
                text("SELECT event_id, idx, action, payload, prev_hash, hash FROM finding_events ORDER BY event_id")
            ).all()
            findings = connection.execute(text("SELECT id, data FROM findings ORDER BY id")).all()
        return {"events": [tuple(row) for row in events], "findings": {row[0]: loads(row[1]) for row in findings}}
    finally:
        engine.dispose()


def test_the_release_database_converts_without_loss(release_url: str) -> None:
    before = _snapshot(release_url)
    engine = create_engine(release_url)
    assert upgrade(engine) == ("0002", head_revision())
    assert current_revision(engine) == head_revision()
    engine.dispose()
    after = _snapshot(release_url)
    assert after["events"] == before["events"]  # not one event, payload or hash touched
    db = Database(release_url)
    try:
        with db.read() as session:
            report = verify_ledger(session)
            rows = session.execute(text("SELECT id, kind, source, severity, escalation, state FROM findings")).all()
            feed = session.execute(text("SELECT entity_id, data FROM feed WHERE kind = 'finding'")).all()
    finally:
        db.dispose()
    assert report.ok, report.problems
    assert report.findings == 7
    by_kind: dict[str, list[Any]] = {"problem": [], "hazard": []}
    for finding_id, kind, source, severity, escalation, state in rows:
        by_kind[kind].append((state, severity, escalation))
        document = after["findings"][finding_id]
        assert (document["kind"], document["source"], source) == (kind, "patrol", "patrol")
        assert document["event_count"] == before["findings"][finding_id]["event_count"]
        if kind == "problem":
            assert severity is None and document["severity"] is None
            assert before["findings"][finding_id]["severity"] in ("general", "major")  # kept in its events
    # the four 背街小巷 reports are problems, the three gas ones hazards (tests/data/make_release_dbs.py)
    assert sorted(by_kind["problem"]) == [
        ("assigned", None, "district"),
        ("closed", None, None),
        ("rejected", None, None),
        ("reported", None, None),
    ]
    assert sorted(by_kind["hazard"]) == [
        ("assigned", "general", None),
        ("assigned", "major", "city"),
        ("closed", "general", None),
    ]
    extended = next(doc for doc in after["findings"].values() if doc["extension_count"])
    assert extended["extension_reasons"] == ["需更换管线"]  # the old extend counts as an extension
    for _finding_id, data in feed:
        assert loads(data)["kind"] in ("problem", "hazard")


def test_after_conversion_a_city_escalation_binds_and_old_cases_run_on(release_url: str, tmp_path: Path) -> None:
    upgrade(create_engine(release_url))
    db = Database(release_url)
    app = create_app(server_settings(tmp_path / "data", release_url), db)
    try:
        with TestClient(app) as client:
            reply = client.post(
                "/api/v1/auth/login",
                headers=HEADERS,
                json={"username": "sup", "password": PASSWORD, "device_id": "0195f7a2-0000-7000-8000-000000000001"},
            )
            assert reply.status_code == 200, reply.text
            auth = {**HEADERS, "Authorization": f"Bearer {reply.json()['token']}"}
            with db.read() as session:
                rows = session.execute(text("SELECT id, kind, escalation, state FROM findings")).all()
            city = next(row.id for row in rows if row.escalation == "city")
            problem = next(row.id for row in rows if row.kind == "problem" and row.state == "reported")

            def command(finding_id: str, action: str, base: str, payload: dict[str, Any]) -> dict[str, Any]:
                body = {
                    "event_id": f"0195f7a2-0000-7000-8000-{next(_names):012d}",
                    "finding_id": finding_id,
                    "action": action,
                    "payload": payload,
                    "base_state": base,
                    "at": utc_now().isoformat().replace("+00:00", "Z"),
                }
                change = {"change_id": body["event_id"], "kind": "ledger.command", "payload": body}
                result = client.post("/api/v1/push", headers=auth, json={"changes": [change]})
                assert result.status_code == 200, result.text
                return dict(result.json()["results"][0])

            lifted = command(city, "lift_escalation", "assigned", {"note": "摘牌"})
            assert (lifted["status"], lifted["code"]) == ("rejected", "escalation_level")
            accepted = command(problem, "accept", "reported", {})  # a problem is accepted without a grade
            assert accepted["status"] == "applied", accepted
            finding = accepted["result"]["finding"]
            assert (finding["kind"], finding["severity"], finding["state"]) == ("problem", None, "registered")
            deadline = add_days(local_date(utc_now()), 5).isoformat()
            escalated = command(
                problem, "escalate", "registered", {"level": "street", "unit": "街道", "deadline": deadline}
            )
            assert escalated["result"]["finding"]["escalation_unit"] == "街道"
        with db.read() as session:
            assert verify_ledger(session).ok
    finally:
        db.dispose()
