"""The "1+10" visit on the server (SQLite and PostgreSQL): one inspection.submit with the general list and an area list,
each scored on its own and kept as a row of `inspection_lists`, fed with its lists; bad lists refused; the release's
database gains one list per stored inspection."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from server_support import SLT_COMMUNITY, Api, ServerEnv, applied_result, change, checklist_items
from sqlalchemy import create_engine, select, text

from inspector.core.clock import now_iso
from inspector.core.ids import new_id
from inspector.server.migrate import head_revision, upgrade
from inspector.server.models import Inspection, InspectionList

RELEASE = Path(__file__).resolve().parents[1] / "data" / "release-0.1-server.sqlite"
GENERAL, GAS = "anquan-tongyong", "anquan-ranqi"


def _visit(api: Api) -> tuple[dict[str, Any], list[str]]:
    """A visit with every item of the general list and the gas list answered 合格 but the gas list's first."""
    general_version, general_items = checklist_items(api, GENERAL)
    gas_version, gas_items = checklist_items(api, GAS)
    gas = {item_id: {"result": "pass"} for item_id in gas_items}
    gas[gas_items[0]] = {"result": "fail", "occurrences": 1, "photos": [], "note": "软管老化"}
    payload = {
        "inspection_id": new_id(),
        "checklist_id": GENERAL,
        "checklist_version": general_version,
        "jurisdiction": SLT_COMMUNITY,
        "started_at": now_iso(),
        "finished_at": now_iso(),
        "responses": {item_id: {"result": "pass"} for item_id in general_items},
        "outcome": "未发现隐患",
        "lists": [{"checklist_id": GAS, "checklist_version": gas_version, "responses": gas, "outcome": "发现隐患"}],
    }
    return change("inspection.submit", payload), gas_items


def test_a_visit_is_scored_per_list_stored_with_its_lists_and_fed_whole(api: Api, env: ServerEnv) -> None:
    inspector = api.login("slt-ins")
    submitted, gas_items = _visit(inspector)
    document = applied_result(inspector.push(submitted))["inspection"]
    assert (document["passed"], document["outcome"]) == (False, "发现隐患")  # the whole visit found a hazard
    (gas,) = document["lists"]
    assert gas["checklist_id"] == GAS and gas["passed"] is False and gas["failed_items"] == [gas_items[0]]
    assert gas["responses"][gas_items[0]]["result"] == "fail" and gas["client_outcome"] == "发现隐患"
    inspection_id = submitted["payload"]["inspection_id"]
    with env.db.read() as session:
        rows = session.execute(
            select(InspectionList.checklist_id, InspectionList.passed, InspectionList.outcome)
            .where(InspectionList.inspection_id == inspection_id)
            .order_by(InspectionList.position)
        ).all()
        assert session.get(Inspection, inspection_id).passed is False  # type: ignore[union-attr]
    assert [tuple(row) for row in rows] == [(GENERAL, True, "未发现隐患"), (GAS, False, "发现隐患")]
    fed = [entry for entry in inspector.feed()["entries"] if entry["kind"] == "inspection"]
    assert [entry["data"]["lists"][0]["checklist_id"] for entry in fed if entry["id"] == inspection_id] == [GAS]

    twice, _ = _visit(inspector)
    twice["payload"]["lists"].append(dict(twice["payload"]["lists"][0]))
    assert inspector.push(twice)[0]["code"] == "invalid_payload"
    misplaced, _ = _visit(inspector)  # a gas item answered under the general list
    misplaced["payload"]["responses"][gas_items[1]] = {"result": "pass"}
    refused = inspector.push(misplaced)[0]
    assert refused["code"] == "invalid_payload" and gas_items[1] in refused["message"]
    unknown, _ = _visit(inspector)
    unknown["payload"]["lists"][0]["checklist_version"] = "1999.1"
    assert inspector.push(unknown)[0]["code"] == "unknown_checklist"


def test_the_release_database_gains_one_list_per_inspection(tmp_path: Path) -> None:
    copy = tmp_path / "release.db"
    shutil.copyfile(RELEASE, copy)
    engine = create_engine(f"sqlite:///{copy}")
    try:
        assert upgrade(engine)[1] == head_revision()
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT id, checklist_id, checklist_version, score, passed, outcome FROM inspections ORDER BY id")
            ).fetchall()
            lists = connection.execute(
                text(
                    "SELECT inspection_id, checklist_id, checklist_version, score, passed, outcome "
                    "FROM inspection_lists WHERE position = 0 ORDER BY inspection_id"
                )
            ).fetchall()
            count = connection.execute(text("SELECT count(*) FROM inspection_lists")).scalar()
        assert stored and [tuple(row) for row in lists] == [tuple(row) for row in stored] and count == len(stored)
    finally:
        engine.dispose()
